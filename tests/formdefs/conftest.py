import json
import shutil
import subprocess
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from baocao.formdefs.schema import read_regime
from baocao.formdefs.spec import build_spec
from baocao.regimes import REGIMES_DIR

FORMULA_JS = Path(__file__).resolve().parents[2] / "src/baocao/formdefs/static/formdefs/formula.js"
RUNNER_JS = Path(__file__).resolve().parent / "formula_runner.js"


@lru_cache(maxsize=None)
def _specs(regime):
    return {form.code: build_spec(form.spec) for form in read_regime(regime).forms}


@pytest.fixture
def tuphap():
    """{form code: spec} of the tuphap forms, read from the regime package (no database)."""
    return _specs("tuphap")


@pytest.fixture
def kiemke():
    return _specs("kiemke")


@pytest.fixture
def regime_copy(tmp_path):
    """copy("tuphap") -> a writable copy of a regime package under tmp_path, and its root."""

    def copy(key):
        shutil.copytree(REGIMES_DIR / key, tmp_path / key, ignore=shutil.ignore_patterns("__pycache__"))
        return tmp_path / key

    return copy


# --- Running formula.js under node ------------------------------------------------------
# Values cross as JSON: a Decimal is {"d": "1.5"}; text, true/false and null are themselves.


def encode(value):
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def decode(value):
    if isinstance(value, dict) and "d" in value:
        return Decimal(value["d"])
    return value


def run_js(cases):
    """Answers of formula.js to `cases` (see formula_runner.js), in one node process."""
    node = shutil.which("node") or "/usr/bin/node"
    result = subprocess.run(
        [node, str(RUNNER_JS), str(FORMULA_JS)], input=json.dumps(cases), capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(result.stdout)

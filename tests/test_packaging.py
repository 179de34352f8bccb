"""A production install (`pip install .`, not editable) must carry the templates, static
files, translations and regime data, which are not Python modules."""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_everything_the_site_needs(tmp_path):
    # Built from a copy of the project, so setuptools' scratch directories never touch the
    # checkout (CI runs the suite on two databases at once).
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(tree)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("baocao-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "baocao/templates/base.html",
        "baocao/templates/exchange/report_print.html",
        "baocao/static/reports/grid.js",
        "baocao/formdefs/static/formdefs/formula.js",
        "baocao/locale/en/LC_MESSAGES/django.po",
        "baocao/regimes/kiemke/regime.yaml",
        "baocao/regimes/tuphap/forms/12a.yaml",
        "baocao/audit/migrations/0002_append_only.py",
    ):
        assert needed in names, needed
    # And every other file of the source tree: a guide page, a printout layout, a screenshot.
    source = ROOT / "src"
    files = {path.relative_to(source).as_posix() for path in (source / "baocao").rglob("*")
             if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".mo")}
    assert not files - names, sorted(files - names)

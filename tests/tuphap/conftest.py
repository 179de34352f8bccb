"""Fixtures of the tuphap regime: its forms loaded, reports in open periods."""
import pytest

from baocao.formdefs.services import load_regime_forms
from tests.helpers import open_period, owed_report


@pytest.fixture
def tuphap_report(tree, settings):
    """tuphap_report("23c/BTP/ĐKQGGDBĐ", "T02003002", kind="NAM_CT", year=2020) -> a draft report."""
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    periods = {}

    def make(form_code, unit_code, *, kind="6T", year=2025):
        if (kind, year) not in periods:
            periods[kind, year] = open_period(kind, year, code=f"{year}-{kind}")
        return owed_report(tree[unit_code], periods[kind, year], form_code)

    return make

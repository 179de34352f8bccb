import pytest

from baocao.formdefs.services import load_regime_forms
from baocao.units.models import UnitType
from tests.helpers import open_period, owed_report


@pytest.fixture
def tuphap(settings, tree):
    """The justice regime's forms, an open annual period, T02003 as a Sở Tư pháp with two
    notary practices below it (T02003001, T02003002)."""
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    for code in ("so_tu_phap", "to_chuc_hanh_nghe_cong_chung"):
        UnitType.objects.get_or_create(code=code, defaults={"name": code})
    tree["T02003"].unit_types.add("so_tu_phap")
    tree["T02003002"].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    tree["T02003001"].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    return open_period("NAM_CT", 2025)


@pytest.fixture
def kiemke(tree):
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    return open_period("KIEMKE", 2026, code="KK2026", name="Tổng kiểm kê 0h 01/01/2026")


@pytest.fixture
def notary_report(tuphap, tree):
    return owed_report(tree["T02003002"], tuphap, "12a/BTP/BTTP/CC")

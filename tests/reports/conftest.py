from datetime import date, timedelta

import pytest
from django.utils import timezone

from baocao.formdefs.services import load_regime_forms
from baocao.reports.models import Period
from baocao.reports.services import open_report
from baocao.units.models import UnitType


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
    now = timezone.now()
    return Period.objects.create(
        regime="tuphap", code="NAM_CT_2025", name="Kỳ báo cáo năm chính thức 2025", kind="NAM_CT",
        data_from=date(2025, 1, 1), data_to=date(2025, 12, 31), opens_at=now - timedelta(days=1), deadline=now + timedelta(days=30),
    )


@pytest.fixture
def kiemke(tree):
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    now = timezone.now()
    return Period.objects.create(
        regime="kiemke", code="KK2026", name="Tổng kiểm kê 0h 01/01/2026", kind="KIEMKE",
        data_from=date(2026, 1, 1), data_to=date(2026, 1, 1), opens_at=now - timedelta(days=1), deadline=now + timedelta(days=30),
    )


@pytest.fixture
def notary_report(tuphap, tree):
    return open_report(tree["T02003002"], tuphap, "12a/BTP/BTTP/CC")

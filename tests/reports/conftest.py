from datetime import date, timedelta

import pytest
from django.utils import timezone

from baocao.formdefs.services import load_regime_forms
from baocao.reports.models import Period
from baocao.reports.services import open_report
from baocao.units.models import UnitType


def open_period(regime, code, name, kind, data_from, data_to):
    """A period open for data entry since yesterday, for thirty more days."""
    now = timezone.now()
    return Period.objects.create(regime=regime, code=code, name=name, kind=kind, data_from=data_from, data_to=data_to,
                                 opens_at=now - timedelta(days=1), deadline=now + timedelta(days=30))


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
    return open_period("tuphap", "NAM_CT_2025", "Kỳ báo cáo năm chính thức 2025", "NAM_CT", date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def kiemke(tree):
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    return open_period("kiemke", "KK2026", "Tổng kiểm kê 0h 01/01/2026", "KIEMKE", date(2026, 1, 1), date(2026, 1, 1))


@pytest.fixture
def notary_report(tuphap, tree):
    return open_report(tree["T02003002"], tuphap, "12a/BTP/BTTP/CC")

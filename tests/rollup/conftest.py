"""Roll-up fixtures: the justice regime on the `tree` fixture, with notary practices filing
12a in two subtrees and the accounts the regime makes; the inventory regime with schools
filing the registers. Everything goes through the real actions (save_grid, transition)."""
from decimal import Decimal

import pytest

from baocao.formdefs.services import load_regime_forms
from baocao.reports import services, workflow
from baocao.reports.models import Report
from baocao.units.models import UnitType
from tests.helpers import open_period, owed_report

A12 = "12a/BTP/BTTP/CC"
B12 = "12b/BTP/BTTP/CC"
NOTARIES = ("T02003002", "T02003001", "T02001", "T01017", "046001")
# A car of the register KK-OTO, as a user types it.
CAR = {
    "ma_tai_san": "OTO-01", "ten_tai_san": "Xe ô tô 7 chỗ", "nhan_hieu": "Toyota Fortuner", "bien_kiem_soat": "23A-001.23",
    "so_cho_tai_trong": "7", "nuoc_san_xuat": "Việt Nam", "nam_san_xuat": "2019", "ngay_su_dung": "15/03/2019",
    "loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam", "nguyen_gia": "1.200.000.000", "nguon_ns": "1.200.000.000",
    "nguon_khac": "0", "gia_tri_con_lai": "480.000.000", "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "dang_su_dung",
}


@pytest.fixture
def tuphap(settings, tree):
    """The justice regime; T02003 is a Sở Tư pháp (files 12b); five notary practices file 12a:
    two under T02003, one directly under T02, one in T01 and one under the ministry 046.
    An open official-year period, due in 30 days."""
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    for code in ("so_tu_phap", "to_chuc_hanh_nghe_cong_chung"):
        UnitType.objects.get_or_create(code=code, defaults={"name": code})
    tree["T02003"].unit_types.add("so_tu_phap")
    for code in NOTARIES:
        tree[code].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    return open_period("NAM_CT", 2025)


@pytest.fixture
def people(tuphap, make_account):
    """Each notary practice's _bc, _kt, _ld; the Sở's; the central and provincial administrators."""
    accounts = {}
    for code in NOTARIES + ("T02003",):
        accounts[f"{code}_bc"] = make_account(code, "entry", username=f"{code}_bc", display_name=f"Chuyên viên {code}")
        accounts[f"{code}_kt"] = make_account(code, "reviewer", username=f"{code}_kt", display_name=f"Kiểm tra {code}")
        accounts[f"{code}_ld"] = make_account(code, "approver", username=f"{code}_ld", display_name=f"Lãnh đạo {code}")
    accounts["central"] = make_account("BTC", "central_admin", username="btp_qt")
    accounts["T02_qt"] = make_account("T02", "admin", username="T02_qt")
    accounts["T01_qt"] = make_account("T01", "admin", username="T01_qt")
    return accounts


def fill(report, account, row="to_chuc", **cells):
    entered = {(row, column): Decimal(value) for column, value in cells.items()}
    services.save_grid(account, report, entered, expected_version=report.version)
    report.refresh_from_db()
    return report


def act(report, account, *codes, reason="Đề nghị xem lại"):
    for code in codes:
        workflow.transition(account, report, code, reason=reason)
    report.refresh_from_db()
    return report


def notary(tree, period, code):
    return owed_report(tree[code], period, A12)


def approve(report, people, **cells):
    """Fill and take a notary report through _bc → _kt → _ld to Đã phê duyệt."""
    code = report.unit.code
    fill(report, people[f"{code}_bc"], **cells)
    act(report, people[f"{code}_bc"], "gui_kiem_tra")
    act(report, people[f"{code}_kt"], "da_kiem_tra")
    act(report, people[f"{code}_ld"], "phe_duyet")
    return report


@pytest.fixture
def kiemke(tree):
    """The inventory regime; three schools and offices file the four registers."""
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    for code in ("T02003002", "T02003001", "T01017"):
        tree[code].unit_types.add("don_vi_su_nghiep")
    return open_period("KIEMKE", 2026, code="KK2026", name="Tổng kiểm kê 0h 01/01/2026")


def reports_of(period, form_code):
    return {r.unit.code: r for r in Report.objects.filter(period=period, form_code=form_code).select_related("unit", "form", "period")}

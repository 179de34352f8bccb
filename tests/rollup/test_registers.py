"""A register's records roll up through its declared summary: the cars of a school appear
in the KK-TH totals of the school, its department, its province and the Ministry of
Finance, in the bucket of the register's stage."""
from decimal import Decimal

from baocao.formdefs.models import FormCell
from baocao.reports import services, workflow
from baocao.reports.models import RollupTotal
from tests.helpers import owed_report
from tests.reports.test_entry import CAR


def totals(unit, period, row, column):
    cell = FormCell.objects.get(form_code="KK-TH", row_code=row, column_code=column)
    return {b: n for b, n in RollupTotal.objects.filter(unit=unit, period=period, cell=cell).values_list("bucket", "number") if n}


def test_cars_roll_up_into_the_consolidation_of_every_level(kiemke, tree, make_account):
    school = make_account("T02003002", "entry", username="T02003002")
    department = make_account("T02003", "receiver", username="T02003")
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    services.save_record(school, report, CAR, expected_version=report.version)
    report.refresh_from_db()
    second = {**CAR, "ma_tai_san": "OTO-02", "bien_kiem_soat": "23A-002.34", "nguyen_gia": "800.000.000", "nguon_ns": "800.000.000",
              "gia_tri_con_lai": "300.000.000", "hien_trang": "hdsn_cho_thue"}
    services.save_record(school, report, second, expected_version=report.version)
    report.refresh_from_db()
    for code in ("T02003002", "T02003", "T02", "BTC"):
        assert totals(tree[code], kiemke, "oto", "so_luong") == {1: Decimal(2)}
        assert totals(tree[code], kiemke, "oto", "nguon_ns") == {1: Decimal(2_000_000_000)}
        assert totals(tree[code], kiemke, "oto", "ht_cho_thue") == {1: Decimal(1)}
        assert totals(tree[code], kiemke, "oto", "ht_khong_kd") == {1: Decimal(1)}
    assert totals(tree["T01"], kiemke, "oto", "so_luong") == {}
    services.delete_record(school, report, 2, expected_version=report.version)
    report.refresh_from_db()
    assert totals(tree["T02"], kiemke, "oto", "so_luong") == {1: Decimal(1)}
    assert totals(tree["T02"], kiemke, "oto", "ht_cho_thue") == {}
    workflow.transition(school, report, "gui_bao_cao")
    assert totals(tree["T02"], kiemke, "oto", "nguon_ns") == {2: Decimal(1_200_000_000)}
    workflow.transition(department, report, "tiep_nhan")
    assert totals(tree["BTC"], kiemke, "oto", "nguon_ns") == {3: Decimal(1_200_000_000)}

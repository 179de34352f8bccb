"""A register of 10,000 records goes through the import in one piece."""
import io

from baocao.exchange.importing import import_workbook
from baocao.exchange.workbook import template_workbook
from baocao.reports.models import ReportRecord
from baocao.reports.services import record_values

RECORDS = 10_000


def car(n):
    return {
        "ma_tai_san": f"XE-{n:05d}", "ten_tai_san": f"Xe ô tô số {n}", "nhan_hieu": "Toyota", "bien_kiem_soat": f"23A-{n:05d}",
        "so_cho_tai_trong": "5", "nuoc_san_xuat": "Nhật Bản", "nam_san_xuat": "2020", "ngay_su_dung": "15/03/2021",
        "loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam", "nguyen_gia": str(1_000_000 + n), "nguon_ns": str(1_000_000 + n),
        "nguon_khac": "0", "gia_tri_con_lai": "500000", "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "dang_su_dung",
    }


def test_ten_thousand_records(open_report_for, make_account):
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    # A unit's full register, as its template carries it after entry on screen.
    ReportRecord.objects.bulk_create([ReportRecord(report=report, position=n, data=car(n)) for n in range(1, RECORDS + 1)], batch_size=1000)
    content = template_workbook(report)
    report.records.all().delete()
    result = import_workbook(make_account("T02003002", "entry"), report, io.BytesIO(content), size=len(content))
    assert result.count == RECORDS
    records = record_values(report)
    assert len(records) == RECORDS
    assert records[-1]["ma_tai_san"] == "XE-10000" and records[-1]["nguyen_gia"] == "1010000"

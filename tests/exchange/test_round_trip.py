"""Template → filled offline → imported → exported: the same numbers come back, in the
official layout (header block, multi-level header, column numbers, signatures)."""
import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from baocao.exchange.workbook import export_workbook, template_workbook
from baocao.reports.services import grid_values, record_values

from .conftest import Filled, sheet_values

A12 = "12a/BTP/BTTP/CC"
B12 = "12b/BTP/BTTP/CC"


def upload(client, report, content, name="bao-cao.xlsx"):
    return client.post(
        reverse("exchange:upload", args=[report.pk]), {"file": _file(content, name)}, follow=True
    )


def _file(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_12a_template_has_the_official_layout(open_report_for, make_account, login):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "entry"))
    response = client.get(reverse("exchange:template", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('_mau.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["12a_BTP_BTTP_CC"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Biểu số 12a/BTP/BTTP/CC" in texts
    assert "Ban hành theo Thông tư số 03/2019/TT-BTP ngày 20/3/2019" in texts
    assert "TÌNH HÌNH TỔ CHỨC VÀ HOẠT ĐỘNG CÔNG CHỨNG" in texts
    assert "Kỳ báo cáo: 6 tháng năm 2025" in texts
    assert "(Từ ngày 01/01/2025 đến ngày 31/05/2025)" in texts
    assert "Đơn vị báo cáo: Trường THPT Trần Phú" in texts
    assert "Đơn vị nhận báo cáo: Sở Giáo dục và Đào tạo" in texts
    filled = Filled(response.content)
    assert list(filled.column_of) == ["A"] + [f"({n})" for n in range(1, 12)]
    # "Số việc công chứng" spans (2)–(4); "Chia ra" spans (3)–(4).
    merged = {str(r) for r in sheet.merged_cells.ranges}
    heading_row = next(c.row for row in sheet.iter_rows() for c in row if c.value == "Số việc công chứng")
    assert f"C{heading_row}:E{heading_row}" in merged
    assert sheet.protection.sheet and not sheet.protection.password
    row = filled.row_of("Tổ chức hành nghề công chứng")
    assert sheet.cell(row, filled.column_of["(1)"]).protection.locked is False  # input
    assert sheet.cell(row, filled.column_of["(2)"]).protection.locked is True  # computed (3) + (4)
    assert sheet.cell(row, filled.column_of["(2)"]).fill.fgColor.rgb.endswith("E7E6E6")
    hints = {v.prompt for v in sheet.data_validations.dataValidation}
    assert any("Kiểu: số nguyên." in h and "Đơn vị tính: người." in h and "Không nhỏ hơn 0." in h for h in hints)


def test_12a_round_trip(open_report_for, make_account, login):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "entry"))
    content = client.get(reverse("exchange:template", args=[report.pk])).content
    label = "Tổ chức hành nghề công chứng"
    filled = Filled(content).set(label, "(1)", 3).set(label, "(3)", 10).set(label, "(4)", "1.234")
    filled.set(label, "(5)", "1.234.567.890.123").set(label, "(6)", 2500000).set(label, "(11)", "1.234.567")
    response = upload(client, report, filled.save())
    assert "Đã nhập số liệu từ tệp Excel: 6 ô" in response.content.decode()
    report.refresh_from_db()
    values = grid_values(report)
    assert values[("to_chuc", "viec_tong")] == Decimal("1244")
    assert values[("to_chuc", "thu_lao")] == Decimal("1234567890123")
    exported = sheet_values(client.get(reverse("exchange:export_xlsx", args=[report.pk])).content)
    row = filled.row_of(label)
    assert [exported.get((row, filled.column_of[f"({n})"])) for n in range(1, 12)] == [
        3, 1244, 10, 1234, 1234567890123, 2500000, None, None, None, None, 1234567,
    ]
    texts = set(exported.values())
    assert "Người lập biểu" in texts and "Thủ trưởng đơn vị" in texts and "(Ký, ghi rõ họ tên)" in texts
    today = timezone.localdate()
    assert f"Hà Giang, ngày {today:%d} tháng {today:%m} năm {today:%Y}" in texts


def test_12b_has_a_row_per_child_and_a_computed_total(open_report_for, make_account, login):
    report = open_report_for("tuphap", B12, "T02003")
    client = login(make_account("T02003", "entry"))
    filled = Filled(template_workbook(report))
    filled.set("Trường THPT Chuyên", "(1)", 2).set("Trường THPT Chuyên", "(3)", 5).set("Trường THPT Chuyên", "(4)", 1)
    filled.set("Trường THPT Trần Phú", "(1)", 4).set("Trường THPT Trần Phú", "(3)", "7").set("Trường THPT Trần Phú", "(8)", "1.500.000")
    response = upload(client, report, filled.save())
    assert "Đã nhập số liệu" in response.content.decode()
    report.refresh_from_db()
    values = sheet_values(export_workbook(report))
    total = filled.row_of("Tổng số")
    assert values[(total, filled.column_of["(1)"])] == 6
    assert values[(total, filled.column_of["(2)"])] == 13
    assert values[(total, filled.column_of["(8)"])] == 1500000
    assert grid_values(report)[(f"to_chuc/{report.unit.children.get(code='T02003001').pk}", "viec_tong")] == Decimal(6)


def test_10a_four_level_header_round_trip(open_report_for, make_account, login):
    report = open_report_for("tuphap", "10a/TP/CC", "T02003002")
    client = login(make_account("T02003002", "entry"))
    content = template_workbook(report)
    filled = Filled(content)
    sheet = filled.sheet
    assert list(filled.column_of)[-1] == "(19)"
    header_top = next(c.row for row in sheet.iter_rows() for c in row if c.value == "Công chứng")
    # Five header levels: Công chứng › Số việc… › Chia ra › bất động sản › Tổng số.
    assert filled.first - 1 - header_top == 5
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"A{header_top}:A{header_top + 4}" in merged  # the stub spans every level
    label = "Tổ chức hành nghề công chứng"
    filled.set(label, "(3)", 12).set(label, "(4)", 2).set(label, "(5)", 30).set(label, "(7)", "12.345.678")
    filled.set(label, "(19)", "Ghi chú thử")
    response = upload(client, report, filled.save())
    assert "Đã nhập số liệu" in response.content.decode()
    report.refresh_from_db()
    values = sheet_values(export_workbook(report))
    row = filled.row_of(label)
    assert values[(row, filled.column_of["(2)"])] == 42
    assert values[(row, filled.column_of["(7)"])] == 12345678
    assert values[(row, filled.column_of["(19)"])] == "Ghi chú thử"


def test_kiemke_register_round_trip(open_report_for, make_account, login):
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    client = login(make_account("T02003002", "entry"))
    content = template_workbook(report)
    book = load_workbook(io.BytesIO(content))
    assert book["DanhMuc"].sheet_state == "hidden"
    lists = [v for v in book.worksheets[0].data_validations.dataValidation if v.type == "list"]
    labels = {c.value for row in book["DanhMuc"].iter_rows() for c in row}
    assert "Xe ô tô phục vụ công tác chung" in labels and "Hoạt động sự nghiệp › Kinh doanh" in labels
    assert len(lists) == 5  # loai_xe, nguon_goc, hien_trang, tinh_trang_kiem_ke, de_nghi_xu_ly
    car = {
        "(1)": "XE-001", "(2)": "Toyota Camry", "(3)": "Toyota", "(4)": "23A-123.45", "(5)": 5, "(6)": "Nhật Bản",
        "(7)": 2020, "(8)": datetime.datetime(2021, 3, 15), "(10)": "Xe ô tô phục vụ công tác chung",
        "(12)": "Mua sắm", "(13)": "1.200.000.000", "(14)": 1000000000, "(15)": "200.000.000",
        "(16)": "850.000.000", "(17)": "Hoạt động sự nghiệp › Kinh doanh", "(18)": "Đang sử dụng",
    }
    second = car | {"(1)": "XE-002", "(4)": "23A-999.99", "(8)": "01/02/2019", "(10)": "Xe ô tô chuyên dùng",
                    "(16)": 1, "(17)": "Quản lý nhà nước", "(18)": "Thừa"}
    filled = Filled(content).record(0, car).record(1, second)
    response = upload(client, report, filled.save())
    assert "Đã nhập 2 bản ghi từ tệp Excel" in response.content.decode()
    report.refresh_from_db()
    records = record_values(report)
    assert records[0]["ngay_su_dung"] == "15/03/2021" and records[1]["ngay_su_dung"] == "01/02/2019"
    assert records[0]["hien_trang"] == "hdsn_kinh_doanh" and records[1]["tinh_trang_kiem_ke"] == "thua"
    values = sheet_values(export_workbook(report))
    first = filled.first
    assert values[(first, filled.column_of["(13)"])] == 1200000000
    assert values[(first, filled.column_of["(16)"])] == 850000000
    assert values[(first, filled.column_of["(17)"])] == "Hoạt động sự nghiệp › Kinh doanh"
    assert values[(first + 1, filled.column_of["(8)"])] == datetime.datetime(2019, 2, 1)
    assert values[(first + 1, filled.column_of["(10)"])] == "Xe ô tô chuyên dùng"
    # The template downloaded again carries the saved records: editing offline loses nothing.
    again = sheet_values(template_workbook(report))
    assert again[(first + 1, filled.column_of["(1)"])] == "XE-002"

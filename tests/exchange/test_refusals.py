"""Bad files are refused with every problem at once, each with a clear Vietnamese message,
and nothing is saved."""
import datetime
import io

import pytest
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from baocao.exchange.importing import ImportRefused, import_workbook
from baocao.exchange.workbook import template_workbook
from baocao.reports.models import Report

from .conftest import Filled, with_cached_value

A12 = "12a/BTP/BTTP/CC"
ROW = "Tổ chức hành nghề công chứng"
CAR = {
    "(1)": "XE-001", "(2)": "Toyota Camry", "(3)": "Toyota", "(4)": "23A-123.45", "(5)": 5, "(6)": "Nhật Bản",
    "(7)": 2020, "(8)": "15/03/2021", "(10)": "Xe ô tô phục vụ công tác chung", "(12)": "Mua sắm",
    "(13)": 1200, "(14)": 1000, "(15)": 200, "(16)": 800, "(17)": "Quản lý nhà nước", "(18)": "Đang sử dụng",
}


@pytest.fixture
def grid(open_report_for, make_account):
    return open_report_for("tuphap", A12, "T02003002"), make_account("T02003002", "entry")


@pytest.fixture
def register(open_report_for, make_account):
    return open_report_for("kiemke", "KK-OTO", "T02003002"), make_account("T02003002", "entry")


def refused(report, account, content, **kwargs):
    """The problems of a refused file, after checking that nothing was saved."""
    version = report.version
    with pytest.raises(ImportRefused) as caught:
        import_workbook(account, report, io.BytesIO(content), size=kwargs.get("size", len(content)))
    stored = Report.objects.get(pk=report.pk)
    assert stored.version == version and not stored.values.exists() and not stored.records.exists()
    return caught.value.problems


def messages(problems):
    return [str(p) for p in problems]


def test_not_an_xlsx_file(grid):
    report, account = grid
    (problem,) = refused(report, account, b"Day khong phai Excel")
    assert "Tệp không phải là tệp Excel (.xlsx) hợp lệ" in problem.message


def test_a_file_over_the_size_limit(grid, settings):
    report, account = grid
    settings.BAOCAO_UPLOAD_MAX_MB = 1
    (problem,) = refused(report, account, template_workbook(report), size=2 * 1024 * 1024)
    assert problem.message == "Tệp quá lớn: tối đa 1 MB."


def test_a_workbook_that_is_not_the_template(grid):
    report, account = grid
    book = Workbook()
    book.active.append(["Số công chứng viên", 3])
    out = io.BytesIO()
    book.save(out)
    (problem,) = refused(report, account, out.getvalue())
    assert "không phải tệp mẫu nhập liệu của hệ thống cho biểu 12a/BTP/BTTP/CC" in problem.message


def test_the_template_of_another_form(grid, open_report_for):
    report, account = grid
    other = open_report_for("tuphap", "10a/TP/CC", "T02003002")
    (problem,) = refused(report, account, template_workbook(other))
    assert problem.message == "Tệp là tệp mẫu của biểu 10a/TP/CC, không phải biểu 12a/BTP/BTTP/CC."


def test_a_template_of_an_older_form_version(grid):
    report, account = grid
    filled = Filled(template_workbook(report))
    marker = filled.book.defined_names["BAOCAO_BIEU"].attr_text.replace(f"|{report.form.version}|", "|99|")
    filled.book.defined_names["BAOCAO_BIEU"] = DefinedName("BAOCAO_BIEU", attr_text=marker)
    (problem,) = refused(report, account, filled.save())
    assert "phiên bản 99 của biểu 12a/BTP/BTTP/CC; biểu đang dùng phiên bản 1" in problem.message


def test_every_bad_grid_cell_is_listed_with_its_place(grid):
    report, account = grid
    filled = Filled(template_workbook(report))
    filled.set(ROW, "(1)", "ba người").set(ROW, "(3)", -2).set(ROW, "(5)", "1.234.567.890.123.456.789.012")
    filled.set(ROW, "(7)", "12,5")
    problems = refused(report, account, filled.save())
    row = filled.row_of(ROW)
    assert messages(problems) == [
        f"Trang “12a_BTP_BTTP_CC”, dòng {row}, cột B (1) “ba người”: Phải là số (ví dụ 1.234.567 hoặc 1.234,5).",
        f"Trang “12a_BTP_BTTP_CC”, dòng {row}, cột D (3) “-2”: Không được nhỏ hơn 0.",
        f"Trang “12a_BTP_BTTP_CC”, dòng {row}, cột F (5) “1.234.567.890.123.456.789.012”: Số quá lớn: phần nguyên tối đa 15 chữ số.",
        f"Trang “12a_BTP_BTTP_CC”, dòng {row}, cột H (7) “12,5”: Phải là số nguyên.",
    ]
    assert problems[0].label == "Số công chứng viên"


def test_a_formula_is_read_from_its_cached_value_or_refused(grid):
    report, account = grid
    filled = Filled(template_workbook(report))
    filled.set(ROW, "(1)", "=1+2").set(ROW, "(3)", "=4*5")
    content = filled.save()
    problems = refused(report, account, content)
    assert [(p.column, p.message) for p in problems] == [
        ("B", "Ô chứa công thức (=…) mà tệp không lưu sẵn kết quả; hãy nhập trực tiếp số liệu."),
        ("D", "Ô chứa công thức (=…) mà tệp không lưu sẵn kết quả; hãy nhập trực tiếp số liệu."),
    ]
    computed = with_cached_value(with_cached_value(content, "1+2", "3"), "4*5", "20")
    import_workbook(account, report, io.BytesIO(computed))
    assert {c: v for (r, c), v in report_values(report).items()} == {"cong_chung_vien": 3, "viec_hop_dong": 20, "viec_tong": 20}


def report_values(report):
    from baocao.reports.services import grid_values

    return grid_values(Report.objects.get(pk=report.pk))


def test_merged_cells_in_the_data_area(grid):
    report, account = grid
    filled = Filled(template_workbook(report))
    filled.sheet.protection.sheet = False
    row = filled.row_of(ROW)
    filled.set(ROW, "(3)", 4)
    filled.sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    (problem,) = refused(report, account, filled.save())
    assert problem.message == f"Ô gộp trong vùng số liệu (D{row}:E{row}): hãy bỏ gộp ô, mỗi ô một giá trị."
    assert problem.row == row and problem.column == "D"


def test_hidden_sheets_are_ignored(grid):
    report, account = grid
    filled = Filled(template_workbook(report))
    filled.set(ROW, "(1)", 7)
    junk = filled.book.create_sheet("Nháp")
    junk.append(["không phải số liệu", "abc"])
    junk.sheet_state = "hidden"
    import_workbook(account, report, io.BytesIO(filled.save()))
    assert report_values(report)[("to_chuc", "cong_chung_vien")] == 7


def test_a_hidden_data_sheet_is_not_read(grid):
    report, account = grid
    filled = Filled(template_workbook(report))
    filled.set(ROW, "(1)", 7)
    filled.book.create_sheet("Bản sao")
    filled.sheet.sheet_state = "hidden"
    (problem,) = refused(report, account, filled.save())
    assert problem.message == "Không tìm thấy trang tính “12a_BTP_BTTP_CC” đang hiển thị (trang tính bị ẩn không được đọc)."


def test_every_bad_record_is_listed(register):
    report, account = register
    filled = Filled(template_workbook(report))
    filled.record(0, CAR)
    filled.record(1, CAR | {"(1)": "XE-002", "(4)": "30A-1", "(10)": "Xe đạp", "(8)": "2021-03-15"})
    filled.record(2, CAR | {"(1)": "XE-003", "(4)": "30A-2", "(2)": None, "(13)": 5000})
    filled.record(3, CAR | {"(1)": "XE-004", "(4)": "30A-3", "(8)": datetime.datetime(2022, 1, 2), "(5)": -1})
    problems = refused(report, account, filled.save())
    first = filled.first
    assert [(p.row, p.column, p.value, p.message) for p in problems] == [
        (first + 1, "I", "2021-03-15", "Ngày phải theo định dạng dd/mm/yyyy (ví dụ 31/12/2024)."),
        (first + 1, "K", "Xe đạp", "Không có trong danh mục; chọn một trong: Xe ô tô phục vụ công tác các chức danh; "
         "Xe ô tô phục vụ công tác chung; Xe ô tô chuyên dùng; Xe ô tô phục vụ lễ tân nhà nước; Xe ô tô khác."),
        (first + 2, "C", "", "Bắt buộc nhập."),
        (first + 2, "N, O, P", "5000; 1000; 200", "Nguyên giá tổng cộng phải bằng Nguồn NS cộng Nguồn khác."),
        (first + 3, "F", "-1", "Không được nhỏ hơn 0."),
    ]
    assert problems[3].number == "(13), (14), (15)"


def test_upload_page_lists_every_problem(client, grid, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    report, account = grid
    filled = Filled(template_workbook(report)).set(ROW, "(1)", "abc").set(ROW, "(3)", -1)
    response = login(account).post(
        reverse("exchange:upload", args=[report.pk]), {"file": SimpleUploadedFile("bc.xlsx", filled.save())}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Không nhập được: 2 lỗi. Chưa có số liệu nào được lưu." in page
    assert "Phải là số (ví dụ 1.234.567 hoặc 1.234,5)." in page and "Không được nhỏ hơn 0." in page

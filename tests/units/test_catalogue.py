"""Importing the unit catalogue: all-or-nothing, every error with its row, idempotent."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from baocao.audit.models import AuditEvent
from baocao.units.catalogue import CatalogueError, CatalogueRow, import_catalogue, read_xlsx
from baocao.units.models import Unit, UnitType

HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị", "Loại hình đơn vị", "Địa chỉ", "Điện thoại", "Thư điện tử"]
GOOD = [
    ["BTC", "Bộ Tài chính", "", "root", ""],
    ["T02", "Ủy ban nhân dân tỉnh Hà Giang", "BTC", "governing", "tinh"],
    # A child before its parent: the order of rows does not matter.
    ["T02003002", "Trường THPT Trần Phú", "T02003", "Đơn vị kiểm kê", "don_vi_su_nghiep"],
    ["T02003", "Sở Giáo dục và Đào tạo", "T02", "Đơn vị tổng hợp", ""],
]


def xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def load(rows, actor=None):
    return import_catalogue(actor, read_xlsx(xlsx(rows)))


@pytest.fixture
def types(db):
    for code in ("tinh", "don_vi_su_nghiep"):
        UnitType.objects.create(code=code, name=code)


def errors_of(rows, actor=None):
    with pytest.raises(CatalogueError) as caught:
        load(rows, actor)
    return caught.value.errors


def test_good_file_builds_the_tree(types):
    summary = load(GOOD)
    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    school = Unit.objects.get(code="T02003002")
    assert school.path == "/BTC/T02/T02003/T02003002/" and school.depth == 3
    assert school.kind == "reporting" and school.parent.code == "T02003"
    assert [t.code for t in school.unit_types.all()] == ["don_vi_su_nghiep"]
    assert AuditEvent.objects.filter(action="unit.created").count() == 4
    assert AuditEvent.objects.get(action="units.imported").after == {"created": 4, "updated": 0, "unchanged": 0}


def test_reimporting_the_same_file_changes_nothing(types):
    load(GOOD)
    before = list(Unit.objects.values_list("code", "name", "path", "updated_at"))
    summary = load(GOOD)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 4)
    assert list(Unit.objects.values_list("code", "name", "path", "updated_at")) == before


def test_updated_file_renames_and_moves_whole_subtrees(types):
    load(GOOD)
    updated = GOOD + [["T01", "Ủy ban nhân dân thành phố Hà Nội", "BTC", "governing", "tinh"]]
    updated[3] = ["T02003", "Sở Giáo dục và Đào tạo (mới)", "T01", "aggregating", ""]
    summary = load(updated)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 3)
    department = Unit.objects.get(code="T02003")
    assert department.name == "Sở Giáo dục và Đào tạo (mới)" and department.parent.code == "T01"
    school = Unit.objects.get(code="T02003002")
    assert school.path == "/BTC/T01/T02003/T02003002/" and school.depth == 3
    assert {u.code for u in Unit.objects.subtree(Unit.objects.get(code="T01"))} == {"T01", "T02003", "T02003002"}


def test_a_move_by_the_catalogue_is_a_recorded_reorganisation_and_never_under_a_retired_unit(types):
    """Issue 21: the catalogue import changes the tree through the tree module: its moves and
    creations are Reorganisation records, and it places nothing under a retired unit."""
    from baocao.units import tree
    from baocao.units.models import Reorganisation

    load(GOOD)
    assert "T02003002" in Reorganisation.objects.get(operation="create").details["created"]
    load(GOOD + [["T01", "Ủy ban nhân dân thành phố Hà Nội", "BTC", "governing", "tinh"],
                 ["T01001", "Sở mới", "T01", "aggregating", ""]])
    moved = [row[:] for row in GOOD]
    moved[3] = ["T02003", "Sở Giáo dục và Đào tạo", "T01001", "aggregating", ""]
    load(moved)
    log = Reorganisation.objects.filter(operation="move").get()
    assert log.details["moved"] == [["T02003", "T02", "T01001", 2]] and "Nhập danh mục" in log.note
    retired = Unit.objects.create(code="T02009", name="Sở đã giải thể", kind="aggregating", parent=Unit.objects.get(code="T02"))
    tree.retire(None, retired)
    errors = errors_of(GOOD + [["T02009001", "Dưới đơn vị đã giải thể", "T02009", "reporting", ""]])
    assert any("đã giải thể, sáp nhập" in e.message for e in errors), [str(e) for e in errors]


def test_codes_are_case_insensitive(types):
    load(GOOD)
    summary = load([["t02003002", "Trường THPT Trần Phú", "t02003", "reporting", "don_vi_su_nghiep"]])
    assert summary.unchanged == 1 and Unit.objects.count() == 4


@pytest.mark.parametrize(
    "rows, row, message",
    [
        (GOOD + [["T02003002", "Trùng", "T02003", "reporting", ""]], 6, "Trùng mã với dòng 4"),
        (GOOD + [["t02003002", "Trùng", "T02003", "reporting", ""]], 6, "Trùng mã với dòng 4"),
        (GOOD + [["X01", "Lạc", "KHONGCO", "reporting", ""]], 6, "Không tìm thấy đơn vị cấp trên"),
        (GOOD + [["X01", "Sai loại", "T02", "truong hoc", ""]], 6, "Loại đơn vị không hợp lệ"),
        (GOOD + [["X01", "", "T02", "reporting", ""]], 6, "Thiếu tên đơn vị"),
        (GOOD + [["X 01", "Mã có dấu cách", "T02", "reporting", ""]], 6, "Mã chỉ gồm"),
        (GOOD + [["X01", "Không cấp trên", "", "reporting", ""], ["X01001", "Con", "T02", "reporting", ""]], 7, "phải là X01"),
        (GOOD + [["X01", "Loại hình lạ", "T02", "reporting", "vu_tru"]], 6, "Loại hình đơn vị không có"),
        (GOOD + [["ROOT2", "Gốc thứ hai", "", "root", ""]], 6, "chỉ có một gốc"),
        # The tree's own rules, as every writer of the tree applies them (issue 21).
        (GOOD + [["T02003002001", "Dưới trường học", "T02003002", "reporting", ""]], 6, "là đơn vị báo cáo, không có đơn vị trực thuộc"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_row_and_nothing_is_saved(types, rows, row, message):
    errors = errors_of(rows)
    assert any(e.row == row and message in e.message for e in errors), [str(e) for e in errors]
    assert Unit.objects.count() == 0


def test_cycle_is_reported_on_each_row_of_it(types):
    rows = GOOD + [["A1", "A", "B1", "reporting", ""], ["B1", "B", "A1", "aggregating", ""]]
    errors = errors_of(rows)
    cycle_rows = sorted(e.row for e in errors if "vòng lặp" in e.message)
    assert cycle_rows == [6, 7]
    assert Unit.objects.count() == 0


def test_cycle_through_the_stored_tree(types):
    load(GOOD)
    # Move T02 under the school that is below it.
    errors = errors_of([["T02", "Ủy ban nhân dân tỉnh Hà Giang", "T02003002", "governing", "tinh"]])
    assert any("vòng lặp" in e.message for e in errors)
    assert Unit.objects.get(code="T02").parent.code == "BTC"


def test_all_errors_are_reported_at_once(types):
    rows = GOOD + [["X01", "", "KHONGCO", "lạ", ""], ["X02", "Ok", "T02", "reporting", "vu_tru"]]
    errors = errors_of(rows)
    assert {(e.row, e.column) for e in errors} >= {(6, "Tên đơn vị"), (6, "Loại đơn vị"), (7, "Loại hình đơn vị")}


def test_missing_columns_and_malformed_files():
    with pytest.raises(CatalogueError, match="Thiếu cột: Mã đơn vị cấp trên, Loại đơn vị"):
        read_xlsx(xlsx([["A", "B"]], header=["Mã đơn vị", "Tên đơn vị"]))
    with pytest.raises(CatalogueError, match="không phải là tệp Excel"):
        read_xlsx(io.BytesIO(b"Ma don vi,Ten don vi\nA,B\n"))
    with pytest.raises(CatalogueError, match="Tệp quá lớn"):
        read_xlsx(io.BytesIO(b""), size=21 * 1024 * 1024)


def test_hidden_first_sheet_is_skipped(types):
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "cu"
    hidden.sheet_state = "hidden"
    hidden.append(["rác"])
    sheet = workbook.create_sheet("Danh mục")
    sheet.append(HEADER)
    for row in GOOD:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    assert len(read_xlsx(buffer)) == 4


def test_numeric_codes_keep_their_digits(types):
    load(GOOD)
    rows = read_xlsx(xlsx([[46, "Bộ Y tế", "BTC", "governing", ""]]))
    assert rows[0].code == "46"


def test_province_admin_can_only_import_inside_its_subtree(types, db):
    from tests.factories import AccountFactory

    load(GOOD + [["T01", "Hà Nội", "BTC", "governing", "tinh"]])
    admin = AccountFactory(unit=Unit.objects.get(code="T02"), roles=("admin",))
    summary = load([["T02003003", "Trường THPT Lê Hồng Phong", "T02003", "reporting", ""]], actor=admin)
    assert summary.created == 1
    errors = errors_of([["T01001", "Sở Tư pháp Hà Nội", "T01", "reporting", ""]], actor=admin)
    assert "ngoài phạm vi" in errors[0].message
    errors = errors_of([["T02003002", "Trường THPT Trần Phú", "T01", "reporting", ""]], actor=admin)
    assert "ngoài phạm vi" in errors[0].message
    assert not Unit.objects.filter(code="T01001").exists()
    assert AuditEvent.objects.filter(action="scope.denied", actor=admin).count() == 2


def test_command_line_import(types, tmp_path, capsys):
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(xlsx(GOOD).getvalue())
    call_command("import_units", str(path))
    assert "4 created" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["X1", "", "NOPE", "reporting", ""]]).getvalue())
    with pytest.raises(CommandError, match="nothing imported, 3 error"):
        call_command("import_units", str(bad))


def test_upload_page_shows_every_error_and_saves_nothing(types, make_account, login):
    client = login(make_account("BTC", "central_admin"))
    upload = xlsx([["X1", "", "NOPE", "reporting", ""], ["X2", "Tên", "BTC", "kỳ lạ", ""]])
    upload.name = "danh-muc.xlsx"
    response = client.post(reverse("units:import"), {"file": upload})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Dòng 2" in text and "Dòng 3" in text and "Chưa có dòng nào được lưu" in text
    assert not Unit.objects.filter(code__in=["X1", "X2"]).exists()

    good = xlsx([["T02003009", "Trường mới", "T02003", "reporting", ""]])
    good.name = "danh-muc.xlsx"
    response = client.post(reverse("units:import"), {"file": good}, follow=True)
    assert "Nhập danh mục thành công: 1 đơn vị mới" in response.content.decode()
    assert Unit.objects.get(code="T02003009").parent.code == "T02003"


def test_template_download_has_the_headers(make_account, login):
    from openpyxl import load_workbook

    client = login(make_account("BTC", "central_admin"))
    response = client.get(reverse("units:template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER


def test_contacts_are_imported_and_kept_when_a_file_has_none(types, db):
    load(GOOD)
    rows = [CatalogueRow(row=2, code="T02003002", name="Trường THPT Trần Phú", parent_code="T02003", kind="reporting",
                         contact={"address": "Số 1 đường Trần Phú, TP Hà Giang", "phone": "0219 3866 123", "email": "thpt.tranphu@hagiang.edu.vn"})]
    import_catalogue(None, rows)
    school = Unit.objects.get(code="T02003002")
    assert (school.address, school.phone, school.email) == ("Số 1 đường Trần Phú, TP Hà Giang", "0219 3866 123", "thpt.tranphu@hagiang.edu.vn")
    load(GOOD)  # a file without the contact columns changes nothing of them
    school.refresh_from_db()
    assert school.phone == "0219 3866 123"
    bad = [CatalogueRow(row=2, code="T02003002", name="Trường THPT Trần Phú", parent_code="T02003", kind="reporting", contact={"email": "khong-phai-email"})]
    with pytest.raises(CatalogueError, match="Địa chỉ thư điện tử không hợp lệ"):
        import_catalogue(None, bad)

"""The kiemke catalogue: the labels users see are accepted, the allowed values are listed,
the asset-registration code grammar is enforced and the parent follows from the code."""
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from baocao.units import tree as t
from baocao.units.catalogue import CatalogueError, import_catalogue, read_xlsx
from baocao.units.models import Unit, UnitKind
from baocao.units.services import sync_unit_types

HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị", "Loại hình đơn vị"]


def xlsx(rows):
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def load(rows, actor=None):
    return import_catalogue(actor, read_xlsx(xlsx(rows)))


def errors_of(rows):
    with pytest.raises(CatalogueError) as caught:
        load(rows)
    return [str(e) for e in caught.value.errors]


@pytest.fixture
def types(tree):
    sync_unit_types()


def test_the_labels_users_see_are_accepted_for_kind_and_unit_type(types):
    load([["T02003003", "Trường THPT Lê Hồng Phong", "T02003", "Đơn vị kiểm kê", "Đơn vị sự nghiệp công lập"],
          ["T02005", "Sở Xây dựng", "T02", "Đơn vị tổng hợp", "cơ quan nhà nước"],
          # A label with commas inside, next to another: two types.
          ["T02006", "Ban quản lý", "T02", "reporting", "Bộ, cơ quan ngang Bộ, Ban quản lý dự án"]])
    school = Unit.objects.get(code="T02003003")
    assert school.kind == UnitKind.REPORTING and list(school.unit_types.values_list("code", flat=True)) == ["don_vi_su_nghiep"]
    assert Unit.objects.get(code="T02005").kind == UnitKind.AGGREGATING
    assert set(Unit.objects.get(code="T02006").unit_types.values_list("code", flat=True)) == {"bo", "ban_quan_ly_du_an"}


def test_each_error_lists_the_allowed_values(types):
    problems = errors_of([["T02003003", "Trường", "T02003", "trường học", "Trường công"]])
    kind = next(p for p in problems if "Loại đơn vị không hợp lệ" in p)
    assert "Đơn vị kiểm kê" in kind and "Đơn vị tổng hợp" in kind and "governing" not in kind
    unit_type = next(p for p in problems if "Loại hình đơn vị không có" in p)
    assert "Đơn vị sự nghiệp công lập" in unit_type and "Cơ quan nhà nước" in unit_type


def test_the_code_grammar_is_enforced_with_a_clear_message(types):
    for code in ("T2003001", "T0200300", "ABC001", "T02003002001002003"):
        problems = errors_of([[code, "Đơn vị", "T02003", "reporting", ""]])
        assert any("không đúng quy tắc" in p and "T02003002" in p for p in problems), (code, problems)
    # The parent must be the code minus its last 3 characters.
    problems = errors_of([["T02003009", "Trường", "T01", "reporting", ""]])
    assert any("phải là T02003" in p for p in problems)


def test_the_parent_is_inferred_from_the_code(types):
    load([["T03", "Ủy ban nhân dân tỉnh Cao Bằng", "", "Bộ, cơ quan trung ương, Ủy ban nhân dân tỉnh", ""],
          ["T03001", "Sở Tài chính tỉnh Cao Bằng", "", "Đơn vị kiểm kê", ""],
          ["T02003004", "Trường THPT Nguyễn Huệ", "", "Đơn vị kiểm kê", ""]])
    assert Unit.objects.get(code="T03").parent.code == "BTC"
    assert Unit.objects.get(code="T03001").parent.code == "T03"
    assert Unit.objects.get(code="T02003004").parent.code == "T02003"


def test_an_omitted_parent_keeps_a_stored_unit_where_it_is(types):
    t.move(None, Unit.objects.get(code="T02001"), parent=Unit.objects.get(code="T02003"))
    load([["T02001", "Sở Tài chính (tên mới)", "", "reporting", ""]])
    unit = Unit.objects.get(code="T02001")
    assert unit.name == "Sở Tài chính (tên mới)" and unit.parent.code == "T02003"


def test_creating_a_unit_checks_the_grammar(types, tree):
    with pytest.raises(ValidationError, match="không đúng quy tắc"):
        t.create(None, code="T02-003-9", name="Sai mã", kind=UnitKind.REPORTING, parent=tree["T02003"])
    with pytest.raises(ValidationError, match="phải là T02003"):
        t.create(None, code="T02003009", name="Sai cấp trên", kind=UnitKind.REPORTING, parent=tree["T02"])
    unit, _log = t.create(None, code="T02003009", name="Đúng", kind=UnitKind.REPORTING, parent=tree["T02003"])
    assert unit.path == "/BTC/T02/T02003/T02003009/"


def test_renaming_many_units_is_one_statement_per_batch(types):
    rows = [[f"T02003{n:03d}", f"Trường số {n}", "T02003", "reporting", ""] for n in range(10, 70)]
    load(rows)
    renamed = [[code, name + " (đổi tên)", parent, kind, ""] for code, name, parent, kind, _types in rows]
    with CaptureQueriesContext(connection) as queries:
        summary = load(renamed)
    assert summary.updated == 60
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "units_unit" in q["sql"]]
    assert len(updates) == 1, updates
    assert Unit.objects.get(code="T02003042").name == "Trường số 42 (đổi tên)"
    assert Unit.objects.matching("doi ten").count() == 60


def test_the_import_page_and_template_list_the_allowed_values(types, make_account, login):
    client = login(make_account("BTC", "central_admin"))
    page = client.get(reverse("units:import")).content.decode()
    assert "governing" not in page and "aggregating" not in page and "reporting" not in page
    assert "Đơn vị kiểm kê" in page and "Đơn vị sự nghiệp công lập" in page and "T02003002" in page
    response = client.get(reverse("units:template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Danh mục đơn vị", "Giá trị hợp lệ"]
    values = [row for row in workbook["Giá trị hợp lệ"].iter_rows(values_only=True)]
    kinds = {row[0] for row in values}
    assert {"Đơn vị kiểm kê", "Đơn vị tổng hợp"} <= kinds
    assert "Đơn vị sự nghiệp công lập" in {row[1] for row in values}
    validations = workbook["Danh mục đơn vị"].data_validations.dataValidation
    assert any("D2" in str(v.sqref) for v in validations)


def test_a_refused_import_page_shows_the_labels(types, make_account, login):
    client = login(make_account("BTC", "central_admin"))
    upload = xlsx([["T02003003", "Trường", "T02003", "don vi su nghiep", ""]])
    upload.name = "dm.xlsx"
    page = client.post(reverse("units:import"), {"file": upload}).content.decode()
    assert "Loại đơn vị không hợp lệ" in page and "Đơn vị kiểm kê" in page
    assert not Unit.objects.filter(code="T02003003").exists()


def test_every_screen_names_a_kind_of_unit_in_the_regime_s_words(kiemke, tree, make_account, login):
    """Issue 24.3: "Đơn vị kiểm kê" in the catalogue list, a unit's page and Thành lập đơn
    vị alike — never "Đơn vị báo cáo" for the same kind."""
    from django.urls import reverse

    client = login(make_account("BTC", "central_admin"))
    pages = [client.get(reverse("units:list")).content.decode(),
             client.get(reverse("units:detail", args=["T02003002"])).content.decode(),
             client.get(reverse("reorg:operation", args=["thanh-lap"])).content.decode()]
    for page in pages:
        assert "Đơn vị kiểm kê" in page and "Đơn vị báo cáo" not in page

"""The reorganisation pages (docs/reorganisation.md): every page for the right role and
refused (403, audited) to others; a preview changes nothing and "Thực hiện" does exactly what
it showed; the Excel list is all or nothing with every problem by row; transfers are filed,
planned, executed once or rejected with a reason, through the pages."""
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from baocao.accounts.models import Account
from baocao.audit.models import AuditEvent
from baocao.reorg import operations
from baocao.reorg.models import TransferLine, TransferRequest
from baocao.reports import services
from baocao.reports.models import Report, ReportRecord
from baocao.units import tree as t
from baocao.units.models import Reorganisation, Unit, UnitKind
from tests.factories import AccountFactory
from tests.reorg.test_transfers import A12, DECISION, all_buckets, approve, fill
from tests.reports.test_entry import CAR

DECIDED = {"decision_number": "567/QĐ-UBND", "decision_date": "01/07/2025", "decision_issuer": "UBND tỉnh Hà Giang"}


@pytest.fixture
def people(tree, make_account):
    return {
        "province": make_account("T02", "admin", username="T02_qt"),
        "other": make_account("T01", "admin", username="T01_qt"),
        "central": make_account("BTC", "central_admin", username="BTC_qt"),
        "unit": make_account("T02001", "entry", username="T02001_bc"),
    }


def as_(_client, account):
    """A browser of its own for `account` (two people never share a session)."""
    client = Client()
    client.force_login(account, backend="baocao.accounts.backends.AccountBackend")
    return client


def op_url(slug):
    return reverse("reorg:operation", args=[slug])


def text(response):
    return response.content.decode()


def preview_then_execute(client, slug, data):
    """Xem trước, then Thực hiện with exactly the values the preview posts back."""
    response = client.post(op_url(slug), {**data, "action": "preview"})
    assert response.status_code == 200, text(response)
    posted = response.context["posted"]
    fields = {}
    for key, value in posted:
        fields.setdefault(key, []).append(value)
    return client.post(op_url(slug), {**fields, "previewed": response.context["fingerprint"], "action": "execute"})


# --- access ----------------------------------------------------------------------------------


PAGES = [
    ("reorg:index", ()), ("reorg:log", ()), ("reorg:list", ()), ("reorg:list_template", ()), ("reorg:units", ()),
    *[("reorg:operation", (slug,)) for slug in ("thanh-lap", "doi-ten", "chuyen", "hop-nhat", "chia-tach", "giai-the")],
]


@pytest.mark.parametrize("name, args", PAGES)
def test_each_page_opens_for_an_administrator_and_is_refused_to_a_unit_account(tuphap, people, client, name, args):
    assert as_(client, people["province"]).get(reverse(name, args=args)).status_code == 200
    assert as_(client, people["unit"]).get(reverse(name, args=args)).status_code == 403
    assert AuditEvent.objects.filter(action="scope.denied", actor=people["unit"]).exists()


@pytest.mark.parametrize("name", ["reorg:transfers", "reorg:transfer_new"])
def test_transfer_pages_for_the_governing_and_central_administrators_only(tuphap, people, client, name):
    for who in ("province", "central"):
        assert as_(client, people[who]).get(reverse(name)).status_code == 200
    assert as_(client, people["unit"]).get(reverse(name)).status_code == 403


def test_the_menu_lists_the_pages(tuphap, people, client):
    page = text(as_(client, people["province"]).get(reverse("shell:admin")))
    for label in ("Sắp xếp đơn vị", "Nhật ký sắp xếp", "Danh sách sắp xếp từ Excel", "Đề nghị chuyển dữ liệu"):
        assert label in page
    assert "Sắp xếp đơn vị" not in text(as_(client, people["unit"]).get(reverse("shell:home")))


def test_the_unit_page_links_to_the_operations(tuphap, people, client):
    page = text(as_(client, people["province"]).get(reverse("units:detail", args=["T02003"])))
    for label in ("Đổi tên", "Chuyển đơn vị cấp trên", "Giải thể", "Chia, tách"):
        assert label in page
    form = as_(client, people["province"]).get(op_url("doi-ten") + "?don_vi=T02003")
    assert form.context["form"]["unit"] == "T02003"


def test_the_search_helper_finds_units_of_the_reach_without_accents(tuphap, people, client):
    client = as_(client, people["province"])
    found = client.get(reverse("reorg:units"), {"q": "truong thpt"}, HTTP_HX_REQUEST="true")
    assert "T02003002" in text(found) and "<html" not in text(found)
    assert "T01017" not in text(client.get(reverse("reorg:units"), {"q": "so y te"}))  # another province


# --- operations ------------------------------------------------------------------------------


MERGE = {"sources": "T02003001, T02003002", "mode": "new", "code": "T02003009", "name": "Văn phòng công chứng hợp nhất",
         "parent": "T02003", **DECIDED}


def test_a_preview_changes_nothing_and_shows_what_would(tuphap, people, client):
    for code in ("T02003001", "T02003002"):
        Account.objects.create(username=f"{code}_ld", unit=Unit.objects.get(code=code), display_name=code)
    response = as_(client, people["province"]).post(op_url("hop-nhat"), {**MERGE, "action": "preview"})
    assert response.status_code == 200
    page = text(response)
    assert "T02003009 - Văn phòng công chứng hợp nhất" in page and "T02003001_ld" in page and "T02003009_bc" in page
    assert "Thực hiện" in page and 'data-confirm=' in page
    assert not Unit.objects.filter(code="T02003009").exists() and not Reorganisation.objects.exists()
    assert Unit.objects.get(code="T02003001").status == "active" and Account.objects.get(username="T02003001_ld").is_active


def test_execute_does_what_the_preview_showed_and_logs_it(tuphap, people, client):
    client = as_(client, people["province"])
    response = preview_then_execute(client, "hop-nhat", MERGE)
    log = Reorganisation.objects.get()
    assert response.status_code == 302 and response.url == reverse("reorg:log_detail", args=[log.pk])
    assert log.decision_number == "567/QĐ-UBND" and log.decision_date.strftime("%d/%m/%Y") == "01/07/2025"
    target = Unit.objects.get(code="T02003009")
    assert set(t.predecessors_of(target).values_list("code", flat=True)) == {"T02003001", "T02003002"}
    assert set(target.unit_types.values_list("code", flat=True)) == {"to_chuc_hanh_nghe_cong_chung"}  # as the old units
    detail = text(client.get(response.url))
    assert reverse("units:detail", args=["T02003001"]) in detail and reverse("units:detail", args=["T02003009"]) in detail
    assert "T02003009_bc" in detail  # its accounts


def test_execute_without_the_same_preview_only_previews(tuphap, people, client):
    client = as_(client, people["province"])
    response = client.post(op_url("hop-nhat"), {**MERGE, "action": "execute", "previewed": "x"})
    assert response.status_code == 200 and response.context["preview"] is not None
    assert "đã thay đổi sau lần xem trước" in text(response)
    assert not Reorganisation.objects.exists()


def test_every_operation_through_the_pages(tuphap, people, client):
    client = as_(client, people["province"])
    assert preview_then_execute(client, "thanh-lap", {"code": "T02005", "name": "Sở Tư pháp mới", "kind": "aggregating", "parent": "T02",
                                                      "unit_types": ["so_tu_phap"], "email": "stp@example.vn", **DECIDED}).status_code == 302
    created = Unit.objects.get(code="T02005")
    assert created.email == "stp@example.vn" and Account.objects.filter(unit=created).exists()
    assert preview_then_execute(client, "doi-ten", {"unit": "T02005", "name": "Sở Tư pháp tỉnh", **DECIDED}).status_code == 302
    assert Unit.objects.get(code="T02005").name == "Sở Tư pháp tỉnh"
    assert preview_then_execute(client, "chuyen", {"unit": "T02003002", "parent": "T02005", **DECIDED}).status_code == 302
    assert Unit.objects.get(code="T02003002").path == "/BTC/T02/T02005/T02003002/"
    # A split: the form asks where each unit below goes.
    shown = client.post(op_url("chia-tach"), {"source": "T02005", "new_code_0": "T02006", "new_name_0": "Phòng A", "new_parent_0": "T02",
                                              "new_code_1": "T02007", "new_name_1": "Phòng B", "new_parent_1": "T02", "rows": "2", **DECIDED,
                                              "action": "preview"})
    assert shown.status_code == 400 and "Chưa chọn đơn vị kế thừa cho đơn vị trực thuộc T02003002" in text(shown)
    assert 'name="place__T02003002"' in text(shown) and 'value="Phòng A"' in text(shown)  # nothing typed is lost
    assert preview_then_execute(client, "chia-tach", {"source": "T02005", "new_code_0": "T02006", "new_name_0": "Phòng A", "new_parent_0": "T02",
                                                      "new_code_1": "T02007", "new_name_1": "Phòng B", "new_parent_1": "T02", "rows": "2",
                                                      "place__T02003002": "T02007", **DECIDED}).status_code == 302
    assert Unit.objects.get(code="T02003002").parent.code == "T02007" and Unit.objects.get(code="T02005").status == "retired"
    assert preview_then_execute(client, "giai-the", {"unit": "T02001", **DECIDED}).status_code == 302
    assert Unit.objects.get(code="T02001").status == "retired"
    assert list(Reorganisation.objects.order_by("id").values_list("operation", flat=True)) == ["create", "rename", "move", "split", "retire"]
    client.get(reverse("reorg:index"))  # the flash messages are shown
    listed = client.get(reverse("reorg:log"), {"thao_tac": "split"})
    assert [log.operation for log in listed.context["page"]] == ["split"] and "Chia, tách đơn vị" in text(listed)
    assert "T02003002" in text(client.get(reverse("reorg:log"), {"q": "T02003002"}))


def test_add_row_keeps_what_was_typed(tuphap, people, client):
    response = as_(client, people["province"]).post(op_url("chia-tach"), {"source": "T02003", "new_code_0": "X1", "new_name_0": "Tên X1",
                                                                          "rows": "2", "note": "giữ", "action": "add_row"})
    assert response.status_code == 200 and len(response.context["form"]["new"]) == 3
    assert 'value="Tên X1"' in text(response) and "giữ" in text(response)


@pytest.mark.parametrize("data, messages", [
    ({"unit": "T02003", "parent": "T02", "decision_number": "", "decision_date": "31/02/2025"},
     ["Cần nhập Số quyết định.", "Ngày quyết định: nhập ngày theo dạng dd/mm/yyyy"]),
    ({"unit": "KHONGCO", "parent": "T02", **DECIDED}, ["Đơn vị được chuyển: không có đơn vị mã “KHONGCO”."]),
    ({"unit": "", "parent": "", **DECIDED}, ["Đơn vị được chuyển: cần nhập mã đơn vị.", "Đơn vị cấp trên mới: cần nhập mã đơn vị."]),
    ({"unit": "T02", "parent": "T02003", **DECIDED}, ["vòng lặp"]),
])
def test_bad_input_is_answered_on_the_page_and_kept(tuphap, people, client, data, messages):
    response = as_(client, people["province"]).post(op_url("chuyen"), {**data, "action": "preview"})
    assert response.status_code == 400
    for message in messages:
        assert message in text(response)
    assert f'value="{data["unit"]}"' in text(response)
    assert not Reorganisation.objects.exists()


def test_a_province_admin_cannot_reorganise_another_province(tuphap, people, client):
    client = as_(client, people["province"])
    assert client.post(op_url("chuyen"), {"unit": "T01017", "parent": "T02", **DECIDED, "action": "preview"}).status_code == 403
    assert client.post(op_url("chuyen"), {"unit": "T02001", "parent": "T01", **DECIDED, "action": "preview"}).status_code == 403
    assert client.post(op_url("hop-nhat"), {**MERGE, "sources": "T02003001, T01017", "action": "preview"}).status_code == 403
    assert AuditEvent.objects.filter(action="scope.denied", actor=people["province"]).count() == 3
    assert not Reorganisation.objects.exists() and Unit.objects.get(code="T01017").parent.code == "T01"


def test_the_log_shows_an_entry_only_to_those_it_concerns(tuphap, people, client):
    t.move(None, Unit.objects.get(code="T02001"), parent=Unit.objects.get(code="T02003"), decision=DECISION)
    log = Reorganisation.objects.get()
    assert "567/QĐ-UBND" in text(as_(client, people["province"]).get(reverse("reorg:log")))
    assert as_(client, people["province"]).get(reverse("reorg:log_detail", args=[log.pk])).status_code == 200
    assert "567/QĐ-UBND" not in text(as_(client, people["other"]).get(reverse("reorg:log")))
    assert as_(client, people["other"]).get(reverse("reorg:log_detail", args=[log.pk])).status_code == 403
    bad = as_(client, people["central"]).get(reverse("reorg:log"), {"tu_ngay": "32/13/2025"})
    assert bad.status_code == 200 and "Từ ngày: nhập ngày theo dạng dd/mm/yyyy" in text(bad)


# --- the Excel list --------------------------------------------------------------------------


def workbook(*rows, header=None):
    book = Workbook()
    sheet = book.active
    sheet.append(header or [h for _k, h in operations.COLUMNS])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "danh-sach.xlsx"
    return out


GOOD = (
    ("Hợp nhất", "T02003001, T02003002", "T02003009", "Văn phòng công chứng hợp nhất", "T02003", "12/QĐ-UBND", "30/06/2025", "UBND tỉnh Hà Giang"),
    ("Chuyển", "T02001", "", "", "T02003", "12/QĐ-UBND", "30/06/2025", "UBND tỉnh Hà Giang"),
)


def test_a_good_list_is_previewed_then_applied(tuphap, people, client):
    client = as_(client, people["province"])
    response = client.post(reverse("reorg:list"), {"file": workbook(*GOOD), "action": "preview"})
    assert response.status_code == 200, text(response)
    page = text(response)
    assert "Xem trước “danh-sach.xlsx”: 2 dòng" in page and "T02003009 - Văn phòng công chứng hợp nhất" in page
    assert not Unit.objects.filter(code="T02003009").exists() and not Reorganisation.objects.exists()
    applied = client.post(reverse("reorg:list"), {"payload": response.context["payload"], "action": "apply"})
    assert applied.status_code == 302 and applied.url == reverse("reorg:log")
    assert Unit.objects.get(code="T02003009").status == "active" and Unit.objects.get(code="T02001").parent.code == "T02003"
    assert Reorganisation.objects.count() == 2


def test_a_tampered_or_foreign_payload_is_refused(tuphap, people, client):
    response = as_(client, people["province"]).post(reverse("reorg:list"), {"file": workbook(*GOOD), "action": "preview"})
    payload = response.context["payload"]
    refused = as_(client, people["central"]).post(reverse("reorg:list"), {"payload": payload, "action": "apply"})  # signed for another account
    assert refused.status_code == 400 and "tải tệp lên lại" in text(refused)
    assert as_(client, people["province"]).post(reverse("reorg:list"), {"payload": payload + "x", "action": "apply"}).status_code == 400
    assert not Reorganisation.objects.exists()


def test_a_bad_list_lists_every_problem_and_applies_nothing(tuphap, people, client):
    rows = (
        GOOD[0],
        ("Chuyển", "KHONGCO", "", "", "T02003", "12/QĐ-UBND", "30/06/2025", ""),
        ("Nhân bản", "T02001", "", "", "", "12/QĐ-UBND", "30/06/2025", ""),
        ("Đổi tên", "T02001", "", "Sở Tài chính mới", "", "12/QĐ-UBND", "31/02/2025", ""),
        ("Giải thể", "T02001", "", "", "", "", "", ""),
    )
    response = as_(client, people["province"]).post(reverse("reorg:list"), {"file": workbook(*rows), "action": "preview"})
    assert response.status_code == 400
    problems = response.context["problems"]
    assert [row for row, _m in problems] == [3, 4, 5, 6]
    page = text(response)
    for expected in ("Không có đơn vị mã “KHONGCO”", "Thao tác “Nhân bản” không hợp lệ", "Ngày quyết định phải theo dạng dd/mm/yyyy",
                     "Thiếu Số quyết định, Ngày quyết định", "Chưa có dòng nào được áp dụng"):
        assert expected in page
    assert not Reorganisation.objects.exists() and not Unit.objects.filter(code="T02003009").exists()


def test_a_list_outside_the_province_is_refused_by_row(tuphap, people, client):
    rows = (("Chuyển", "T01017", "", "", "T02", "12/QĐ-UBND", "30/06/2025", ""),)
    response = as_(client, people["province"]).post(reverse("reorg:list"), {"file": workbook(*rows), "action": "preview"})
    assert response.status_code == 400 and "nằm ngoài phạm vi quản lý" in text(response)
    assert Unit.objects.get(code="T01017").parent.code == "T01"


@pytest.mark.parametrize("upload, message", [
    (io.BytesIO(b"not a zip at all"), "không phải là tệp Excel"),
    (workbook(("Hợp nhất",), header=["Thao tác", "Mã đơn vị cũ"]), "Thiếu cột: Mã đơn vị mới"),
    (workbook(), "không có dòng nào"),
])
def test_garbage_files_are_refused_with_a_message(tuphap, people, client, upload, message):
    upload.name = "rac.xlsx"
    response = as_(client, people["province"]).post(reverse("reorg:list"), {"file": upload, "action": "preview"})
    assert response.status_code == 400 and message in text(response)


def test_too_many_rows_are_refused(tuphap, people, client, monkeypatch):
    from baocao.reorg import excel

    monkeypatch.setattr(excel, "MAX_ROWS", 1)
    response = as_(client, people["province"]).post(reverse("reorg:list"), {"file": workbook(*GOOD), "action": "preview"})
    assert response.status_code == 400 and "quá 1 dòng" in text(response)


def test_the_template_opens_with_the_headers(tuphap, people, client):
    response = as_(client, people["province"]).get(reverse("reorg:list_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == [h for _k, h in operations.COLUMNS]
    assert book.worksheets[0].max_row == 1 or all(c.value is None for row in book.worksheets[0].iter_rows(min_row=2) for c in row)
    assert "Hướng dẫn" in book.sheetnames


# --- transfers -------------------------------------------------------------------------------


@pytest.fixture
def merged(tuphap, tree):
    first = fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), cong_chung_vien=3, viec_hop_dong=100)
    approve(first)
    fill(Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12), cong_chung_vien=2, viec_hop_dong=40)
    before = all_buckets(tree["T02003"], tuphap, A12)
    target, _outcome = operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]],
                                      new={"code": "T02003009", "name": "Văn phòng công chứng hợp nhất", "parent": tree["T02003"],
                                           "unit_types": ["to_chuc_hanh_nghe_cong_chung"]}, decision=DECISION)
    return target, before


def file_through_page(client, tuphap, **extra):
    data = {"sources": "T02003001, T02003002", "target_0": "T02003009", "share_0": "", "rows": "1", "period": [str(tuphap.pk)],
            **DECIDED, "note": "Hợp nhất hai tổ chức", "action": "file", **extra}
    return client.post(reverse("reorg:transfer_new"), data)


def test_case_b_through_the_pages(tuphap, tree, people, client, merged):
    target, before = merged
    province = as_(client, people["province"])
    prefilled = province.get(reverse("reorg:transfer_new"), {"cu": "T02003001,T02003002", "moi": "T02003009"})
    assert prefilled.context["form"]["sources"] == "T02003001, T02003002" and prefilled.context["form"]["targets"][0]["code"] == "T02003009"
    response = file_through_page(province, tuphap)
    request = TransferRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("reorg:transfer", args=[request.pk])
    assert request.status == "pending" and request.decision_number == "567/QĐ-UBND"
    assert "Chờ xử lý" in text(province.get(reverse("reorg:transfers")))
    assert province.post(reverse("reorg:transfer_execute", args=[request.pk])).status_code == 403

    central = as_(client, people["central"])
    plan = central.get(reverse("reorg:transfer", args=[request.pk]))
    page = text(plan)
    assert "Cộng vào báo cáo của đơn vị mới" in page and "Đang nhập" in page and "Thực hiện chuyển dữ liệu" in page
    assert [line["kind"] for line in plan.context["lines"]] == ["combined", "combined"]
    kept = central.get(reverse("reorg:transfer", args=[request.pk]), {"giu_trang_thai": "1"})
    assert kept.context["keep_state"] and 'name="keep_state" value="1"' in text(kept)
    assert Report.objects.get(unit=target, period=tuphap, form_code=A12).status == "chua_nhap"  # the plan changed nothing

    done = central.post(reverse("reorg:transfer_execute", args=[request.pk]), {"keep_state": "0"})
    assert done.status_code == 302
    mine = Report.objects.get(unit=target, period=tuphap, form_code=A12)
    got = services.grid_values(mine)
    assert got[("to_chuc", "cong_chung_vien")] == 5 and got[("to_chuc", "viec_hop_dong")] == 140 and mine.status == "dang_nhap"
    assert all_buckets(tree["T02003"], tuphap, A12) == before
    page = text(central.get(done.url))
    assert "Đã thực hiện" in page and "T02003001" in page and reverse("reports:report", args=[mine.pk]) in page
    again = central.post(reverse("reorg:transfer_execute", args=[request.pk]), {"keep_state": "0"})
    assert again.status_code == 400 and "đã được xử lý (Đã thực hiện)" in text(again)
    assert TransferLine.objects.filter(transfer=request).count() == 2
    assert "Đã thực hiện" in text(province.get(reverse("reorg:transfer", args=[request.pk])))  # the requester sees the outcome


def test_a_rejection_needs_a_reason_and_the_requester_sees_it(tuphap, people, client, merged):
    file_through_page(as_(client, people["province"]), tuphap)
    request = TransferRequest.objects.get()
    central = as_(client, people["central"])
    empty = central.post(reverse("reorg:transfer_reject", args=[request.pk]), {"reason": "  "})
    assert empty.status_code == 400 and "Cần nêu lý do từ chối." in text(empty)
    assert central.post(reverse("reorg:transfer_reject", args=[request.pk]), {"reason": "Thiếu quyết định hợp nhất"}).status_code == 302
    province = as_(client, people["province"])
    assert "Thiếu quyết định hợp nhất" in text(province.get(reverse("reorg:transfer", args=[request.pk])))
    assert "Đã từ chối" in text(province.get(reverse("reorg:transfers"), {"trang_thai": "rejected"}))
    assert central.post(reverse("reorg:transfer_execute", args=[request.pk])).status_code == 400


def test_transfers_outside_the_province_are_refused(tuphap, people, client, merged):
    other = as_(client, people["other"])
    assert file_through_page(other, tuphap).status_code == 403
    assert not TransferRequest.objects.exists()
    file_through_page(as_(client, people["province"]), tuphap)
    request = TransferRequest.objects.get()
    assert as_(client, people["other"]).get(reverse("reorg:transfer", args=[request.pk])).status_code == 403
    assert str(request.pk) not in [str(t.pk) for t in as_(client, people["other"]).get(reverse("reorg:transfers")).context["page"]]
    assert as_(client, people["unit"]).get(reverse("reorg:transfer", args=[request.pk])).status_code == 403


@pytest.mark.parametrize("extra, message", [
    ({"sources": ""}, "Đơn vị cũ: cần nhập ít nhất một mã đơn vị."),
    ({"period": []}, "Chọn ít nhất một kỳ báo cáo."),
    ({"period": ["999999"]}, "Kỳ báo cáo đã chọn không hợp lệ."),
    ({"decision_date": "1/13/2025"}, "Ngày quyết định: nhập ngày theo dạng dd/mm/yyyy"),
    ({"target_0": "T02003009", "share_0": "60", "target_1": "T02001", "share_1": "30", "rows": "2", "sources": "T02003001"}, "cộng lại bằng 100%"),
    ({"target_0": "T02003009", "share_0": "abc", "target_1": "T02001", "share_1": "30", "rows": "2", "sources": "T02003001"}, "tỷ lệ phải là số"),
    ({"form": ["KHONG-CO"]}, "Không có báo cáo nào của biểu KHONG-CO"),
    ({"target_0": "T02003009", "share_0": "0", "target_1": "t02003009", "share_1": "100", "rows": "2", "sources": "T02003001"}, "được nhập hai lần"),
])
def test_a_bad_request_is_answered_and_kept(tuphap, people, client, merged, extra, message):
    response = file_through_page(as_(client, people["province"]), tuphap, **extra)
    assert response.status_code == 400 and message in text(response)
    assert "Hợp nhất hai tổ chức" in text(response)  # the note typed is kept
    assert not TransferRequest.objects.exists()


def test_a_split_shows_the_allocation_and_divides_exactly(tuphap, tree, people, client):
    fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), viec_hop_dong=101)
    a = Unit.objects.create(code="T02003011", name="Tổ chức A", kind=UnitKind.REPORTING, parent=tree["T02003"])
    b = Unit.objects.create(code="T02003012", name="Tổ chức B", kind=UnitKind.REPORTING, parent=tree["T02003"])
    response = file_through_page(as_(client, people["province"]), tuphap, sources="T02003001", rows="2",
                                 target_0="T02003011", share_0="60", target_1="T02003012", share_1="40")
    assert response.status_code == 302
    request = TransferRequest.objects.get()
    central = as_(client, people["central"])
    plan = central.get(reverse("reorg:transfer", args=[request.pk]))
    allocation = plan.context["lines"][0]["allocation"]
    row = next(x for x in allocation if x["value"] == "101")
    assert row["parts"] == ["61", "40"] and "60%" in text(plan)
    assert central.post(reverse("reorg:transfer_execute", args=[request.pk]), {"keep_state": "0"}).status_code == 302
    parts = [services.grid_values(Report.objects.get(unit=u, period=tuphap, form_code=A12))[("to_chuc", "viec_hop_dong")] for u in (a, b)]
    assert parts == [Decimal(61), Decimal(40)]


def test_a_split_register_sends_each_record_where_chosen(kiemke, tree, people, client):
    school = Report.objects.get(unit=tree["T02003002"], period=kiemke, form_code="KK-OTO")
    services.save_record(None, school, CAR, expected_version=school.version)
    school.refresh_from_db()
    services.save_record(None, school, {**CAR, "ma_tai_san": "OTO-02", "bien_kiem_soat": "23A-002.22"}, expected_version=school.version)
    a = Unit.objects.create(code="T02003021", name="Trường A", kind=UnitKind.REPORTING, parent=tree["T02003"])
    b = Unit.objects.create(code="T02003022", name="Trường B", kind=UnitKind.REPORTING, parent=tree["T02003"])
    response = file_through_page(as_(client, people["province"]), kiemke, sources="T02003002", rows="2", form=["KK-OTO"],
                                 target_0="T02003021", share_0="50", target_1="T02003022", share_1="50")
    assert response.status_code == 302, text(response)
    request = TransferRequest.objects.get()
    central = as_(client, people["central"])
    plan = central.get(reverse("reorg:transfer", args=[request.pk]))
    line = next(x for x in plan.context["lines"] if x["form_code"] == "KK-OTO")
    assert [c["text"].split(" · ")[0] for c in line["choices"]] == ["OTO-01", "OTO-02"]
    second = ReportRecord.objects.get(report=school, data__ma_tai_san="OTO-02")
    done = central.post(reverse("reorg:transfer_execute", args=[request.pk]),
                        {"keep_state": "0", f"default_{school.pk}": str(a.pk), f"record_{second.pk}": str(b.pk)})
    assert done.status_code == 302, text(done)
    got = {u.code: list(ReportRecord.objects.filter(report__unit=u, report__period=kiemke, report__form_code="KK-OTO").values_list("data__ma_tai_san", flat=True))
           for u in (a, b)}
    assert got == {"T02003021": ["OTO-01"], "T02003022": ["OTO-02"]}
    assert ReportRecord.objects.filter(report__unit=b, origin_unit=tree["T02003002"]).exists()


def test_a_record_target_outside_the_request_is_refused(kiemke, tree, people, client):
    school = Report.objects.get(unit=tree["T02003002"], period=kiemke, form_code="KK-OTO")
    services.save_record(None, school, CAR, expected_version=school.version)
    Unit.objects.create(code="T02003021", name="Trường A", kind=UnitKind.REPORTING, parent=tree["T02003"])
    Unit.objects.create(code="T02003022", name="Trường B", kind=UnitKind.REPORTING, parent=tree["T02003"])
    file_through_page(as_(client, people["province"]), kiemke, sources="T02003002", rows="2", form=["KK-OTO"],
                      target_0="T02003021", share_0="50", target_1="T02003022", share_1="50")
    request = TransferRequest.objects.get()
    response = as_(client, people["central"]).post(reverse("reorg:transfer_execute", args=[request.pk]),
                                                   {"keep_state": "0", f"default_{school.pk}": str(tree["T01017"].pk)})
    assert response.status_code == 400 and "không thuộc đề nghị" in text(response)
    assert TransferRequest.objects.get().status == "pending"


def test_two_old_units_into_a_new_unit_that_owes_nothing_yet(tuphap, tree, people, client):
    """The new unit has no report of the form: the first old report moves, the second is
    combined into it (one report, never two)."""
    fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), chu_ky=3)
    fill(Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12), chu_ky=4)
    before = all_buckets(tree["T02003"], tuphap, A12)
    target, _outcome = operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]],
                                      new={"code": "T02003009", "name": "Văn phòng mới", "parent": tree["T02003"]}, decision=DECISION)
    assert not Report.objects.filter(unit=target).exists()  # no unit type yet: it owes nothing
    file_through_page(as_(client, people["province"]), tuphap)
    request = TransferRequest.objects.get()
    central = as_(client, people["central"])
    assert [line["kind"] for line in central.get(reverse("reorg:transfer", args=[request.pk])).context["lines"]] == ["moved", "combined"]
    assert central.post(reverse("reorg:transfer_execute", args=[request.pk]), {"keep_state": "0"}).status_code == 302
    mine = Report.objects.get(unit=target, period=tuphap, form_code=A12)
    assert services.grid_values(mine)[("to_chuc", "chu_ky")] == 7
    assert all_buckets(tree["T02003"], tuphap, A12) == before


def test_case_b_data_left_at_the_old_units_is_listed_offered_flagged_and_the_old_account_told(tuphap, tree, people, client, password):
    """Issue 21, case (b): the merger's preview lists the reports that will wait for their
    transfer; its log page offers the transfer request, prefilled; until one is
    filed, the province's and the centre's TRANG CHỦ flag the data; an old unit's revoked
    account is told, after its right password, where its unit went and which account to use."""
    approve(fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), cong_chung_vien=3, viec_hop_dong=100))
    fill(Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12), cong_chung_vien=2, viec_hop_dong=40)
    AccountFactory(unit=tree["T02003001"], username="T02003001_bc", must_change_password=False)
    province = as_(client, people["province"])
    shown = province.post(op_url("hop-nhat"), {**MERGE, "action": "preview"})
    waiting = shown.context["preview"]["reports_waiting"]
    assert [(unit.split(" - ")[0], form, state) for unit, form, _period, state in waiting] == [
        ("T02003001", A12, "Đã phê duyệt"), ("T02003002", A12, "Đang nhập")]
    assert 'data-testid="reports-waiting"' in text(shown)
    done = preview_then_execute(province, "hop-nhat", MERGE)
    log = province.get(done.url)  # the operation's log page, with the request to file
    assert "hãy bấm “Lập đề nghị chuyển dữ liệu”" in text(log) and "Lập đề nghị chuyển dữ liệu" in text(log)
    offered = province.get(reverse("reorg:transfer_new"), {"cu": "T02003001,T02003002", "moi": "T02003009"})
    assert offered.context["form"]["sources"] == "T02003001, T02003002" and offered.context["form"]["targets"][0]["code"] == "T02003009"
    for account in (people["province"], people["central"]):
        home = text(as_(client, account).get(reverse("shell:home")))
        assert "Dữ liệu chờ chuyển sau sắp xếp đơn vị" in home and "2 báo cáo đã nhập" in home
    assert "Dữ liệu chờ chuyển" not in text(as_(client, people["other"]).get(reverse("shell:home")))  # another province's admin

    told = Client().post(reverse("accounts:login"), {"username": "T02003001_bc", "password": password})
    assert "đã sáp nhập vào T02003009 - Văn phòng" in text(told) and "Hãy dùng tài khoản T02003009_" in text(told)
    wrong = Client().post(reverse("accounts:login"), {"username": "T02003001_bc", "password": "sai-mat-khau"})
    assert "sáp nhập" not in text(wrong) and "Tên đăng nhập hoặc mật khẩu không đúng" in text(wrong)

    file_through_page(province, tuphap)
    assert "Dữ liệu chờ chuyển" not in text(province.get(reverse("shell:home")))


def test_the_code_rule_is_said_beside_the_code_and_the_next_free_code_is_proposed(kiemke, tree, people, client):
    """Issue 24.4: the rule that a new code is the parent's plus three digits is said beside
    the field, and "Gợi ý mã" fills in the next code no unit has ever had under the parent."""
    province = as_(client, people["province"])
    page = text(province.get(op_url("thanh-lap")))
    assert 'data-testid="code-help"' in page and "Gợi ý mã" in page and 'aria-describedby="code-help"' in page
    suggested = province.post(op_url("thanh-lap"), {"code": "", "name": "Trường mới", "kind": "reporting", "parent": "T02003",
                                                    "action": "suggest"})
    assert suggested.status_code == 200 and suggested.context["form"]["code"] == "T02003003"  # 001 and 002 exist
    assert "Mã còn trống tiếp theo dưới T02003: <strong>T02003003</strong>" in text(suggested)
    assert 'value="Trường mới"' in text(suggested)  # nothing typed is lost
    merge = text(province.get(op_url("hop-nhat")))
    assert 'data-shows="#merge-new"' in merge and 'data-shows="#merge-existing"' in merge and 'id="merge-existing"' in merge

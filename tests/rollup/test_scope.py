"""No roll-up, drill-down, completeness or export outside the viewer's reach (403, audited
once); every malformed or unknown choice answers 400 or 404 in Vietnamese, never 500."""
import pytest
from django.urls import reverse

from baocao.audit.models import AuditEvent

from .conftest import A12, approve, notary

PAGES = ["rollup:rollup", "rollup:breakdown", "rollup:completeness", "rollup:rollup_xlsx", "rollup:rollup_pdf",
         "rollup:breakdown_xlsx", "rollup:not_sent_xlsx"]


@pytest.mark.parametrize("name", PAGES)
def test_a_province_asking_for_another_province_is_refused_and_audited(tuphap, people, login, name):
    client = login(people["T02_qt"])
    response = client.get(reverse(name), {"don_vi": "T01"})
    assert response.status_code == 403
    assert "nằm ngoài phạm vi quản lý của tài khoản" in response.content.decode()
    denied = AuditEvent.objects.filter(action="scope.denied", actor=people["T02_qt"])
    assert denied.count() == 1 and denied.get().unit.code == "T01"
    assert not AuditEvent.objects.filter(action__startswith="rollup.").exists()  # nothing was exported


@pytest.mark.parametrize("name", PAGES)
def test_a_province_sees_its_own_subtree(tuphap, people, login, name):
    assert login(people["T02_qt"]).get(reverse(name), {"don_vi": "T02003"}).status_code == 200


def test_nothing_of_another_subtree_shows_in_a_provinces_pages(tuphap, tree, people, login):
    approve(notary(tree, tuphap, "046001"), people, viec_hop_dong=7)
    approve(notary(tree, tuphap, "T02001"), people, viec_hop_dong=3)
    client = login(people["T02_qt"])
    rollup = client.get(reverse("rollup:rollup"))
    assert rollup.context["grid"].values[("to_chuc", "viec_hop_dong")] == 3
    every = client.get(reverse("rollup:breakdown"), {"pham_vi": "tat_ca"})
    assert {row["unit"].code for row in every.context["page"].object_list} == {"T02001", "T02003001", "T02003002"}
    missing = client.get(reverse("rollup:completeness"))
    assert {r.unit.code for r in missing.context["missing"]} == {"T02003001", "T02003002", "T02003"}
    assert "046001" not in missing.content.decode() and "046001" not in every.content.decode()
    # The trail starts at the province: its ancestors are not links.
    assert client.get(reverse("rollup:rollup"), {"don_vi": "BTC"}).status_code == 403


def test_a_reporting_unit_sees_its_own_figures_only(tuphap, tree, people, login):
    approve(notary(tree, tuphap, "T02003002"), people, viec_hop_dong=9)
    for who in ("T02003002_bc", "T02003002_kt", "T02003002_ld"):
        client = login(people[who])
        own = client.get(reverse("rollup:rollup"))
        assert own.status_code == 200 and own.context["sel"].unit.code == "T02003002"
        assert own.context["grid"].values[("to_chuc", "viec_hop_dong")] == 9
        assert client.get(reverse("rollup:rollup"), {"don_vi": "T02003"}).status_code == 403
        assert client.get(reverse("rollup:breakdown"), {"don_vi": "T02003001"}).status_code == 403


def test_a_sos_leader_reaches_its_notaries_but_no_further(tuphap, people, login):
    client = login(people["T02003_ld"])
    assert client.get(reverse("rollup:rollup"), {"don_vi": "T02003001"}).status_code == 200
    assert client.get(reverse("rollup:rollup"), {"don_vi": "T02"}).status_code == 403


@pytest.mark.parametrize("params, status, reason", [
    ({"ky": "abc"}, 400, "Kỳ báo cáo không hợp lệ"),
    ({"ky": "987654"}, 404, "Không có kỳ báo cáo số 987654"),
    ({"don_vi": "KHONGCO"}, 404, "Không có đơn vị mã “KHONGCO”"),
    ({"bieu": "99x/KHONG"}, 404, "Biểu “99x/KHONG” không có trong kỳ báo cáo"),
    ({"tinh": "moi_thu"}, 400, "Lựa chọn báo cáo được tính không hợp lệ"),
])
@pytest.mark.parametrize("name", ["rollup:rollup", "rollup:breakdown", "rollup:completeness", "rollup:rollup_xlsx"])
def test_bad_choices_answer_in_vietnamese(tuphap, people, login, name, params, status, reason):
    if name == "rollup:completeness" and "tinh" in params:
        status, reason = 400, "Lựa chọn báo cáo được tính không hợp lệ"
    response = login(people["central"]).get(reverse(name), params)
    assert response.status_code == status
    assert reason in response.content.decode()


@pytest.mark.parametrize("params, status, reason", [
    ({"o": "to_chuc"}, 400, "ô được ghi là mã dòng|mã cột"),
    ({"o": "to_chuc|khong_co"}, 404, "không có ô “to_chuc|khong_co”"),
    ({"o": "khong_co|chu_ky"}, 404, "không có ô"),
    ({"o": "to_chuc|chu_ky", "pham_vi": "ca_nuoc"}, 400, "Phạm vi không hợp lệ"),
    ({"o": "to_chuc|chu_ky", "sap_xep": "-99"}, 400, "Cách sắp xếp không hợp lệ"),
    ({"o": ["to_chuc|chu_ky"] * 13}, 400, "Chọn tối đa 12 ô"),
])
@pytest.mark.parametrize("name", ["rollup:breakdown", "rollup:breakdown_xlsx"])
def test_bad_cells_answer_in_vietnamese(tuphap, people, login, name, params, status, reason):
    response = login(people["central"]).get(reverse(name), params)
    assert response.status_code == status
    assert reason in response.content.decode()


def test_a_cell_that_does_not_apply_is_refused(tuphap, tree, people, login):
    from tests.helpers import owed_report

    owed_report(tree["046001"], tuphap, "M1")  # a ministry's form; its law rows have no "thẩm định" cell
    response = login(people["central"]).get(reverse("rollup:breakdown"), {"bieu": "M1", "o": "luat|da_tham_dinh"})
    assert response.status_code == 400 and "không được tổng hợp" in response.content.decode()
    assert login(people["central"]).get(reverse("rollup:breakdown"), {"bieu": "M1", "o": "thong_tu|da_tham_dinh"}).status_code == 200


def test_the_breakdown_pages_do_not_fail_on_a_bad_page_number(tuphap, people, login):
    response = login(people["central"]).get(reverse("rollup:breakdown"), {"bieu": A12, "page": "abc"})
    assert response.status_code == 200
    response = login(people["central"]).get(reverse("rollup:completeness"), {"page": "-4"})
    assert response.status_code == 200


HOSTILE = ["a\x00b", "9" * 300, "99999999999999999999999999", "' OR 1=1 --", "%s%s%n", "\u0301\u200b", "-1", "0", "|", "||", "to_chuc|", "|chu_ky"]


@pytest.mark.parametrize("key", ["ky", "bieu", "don_vi", "tinh", "o", "pham_vi", "sap_xep", "q", "page", "sau"])
def test_hostile_parameters_never_fail(tuphap, people, login, key):
    client = login(people["central"])
    for name in [n for n in PAGES if n != "rollup:rollup_pdf"]:  # the PDF reads its choices as the Excel does, and is slow
        for value in HOSTILE:
            response = client.get(reverse(name), {key: value})
            assert response.status_code in (200, 400, 404), (name, key, value, response.status_code)

"""Biểu phải lập of a unit: standing additions and exemptions, edited on the unit's page by
an administrator with obligation.edit over the unit, applied to periods opened afterwards."""
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from baocao.access.models import RoleGrant
from baocao.audit.models import AuditEvent
from baocao.reports.models import FormDuty, Report
from tests.factories import AccountFactory
from tests.helpers import open_period

A12, B12 = "12a/BTP/BTTP/CC", "12b/BTP/BTTP/CC"


def duties_url(code):
    return reverse("periods:duties", args=[code])


@pytest.fixture
def central(make_account, login):
    account = make_account("BTC", "central_admin", username="quantri")
    return login(account), account


def owed(period, unit):
    return set(Report.objects.filter(period=period, unit=unit, exempt=False).values_list("form_code", flat=True))


def labelled(html):
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', html)
    return ids and all(f'for="{field_id}"' in html for field_id in ids)


def test_add_exempt_and_remove_through_the_page(tuphap, tree, central):
    client, account = central
    practice, finance = tree["T02003001"], tree["T02001"]
    unit_page = client.get(reverse("units:detail", args=[practice.code])).content.decode()
    assert f'href="{duties_url(practice.code)}"' in unit_page and "Biểu phải lập" in unit_page

    page = client.get(duties_url(practice.code)).content.decode()
    assert "Biểu được giao theo loại hình đơn vị" in page and A12 in page
    assert "Đơn vị chưa có biểu bổ sung hay miễn lập nào." in page
    assert labelled(page) and f'<option value="M6">' in page  # every loaded form may be chosen

    response = client.post(duties_url(practice.code), {"kind": "exempt", "form_code": A12, "reason": "Tạm ngừng hoạt động"}, follow=True)
    text = response.content.decode()
    assert f"Đã miễn lập biểu {A12} cho {practice.name}." in text and "Tạm ngừng hoạt động" in text
    duty = FormDuty.objects.get(unit=practice)
    assert duty.exempt and duty.form_code == A12 and duty.created_by == account
    assert 'data-confirm="Bỏ miễn lập biểu' in text
    assert "Khi mở kỳ báo cáo mới, đơn vị phải lập" in text and "không biểu nào" in text

    response = client.post(duties_url(finance.code), {"kind": "add", "form_code": "M6", "reason": "Được giao phổ biến pháp luật"}, follow=True)
    assert f"Đã bổ sung biểu M6 cho {finance.name}." in response.content.decode()
    assert FormDuty.objects.get(unit=finance).exempt is False
    assert AuditEvent.objects.filter(action="unit.duty_set", actor=account).count() == 2

    # A period opened afterwards: the addition is owed, the exemption is not.
    year = timezone.localdate().year - 1
    period = open_period("6T", year)
    assert owed(period, finance) == {"M6"}
    assert not Report.objects.filter(period=period, unit=practice).exists()
    assert owed(period, tree["T02003002"]) == {A12}  # its sibling still files 12a

    # Removing the exemption: the next period asks for 12a again.
    response = client.post(reverse("periods:duty_remove", args=[practice.code, duty.pk]), follow=True)
    assert f"Đã bỏ miễn lập biểu {A12}" in response.content.decode()
    assert not FormDuty.objects.filter(unit=practice).exists()
    event = AuditEvent.objects.get(action="unit.duty_removed")
    assert event.actor == account and event.before == {"form": A12, "exempt": True, "reason": "Tạm ngừng hoạt động"}
    later = open_period("NAM", year)
    assert owed(later, practice) == {A12} and owed(later, finance) == {"M6"}


def test_a_province_admin_is_refused_for_another_province(tuphap, tree, make_account, login):
    duty = FormDuty.objects.create(unit=tree["T01017"], form_code="M6", reason="Giao thêm")
    client = login(make_account("T02", "admin"))
    assert client.get(duties_url("T01017")).status_code == 403
    assert client.post(duties_url("T01017"), {"kind": "add", "form_code": "M5", "reason": "x"}).status_code == 403
    assert client.post(reverse("periods:duty_remove", args=["T01017", duty.pk])).status_code == 403
    assert list(FormDuty.objects.values_list("form_code", flat=True)) == ["M6"]
    refusals = AuditEvent.objects.filter(action="scope.denied")
    assert refusals.count() == 3 and all(e.unit == tree["T01017"] and "obligation.edit" in e.note for e in refusals)


def test_the_page_follows_the_grant_s_reach(tuphap, tree, login):
    """A grant carrying obligation.edit over one province's subtree reaches its units only."""
    account = AccountFactory(unit=tree["T02"], roles=())
    RoleGrant.objects.create(account=account, role="central_admin", unit=tree["T02"], reach="subtree")
    client = login(account)
    assert client.get(duties_url("T02003001")).status_code == 200
    assert client.get(duties_url("T01017")).status_code == 403
    assert client.get(duties_url("KHONGCO")).status_code == 404


@pytest.mark.parametrize("code, data, message", [
    ("T02003001", {"kind": "add", "form_code": "XYZ", "reason": "Thử"}, "Không có biểu mã XYZ."),
    ("T02003001", {"kind": "add", "form_code": "", "reason": "Thử"}, "Chọn biểu mẫu."),
    ("T02001", {"kind": "add", "form_code": "M6", "reason": "   "}, "Cần nêu lý do."),
    ("T02003001", {"kind": "exempt", "form_code": A12, "reason": ""}, "Cần nêu lý do."),
    ("T02003001", {"kind": "xoa", "form_code": A12, "reason": "Thử"}, "Chọn bổ sung hoặc miễn lập."),
    ("T02003001", {"kind": "add", "form_code": A12, "reason": "Thử"}, f"Biểu {A12} đã được giao theo loại hình của đơn vị, không cần bổ sung."),
    ("T02001", {"kind": "exempt", "form_code": "M6", "reason": "Thử"}, "Biểu M6 không được giao cho đơn vị, không cần miễn."),
])
def test_bad_input_gets_a_message(tuphap, tree, central, code, data, message):
    client, _ = central
    response = client.post(duties_url(code), data)
    text = response.content.decode()
    assert response.status_code == 400 and message in text
    assert not FormDuty.objects.exists() and not AuditEvent.objects.filter(action="unit.duty_set").exists()
    if data["reason"].strip():
        assert f">{data['reason']}</textarea>" in text  # what was typed is kept


def test_a_duty_already_there_is_not_added_twice(tuphap, tree, central):
    client, _ = central
    client.post(duties_url("T02003001"), {"kind": "exempt", "form_code": A12, "reason": "Tạm ngừng hoạt động"})
    again = client.post(duties_url("T02003001"), {"kind": "exempt", "form_code": A12, "reason": "Lần nữa"})
    assert again.status_code == 400 and "đã có trong danh sách bổ sung, miễn lập" in again.content.decode()
    undo = client.post(duties_url("T02003001"), {"kind": "add", "form_code": A12, "reason": "Hoạt động lại"})
    assert undo.status_code == 400 and "hãy xóa dòng miễn lập" in undo.content.decode()
    assert FormDuty.objects.get().reason == "Tạm ngừng hoạt động"

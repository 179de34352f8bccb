"""THIẾT LẬP THÔNG SỐ: validated, audited, and in force at once."""
import pytest
from django.test import Client
from django.urls import reverse

from baocao import parameters
from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.audit.models import AuditEvent

EDIT = reverse("parameters:edit")


@pytest.fixture
def central(make_account, login):
    account = make_account("BTC", "central_admin", username="quantri")
    return login(account), account


def form_data(**changes):
    data = {
        "site_title": "", "default_password": "", "password_min_length": "", "lockout_threshold": "",
        "lockout_minutes": "", "session_idle_minutes": "", "account_admin_unit": "",
        "business_support_name": "", "business_support_phone": "", "technical_support_name": "", "technical_support_phone": "",
    }
    data.update(changes)
    return data


def test_defaults_come_from_settings_and_the_regime(db):
    values = parameters.current()
    assert values.default_password == "kkts@123" and values.lockout_threshold == 5 and values.lockout_minutes == 15
    assert values.site_title == "PHẦN MỀM TỔNG KIỂM KÊ TÀI SẢN CÔNG"


def test_only_the_central_admin_sets_parameters(make_account, login):
    client = login(make_account("T02", "admin"))
    assert client.post(EDIT, form_data(lockout_threshold="3")).status_code == 403
    assert parameters.current().lockout_threshold == 5


def test_changes_are_validated_and_audited(central):
    client, account = central
    bad = client.post(EDIT, form_data(lockout_threshold="1", lockout_minutes="abc"))
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert parameters.current().lockout_threshold == 5

    response = client.post(EDIT, form_data(lockout_threshold="3", lockout_minutes="60", technical_support_phone="1900 1234"), follow=True)
    assert "Đã lưu 3 thông số." in response.content.decode()
    values = parameters.current()
    assert (values.lockout_threshold, values.lockout_minutes, values.technical_support_phone) == (3, 60, "1900 1234")
    event = AuditEvent.objects.get(action="parameters.changed")
    assert event.actor == account and event.after == {"lockout_threshold": 3, "lockout_minutes": 60, "technical_support_phone": "1900 1234"}


def test_a_weak_default_password_needs_an_explicit_acknowledgement(central):
    client, _ = central
    refused = client.post(EDIT, form_data(default_password="abc123", password_min_length="10"))
    text = refused.content.decode()
    assert "không đạt chính sách mật khẩu" in text and "ít nhất 10 ký tự" in text
    assert parameters.current().default_password == "kkts@123"
    accepted = client.post(EDIT, form_data(default_password="abc123", password_min_length="10", accept_weak_default_password="on"), follow=True)
    assert "Lưu ý: mật khẩu mặc định không đạt chính sách mật khẩu." in accepted.content.decode()
    assert parameters.current().default_password == "abc123"
    event = AuditEvent.objects.get(action="parameters.changed")
    assert event.after["default_password"] == "***"  # never written in clear


def test_the_new_default_password_is_what_accounts_get(central, tree):
    client, _ = central
    client.post(EDIT, form_data(default_password="Kiemke2025a"))
    [school] = create_missing_accounts(None, [tree["T02003002"]])
    assert school.check_password("Kiemke2025a")


def test_lockout_parameters_take_effect(central, make_account, password):
    client, _ = central
    client.post(EDIT, form_data(lockout_threshold="3"))
    account = make_account("T02003002", "entry", username="T02003002")
    anonymous = Client()
    for _ in range(3):
        anonymous.post(reverse("accounts:login"), {"username": "T02003002", "password": "wrong-password1"})
    account.refresh_from_db()
    assert account.locked_until is not None  # locked from the address that failed 3 times (docs/security.md)
    assert "thử lại sau" in anonymous.post(reverse("accounts:login"), {"username": "T02003002", "password": password}).content.decode()


def test_session_idle_parameter_sets_the_session_expiry(central):
    client, _ = central
    client.post(EDIT, form_data(session_idle_minutes="10"))
    client.get(reverse("shell:home"))
    assert client.session.get_expiry_age() == 600


def test_login_page_names_whom_to_contact(central):
    client, _ = central
    client.post(EDIT, form_data(account_admin_unit="Sở Tài chính tỉnh", business_support_name="Phòng Quản lý công sản", business_support_phone="0219 3868 888"))
    text = Client().get(reverse("accounts:login")).content.decode()
    assert "Quên mật khẩu? Liên hệ Sở Tài chính tỉnh" in text
    assert "Hỗ trợ nghiệp vụ: Phòng Quản lý công sản, điện thoại 0219 3868 888" in text


def test_tuphap_login_page_shows_the_letters_contacts(settings, db):
    settings.BAOCAO_REGIME = "tuphap"
    text = Client().get(reverse("accounts:login")).content.decode()
    assert "1900.8888.24 (nhánh số 3)" in text and "Phòng Thống kê, Cục Kế hoạch - Tài chính" in text

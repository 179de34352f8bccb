"""QUẢN TRỊ HỆ THỐNG > 29. Quản lý người dùng, as the letter's appendix describes it."""
import io

import pytest

from tests.factories import AccountFactory
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.audit.models import AuditEvent
from baocao.units.models import Unit

USERS = reverse("accounts:users")
RESET = reverse("accounts:users_reset")
EXPORT = reverse("accounts:users_export")


@pytest.fixture
def regime_accounts(tree):
    """Every unit's accounts as the kiemke regime makes them (username = unit code)."""
    create_missing_accounts(None, Unit.objects.all())
    return {a.username: a for a in Account.objects.select_related("unit")}


@pytest.fixture
def province_admin(regime_accounts, login):
    admin = regime_accounts["T02"]
    admin.must_change_password = False
    admin.save()
    return login(admin), admin


def usernames_listed(response):
    return [a.username for a in response.context["page"]]


def test_list_shows_the_official_columns_and_only_the_scope(province_admin):
    client, _ = province_admin
    response = client.get(USERS)
    text = response.content.decode()
    for label in ("Tên đăng nhập", "Tên hiển thị", "Đơn vị quản lý", "Nhóm người dùng", "Trạng thái", "Tác vụ",
                  "Nhập từ khóa tìm kiếm", "Tìm kiếm", "Reset mật khẩu", "Xuất excel"):
        assert label in text, label
    assert "T02003002 - Trường THPT Trần Phú" in text and "Đơn vị kiểm kê" in text
    assert sorted(usernames_listed(response)) == ["T02", "T02001", "T02003", "T02003001", "T02003002"]


@pytest.mark.parametrize("query", ["tran phu", "TRẦN PHÚ", "trần phú", "T02003002", "thpt tran", "t02003002"])
def test_search_ignores_accents_and_case(province_admin, query):
    client, _ = province_admin
    assert usernames_listed(client.get(USERS, {"q": query})) == ["T02003002"]


def test_search_treats_d_and_dj_alike_and_matches_every_word(province_admin):
    client, _ = province_admin
    assert usernames_listed(client.get(USERS, {"q": "giao duc dao tao"})) == ["T02003"]
    assert usernames_listed(client.get(USERS, {"q": "Đào"})) == ["T02003"]
    assert usernames_listed(client.get(USERS, {"q": "giáo dục xyz"})) == []


def test_search_follows_a_unit_rename(province_admin, tree):
    from baocao.units.catalogue import CatalogueRow, import_catalogue

    client, admin = province_admin
    import_catalogue(None, [CatalogueRow(2, "T02003002", "Trường THPT Nguyễn Huệ", "T02003", "reporting")])
    assert usernames_listed(client.get(USERS, {"q": "nguyen hue"})) == ["T02003002"]


def test_filters_by_unit_subtree_group_and_status(province_admin, regime_accounts):
    client, _ = province_admin
    assert sorted(usernames_listed(client.get(USERS, {"unit": "T02003"}))) == ["T02003", "T02003001", "T02003002"]
    assert sorted(usernames_listed(client.get(USERS, {"group": "Đơn vị tổng hợp"}))) == ["T02003"]
    Account.objects.filter(username="T02001").update(is_active=False)
    assert usernames_listed(client.get(USERS, {"status": "revoked"})) == ["T02001"]
    assert usernames_listed(client.get(USERS, {"status": "must_change"})) == ["T02001", "T02003", "T02003001", "T02003002"]


def test_a_unit_filter_outside_scope_is_refused_and_audited(province_admin):
    client, admin = province_admin
    assert client.get(USERS, {"unit": "T01"}).status_code == 403
    assert client.get(EXPORT, {"unit": "T01"}).status_code == 403
    assert AuditEvent.objects.filter(action="scope.denied", actor=admin).count() == 2


def test_pagination_and_sorting(tree, make_account, login):
    for n in range(60):
        make_account("T02003002", "entry", username=f"gv{n:03d}")
    client = login(make_account("T02", "admin", username="qt_t02"))
    first = client.get(USERS)
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 61
    assert len(client.get(USERS, {"page": 2}).context["page"]) == 11
    descending = usernames_listed(client.get(USERS, {"sort": "-username"}))
    assert descending[0] == "qt_t02" and descending[1] == "gv059"


def test_reset_ticked_accounts_after_confirmation(province_admin, regime_accounts):
    admin_client, admin = province_admin
    school = regime_accounts["T02003002"]
    school.set_password("TranPhu2025x")
    school.must_change_password = False
    school.failed_login_count = 3
    school.save()

    confirm = admin_client.post(RESET, {"ids": [school.pk]})
    assert "Mật khẩu của 1 tài khoản sẽ được đưa về mật khẩu mặc định" in confirm.content.decode()
    school.refresh_from_db()
    assert school.check_password("TranPhu2025x")  # nothing happens before the confirmation

    done = admin_client.post(RESET, {"ids": [school.pk], "confirm": "1"}, follow=True)
    assert "Reset mật khẩu thành công 1 tài khoản." in done.content.decode()
    school.refresh_from_db()
    assert school.check_password("kkts@123") and school.must_change_password and school.failed_login_count == 0
    assert AuditEvent.objects.filter(action="password.reset", actor=admin, object_id=str(school.pk)).count() == 1

    # The school logs in with the default password and must change it.
    response = Client().post(reverse("accounts:login"), {"username": "T02003002", "password": "kkts@123"})
    assert response.url == reverse("accounts:password_change")


def test_reset_all_results_of_a_search(province_admin, regime_accounts):
    client, admin = province_admin
    response = client.post(RESET, {"all_matching": "1", "q": "thpt", "confirm": "1"}, follow=True)
    assert "Reset mật khẩu thành công 2 tài khoản." in response.content.decode()
    assert AuditEvent.objects.filter(action="password.reset").count() == 2


def test_reset_also_clears_a_lockout(province_admin, regime_accounts):
    from django.utils import timezone

    client, _ = province_admin
    school = regime_accounts["T02003002"]
    Account.objects.filter(pk=school.pk).update(locked_until=timezone.now() + timezone.timedelta(minutes=10))
    client.post(RESET, {"ids": [school.pk], "confirm": "1"})
    school.refresh_from_db()
    assert not school.is_locked()


def test_crafted_reset_outside_scope_changes_nothing(province_admin, regime_accounts):
    client, admin = province_admin
    mine, theirs = regime_accounts["T02003002"], regime_accounts["T01017"]
    before = {a.pk: a.password for a in (mine, theirs)}
    Account.objects.filter(pk__in=before).update(must_change_password=False)
    response = client.post(RESET, {"ids": [mine.pk, theirs.pk], "confirm": "1"})
    assert response.status_code == 403
    for account in (mine, theirs):
        account.refresh_from_db()
        assert account.password == before[account.pk] and not account.must_change_password
    denied = AuditEvent.objects.get(action="scope.denied")
    assert denied.actor == admin and "T01017" in denied.note
    assert not AuditEvent.objects.filter(action="password.reset").exists()


def test_export_is_the_scope_opened_back_with_openpyxl(province_admin):
    client, admin = province_admin
    Account.objects.filter(username="T02001").update(is_active=False)
    response = client.get(EXPORT)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert "Phạm vi: T02 - Ủy ban nhân dân tỉnh Hà Giang" in sheet["A1"].value and "Xuất lúc" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    assert header == ["STT", "Tên đăng nhập", "Tên hiển thị", "Mã đơn vị", "Tên đơn vị", "Đơn vị cấp trên", "Nhóm người dùng", "Trạng thái", "Phải đổi mật khẩu"]
    assert all(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:I7"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    expected = []
    for number, account in enumerate(Account.objects.filter(unit__path__startswith="/BTC/T02/").order_by("unit__path", "username"), start=1):
        parent = account.unit.parent
        expected.append([
            number, account.username, account.display_name, account.unit.code, account.unit.name,
            f"{parent.code} - {parent.name}", account.user_group,
            "Đã thu hồi" if not account.is_active else "Đang hoạt động",
            "Có" if account.must_change_password else "Không",
        ])
    assert rows == expected
    assert AuditEvent.objects.get(action="accounts.exported").after["rows"] == 5


def test_export_of_a_search(province_admin):
    client, _ = province_admin
    response = client.get(EXPORT, {"q": "trần phú"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[3]][1] == "T02003002" and sheet.max_row == 3


def test_create_accounts_fills_the_gaps_of_the_scope(tree, make_account, login):
    client = login(make_account("T02", "admin", username="qt_t02"))
    create_missing_accounts(None, [tree["T02003002"]])
    response = client.post(reverse("accounts:users_create"), follow=True)
    assert "Đã tạo 4 tài khoản mới" in response.content.decode()  # T02, T02003, T02003001, T02001
    assert not Account.objects.filter(username="T01017").exists()
    again = client.post(reverse("accounts:users_create"), follow=True)
    assert "Mọi đơn vị trong phạm vi đã có đủ tài khoản." in again.content.decode()


def test_edit_display_name_and_roles(province_admin, regime_accounts):
    client, admin = province_admin
    school = regime_accounts["T02003002"]
    url = reverse("accounts:user_detail", args=[school.pk])
    response = client.post(url, {"display_name": "Trường THPT Trần Phú (Hà Giang)", "roles": ["entry", "receiver"]})
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.display_name == "Trường THPT Trần Phú (Hà Giang)" and school.roles == ("entry", "receiver")
    assert school.grants.get(role="receiver").reach == "subtree"  # the role's own reach
    event = AuditEvent.objects.get(action="account.updated")
    assert event.before["roles"] == ["entry"] and event.after["roles"] == ["entry", "receiver"]
    # A province admin cannot grant a role with rights beyond its own, nor leave an account without roles.
    refused = client.post(url, {"display_name": "x", "roles": ["central_admin"]}).content.decode()
    assert "không được cấp vai trò có quyền vượt quá quyền của mình: Quản trị trung ương" in refused
    school.refresh_from_db()
    assert "central_admin" not in school.roles and school.display_name == "Trường THPT Trần Phú (Hà Giang)"
    assert "ít nhất một vai trò" in client.post(url, {"display_name": "x"}).content.decode()


@pytest.mark.parametrize("name", ["accounts:user_detail", "accounts:user_lock", "accounts:user_revoke", "accounts:user_reset"])
def test_per_account_actions_outside_scope_are_refused(province_admin, regime_accounts, name):
    client, admin = province_admin
    other = regime_accounts["T01017"]
    response = client.post(reverse(name, args=[other.pk]), {"display_name": "x", "roles": ["admin"], "reason": "x"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.display_name != "x" and other.is_active and not other.locked_by_admin
    assert AuditEvent.objects.filter(action="scope.denied", actor=admin).exists()


def test_lock_unlock_revoke_reactivate(province_admin, regime_accounts):
    admin_client, admin = province_admin
    school = regime_accounts["T02003002"]
    admin_client.post(reverse("accounts:user_lock", args=[school.pk]))
    school.refresh_from_db()
    assert school.locked_by_admin and school.status_label == "Bị khóa"
    assert Client().post(reverse("accounts:login"), {"username": "T02003002", "password": "kkts@123"}).status_code == 200
    admin_client.post(reverse("accounts:user_unlock", args=[school.pk]))
    school.refresh_from_db()
    assert not school.is_locked()

    response = admin_client.post(reverse("accounts:user_revoke", args=[school.pk]), {"reason": "", "reference": ""}, follow=True)
    assert "Cần nêu lý do thu hồi." in response.content.decode()
    admin_client.post(reverse("accounts:user_revoke", args=[school.pk]), {"reason": "Chuyển công tác", "reference": "CV 12/SGD"})
    school.refresh_from_db()
    assert not school.is_active and school.revoked_reason == "Chuyển công tác" and school.revoked_reference == "CV 12/SGD"
    assert Account.objects.filter(pk=school.pk).exists()  # never deleted
    admin_client.post(reverse("accounts:user_reactivate", args=[school.pk]))
    school.refresh_from_db()
    assert school.is_active
    actions = list(AuditEvent.objects.filter(object_id=str(school.pk), actor=admin).order_by("id").values_list("action", flat=True))
    assert actions == ["account.locked", "account.unlocked", "account.revoked", "account.reactivated"]


def test_an_admin_cannot_lock_or_revoke_itself_nor_the_last_central_admin(province_admin, regime_accounts, login):
    client, admin = province_admin
    response = client.post(reverse("accounts:user_lock", args=[admin.pk]), follow=True)
    assert "Không thể tự khóa tài khoản của chính mình." in response.content.decode()
    admin.refresh_from_db()
    assert not admin.locked_by_admin

    central = regime_accounts["BTC"]
    central.must_change_password = False
    central.save()
    second = AccountFactory(username="btc2", display_name="Quản trị 2", unit=central.unit, roles=("central_admin",))
    central_client = login(second)
    central_client.post(reverse("accounts:user_revoke", args=[central.pk]), {"reason": "Nghỉ hưu"})
    central.refresh_from_db()
    assert not central.is_active  # another central admin remains
    response = central_client.post(reverse("accounts:user_lock", args=[second.pk]), follow=True)
    assert "Không thể tự khóa" in response.content.decode()
    # An administrator of the whole tree who is not a central administrator cannot revoke the last one.
    third = AccountFactory(username="btc3", display_name="Quản trị 3", unit=central.unit, roles=("admin",))
    second.refresh_from_db()
    from django.core.exceptions import ValidationError

    from baocao.accounts import administration

    with pytest.raises(ValidationError, match="quản trị trung ương cuối cùng"):
        administration.revoke(third, second, reason="thử", reference="")

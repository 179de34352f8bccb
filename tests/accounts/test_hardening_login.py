"""Issue 9, items 5 and 7: login limits that do not become a denial of service.

Usernames are public unit codes: an attacker's wrong passwords lock the addresses they come
from, not the unit; an address guessing many accounts is stopped before any password is
hashed; the lockout says how long and whom to contact, the same for every username; a wrong
current password on the change-password page is audited and counts toward the lockout."""
import re
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.urls import reverse

from baocao.accounts import services
from baocao.accounts.models import Account
from baocao.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
ATTACKER, OFFICE = "203.0.113.66", "10.20.30.40"


def post_login(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_an_attacker_locks_only_its_own_address_not_the_unit(client, make_account, password):
    account = make_account("T02003002", "entry", username="T02003002")
    for _ in range(5):
        post_login(client, "T02003002", "wrong-password1", ATTACKER)
    refused = post_login(client, "T02003002", password, ATTACKER)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "thử lại sau 15 phút" in refused.content.decode()
    # The unit, from its own office, logs in as usual.
    assert post_login(client, "T02003002", password, OFFICE).url == reverse("shell:home")
    assert AuditEvent.objects.filter(action="account.locked_out", object_id=str(account.pk), ip=ATTACKER).exists()


def test_a_logged_in_person_is_not_thrown_out_by_an_attackers_lockout(client, make_account, login):
    account = make_account("T02003002", "entry", username="T02003002")
    attacker = type(client)()
    for _ in range(6):
        post_login(attacker, "T02003002", "wrong-password1", ATTACKER)
    assert login(account).get(reverse("shell:home")).status_code == 200


def _shape(response):
    text = re.search(r'data-testid="login-error">([^<]*)<', response.content.decode()).group(1)
    return re.sub(r"\d+", "N", text)


def test_the_lockout_message_says_how_long_and_whom_to_contact_the_same_for_unknown_usernames(client, make_account, settings):
    settings.BAOCAO_LOCKOUT_MINUTES = 30
    make_account("T02003002", "entry", username="T02003002")
    for _ in range(5):
        post_login(client, "T02003002", "wrong-password1", ATTACKER)
        post_login(client, "KHONGCO", "wrong-password1", ATTACKER)
    real, ghost = post_login(client, "T02003002", "x", ATTACKER), post_login(client, "KHONGCO", "x", ATTACKER)
    assert "thử lại sau 30 phút" in real.content.decode()
    assert "liên hệ" in real.content.decode()
    assert _shape(real) == _shape(ghost)


def test_a_locked_address_costs_no_password_hashing(client, make_account, password):
    make_account("T02003002", "entry", username="T02003002")
    for _ in range(5):
        post_login(client, "T02003002", "wrong-password1", ATTACKER)
        post_login(client, "KHONGCO", "wrong-password1", ATTACKER)
    with mock.patch.object(Account, "check_password") as check, mock.patch("baocao.accounts.services.make_password") as hash_:
        for _ in range(10):
            post_login(client, "T02003002", password, ATTACKER)
            post_login(client, "KHONGCO", password, ATTACKER)
    assert not check.called and not hash_.called


def test_an_address_guessing_many_accounts_is_stopped(client, make_account, password, settings):
    settings.BAOCAO_LOGIN_ADDRESS_LIMIT = 8
    make_account("T02003002", "entry", username="T02003002")
    for n in range(8):
        post_login(client, f"T0200{n}", "wrong-password1", ATTACKER)  # each username only once
    with mock.patch.object(Account, "check_password") as check:
        response = post_login(client, "T02003002", password, ATTACKER)
    assert not check.called and "thử lại sau" in response.content.decode()
    assert post_login(client, "T02003002", password, OFFICE).url == reverse("shell:home")


def test_an_administrator_unlocks_every_address_with_an_audited_action(client, make_account, password, login):
    account = make_account("T02003002", "entry", username="T02003002")
    admin = make_account("T02", "admin", username="T02")
    for _ in range(5):
        post_login(client, "T02003002", "wrong-password1", OFFICE)
    assert "thử lại sau" in post_login(client, "T02003002", password, OFFICE).content.decode()
    login(admin).post(reverse("accounts:user_unlock", args=[account.pk]))
    assert AuditEvent.objects.filter(action="account.unlocked", actor=admin, object_id=str(account.pk)).exists()
    anonymous = type(client)()
    assert post_login(anonymous, "T02003002", password, OFFICE).url == reverse("shell:home")


def test_a_wrong_current_password_on_the_change_page_is_audited_and_counts_toward_the_lockout(client, make_account, login):
    account = make_account("T02003002", "entry", username="T02003002")
    client = login(account)
    change = reverse("accounts:password_change")
    wrong = {"old_password": "doan-sai-1", "new_password1": "Motmatkhau2026", "new_password2": "Motmatkhau2026"}
    for _ in range(4):
        assert client.post(change, wrong, REMOTE_ADDR=ATTACKER).status_code == 200
    assert AuditEvent.objects.filter(action="login.failure", actor=account, note__contains="change page").count() == 4
    last = client.post(change, wrong, REMOTE_ADDR=ATTACKER, follow=True)
    # The fifth ends the session and locks this address, with the message saying how long.
    assert "_auth_user_id" not in client.session
    assert "thử lại sau" in last.content.decode()
    assert AuditEvent.objects.filter(action="account.locked_out", object_id=str(account.pk)).exists()


def test_passwords_use_owasps_argon2id_parameters_and_old_hashes_are_upgraded(client, make_account):
    assert "$m=19456,t=2,p=1$" in make_password("Motmatkhau2026")
    account = make_account("T02003002", "entry", username="T02003002")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    Account.objects.filter(pk=account.pk).update(password=Argon2PasswordHasher().encode("Motmatkhau2026", Argon2PasswordHasher().salt()))
    assert post_login(client, "T02003002", "Motmatkhau2026", OFFICE).url == reverse("shell:home")
    account.refresh_from_db()
    assert "m=19456" in account.password


def test_lock_of_counts_only_the_recent_window(rf, make_account, settings):
    settings.BAOCAO_LOCKOUT_MINUTES = 1
    request = rf.post(LOGIN, REMOTE_ADDR=ATTACKER)
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(minutes=5)
    for _ in range(5):
        services.note_failure(request, "T02003002", now=old)
    assert services.lock_of(request, "T02003002") is None

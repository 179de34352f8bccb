"""Issue 22 item 7: two-factor sign-in for administrators (docs/adr/0015)."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baocao import parameters
from baocao.audit.models import AuditEvent
from baocao.mfa import services
from baocao.mfa.models import Authenticator, RecoveryCode
from baocao.parameters.services import update_parameters

LOGIN, HOME = reverse("accounts:login"), reverse("shell:home")
ENROL, VERIFY, RECOVER = reverse("mfa:enrol"), reverse("mfa:verify"), reverse("mfa:recover")


def require(*roles):
    update_parameters(None, {"two_factor_roles": sorted(roles)})


def sign_in(username, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def code(secret, offset=0):
    return services.code_at(secret, services.time_step() + offset)


@pytest.fixture
def central(make_account):
    return make_account("BTC", "central_admin", username="BTC", must_change_password=False)


@pytest.fixture
def province(make_account):
    return make_account("T02", "admin", "receiver", username="T02", must_change_password=False)


@pytest.fixture
def school(make_account):
    return make_account("T02003002", "entry", username="T02003002", must_change_password=False)


def enrolled(client, account):
    client.get(ENROL)
    secret = Authenticator.objects.get(account=account).secret
    response = client.post(ENROL, {"code": code(secret)})
    assert response.status_code == 200 and "Mã khôi phục" in response.content.decode()
    codes = response.context["codes"]
    return secret, codes


# --- who needs it ----------------------------------------------------------------------------


def test_nobody_is_required_by_default_and_logins_work_as_before(central, school, password):
    assert parameters.current().two_factor_roles == ()
    for account in (central, school):
        client = sign_in(account.username, password)
        assert client.get(HOME).status_code == 200


def test_only_roles_with_administration_can_be_required(db):
    from baocao.parameters.services import two_factor_role_choices

    assert [code for code, _label in two_factor_role_choices()] == ["admin", "central_admin"]


def test_the_required_administrator_reaches_nothing_before_enrolling(central, school, password):
    require("central_admin")
    client = sign_in("BTC", password)
    for url in (HOME, reverse("accounts:users"), reverse("parameters:edit"), reverse("audit:list"), reverse("mfa:status")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(ENROL), url
    assert client.post(reverse("parameters:edit"), {}).status_code == 403
    assert client.get(HOME, HTTP_HX_REQUEST="true").status_code == 403
    # What stays open: the enrolment page, the guide, logout.
    assert client.get(ENROL).status_code == 200
    assert client.get(reverse("guide:guide")).status_code == 200
    # A unit's data-entry account stays password-only.
    assert sign_in("T02003002", password).get(HOME).status_code == 200


def test_the_forced_password_change_comes_before_the_enrolment(make_account, password):
    make_account("BTC", "central_admin", username="BTC", must_change_password=True)
    require("central_admin")
    client = sign_in("BTC", password)
    assert client.get(HOME).url == reverse("accounts:password_change")
    client.post(reverse("accounts:password_change"), {"old_password": password, "new_password1": "CucQLCS2025x", "new_password2": "CucQLCS2025x"})
    assert client.get(HOME).url.startswith(ENROL)


# --- enrolment ---------------------------------------------------------------------------------


def test_enrolment_shows_a_local_qr_code_and_the_secret_and_gives_ten_hashed_recovery_codes(central, password):
    require("central_admin")
    client = sign_in("BTC", password)
    page = client.get(ENROL).content.decode()
    secret = Authenticator.objects.get(account=central).secret
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    assert '<label class="form-label" for="id_code">Mã xác thực</label>' in page

    wrong = client.post(ENROL, {"code": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    assert not Authenticator.objects.get(account=central).confirmed

    response = client.post(ENROL, {"code": code(secret), "next": "/tai-khoan/quan-ly/"})
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(account=central).values_list("code_hash", flat=True))
    assert stored == {services.hash_recovery_code(c) for c in codes}
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert client.get(HOME).status_code == 200  # this session passed the second step
    enrolled_event = AuditEvent.objects.get(action="mfa.enrolled")
    assert enrolled_event.actor_id == central.pk
    assert AuditEvent.objects.filter(action="login.failure", note__contains="enrolment").count() == 1


def test_any_administrator_may_enrol_without_being_required_and_then_always_verifies(province, password):
    client = sign_in("T02", password)
    assert client.get(HOME).status_code == 200
    assert "Xác thực hai bước" in client.get(reverse("mfa:status")).content.decode()
    secret, _codes = enrolled(client, province)
    again = sign_in("T02", password)
    assert again.get(HOME).url.startswith(VERIFY)


def test_a_unit_account_cannot_enrol_unless_required(school, password):
    client = sign_in("T02003002", password)
    assert client.get(ENROL).status_code == 302
    assert not Authenticator.objects.exists()


# --- signing in --------------------------------------------------------------------------------


def test_sign_in_with_a_code_refuses_wrong_and_replayed_codes(central, password):
    require("central_admin")
    secret, _codes = enrolled(sign_in("BTC", password), central)
    client = sign_in("BTC", password)
    assert client.get(HOME).url == f"{VERIFY}?next=%2F"

    wrong = client.post(VERIFY, {"code": "12345"})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    replayed = client.post(VERIFY, {"code": code(secret)})  # the step the enrolment used
    assert replayed.status_code == 400 and "đã được dùng" in replayed.content.decode()
    assert client.get(HOME).status_code == 302

    fresh = client.post(VERIFY, {"code": code(secret, +1), "next": "/tai-khoan/quan-ly/"})
    assert fresh.status_code == 302 and fresh.url == "/tai-khoan/quan-ly/"
    assert client.get(HOME).status_code == 200
    # The same code in another session: a replay.
    other = sign_in("BTC", password, ip="10.0.0.2")
    assert "đã được dùng" in other.post(VERIFY, {"code": code(secret, +1)}).content.decode()
    notes = list(AuditEvent.objects.filter(action="login.failure").values_list("note", flat=True))
    assert notes.count("second factor: wrong code") == 1 and notes.count("second factor: replayed code") == 2
    assert AuditEvent.objects.filter(action="mfa.verified").count() == 1


def test_an_unsafe_next_is_ignored(central, password):
    require("central_admin")
    secret, _codes = enrolled(sign_in("BTC", password), central)
    client = sign_in("BTC", password)
    assert client.post(VERIFY, {"code": code(secret, +1), "next": "https://evil.example/"}).url == HOME


def test_a_recovery_code_works_once(central, password):
    require("central_admin")
    _secret, codes = enrolled(sign_in("BTC", password), central)
    client = sign_in("BTC", password)
    used = client.post(RECOVER, {"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302 and client.get(HOME).status_code == 200
    again = sign_in("BTC", password).post(RECOVER, {"code": codes[3]})
    assert again.status_code == 400 and "Mã khôi phục không đúng hoặc đã được dùng." in again.content.decode()
    event = AuditEvent.objects.get(action="mfa.recovery_code_used")
    assert event.after == {"remaining": 9}


def test_wrong_codes_lock_the_second_step_even_after_a_correct_password(central, password, settings):
    settings.BAOCAO_LOCKOUT_THRESHOLD = 3
    require("central_admin")
    secret, _codes = enrolled(sign_in("BTC", password), central)
    for attempt in range(3):
        # A fresh password login each time (it clears the address's password failures).
        client = sign_in("BTC", password, ip=f"10.0.1.{attempt}")
        response = client.post(VERIFY, {"code": "99999" + str(attempt)})
    assert response.status_code == 302 and response.url == LOGIN  # the third: locked, signed out
    assert "_auth_user_id" not in client.session
    client = sign_in("BTC", password, ip="10.0.1.9")
    locked = client.post(VERIFY, {"code": code(secret, +1)}, follow=True)
    assert "thử lại sau" in locked.content.decode()
    assert AuditEvent.objects.filter(action="mfa.verified").count() == 0


def test_wrong_codes_count_toward_the_address_lockout(central, password, settings):
    settings.BAOCAO_LOCKOUT_THRESHOLD = 3
    require("central_admin")
    enrolled(sign_in("BTC", password), central)
    client = sign_in("BTC", password, ip="10.9.9.9")
    for _ in range(3):
        response = client.post(VERIFY, {"code": "000001"})
    assert response.url == LOGIN
    assert AuditEvent.objects.filter(action="account.locked_out", ip="10.9.9.9").exists()


def test_verification_is_per_session_and_resets_end_it(central, make_account, password):
    require("central_admin")
    other = make_account("BTC", "central_admin", username="BTC2", must_change_password=False)
    first = sign_in("BTC", password)
    enrolled(first, central)
    assert first.get(HOME).status_code == 200

    admin = sign_in("BTC2", password)
    enrolled(admin, other)
    services.reset(other, central)
    assert first.get(HOME).url.startswith(ENROL)  # the open session enrols again
    assert not RecoveryCode.objects.filter(account=central).exists()
    stale = first.session.session_key
    enrolled(sign_in("BTC", password, ip="10.0.0.3"), central)
    assert first.session.session_key == stale and first.get(HOME).url.startswith(VERIFY)  # not the new enrolment's


# --- reset -------------------------------------------------------------------------------------


def test_the_central_administrator_resets_from_the_account_page_audited(central, province, password):
    enrolled(sign_in("T02", password), province)
    client = sign_in("BTC", password)
    page = client.get(reverse("accounts:user_detail", args=[province.pk])).content.decode()
    assert "Đặt lại xác thực hai bước" in page
    response = client.post(reverse("mfa:reset", args=[province.pk]), follow=True)
    assert "Đã đặt lại xác thực hai bước của tài khoản T02" in response.content.decode()
    assert not Authenticator.objects.filter(account=province).exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor_id == central.pk and event.object_id == str(province.pk) and event.before["recovery_codes"] == 10


def test_a_province_administrator_may_not_reset_and_nobody_resets_their_own(central, province, make_account, password):
    enrolled(sign_in("BTC", password), central)
    school = make_account("T02003002", "entry", username="T02003002")
    Authenticator.objects.create(account=school, secret=services.new_secret())
    client = sign_in("T02", password)
    assert client.post(reverse("mfa:reset", args=[school.pk])).status_code == 403
    assert Authenticator.objects.filter(account=school).exists()
    with pytest.raises(ValidationError):
        services.reset(central, central)


def test_the_operator_resets_from_the_command_line(central, password):
    enrolled(sign_in("BTC", password), central)
    call_command("reset_two_factor", "btc", "--reason", "CV 12/BTC")
    assert not Authenticator.objects.exists()
    assert AuditEvent.objects.get(action="mfa.reset").note == "command line: CV 12/BTC"


# --- parameters ----------------------------------------------------------------------------------


def test_the_central_administrator_requires_it_per_role_audited(central, password):
    client = sign_in("BTC", password)
    page = client.get(reverse("parameters:edit")).content.decode()
    assert "Bắt buộc xác thực hai bước với các vai trò" in page
    assert "Nhập dữ liệu kiểm kê" not in page.split('id="two-factor-roles"', 1)[1].split("</fieldset>", 1)[0]
    refused = client.post(reverse("parameters:edit"), {"two_factor_roles": ["entry"]})
    assert refused.status_code == 200 and parameters.current().two_factor_roles == ()
    response = client.post(reverse("parameters:edit"), {"two_factor_roles": ["central_admin", "admin"]})
    assert response.status_code == 302
    assert parameters.current().two_factor_roles == ("admin", "central_admin")
    event = AuditEvent.objects.filter(action="parameters.changed").latest("id")
    assert event.after == {"two_factor_roles": ["admin", "central_admin"]}
    # In force at once: this very session must now enrol.
    assert client.get(HOME).url.startswith(ENROL)


def test_the_regime_may_require_more(central, school, password, monkeypatch):
    from baocao import regimes

    regime = regimes.current()
    import dataclasses

    monkeypatch.setattr(regimes, "current", lambda: dataclasses.replace(regime, two_factor_roles=("entry",)))
    assert parameters.current().two_factor_roles == ("entry",)
    assert sign_in("T02003002", password).get(HOME).url.startswith(ENROL)


def test_codes_within_one_step_of_drift_are_accepted(central):
    authenticator = Authenticator.objects.create(account=central, secret=services.new_secret(), confirmed_at=timezone.now())
    now = timezone.now()
    steps = services._matching_steps(authenticator.secret, services.code_at(authenticator.secret, services.time_step(now) - 1), now)
    assert steps == [services.time_step(now) - 1]
    later = now + timedelta(seconds=90)
    assert services._matching_steps(authenticator.secret, services.code_at(authenticator.secret, services.time_step(now)), later) == []


def test_new_recovery_codes_replace_the_old_ones_audited(central, password):
    client = sign_in("BTC", password)
    _secret, old = enrolled(client, central)
    response = client.post(reverse("mfa:renew_recovery_codes"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_renewed", actor=central).exists()
    assert "không đúng" in sign_in("BTC", password).post(RECOVER, {"code": old[0]}).content.decode()


def test_a_unit_account_pays_no_query_for_the_gate(school, rf, django_assert_num_queries):
    from baocao.access import policy

    request = rf.get("/")
    request.user = school
    request.session = {}
    request._baocao_parameters = parameters.current()
    policy.grants_of(school)
    with django_assert_num_queries(0):
        assert services.pending(request) == services.NOTHING

"""Account requests (letter 003, 4.3): a unit files, an administrator of its scope decides."""
import pytest
from django.urls import reverse

from baocao.accounts.models import Account, AccountRequest
from baocao.audit.models import AuditEvent

REQUESTS = reverse("accounts:requests")
# The written request's number and date (Quy chế 2626, Điều 3 khoản 8).
LETTER = {"letter_number": "45/BXD-PC", "letter_date": "02/02/2021"}


@pytest.fixture(autouse=True)
def tuphap(settings):
    settings.BAOCAO_REGIME = "tuphap"


@pytest.fixture
def unit_leader(make_account):
    return make_account("T02003002", "approver", username="T02003002_ld")


@pytest.fixture
def admin(make_account):
    return make_account("T02", "admin", username="T02_qt")


def test_new_account_request_approved_creates_the_account(unit_leader, admin, login, client):
    login(unit_leader)
    response = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "Cán bộ mới", **LETTER}, follow=True)
    assert "Đã gửi đề nghị" in response.content.decode()
    request = AccountRequest.objects.get()
    assert (request.unit.code, request.kind, request.role, request.status) == ("T02003002", "new", "entry", "pending")
    assert (request.letter_number, request.letter_date.strftime("%d/%m/%Y")) == ("45/BXD-PC", "02/02/2021")

    login(admin)
    queue = client.get(REQUESTS).content.decode()
    assert "Cán bộ mới" in queue and "Chuyên viên tổng hợp số liệu" in queue
    assert "Số 45/BXD-PC ngày 02/02/2021" in queue
    response = client.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "approve"}, follow=True)
    assert "tạo tài khoản T02003002_bc" in response.content.decode()
    created = Account.objects.get(username="T02003002_bc")
    assert created.roles == ("entry",) and created.must_change_password and created.check_password("tkTP@2021")

    # The requester sees the outcome.
    login(unit_leader)
    mine = client.get(REQUESTS).content.decode()
    assert "Đã chấp thuận" in mine and "T02003002_bc" in mine

    # A second new account for the same role gets a numbered username.
    second = AccountRequest.objects.create(unit=unit_leader.unit, kind="new", role="entry", reason="Thêm người", requested_by=unit_leader)
    login(admin)
    client.post(reverse("accounts:request_decide", args=[second.pk]), {"decision": "approve"})
    assert Account.objects.filter(username="T02003002_bc2").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"account_request.filed", "account_request.approved", "account.created"} <= actions


def test_revoke_request_approved_revokes_with_the_reference(unit_leader, admin, make_account, login, client):
    checker = make_account("T02003002", "reviewer", username="T02003002_kt")
    login(unit_leader)
    client.post(reverse("accounts:request_file"), {"kind": "revoke", "target": checker.pk, "reason": "Nghỉ hưu", **LETTER})
    request = AccountRequest.objects.get()
    login(admin)
    client.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "approve", "comment": "Đồng ý"})
    checker.refresh_from_db()
    assert not checker.is_active and checker.revoked_reason == "Nghỉ hưu" and checker.revoked_reference == f"Đề nghị số {request.pk}"


def test_reject_needs_a_comment_and_is_shown_to_the_unit(unit_leader, admin, login, client):
    request = AccountRequest.objects.create(unit=unit_leader.unit, kind="new", role="entry", reason="x", requested_by=unit_leader)
    login(admin)
    response = client.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "reject"}, follow=True)
    assert "Cần nêu lý do từ chối." in response.content.decode()
    client.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "reject", "comment": "Thiếu công văn"})
    request.refresh_from_db()
    assert request.status == "rejected" and request.decision_comment == "Thiếu công văn"
    assert not Account.objects.filter(username__startswith="T02003002_bc").exists()
    login(unit_leader)
    assert "Thiếu công văn" in client.get(REQUESTS).content.decode()


def test_bad_requests_are_explained(unit_leader, login, client):
    login(unit_leader)
    response = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "", "reason": "", **LETTER}, follow=True)
    text = response.content.decode()
    assert "Cần nêu lý do đề nghị." in text and "Vai trò này không thể đề nghị cấp thêm tài khoản" in text
    client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "a", **LETTER})
    again = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "a", **LETTER}, follow=True)
    assert "đang chờ xử lý" in again.content.decode()
    assert AccountRequest.objects.count() == 1


def test_only_the_units_approver_files_and_only_its_admins_decide(unit_leader, make_account, login, client):
    entry = make_account("T02003002", "entry", username="T02003002_bc")
    login(entry)
    assert client.get(REQUESTS).status_code == 403
    assert client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "x", **LETTER}).status_code == 403

    other_unit_account = make_account("T01017", "entry", username="T01017_bc")
    login(unit_leader)
    client.post(reverse("accounts:request_file"), {"kind": "revoke", "target": other_unit_account.pk, "reason": "x", **LETTER})
    other_unit_account.refresh_from_db()
    assert not AccountRequest.objects.exists()

    request = AccountRequest.objects.create(unit=unit_leader.unit, kind="new", role="entry", reason="Cán bộ mới ở Trần Phú", requested_by=unit_leader)
    hanoi_admin = make_account("T01", "admin", username="T01_qt")
    login(hanoi_admin)
    assert request.reason not in client.get(REQUESTS).content.decode()
    assert client.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "approve"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"
    assert AuditEvent.objects.filter(action="scope.denied", actor=hanoi_admin).exists()


def test_the_written_request_number_and_date_are_required(unit_leader, login, client):
    login(unit_leader)
    page = client.get(REQUESTS).content.decode()
    assert 'for="letter_number"' in page and 'for="letter_date"' in page
    text = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "Cán bộ mới"}, follow=True).content.decode()
    assert "Cần ghi số văn bản đề nghị" in text and "Cần ghi ngày văn bản đề nghị" in text
    text = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "x", "letter_number": "1/PC",
                                                           "letter_date": "31/02/2021"}, follow=True).content.decode()
    assert "không đúng dạng dd/mm/yyyy" in text
    text = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "x", "letter_number": "1/PC",
                                                           "letter_date": "01/01/2999"}, follow=True).content.decode()
    assert "không được sau ngày hôm nay" in text
    assert not AccountRequest.objects.exists()


def test_only_what_the_account_scheme_allows_is_offered(unit_leader, make_account, login, client):
    """One account per role by default; a unit may ask for more for new users, up to the
    regime's accounts_per_role (tuphap: 3) active accounts per role; the filer's own account
    is never offered for revocation."""
    checkers = [make_account("T02003002", "reviewer", username=f"T02003002_kt{n}") for n in ("", "2", "3")]
    login(unit_leader)
    page = client.get(REQUESTS).content.decode()
    assert 'value="entry"' in page and 'value="approver"' in page and 'value="reviewer"' not in page
    assert f'value="{checkers[0].pk}"' in page and f'value="{unit_leader.pk}"' not in page
    text = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "reviewer", "reason": "x", **LETTER}, follow=True).content.decode()
    assert "đơn vị đã có đủ 3 tài khoản cho vai trò đó" in text
    text = client.post(reverse("accounts:request_file"), {"kind": "revoke", "target": unit_leader.pk, "reason": "x", **LETTER}, follow=True).content.decode()
    assert "chính tài khoản đang dùng" in text
    assert not AccountRequest.objects.exists()


def test_an_additional_account_for_a_new_user_is_requested_decided_and_used(unit_leader, admin, make_account, login, client, password):
    """Issue 24.6: the unit already has its _bc; its leader asks for a second one for a new
    user ("cấp mới"); the administrator approves; T02003002_bc2 signs in for the first time
    with the default password and must change it."""
    make_account("T02003002", "entry", username="T02003002_bc")
    login(unit_leader)
    assert 'value="entry"' in client.get(REQUESTS).content.decode()
    client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "Cán bộ mới chuyển đến", **LETTER})
    request = AccountRequest.objects.get()
    login(admin)
    client.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "approve"})
    created = Account.objects.get(username="T02003002_bc2")
    assert created.roles == ("entry",) and created.must_change_password
    client.post(reverse("accounts:logout"))
    first = client.post(reverse("accounts:login"), {"username": "T02003002_bc2", "password": "tkTP@2021"})
    assert first.status_code == 302 and first.url == reverse("accounts:password_change")


def test_a_unit_whose_roles_are_all_filled_is_offered_no_new_account(make_account, login, client):
    """A unit whose active accounts already hold every role of its scheme as many times as
    the regime allows is told there is nothing to request, not offered to revoke itself."""
    only = make_account("T02003002", "approver", "entry", "reviewer", username="T02003002_ld")
    for n in (2, 3):
        make_account("T02003002", "approver", "entry", "reviewer", username=f"T02003002_ld{n}", is_active=True)
    login(only)
    page = client.get(REQUESTS).content.decode()
    assert "Gửi đề nghị mới" in page and 'value="entry"' not in page and 'value="approver"' not in page


def test_the_central_administrator_is_not_offered_a_request_for_its_own_unit(make_account, login, client):
    central = make_account("BTC", "central_admin", "approver", username="btc_qt")
    login(central)
    page = client.get(REQUESTS).content.decode()
    assert "Gửi đề nghị mới" not in page
    text = client.post(reverse("accounts:request_file"), {"kind": "new", "role": "entry", "reason": "x", **LETTER}, follow=True)
    assert text.status_code in (200, 403) and not AccountRequest.objects.exists()


def test_a_request_never_grants_a_role_the_scheme_does_not_give_or_more_administration_than_the_decider_holds(unit_leader, admin, login, client):
    """Issue 21: approving carries out only what the decider could grant. A request written
    straight into the database for the central administrator's role is refused, nothing
    created, the request still pending."""
    forged = AccountRequest.objects.create(unit=unit_leader.unit, kind="new", role="central_admin", reason="Xin quyền", requested_by=unit_leader)
    login(admin)
    response = client.post(reverse("accounts:request_decide", args=[forged.pk]), {"decision": "approve"}, follow=True)
    page = response.content.decode()
    assert "không được cấp cho loại đơn vị này" in page
    forged.refresh_from_db()
    assert forged.status == "pending" and not Account.objects.filter(unit=unit_leader.unit).exclude(pk=unit_leader.pk).exists()

"""The scope matrix: each role × own unit / child / sibling / other province."""
import pytest
from django.urls import reverse

from baocao.accounts.scope import ACTIONS, ADMINISTER, APPROVE, ENTER, REVIEW, VIEW, administrable_units, can
from baocao.audit.models import AuditEvent

# role -> (the actor's unit, {relation: target unit})
PLACES = {
    "entry": ("T02003", {"own": "T02003", "child": "T02003002", "sibling": "T02001", "other_province": "T01017"}),
    "reviewer": ("T02003", {"own": "T02003", "child": "T02003002", "sibling": "T02001", "other_province": "T01017"}),
    "approver": ("T02003", {"own": "T02003", "child": "T02003002", "sibling": "T02001", "other_province": "T01017"}),
    "admin": ("T02", {"own": "T02", "child": "T02003002", "sibling": "046", "other_province": "T01017"}),
    "central_admin": ("BTC", {"own": "BTC", "child": "T02003002", "sibling": "046001", "other_province": "T01017"}),
}
ALLOWED = {
    # role: {relation: actions allowed}
    "entry": {"own": {VIEW, ENTER}},
    "reviewer": {"own": {VIEW, REVIEW}},
    "approver": {"own": {VIEW, APPROVE}},
    "admin": {"own": {VIEW, ADMINISTER}, "child": {VIEW, ADMINISTER}},
    "central_admin": {rel: set(ACTIONS) for rel in ("own", "child", "sibling", "other_province")},
}
CASES = [(role, rel) for role in PLACES for rel in ("own", "child", "sibling", "other_province")]


@pytest.mark.parametrize("role, relation", CASES)
def test_can_matrix(make_account, tree, role, relation):
    home, targets = PLACES[role]
    account = make_account(home, role)
    target = tree[targets[relation]]
    allowed = ALLOWED[role].get(relation, set())
    for action in ACTIONS:
        assert can(account, action, target) == (action in allowed), (role, relation, action)


@pytest.mark.parametrize("role, relation", CASES)
def test_unit_page_matrix(make_account, login, tree, role, relation):
    home, targets = PLACES[role]
    account = make_account(home, role)
    client = login(account)
    code = targets[relation]
    response = client.get(reverse("units:detail", args=[code]))
    if VIEW in ALLOWED[role].get(relation, set()):
        assert response.status_code == 200
        assert tree[code].name in response.content.decode()
    else:
        assert response.status_code == 403
        assert "ngoài phạm vi" in response.content.decode()
        event = AuditEvent.objects.get(action="scope.denied")
        assert event.actor == account and event.unit == tree[code]


def test_revoked_account_can_do_nothing(make_account, tree):
    account = make_account("T02003", "entry", is_active=False)
    assert not any(can(account, action, tree["T02003"]) for action in ACTIONS)


def test_administrable_units(make_account, tree):
    admin = make_account("T02", "admin")
    assert {u.code for u in administrable_units(admin)} == {"T02", "T02003", "T02003002", "T02003001", "T02001"}
    assert administrable_units(make_account("T02003", "entry", "reviewer", "approver")).count() == 0
    assert administrable_units(make_account("BTC", "central_admin")).count() == len(tree)


@pytest.mark.parametrize("url_name", ["units:list", "units:import", "audit:list", "shell:admin", "accounts:users", "accounts:users_export"])
def test_admin_pages_refuse_unit_accounts(make_account, login, url_name):
    client = login(make_account("T02003002", "entry", "reviewer", "approver"))
    assert client.get(reverse(url_name)).status_code == 403
    assert AuditEvent.objects.filter(action="scope.denied").count() == 1


def test_parameters_menu_is_for_the_central_admin_only(make_account, login):
    assert login(make_account("T02", "admin")).get(reverse("parameters:edit")).status_code == 403
    assert login(make_account("BTC", "central_admin")).get(reverse("parameters:edit")).status_code == 200


def test_province_admin_lists_only_its_units(make_account, login):
    client = login(make_account("T02", "admin"))
    text = client.get(reverse("units:list")).content.decode()
    assert "T02003002" in text and "T01017" not in text and "046001" not in text
    found = client.get(reverse("units:list"), {"q": "T01"}).content.decode()
    assert "T01017" not in found


def test_unlock_outside_scope_is_refused(make_account, login):
    from django.utils import timezone

    victim = make_account("T01017", "entry", locked_until=timezone.now() + timezone.timedelta(minutes=10))
    client = login(make_account("T02", "admin"))
    assert client.post(reverse("accounts:user_unlock", args=[victim.pk])).status_code == 403
    victim.refresh_from_db()
    assert victim.is_locked()
    assert AuditEvent.objects.filter(action="scope.denied", unit=victim.unit).exists()


def test_pages_need_login(client):
    response = client.get(reverse("units:detail", args=["T02003002"]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

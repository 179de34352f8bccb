"""The access matrix: role × reach × permission × where the unit is (own, child, sibling,
other province), allowed and refused, with the reason a person is shown."""
import pytest
from django.urls import reverse

from baocao.access import policy
from baocao.access.models import RoleGrant
from baocao.audit.models import AuditEvent
from tests.factories import AccountFactory

ANY, OWN, BELOW = policy.ANY, policy.OWN, policy.BELOW
# (permission, relation it is asked with): how the platform asks each question.
QUESTIONS = [
    ("report.view", ANY), ("report.edit", OWN), ("report.submit", OWN), ("report.check", OWN), ("report.approve", OWN),
    ("report.request_correction", BELOW), ("report.extend", BELOW), ("account.administer", ANY), ("period.manage", ANY),
]
# role, reach, the actor's unit, and the units standing in each relation to it.
PLACES = {
    "T02003": {"own": "T02003", "child": "T02003002", "sibling": "T02001", "other_province": "T01017"},
    "T02": {"own": "T02", "child": "T02003002", "sibling": "046", "other_province": "T01017"},
    "BTC": {"own": "BTC", "child": "T02003002", "sibling": "046001", "other_province": "T01017"},
}
# (role, reach, home) -> {permission: relations where it is allowed}. Everything else is refused.
EXPECTED = {
    ("entry", "unit", "T02003"): {"report.view": {"own"}, "report.edit": {"own"}, "report.submit": {"own"}},
    ("entry", "subtree", "T02003"): {"report.view": {"own", "child"}, "report.edit": {"own"}, "report.submit": {"own"}},
    ("reviewer", "unit", "T02003"): {"report.view": {"own"}, "report.check": {"own"}},
    ("reviewer", "subtree", "T02003"): {"report.view": {"own", "child"}, "report.check": {"own"}},
    ("approver", "unit", "T02003"): {"report.view": {"own"}, "report.approve": {"own"}},
    ("approver", "subtree", "T02003"): {"report.view": {"own", "child"}, "report.approve": {"own"}, "report.request_correction": {"child"}},
    ("admin", "subtree", "T02"): {"report.view": {"own", "child"}, "report.extend": {"child"}, "account.administer": {"own", "child"}},
    ("central_admin", "subtree", "BTC"): {
        "report.view": {"own", "child", "sibling", "other_province"},
        "report.request_correction": {"child", "sibling", "other_province"},
        "report.extend": {"child", "sibling", "other_province"},
        "account.administer": {"own", "child", "sibling", "other_province"},
        "period.manage": {"own", "child", "sibling", "other_province"},
    },
}
CASES = [(role, reach, home, relation) for (role, reach, home) in EXPECTED for relation in PLACES[home]]


@pytest.fixture
def tuphap_regime(settings):
    settings.BAOCAO_REGIME = "tuphap"


def grant(tree, role, reach, home):
    account = AccountFactory(unit=tree[home], roles=())
    RoleGrant.objects.create(account=account, role=role, unit=tree[home], reach=reach)
    return account


@pytest.mark.parametrize("role, reach, home, relation", CASES)
def test_matrix(tuphap_regime, tree, role, reach, home, relation):
    account = grant(tree, role, reach, home)
    target = tree[PLACES[home][relation]]
    allowed = EXPECTED[(role, reach, home)]
    for permission, asked in QUESTIONS:
        expected = relation in allowed.get(permission, set())
        decision = policy.check(account, permission, target, relation=asked)
        assert bool(decision) == expected, (role, reach, relation, permission)
        assert expected or decision.reason, "a refusal always says why"


def test_reasons_name_who_may(tuphap_regime, tree):
    clerk = grant(tree, "entry", "unit", "T02003")
    assert policy.check(clerk, "report.approve", tree["T02003"], relation=OWN).reason == (
        "Tài khoản của bạn không được phê duyệt (việc này thuộc vai trò: Lãnh đạo phê duyệt báo cáo)."
    )
    assert policy.check(clerk, "report.edit", tree["T02003002"], relation=OWN).reason == (
        "Chỉ Chuyên viên tổng hợp số liệu của Đơn vị T02003002 được nhập số liệu."
    ).replace("Đơn vị T02003002", tree["T02003002"].name)
    leader = grant(tree, "approver", "subtree", "T02003")
    assert "không tự yêu cầu chỉnh lý báo cáo của chính mình" in policy.check(leader, "report.request_correction", tree["T02003"], relation=BELOW).reason
    assert "không trực thuộc đơn vị của bạn" in policy.check(leader, "report.request_correction", tree["T02001"], relation=BELOW).reason
    admin = grant(tree, "admin", "subtree", "T02")
    assert policy.check(admin, "account.administer", tree["T01017"]).reason == f"{tree['T01017'].name} nằm ngoài phạm vi quản lý của tài khoản."


def test_a_revoked_account_may_do_nothing(tuphap_regime, tree):
    account = grant(tree, "central_admin", "subtree", "BTC")
    account.is_active = False
    assert not any(policy.may(account, p, tree["T02003"], relation=r) for p, r in QUESTIONS)


def test_a_role_the_regime_does_not_declare_grants_nothing(tuphap_regime, tree):
    account = grant(tree, "receiver", "subtree", "T02")  # a kiemke role
    assert not policy.may(account, "report.view", tree["T02003002"])


def test_the_platform_itself_may_do_anything(tree):
    assert policy.check(None, "period.manage")


def test_scope_as_a_query(tuphap_regime, tree):
    from baocao.units.models import Unit

    leader = grant(tree, "approver", "subtree", "T02003")
    below = Unit.objects.filter(policy.scope(leader, "report.request_correction", relation=BELOW).q())
    assert set(below.values_list("code", flat=True)) == {"T02003002", "T02003001"}
    seen = Unit.objects.filter(policy.scope(leader, "report.view").q())
    assert set(seen.values_list("code", flat=True)) == {"T02003", "T02003002", "T02003001"}
    central = grant(tree, "central_admin", "subtree", "BTC")
    assert policy.scope(central, "report.view").everywhere and Unit.objects.filter(policy.scope(central, "report.view").q()).count() == len(tree)
    assert Unit.objects.filter(policy.scope(leader, "period.manage").q()).count() == 0


def test_grants_are_read_once_per_account(tuphap_regime, tree, django_assert_num_queries):
    account = grant(tree, "admin", "subtree", "T02")
    fresh = type(account).objects.get(pk=account.pk)
    with django_assert_num_queries(1):
        for _ in range(20):
            policy.may(fresh, "report.view", tree["T02003002"])


# --- pages -----------------------------------------------------------------------------

PAGE_PLACES = {
    "admin": ("T02", {"own": "T02", "child": "T02003002", "sibling": "046", "other_province": "T01017"}),
    "central_admin": ("BTC", {"own": "BTC", "child": "T02003002", "sibling": "046001", "other_province": "T01017"}),
    "entry": ("T02003", {"own": "T02003", "child": "T02003002", "sibling": "T02001", "other_province": "T01017"}),
}
PAGE_ALLOWED = {"admin": {"own", "child"}, "central_admin": {"own", "child", "sibling", "other_province"}, "entry": set()}


@pytest.mark.parametrize("role, relation", [(r, rel) for r in PAGE_PLACES for rel in ("own", "child", "sibling", "other_province")])
def test_unit_page_matrix(make_account, login, tree, role, relation):
    home, targets = PAGE_PLACES[role]
    account = make_account(home, role)
    code = targets[relation]
    response = login(account).get(reverse("units:detail", args=[code]))
    if relation in PAGE_ALLOWED[role]:
        assert response.status_code == 200 and tree[code].name in response.content.decode()
    else:
        assert response.status_code == 403
        event = AuditEvent.objects.get(action="scope.denied")
        assert event.actor == account and event.unit == tree[code] and "unit.administer" in event.note


@pytest.mark.parametrize("url_name", ["units:list", "units:import", "audit:list", "shell:admin", "accounts:users", "accounts:users_export", "periods:list"])
def test_admin_pages_refuse_unit_accounts(make_account, login, url_name):
    response = login(make_account("T02003002", "entry")).get(reverse(url_name))
    assert response.status_code == 403 and "không được" in response.content.decode()
    assert AuditEvent.objects.filter(action="scope.denied").count() == 1


def test_parameters_menu_is_for_the_central_admin_only(make_account, login):
    assert login(make_account("T02", "admin")).get(reverse("parameters:edit")).status_code == 403
    assert login(make_account("BTC", "central_admin")).get(reverse("parameters:edit")).status_code == 200


def test_province_admin_lists_only_its_units(make_account, login):
    client = login(make_account("T02", "admin"))
    text = client.get(reverse("units:list")).content.decode()
    assert "T02003002" in text and "T01017" not in text and "046001" not in text
    assert "T01017" not in client.get(reverse("units:list"), {"q": "T01"}).content.decode()


def test_unlock_outside_scope_is_refused(make_account, login):
    from django.utils import timezone

    victim = make_account("T01017", "entry", locked_until=timezone.now() + timezone.timedelta(minutes=10))
    client = login(make_account("T02", "admin"))
    assert client.post(reverse("accounts:user_unlock", args=[victim.pk])).status_code == 403
    victim.refresh_from_db()
    assert victim.locked_until is not None  # the lockout stays (accounts.services.lock_of: on the failing addresses)
    assert AuditEvent.objects.filter(action="scope.denied", unit=victim.unit).exists()


def test_pages_need_login(client):
    response = client.get(reverse("units:detail", args=["T02003002"]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

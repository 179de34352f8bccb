"""A province administrator's user list costs the same whatever the province (issue 23):
accounts carry their unit's path (kept right when units move), a subtree's list is in tree
order, and the list by status is read in parts, each from an index."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baocao.accounts.models import Account
from baocao.audit.services import record_read
from baocao.units import tree as units_tree
from baocao.units.models import Unit, UnitKind
from tests.factories import AccountFactory

USERS = reverse("accounts:users")
RESET = reverse("accounts:users_reset")
pytestmark = pytest.mark.django_db


def listed(response):
    return [a.username for a in response.context["page"]]


def test_accounts_carry_their_units_path_and_follow_a_move(tree, make_account, login):
    school = make_account("T02003002", username="gv_tranphu")
    assert Account.objects.get(pk=school.pk).unit_path == "/BTC/T02/T02003/T02003002/"
    units_tree.move(None, tree["T02003"], parent=tree["T01"])
    assert Account.objects.get(pk=school.pk).unit_path == "/BTC/T01/T02003/T02003002/"
    assert set(Account.objects.values_list("unit_path", flat=True)) == {a.unit.path for a in Account.objects.select_related("unit")}
    # The province that received the department lists its accounts; the one it left does not.
    hanoi = login(make_account("T01", "admin", username="qt_t01", must_change_password=False))
    assert "gv_tranphu" in listed(hanoi.get(USERS))
    hagiang_admin = make_account("T02", "admin", username="qt_t02", must_change_password=False)
    hanoi.force_login(hagiang_admin, backend="baocao.accounts.backends.AccountBackend")
    assert "gv_tranphu" not in listed(hanoi.get(USERS))


def test_a_province_list_is_in_tree_order_and_can_still_sort_by_username(tree, make_account, login):
    for code, name in (("T02003002", "zz_last_name"), ("T02001", "aa_first_name"), ("T02003001", "mm_middle")):
        make_account(code, username=name)
    client = login(make_account("T02", "admin", username="qt_t02", must_change_password=False))
    response = client.get(USERS)
    assert response.context["sort"] == "unit"
    assert listed(response) == ["qt_t02", "aa_first_name", "mm_middle", "zz_last_name"]  # T02, T02001, T02003001, T02003002
    assert listed(client.get(USERS, {"sort": "username"})) == ["aa_first_name", "mm_middle", "qt_t02", "zz_last_name"]


def test_the_central_list_sorts_by_status_across_pages(tree, make_account, login):
    now = timezone.now()
    central = make_account("BTC", "central_admin", username="btc_qt", must_change_password=False)
    for n in range(55):
        make_account("T02003002", username=f"active{n:02d}")
    make_account("T02001", username="out1", locked_until=now + timezone.timedelta(minutes=5))
    make_account("T02001", username="admin_locked1", locked_by_admin=True)
    make_account("T02001", username="revoked1", is_active=False)
    make_account("T02001", username="expired_lockout", locked_until=now - timezone.timedelta(minutes=5))  # active again
    client = login(central)
    first = client.get(USERS, {"sort": "status"})
    assert first.context["page"].paginator.count == 60
    second = listed(client.get(USERS, {"sort": "status", "page": 2}))
    assert second == ["active50", "active51", "active52", "active53", "active54", "btc_qt", "expired_lockout",  # active
                      "out1", "admin_locked1", "revoked1"]
    assert listed(client.get(USERS, {"sort": "-status"}))[:4] == ["revoked1", "admin_locked1", "out1", "expired_lockout"]
    assert [a.username for a in first.context["page"]][:2] == ["active00", "active01"]


def _grow(parent, n):
    for i in range(n):
        unit = Unit.objects.create(code=f"{parent.code}X{Unit.objects.count():04d}", name=f"Trường thêm {i}", kind=UnitKind.REPORTING,
                                   parent=parent)
        account = AccountFactory(unit=unit, must_change_password=bool(i % 2), locked_by_admin=not i % 20)
        record_read("login.success", actor=account, unit=unit)


def _queries(client, method, url, data):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("method,url,data", [
    ("get", USERS, {}),
    ("get", USERS, {"q": "truong"}),
    ("get", USERS, {"sort": "status"}),
    ("get", USERS, {"sort": "-status", "page": "2"}),
    ("get", USERS, {"sort": "username"}),
    ("get", USERS, {"sort": "-display_name", "page": "2"}),
    ("post", RESET, {"all_matching": "1", "q": "truong"}),
    ("get", reverse("shell:home"), {}),
    ("get", reverse("audit:list"), {}),
    ("get", reverse("units:list"), {}),
])
def test_a_province_administrators_pages_run_as_many_queries_in_a_larger_country(tree, make_account, login, method, url, data):
    client = login(make_account("T02", "admin", username="qt_t02", must_change_password=False))
    _grow(tree["T02003"], 60)
    _grow(tree["T01"], 5)
    few = _queries(client, method, url, data)
    _grow(tree["T02003"], 60)
    _grow(tree["T01"], 80)
    assert _queries(client, method, url, data) == few

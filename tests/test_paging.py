"""Deep list pages read their keys first, then only their own rows with their joins (issue 13):
the same rows, in the same order, as one OFFSET query would give, in two queries whatever
the depth, and the walk past the skipped rows joins nothing."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baocao import paging
from baocao.accounts.models import Account
from tests.factories import AccountFactory


@pytest.fixture
def accounts(tree):
    for n in range(12):
        AccountFactory(unit=tree["T02003002" if n % 2 else "T01017"], username=f"tk{n:02d}", display_name=f"Người dùng {11 - n}")
    return Account.objects.select_related("unit")


@pytest.mark.parametrize("order", [("username",), ("-username",), ("display_name", "username"), ("unit__code", "username")])
def test_a_deep_page_holds_the_rows_of_one_offset_query(accounts, monkeypatch, order):
    monkeypatch.setattr(paging, "DEFER_FROM", 2)
    ordered = accounts.order_by(*order)
    expected = list(ordered.values_list("username", flat=True))
    paginator = paging.CappedPaginator(ordered, 5)
    shown = []
    for number in paginator.page_range:
        page = paginator.page(number)
        shown += [account.username for account in page]
    assert shown == expected and paginator.page(3).end_index() == len(expected)


def test_a_deep_page_costs_two_queries_and_its_walk_joins_no_unit(accounts, monkeypatch):
    monkeypatch.setattr(paging, "DEFER_FROM", 2)
    paginator = paging.CappedPaginator(accounts.order_by("username"), 5)
    paginator.count  # noqa: B018 - counted once, as the page does before it reads rows
    with CaptureQueriesContext(connection) as captured:
        page = paginator.page(2)
        names = [account.unit.name for account in page]  # the units came with the rows
    assert len(names) == 5 and len(captured) == 2
    keys, rows = (query["sql"].upper() for query in captured)
    assert "JOIN" not in keys and "OFFSET" in keys
    assert "JOIN" in rows and "OFFSET" not in rows

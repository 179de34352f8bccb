"""Look-ups by username or unit code in any case go through the LOWER() unique indexes
(issue 13): Django's `__iexact` would compare UPPER(), which no index serves, and scan
100,000 accounts on every login."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baocao.accounts.services import create_missing_accounts
from baocao.dbtext import iexact
from baocao.units.models import Unit


def test_a_login_and_a_command_by_code_in_another_case_never_compare_upper(client, tree):
    create_missing_accounts(None, [tree["T02003002"]])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("accounts:login"), {"username": "t02003002", "password": "kkts@123"})
        call_command("create_accounts", unit="t02", verbosity=0)
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    sql = [query["sql"].upper() for query in captured]
    assert not [q for q in sql if "UPPER(" in q]
    assert any("LOWER(" in q and "USERNAME" in q for q in sql) and any("LOWER(" in q and "CODE" in q for q in sql)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's")
def test_postgresql_answers_a_code_in_any_case_from_the_unique_index(tree):
    query = Unit.objects.filter(iexact("code", "t02003002"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a five-row table would be scanned anyway
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "unit_code_unique_ci" in plan, plan
    assert query.get() == tree["T02003002"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_postgresql_connections_run_without_parallel_plans(db):
    """The connections run without parallel plans (DB_PARALLEL_WORKERS): with them, a subtree
    joined to its accounts was counted by scanning every unit (45 ms against 3.6 ms)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"

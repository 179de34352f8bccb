"""Two people acting on one report at once (PostgreSQL, two real connections): exactly one
wins, the other is told who was first, and no transition applies twice."""
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from baocao.reports import services, workflow
from baocao.reports.models import Report, ReportEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent_report(tuphap, tree, make_account):
    if connection.vendor != "postgresql":
        pytest.skip("two concurrent connections need PostgreSQL (SQLite serialises every writer)")
    from tests.helpers import owed_report

    clerk = make_account("T02003002", "entry", username="T02003002_bc")
    report = owed_report(tree["T02003002"], tuphap, "12a/BTP/BTTP/CC")
    services.save_grid(clerk, report, {("to_chuc", "chu_ky"): Decimal(1)}, expected_version=report.version)
    report.refresh_from_db()
    workflow.transition(clerk, report, "gui_kiem_tra")
    report.refresh_from_db()
    return report


def race(monkeypatch, attempts):
    """Run each (account, code, kwargs) in its own thread and connection, all released at
    once; the winner holds the row lock a moment, so the others really wait on it."""
    original = workflow.record

    def slow_record(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(workflow, "record", slow_record)
    barrier, outcomes = threading.Barrier(len(attempts)), []

    def run(account, pk, code, kwargs):
        try:
            barrier.wait()
            started = time.monotonic()
            workflow.transition(account, Report.objects.get(pk=pk), code, **kwargs)
            outcomes.append(("done", account.username, time.monotonic() - started))
        except workflow.Conflict as conflict:
            outcomes.append(("conflict", str(conflict), time.monotonic() - started))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_check_and_return_at_once(sent_report, make_account, monkeypatch):
    first = make_account("T02003002", "reviewer", username="T02003002_kt")
    second = make_account("T02003002", "reviewer", username="T02003002_kt2")
    seen = sent_report.version
    outcomes = race(monkeypatch, [
        (first, sent_report.pk, "da_kiem_tra", {"expected_version": seen}),
        (second, sent_report.pk, "tra_lai_kiem_tra", {"expected_version": seen, "reason": "Sai số liệu"}),
    ])
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["conflict", "done"], outcomes
    winner = next(o[1] for o in outcomes if o[0] == "done")
    message = next(o[1] for o in outcomes if o[0] == "conflict")
    assert winner in message  # the loser is told who acted first
    assert ReportEvent.objects.filter(report=sent_report).exclude(transition="gui_kiem_tra").count() == 1


def test_the_same_transition_twice_applies_once(sent_report, make_account, monkeypatch):
    first = make_account("T02003002", "reviewer", username="T02003002_kt")
    second = make_account("T02003002", "reviewer", username="T02003002_kt2")
    outcomes = race(monkeypatch, [(first, sent_report.pk, "da_kiem_tra", {}), (second, sent_report.pk, "da_kiem_tra", {})])
    assert sorted(o[0] for o in outcomes) == ["conflict", "done"], outcomes
    loser = next(o for o in outcomes if o[0] == "conflict")
    assert loser[2] >= 0.25  # it waited for the winner's lock rather than reading a stale state
    assert ReportEvent.objects.filter(report=sent_report, transition="da_kiem_tra").count() == 1
    assert Report.objects.get(pk=sent_report.pk).status == "cho_phe_duyet"

"""The totals ledger under real concurrency (PostgreSQL, one connection per thread; issue 21,
docs/adr/0010): a move of a subtree held open while saves and receipts run inside and
outside it, two transfers into one unit at once, a period closed beside saves, and a mixed
workload of moves, saves and transitions — each checked against a fresh recomputation.
SQLite runs one writer at a time, so these need PostgreSQL."""
import random
import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections

from baocao.audit.models import AuditEvent
from baocao.reorg import operations, transfers
from baocao.reports import periods, services, workflow
from baocao.reports.models import Period, Report
from baocao.rollup.verification import differences
from baocao.units import tree as t
from baocao.units.models import Unit
from tests.helpers import owed_report

pytestmark = pytest.mark.django_db(transaction=True)

A12 = "12a/BTP/BTTP/CC"


@pytest.fixture
def notaries(tuphap, tree):
    """12a owed by practices inside T02003 (T02003001, T02003002) and outside it: in the same
    province (T02001), under the move's new parent (T01017) and elsewhere (046001); one of
    them already sent."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL (SQLite serialises every writer)")
    for code in ("T02001", "T01017", "046001"):
        tree[code].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    reports = {code: owed_report(tree[code], tuphap, A12) for code in ("T02003001", "T02003002", "T02001", "T01017", "046001")}
    _save(reports["T02003001"], 4)
    workflow.transition(None, Report.objects.get(pk=reports["T02003001"].pk), "gui_kiem_tra")
    return reports


def _save(report, amount):
    report = Report.objects.select_related("form", "unit", "period").get(pk=report.pk)
    cell = ("to_chuc", "chu_ky")
    current = services.grid_values(report).get(cell) or Decimal(0)
    services.save_grid(None, report, {cell: current + amount}, expected_version=report.version)


def _move(code, parent):
    t.move(None, Unit.objects.get(code=code), parent=Unit.objects.get(code=parent))


def _thread(target, *args, name=None):
    errors = []

    def run():
        try:
            target(*args)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.errors = errors
    thread.start()
    return thread


def _join(*threads):
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive()
    return [e for thread in threads for e in thread.errors]


def test_a_move_held_open_waits_for_nothing_elsewhere_and_holds_back_what_is_inside(notaries, tree, monkeypatch):
    """The move of T02003 (T02 → T01) holds its transaction open after moving the totals. A
    save in another province (046001) finishes meanwhile: no global lock. Saves in the two
    provinces the move touches (T02001, T01017) wait at most for the rows of their province
    that the move holds; a save and a reviewer's check inside the subtree wait for the move
    and then book on the new tree. Every figure exact."""
    elsewhere_done, move_holding = threading.Event(), threading.Event()
    order = []
    original = t._log

    def held_log(*args, **kwargs):
        move_holding.set()
        elsewhere_done.wait(20)  # holds the move's transaction (and its locks) open
        order.append("move")
        return original(*args, **kwargs)

    monkeypatch.setattr(t, "_log", held_log)
    mover = _thread(_move, "T02003", "T01")
    assert move_holding.wait(20)

    def inside_save():
        _save(notaries["T02003002"], 5)
        order.append("inside save")

    def inside_check():
        workflow.transition(None, Report.objects.get(pk=notaries["T02003001"].pk), "da_kiem_tra")
        order.append("inside check")

    inside = [_thread(inside_save), _thread(inside_check)]
    same_provinces = [_thread(_save, notaries["T02001"], 7), _thread(_save, notaries["T01017"], 11)]
    assert _join(_thread(_save, notaries["046001"], 13)) == []
    assert mover.is_alive() and "move" not in order  # the save elsewhere did not wait for the move
    elsewhere_done.set()
    assert _join(mover, *inside, *same_provinces) == []
    assert order[0] == "move" and set(order[1:]) == {"inside save", "inside check"}, order
    assert differences() == []
    moved = Report.objects.select_related("unit").get(pk=notaries["T02003002"].pk)
    assert moved.unit.path.startswith("/BTC/T01/T02003/")
    from baocao.rollup import selectors

    assert selectors.progress(tree["T01"], moved.period, [A12]).obligations == 3  # T01017 and T02003's two


def test_a_save_under_way_delays_the_move_of_its_subtree(notaries, monkeypatch):
    """The other order: a save inside the subtree holds its transaction when the move
    starts; the move waits for it, then carries the saved figure with the subtree."""
    saving, release = threading.Event(), threading.Event()
    original = services.record

    def held_record(*args, **kwargs):
        if threading.current_thread().name == "saver":
            saving.set()
            release.wait(20)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "record", held_record)
    saver = _thread(_save, notaries["T02003002"], 3, name="saver")
    assert saving.wait(20)
    mover = _thread(_move, "T02003", "T01")
    mover.join(1)
    assert mover.is_alive()  # waiting for the save's shared lock on T02003
    release.set()
    assert _join(saver, mover) == []
    assert differences() == []
    report = Report.objects.get(pk=notaries["T02003002"].pk)
    assert services.grid_values(report)[("to_chuc", "chu_ky")] == Decimal(3)


def test_two_transfers_into_one_unit_at_once(notaries, tree, tuphap):
    """Two requests into the same new unit executed at the same moment: one after the other
    (the tree lock), both complete, the new unit's report holds both, totals exact."""
    _save(notaries["T02003002"], 2)
    target, _outcome = operations.run(None, "create", code="T02003009", name="Văn phòng mới", kind="reporting",
                                      parent=tree["T02003"], unit_types=["to_chuc_hanh_nghe_cong_chung"])
    first = transfers.file_request(None, sources=[tree["T02003001"]], targets=[target], periods=[tuphap])
    second = transfers.file_request(None, sources=[tree["T02003002"]], targets=[target], periods=[tuphap])
    barrier = threading.Barrier(2)

    def execute(request):
        barrier.wait()
        transfers.execute(None, request, keep_state=True)

    assert _join(_thread(execute, first), _thread(execute, second)) == []
    assert differences() == []
    report = Report.objects.get(unit=target, period=tuphap, form_code=A12)
    assert services.grid_values(report)[("to_chuc", "chu_ky")] == Decimal(6)
    assert report.status == "dang_nhap"  # 4 sent + 2 being entered: the least advanced state


def test_a_period_closes_beside_saves_and_none_slips_in_after(notaries, tuphap):
    """Saves and a closing at once: each save either commits before the period closes or is
    refused after; the closed period's snapshot and totals agree."""
    barrier = threading.Barrier(4)
    outcomes = []

    def save(report, amount):
        barrier.wait()
        try:
            _save(report, amount)
            outcomes.append("saved")
        except workflow.TransitionRefused:
            outcomes.append("refused")

    def close():
        barrier.wait()
        periods.close_period(None, tuphap)

    threads = [_thread(save, notaries[c], n) for c, n in (("T02003002", 1), ("T02001", 2), ("T01017", 3))] + [_thread(close)]
    assert _join(*threads) == []
    assert set(outcomes) <= {"refused", "saved"} and len(outcomes) == 3
    # What was saved committed before the period closed (the closing waited for it); what
    # came after was refused: no save is dated after the closing.
    closed_at = Period.objects.get(pk=tuphap.pk).closed_at
    saved_at = list(AuditEvent.objects.filter(action="report.saved").values_list("at", flat=True))
    assert len(saved_at) == 1 + outcomes.count("saved")  # the fixture's first save, then these
    assert all(at <= closed_at for at in saved_at)
    assert differences() == []


def test_a_mixed_workload_of_moves_saves_and_reviews_leaves_no_difference_and_no_deadlock(notaries, tree, tuphap):
    """Moves of T02003 back and forth between T02 and T01 against saves inside and outside it
    and reviews, from four connections at once, bounded in count: no deadlock, no lock
    timeout, no difference."""
    rng = random.Random(21)
    plan = [[rng.choice(["save_in", "save_out", "move", "review"]) for _ in range(12)] for _ in range(4)]
    failures = []

    def work(steps):
        rng = random.Random(len(steps))
        for step in steps:
            try:
                if step == "move":
                    unit = Unit.objects.get(code="T02003")
                    parent = Unit.objects.get(code="T01" if unit.path.startswith("/BTC/T02/") else "T02")
                    t.move(None, unit, parent=parent)
                elif step == "save_in":
                    _save(notaries[rng.choice(["T02003002", "T02003001"])], 1)
                elif step == "save_out":
                    _save(notaries[rng.choice(["T02001", "T01017"])], 1)
                else:
                    report = Report.objects.get(pk=notaries["T02003001"].pk)
                    code = {"cho_kiem_tra": "da_kiem_tra", "da_kiem_tra": "tra_lai_phe_duyet"}.get(report.status)
                    code = code or ("gui_kiem_tra" if report.status in ("dang_nhap", "tra_lai") else None)
                    if code:
                        kwargs = {"reason": "Kiểm tra lại"} if code.startswith("tra_lai") else {}
                        workflow.transition(None, report, code, **kwargs)
            except (workflow.TransitionRefused, services.StaleReport):
                pass  # a colleague acted first: the page would say so
            except OperationalError as error:  # a deadlock or a lock timeout: what must not happen
                failures.append(str(error))

    assert _join(*[_thread(work, steps) for steps in plan]) == []
    assert failures == []
    assert differences() == []

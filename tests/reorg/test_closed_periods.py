"""A closed period's completeness is never changed by a later reorganisation: its counters
stay on the tree it closed on, while the open period's follow the units (docs/adr/0007)."""
import datetime
from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError

from baocao.access.policy import Refused
from baocao.audit.models import AuditEvent
from baocao.formdefs.models import FormCell
from baocao.reorg import operations, transfers
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report, ReportValue, RollupProgress, RollupTotal
from baocao.rollup import selectors, verification
from baocao.units import tree as t

from .test_transfers import A12, DECISION


def _approve(report):
    services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(3)}, expected_version=report.version)
    for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet"):
        workflow.transition(None, report, code)


def _counts(unit, period):
    p = selectors.progress(unit, period, [A12])
    return p.obligations, p.sent


@pytest.fixture
def closed(tuphap, tree):
    period = periods.create_period(None, kind="6T", year=2025, deadline=datetime.date.today() + datetime.timedelta(days=5))
    periods.open_period(None, period)
    _approve(Report.objects.get(period=period, unit=tree["T02003002"], form_code=A12))
    periods.close_period(None, period)
    return period


def test_completeness_of_a_closed_period_survives_a_move_and_a_merge(tuphap, tree, closed):
    before = {code: _counts(tree[code], closed) for code in ("BTC", "T02", "T02003", "T01")}
    open_before = _counts(tree["T01"], tuphap)
    t.move(None, tree["T02003"], parent=tree["T01"], decision=DECISION)
    operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]], decision=DECISION,
                   new={"code": "T02003009", "name": "Văn phòng hợp nhất", "parent": tree["T02003"], "unit_types": ["to_chuc_hanh_nghe_cong_chung"]})
    after = {code: _counts(tree[code], closed) for code in before}
    assert after == before and before["T02"] == (2, 1) and before["T01"] == (0, 0)  # T02's two notaries, one approved
    assert _counts(tree["T01"], tuphap) != open_before  # the open period follows the move
    assert verification.differences(closed) == [] and verification.differences(tuphap) == []


def test_a_locked_period_refuses_a_transfer_until_the_central_administrator_unlocks_it(tuphap, tree, closed, make_account):
    periods.lock_period(None, closed)
    province = make_account("T02", "admin")
    central = make_account("BTC", "central_admin")
    operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]], decision=DECISION,
                   new={"code": "T02003009", "name": "Văn phòng hợp nhất", "parent": tree["T02003"], "unit_types": ["to_chuc_hanh_nghe_cong_chung"]})
    request = transfers.file_request(province, sources=[tree["T02003001"], tree["T02003002"]],
                                     targets=[t.Unit.objects.get(code="T02003009")], periods=[closed], decision=DECISION)
    with pytest.raises(Refused):
        transfers.execute(province, request)
    before = _figures(closed)
    with pytest.raises(ValidationError, match="đã khóa"):
        transfers.execute(central, request)
    assert _figures(closed) == before  # nothing of the locked period changed
    with pytest.raises(Refused):
        periods.unlock_period(province, closed, reason="Chuyển dữ liệu sau sáp nhập")
    periods.unlock_period(central, closed, reason="Chuyển dữ liệu sau sáp nhập")
    assert AuditEvent.objects.filter(action="period.unlocked", after__reason="Chuyển dữ liệu sau sáp nhập").exists()
    transfers.execute(central, request)
    request.refresh_from_db()
    assert request.status == "executed"
    assert verification.differences(closed) == []


def _figures(period):
    """Everything of a period that a lock must keep: reports, values, states, exemptions, totals."""
    return (sorted(Report.objects.filter(period=period).values_list("pk", "unit_id", "status", "exempt", "version", "revision")),
            sorted(ReportValue.objects.filter(report__period=period).values_list("report_id", "cell_id", "instance", "number", "text")),
            sorted(RollupTotal.objects.filter(period=period).values_list("unit_id", "cell_id", "bucket", "number")),
            sorted(RollupProgress.objects.filter(period=period).values_list("unit_id", "form_code", "status", "timeliness", "count")))


def test_a_review_in_a_closed_period_after_a_move_is_booked_on_the_period_s_tree(tuphap, tree, closed):
    """Issue 21.2: the unit moved under another parent after closing, then its sent report
    was approved: the closed period's figures stay on the tree it closed on."""
    report = Report.objects.get(period=closed, unit=tree["T02003001"], form_code=A12)
    periods.reopen_period(None, closed)
    services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(5)}, expected_version=report.version)
    workflow.transition(None, report, "gui_kiem_tra")
    workflow.transition(None, report, "da_kiem_tra")
    periods.close_period(None, closed)
    t.move(None, tree["T02003"], parent=tree["T01"], decision=DECISION)
    workflow.transition(None, report, "phe_duyet")  # a review may finish in a closed period
    cell = _cell("to_chuc", "chu_ky")
    assert verification.differences(closed) == []
    stored = dict(RollupTotal.objects.filter(period=closed, cell_id=cell, bucket=3).values_list("unit__code", "number"))
    assert stored["T02"] == Decimal(8) and stored["T02003"] == Decimal(8) and "T01" not in stored
    assert not RollupTotal.objects.filter(period=closed, number__lt=0).exists()
    assert not RollupProgress.objects.filter(period=closed, count__lt=0).exists()


def test_a_transfer_into_a_closed_period_reaches_a_parent_created_after_closing(tuphap, tree, closed, make_account):
    """Issue 21.3: a new parent unit, then a merger under it, then the transfer of the closed
    period's data: the national figure keeps every approved report's figures."""
    central = make_account("BTC", "central_admin")
    cell = _cell("to_chuc", "chu_ky")
    national = RollupTotal.objects.get(period=closed, unit=tree["BTC"], cell_id=cell, bucket=3).number
    parent, _outcome = operations.run(None, "create", code="T02004", name="Phòng Tư pháp mới", kind="aggregating",
                                      parent=tree["T02"], unit_types=[], decision=DECISION)
    operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]], decision=DECISION,
                   new={"code": "T02004001", "name": "Văn phòng hợp nhất", "parent": parent, "unit_types": ["to_chuc_hanh_nghe_cong_chung"]})
    request = transfers.file_request(central, sources=[tree["T02003001"], tree["T02003002"]],
                                     targets=[t.Unit.objects.get(code="T02004001")], periods=[closed], decision=DECISION)
    transfers.execute(central, request, keep_state=True)
    assert verification.differences(closed) == []
    stored = dict(RollupTotal.objects.filter(period=closed, cell_id=cell, bucket=3).values_list("unit__code", "number"))
    assert stored["BTC"] == national == Decimal(3) and stored["T02004"] == Decimal(3) and stored["T02004001"] == Decimal(3)
    assert "T02003" not in stored or stored["T02003"] == 0


def _cell(row, column):
    return FormCell.objects.get(form_code=A12, row_code=row, column_code=column).pk

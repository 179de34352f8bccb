"""A closed period's completeness is never changed by a later reorganisation: its counters
stay on the tree it closed on, while the open period's follow the units (docs/adr/0007)."""
import datetime
from decimal import Decimal

import pytest

from baocao.access.policy import Refused
from baocao.reorg import operations, transfers
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report
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


def test_a_transfer_into_a_locked_period_needs_the_central_administrator(tuphap, tree, closed, make_account):
    periods.lock_period(None, closed)
    province = make_account("T02", "admin")
    central = make_account("BTC", "central_admin")
    operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]], decision=DECISION,
                   new={"code": "T02003009", "name": "Văn phòng hợp nhất", "parent": tree["T02003"], "unit_types": ["to_chuc_hanh_nghe_cong_chung"]})
    request = transfers.file_request(province, sources=[tree["T02003001"], tree["T02003002"]],
                                     targets=[t.Unit.objects.get(code="T02003009")], periods=[closed], decision=DECISION)
    with pytest.raises(Refused):
        transfers.execute(province, request)
    transfers.execute(central, request)
    request.refresh_from_db()
    assert request.status == "executed"
    assert verification.differences(closed) == []

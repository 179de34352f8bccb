"""The tree module (docs/adr/0007): every operation keeps paths right for whole subtrees,
records its decision and lineage, refuses what would break the tree, and the open
periods' roll-ups follow while a closed period keeps the tree it closed on."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from baocao.access.policy import Refused
from baocao.accounts.models import Account
from baocao.audit.models import AuditEvent
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report, RollupTotal
from baocao.units import tree as t
from baocao.units.models import Reorganisation, Unit, UnitKind, UnitLineage

DECISION = t.Decision("1234/QĐ-UBND", datetime.date(2025, 6, 30), "Ủy ban nhân dân tỉnh Hà Giang")


def codes_under(unit):
    return set(Unit.objects.subtree(Unit.objects.get(pk=unit.pk)).values_list("code", flat=True))


def test_moving_a_deep_subtree_keeps_every_descendant_findable(tree):
    for n in range(3):  # a deeper branch under T02003002's department: T02003 > X1 > X2 > X3
        parent = Unit.objects.get(code=f"X{n}") if n else tree["T02003"]
        Unit.objects.create(code=f"X{n + 1}", name=f"Cấp {n + 1}", kind=UnitKind.AGGREGATING, parent=parent)
    before = codes_under(tree["T02003"])
    t.move(None, tree["T02003"], parent=tree["T01"], decision=DECISION)
    assert codes_under(tree["T01"]) >= before and not (codes_under(tree["T02"]) & before)
    deepest = Unit.objects.get(code="X3")
    assert deepest.path == "/BTC/T01/T02003/X1/X2/X3/" and deepest.depth == 5
    log = Reorganisation.objects.get()
    assert log.operation == "move" and log.decision_number == "1234/QĐ-UBND" and log.details["moved"][0][:3] == ["T02003", "T02", "T01"]


def test_a_unit_changes_parent_only_through_the_tree_module(tree):
    unit = Unit.objects.get(code="T02003")
    unit.parent = tree["T01"]
    with pytest.raises(RuntimeError, match="units.tree.move"):
        unit.save()


@pytest.mark.parametrize("unit, parent, message", [
    ("T02", "T02003", "vòng lặp"),
    ("T02003", "T02003002", "là đơn vị báo cáo"),
    ("BTC", "T02", "đơn vị gốc"),
])
def test_moves_that_would_break_the_tree_are_refused(tree, unit, parent, message):
    with pytest.raises(ValidationError, match=message):
        t.move(None, tree[unit], parent=tree[parent])
    assert Unit.objects.get(code="T02003002").path == "/BTC/T02/T02003/T02003002/"


def test_a_province_admin_moves_nothing_outside_nor_into_another_province(tree, make_account):
    admin = make_account("T02", "admin")
    with pytest.raises(Refused):
        t.move(admin, tree["T01017"], parent=tree["T02"])
    with pytest.raises(Refused):
        t.move(admin, tree["T02001"], parent=tree["T01"])
    t.move(admin, tree["T02001"], parent=tree["T02003"])  # inside its province: allowed
    assert Unit.objects.get(code="T02001").parent.code == "T02003"


def test_merge_into_a_new_unit_retires_the_old_ones_with_lineage_and_deactivates_their_accounts(tree, make_account):
    old_accounts = [make_account("T02003001", "entry", username="T02003001"), make_account("T02003002", "entry", username="T02003002")]
    target, log = t.merge(None, [tree["T02003001"], tree["T02003002"]],
                          new={"code": "T02003009", "name": "Trường THPT Trần Phú - Chuyên", "parent": tree["T02003"]}, decision=DECISION)
    assert target.kind == UnitKind.REPORTING and target.path == "/BTC/T02/T02003/T02003009/"
    for code in ("T02003001", "T02003002"):
        old = Unit.objects.get(code=code)
        assert old.status == "retired" and list(t.successors_of(old)) == [target]
    assert set(t.predecessors_of(target).values_list("code", flat=True)) == {"T02003001", "T02003002"}
    assert not Account.objects.filter(pk__in=[a.pk for a in old_accounts], is_active=True).exists()
    revoked = Account.objects.get(username="T02003001")
    assert revoked.revoked_reason == "Hợp nhất, sáp nhập đơn vị" and "1234/QĐ-UBND" in revoked.revoked_reference
    with pytest.raises(ValidationError, match="không được dùng lại"):
        t.create(None, code="T02003001", name="Dùng lại mã", kind=UnitKind.REPORTING, parent=tree["T02003"])
    assert AuditEvent.objects.filter(action="unit.retired").count() == 2


def test_merge_refuses_mixed_kinds_and_retired_targets(tree):
    with pytest.raises(ValidationError, match="khác loại"):
        t.merge(None, [tree["T02003"], tree["T02001"]], into=tree["T02003001"])
    t.retire(None, tree["T01017"])
    with pytest.raises(ValidationError, match="đã giải thể"):
        t.merge(None, [tree["T02001"]], into=tree["T01017"])


def test_a_merge_moves_the_units_below_to_the_target(tree):
    target, _log = t.merge(None, [tree["T01"], tree["T02"]], new={"code": "T99", "name": "Tỉnh mới", "parent": tree["BTC"]})
    assert codes_under(target) == {"T99", "T02003", "T02003001", "T02003002", "T02001", "T01017"}


def test_split_places_each_unit_below_and_links_every_successor(tree):
    successors, _log = t.split(None, tree["T02003"], new=[
        {"code": "T02008", "name": "Sở Giáo dục", "parent": tree["T02"]},
        {"code": "T02009", "name": "Sở Khoa học", "parent": tree["T02"]},
    ], children={"T02003001": "T02008", "T02003002": "T02009"})
    assert Unit.objects.get(code="T02003002").path == "/BTC/T02/T02009/T02003002/"
    assert set(t.successors_of(Unit.objects.get(code="T02003")).values_list("code", flat=True)) == {"T02008", "T02009"}
    with pytest.raises(ValidationError, match="Chưa chọn đơn vị kế thừa"):
        t.split(None, tree["T02"], new=[{"code": "T98", "name": "A", "parent": tree["BTC"]}, {"code": "T97", "name": "B", "parent": tree["BTC"]}])


def test_retiring_a_unit_with_units_below_is_refused(tree):
    with pytest.raises(ValidationError, match="còn đơn vị trực thuộc"):
        t.retire(None, tree["T02003"])


def _approved(report, amount):
    services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(amount)}, expected_version=report.version)
    for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet"):
        workflow.transition(None, report, code)


def _approved_total(unit, period):
    from baocao.formdefs.models import FormCell

    cell = FormCell.objects.get(form_code="12a/BTP/BTTP/CC", row_code="to_chuc", column_code="chu_ky")
    return sum((n for n in RollupTotal.objects.filter(unit=unit, period=period, cell=cell, bucket=3).values_list("number", flat=True)), Decimal(0))


def test_an_open_periods_totals_follow_a_move_and_a_closed_one_keeps_its_tree(tuphap, tree):
    closed = periods.create_period(None, kind="6T", year=2025, deadline=datetime.date.today() + datetime.timedelta(days=5))
    periods.open_period(None, closed)
    for period in (tuphap, closed):
        _approved(Report.objects.get(period=period, unit=tree["T02003002"]), 7)
    periods.close_period(None, closed)
    t.move(None, tree["T02003"], parent=tree["T01"])
    assert _approved_total(tree["T01"], tuphap) == 7 and _approved_total(tree["T02"], tuphap) == 0
    assert _approved_total(tree["T02"], closed) == 7 and _approved_total(tree["T01"], closed) == 0  # as it was
    assert _approved_total(tree["BTC"], tuphap) == _approved_total(tree["BTC"], closed) == 7
    periods.reopen_period(None, closed)  # back on today's tree
    assert _approved_total(tree["T01"], closed) == 7 and _approved_total(tree["T02"], closed) == 0


def test_retiring_a_unit_exempts_what_it_has_not_sent_in_open_periods(tuphap, tree):
    report = Report.objects.get(period=tuphap, unit=tree["T02003001"])
    t.retire(None, tree["T02003001"], decision=DECISION)
    report.refresh_from_db()
    assert report.exempt and "1234/QĐ-UBND" in report.exempt_reason

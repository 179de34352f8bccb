"""The totals ledger as a state machine (issue 21, docs/adr/0010): Hypothesis interleaves
saves, every transition, returns, corrections, exemptions and their undoing, extensions,
closing, locking, unlocking and reopening, moves, mergers, splits, retirements, transfers
(keeping states or not), and new form versions — and after every step checks:

- the stored totals and counters equal `verify_rollups`' recomputation, and, independently
  of the ledger's SQL, a sum in Python over the reports: at the root for every period, and
  at every unit of the live tree for open periods;
- no counter is negative;
- a locked period's reports, values, states, exemptions and totals are exactly as they were
  when it was locked, until it is unlocked.
"""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from baocao.formdefs.models import FormDefinition, RollingCell
from baocao.formdefs.services import fix_rolling_cells, load_regime_forms
from baocao.reorg import operations, transfers
from baocao.reports import ledger, periods, services, workflow
from baocao.reports.models import Period, PeriodStatus, Report, ReportValue, RollupProgress, RollupTotal
from baocao.rollup.verification import differences
from baocao.units import tree
from baocao.units.models import Unit, UnitKind, UnitStatus, UnitType

FORM = "12a/BTP/BTTP/CC"
NOTARY = "to_chuc_hanh_nghe_cong_chung"
CELLS = (("to_chuc", "chu_ky"), ("to_chuc", "viec_hop_dong"), ("to_chuc", "cong_chung_vien"))
TRANSITIONS = ("gui_kiem_tra", "da_kiem_tra", "tra_lai_kiem_tra", "phe_duyet", "tra_lai_phe_duyet", "yeu_cau_chinh_ly")
REFUSED = (ValidationError, workflow.TransitionRefused, services.StaleReport)


def _attempt(action):
    """Run one action in a savepoint: a refused action changes nothing (as on a page)."""
    try:
        with transaction.atomic():
            action()
    except REFUSED:
        pass


def _figures(period):
    return (sorted(Report.objects.filter(period=period).values_list("pk", "unit_id", "status", "exempt", "version", "revision", "submitted_at")),
            sorted(ReportValue.objects.filter(report__period=period).values_list("report_id", "cell_id", "instance", "number", "text")),
            sorted(RollupTotal.objects.filter(period=period).values_list("unit_id", "cell_id", "bucket", "number")),
            sorted(RollupProgress.objects.filter(period=period).values_list("unit_id", "form_code", "status", "timeliness", "count")))


class Ledger(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        root = Unit.objects.create(code="R", name="Gốc", kind=UnitKind.ROOT)
        self.governing = [Unit.objects.create(code=f"G{n}", name=f"Tỉnh {n}", kind=UnitKind.GOVERNING, parent=root) for n in range(2)]
        for g, province in enumerate(self.governing):
            office = Unit.objects.create(code=f"G{g}S", name=f"Sở {g}", kind=UnitKind.AGGREGATING, parent=province)
            for n in range(2):
                unit = Unit.objects.create(code=f"G{g}S{n}", name=f"Tổ chức {g}.{n}", kind=UnitKind.REPORTING, parent=office)
                unit.unit_types.add(NOTARY)
        deadline = timezone.localdate() + timedelta(days=20)
        self.periods = []
        for code, year in (("A", 2025), ("B", 2026)):
            period = periods.create_period(None, kind="NAM", year=year, code=code, deadline=deadline)
            periods.open_period(None, period)
            self.periods.append(period.pk)
        self.locked = {}  # period id -> figures when locked
        self.new_codes = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- what the rules pick from ---------------------------------------------------------

    def _units(self, kind=UnitKind.REPORTING):
        return list(Unit.objects.filter(kind=kind, status=UnitStatus.ACTIVE).order_by("code"))

    def _report(self, n, p, owed=False):
        reports = Report.objects.filter(period_id=self.periods[p % 2]).select_related("form", "unit", "period").order_by("pk")
        reports = list(reports.filter(exempt=False) if owed else reports)
        return reports[n % len(reports)] if reports else None

    def _period(self, p):
        return Period.objects.get(pk=self.periods[p % 2])

    def _code(self, parent):
        self.new_codes += 1
        return f"{parent.code}N{self.new_codes}"

    # --- rules ----------------------------------------------------------------------------

    @rule(n=st.integers(0, 50), p=st.integers(0, 1), amounts=st.lists(st.integers(0, 999), min_size=3, max_size=3))
    def save(self, n, p, amounts):
        report = self._report(n, p, owed=True)
        if report is not None:
            cells = {cell: Decimal(a) for cell, a in zip(CELLS, amounts)}
            _attempt(lambda: services.save_grid(None, report, cells, expected_version=report.version))

    @rule(n=st.integers(0, 50), p=st.integers(0, 1), choice=st.integers(0, 3))
    def transition(self, n, p, choice):
        """One of the transitions out of the report's state (send, check, approve, return,
        correction request)."""
        report = self._report(n, p, owed=True)
        codes = [t.code for t in workflow.workflow().out_of(report.status)] if report is not None else []
        if codes:
            _attempt(lambda: workflow.transition(None, report, codes[choice % len(codes)], reason="Xem lại số liệu"))

    @rule(n=st.integers(0, 50), p=st.integers(0, 1))
    def exempt(self, n, p):
        report = self._report(n, p)
        if report is not None:
            _attempt(lambda: periods.exempt_obligation(None, report, reason="Tạm ngừng hoạt động"))

    @rule(n=st.integers(0, 50), p=st.integers(0, 1))
    def owe_again(self, n, p):
        report = self._report(n, p)
        if report is not None and report.exempt:
            _attempt(lambda: periods.add_obligation(None, report.period, report.unit, report.form_code, reason="Bổ sung"))

    @rule(n=st.integers(0, 20), p=st.integers(0, 1), days=st.integers(1, 30), subtree=st.booleans())
    def extend(self, n, p, days, subtree):
        units = self._units(UnitKind.AGGREGATING) + self._units()
        period = self._period(p)
        _attempt(lambda: periods.grant_extension(None, period, units[n % len(units)], until=period.deadline + timedelta(days=days),
                                                 reason="Gia hạn", subtree=subtree))

    @rule(p=st.integers(0, 1), step=st.sampled_from(("close", "reopen", "lock", "unlock")))
    def period_status(self, p, step):
        period = self._period(p)
        action = {"close": periods.close_period, "reopen": periods.reopen_period, "lock": periods.lock_period,
                  "unlock": lambda actor, period: periods.unlock_period(actor, period, reason="Sửa sai sót")}[step]
        before = period.status
        _attempt(lambda: action(None, period))
        period.refresh_from_db()
        if period.status == PeriodStatus.LOCKED and before != PeriodStatus.LOCKED:
            self.locked[period.pk] = _figures(period)
        elif period.status != PeriodStatus.LOCKED:
            self.locked.pop(period.pk, None)

    @rule(n=st.integers(0, 20), m=st.integers(0, 20), department=st.booleans())
    def move(self, n, m, department):
        units = self._units(UnitKind.AGGREGATING if department else UnitKind.REPORTING)
        parents = self._units(UnitKind.GOVERNING if department else UnitKind.AGGREGATING)
        if units and parents:
            _attempt(lambda: tree.move(None, units[n % len(units)], parent=parents[m % len(parents)]))

    @rule(n=st.integers(0, 20), m=st.integers(0, 20), new_parent=st.booleans(), keep=st.booleans(), transfer=st.booleans())
    def merge(self, n, m, new_parent, keep, transfer):
        """Two units into a new one (under a new aggregating unit, created now, or an
        existing one), then their data transferred to it in every period (or not yet)."""
        units = self._units()
        if len(units) < 2:
            return
        sources = [units[n % len(units)], units[(n + 1 + m) % len(units)]]
        if sources[0] == sources[1]:
            return

        made = []

        def act():
            offices = self._units(UnitKind.AGGREGATING)
            parent = offices[m % len(offices)]
            if new_parent:
                province = self._units(UnitKind.GOVERNING)[m % 2]
                parent, _outcome = operations.run(None, "create", code=self._code(province), name="Sở mới", kind=UnitKind.AGGREGATING, parent=province)
            target, _outcome = operations.run(None, "merge", sources=sources, new={"code": self._code(parent), "name": "Hợp nhất", "parent": parent,
                                                                                   "unit_types": [NOTARY]})
            made.append(target)

        _attempt(act)
        if made and transfer:
            _attempt(lambda: self._transfer(sources, made, keep))

    def _transfer(self, sources, targets, keep, shares=None):
        request = transfers.file_request(None, sources=sources, targets=targets, periods=Period.objects.filter(pk__in=self.periods), shares=shares)
        transfers.execute(None, request, keep_state=keep)

    @rule(n=st.integers(0, 20), share=st.integers(0, 100), keep=st.booleans())
    def split(self, n, share, keep):
        units = self._units()
        if not units:
            return
        source = units[n % len(units)]

        made = []

        def act():
            parent = source.parent
            successors, _outcome = operations.run(None, "split", source=source, new=[
                {"code": self._code(parent), "name": "Tách 1", "parent": parent, "unit_types": [NOTARY]},
                {"code": self._code(parent), "name": "Tách 2", "parent": parent, "unit_types": [NOTARY]},
            ])
            made.extend(successors)

        _attempt(act)
        if made:
            _attempt(lambda: self._transfer([source], made, keep, shares={made[0].pk: share, made[1].pk: 100 - share}))

    @rule(n=st.integers(0, 20), m=st.integers(0, 20), keep=st.booleans())
    def transfer_to_a_unit_that_owes_nothing(self, n, m, keep):
        """A unit's data carried whole to a new unit that owes no report of its own (no unit
        type): each report moves (MOVED), in open and closed periods alike."""
        units, offices = self._units(), self._units(UnitKind.AGGREGATING)
        if not units or not offices:
            return
        made = []

        def act():
            parent = offices[m % len(offices)]
            target, _outcome = operations.run(None, "create", code=self._code(parent), name="Đơn vị nhận", kind=UnitKind.REPORTING, parent=parent)
            made.append(target)

        _attempt(act)
        if made:
            _attempt(lambda: self._transfer([units[n % len(units)]], made, keep))

    @rule(n=st.integers(0, 20))
    def retire(self, n):
        units = self._units()
        if units:
            _attempt(lambda: tree.retire(None, units[n % len(units)]))

    @rule()
    def load_a_new_form_version(self):
        """A new version of the form in which one column no longer rolls up: no period that
        already fixed its version changes what it sums."""
        latest = FormDefinition.objects.current("tuphap", FORM)
        spec = dict(latest.spec)
        created = FormDefinition.objects.create(regime="tuphap", code=FORM, version=latest.version + 1, kind=latest.kind, title=latest.title,
                                                content_hash=f"v{latest.version + 1}", spec=spec, source_file=latest.source_file)
        fix_rolling_cells([created])
        RollingCell.objects.filter(definition=created, cell__column_code="chu_ky").delete()

    # --- what must hold after every step -------------------------------------------------

    @invariant()
    def totals_equal_the_recomputation(self):
        found = differences()
        assert not found, "\n".join(map(str, found[:10]))

    @invariant()
    def totals_equal_a_sum_over_the_reports(self):
        """Independently of the ledger's SQL: the root's totals for every period, and every
        unit's for the open ones (the live tree), summed in Python from the reports."""
        units = list(Unit.objects.all())
        root = next(u for u in units if u.parent_id is None)
        rolling = defaultdict(set)  # form version -> the cells it sums
        for definition, cell in RollingCell.objects.values_list("definition_id", "cell_id"):
            rolling[definition].add(cell)
        for period in Period.objects.filter(pk__in=self.periods):
            want = defaultdict(Decimal)
            reports = {r.pk: r for r in Report.objects.filter(period=period, exempt=False).select_related("unit")}
            values = ReportValue.objects.filter(report_id__in=list(reports), number__isnull=False).values_list("report_id", "cell_id", "number")
            for report_id, cell, number in values:
                report = reports[report_id]
                bucket = ledger.bucket_of(report.status)
                if bucket is None or cell not in rolling[report.form_id]:
                    continue
                for unit in (units if period.status == PeriodStatus.OPEN else [root]):
                    if report.unit.path.startswith(unit.path):
                        want[(unit.pk, cell, bucket)] += number
            have = {(u, c, b): n for u, c, b, n in RollupTotal.objects.filter(period=period).values_list("unit_id", "cell_id", "bucket", "number")}
            if period.status != PeriodStatus.OPEN:
                have = {key: n for key, n in have.items() if key[0] == root.pk}
            keys = set(want) | set(have)
            assert {k: want.get(k, 0) for k in keys if want.get(k, 0) != have.get(k, 0)} == {}

    @invariant()
    def no_counter_is_negative(self):
        assert not RollupProgress.objects.filter(count__lt=0).exists()

    @invariant()
    def a_locked_period_does_not_change(self):
        for pk, figures in self.locked.items():
            assert _figures(Period.objects.get(pk=pk)) == figures


@pytest.fixture
def justice(settings, db):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    UnitType.objects.get_or_create(code=NOTARY, defaults={"name": "Tổ chức hành nghề công chứng"})


def test_the_ledger_stays_exact_through_any_sequence(justice):
    run_state_machine_as_test(Ledger, settings=settings(max_examples=25, stateful_step_count=30, deadline=None,
                                                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))

"""Property tests: over random trees, reports and sequences of saves and transitions, every
stored total equals the sum of the counted reports below, for each choice of which reports
count; returning or correcting removes a report from the approved totals, re-approving adds
it back; completeness counts equal the obligations by state."""
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baocao.formdefs.models import FormCell
from baocao.formdefs.services import load_regime_forms
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report, RollupProgress, RollupTotal
from baocao.reports.ledger import COUNTING
from baocao.rollup.verification import differences
from baocao.units.models import Unit, UnitKind, UnitType

FORM = "12a/BTP/BTTP/CC"
COLUMNS = ("cong_chung_vien", "viec_hop_dong", "chu_ky")
STAGE_BUCKET = {"dang_nhap": 1, "tra_lai": 1, "chinh_ly": 1, "cho_kiem_tra": 2, "cho_phe_duyet": 2, "da_phe_duyet": 3}
ACTIONS = ("save", "gui_kiem_tra", "da_kiem_tra", "tra_lai_kiem_tra", "phe_duyet", "tra_lai_phe_duyet", "yeu_cau_chinh_ly", "exempt")

trees = st.lists(st.integers(min_value=0, max_value=8), min_size=2, max_size=9)  # parent index of each unit after the first
steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=9), st.sampled_from(ACTIONS), st.lists(st.integers(0, 500), min_size=3, max_size=3)),
    min_size=1, max_size=25,
)


class Rollback(Exception):
    pass


@pytest.fixture
def justice(settings, db):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    UnitType.objects.get_or_create(code="to_chuc_hanh_nghe_cong_chung", defaults={"name": "Tổ chức hành nghề công chứng"})


def build(parents):
    root = Unit.objects.create(code="R", name="Gốc", kind=UnitKind.ROOT)
    units = []
    for n, parent in enumerate(parents):
        above = units[parent % len(units)] if units and parent < len(units) * 2 else root
        unit = Unit.objects.create(code=f"U{n}", name=f"Đơn vị {n}", kind=UnitKind.REPORTING, parent=above)
        unit.unit_types.add("to_chuc_hanh_nghe_cong_chung")
        units.append(unit)
    return root, units


def expected_totals(units, model):
    """{(unit id, cell column, choice): sum} computed from the model of the test itself."""
    out = defaultdict(Decimal)
    for unit in units:
        for other in units:
            if other.pk not in model or not other.path.startswith(unit.path):
                continue
            state, values, exempt = model[other.pk]
            bucket = None if exempt else STAGE_BUCKET.get(state)
            for choice, buckets in COUNTING.items():
                if bucket in buckets:
                    for column, value in values.items():
                        out[(unit.pk, column, choice)] += value
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parents=trees, script=steps)
def test_totals_equal_the_counted_reports_below(justice, parents, script):
    try:
        with transaction.atomic():
            root, units = build(parents)
            period = periods.create_period(None, kind="NAM", year=2026, deadline=timezone.localdate() + timedelta(days=30))
            periods.open_period(None, period)
            reports = {r.unit_id: r for r in Report.objects.filter(period=period).select_related("unit", "form", "period")}
            model = {unit.pk: ("chua_nhap", {}, False) for unit in units}
            for index, action, numbers in script:
                unit = units[index % len(units)]
                report = Report.objects.select_related("unit", "form", "period").get(pk=reports[unit.pk].pk)
                state, values, exempt = model[unit.pk]
                try:
                    if action == "save":
                        entered = {("to_chuc", c): Decimal(v) for c, v in zip(COLUMNS, numbers) if v % 7}  # some blank
                        services.save_grid(None, report, entered, expected_version=report.version)
                        values = {c: v for (_r, c), v in entered.items()}
                        state = "dang_nhap" if state == "chua_nhap" else state
                    elif action == "exempt":
                        periods.exempt_obligation(None, report, reason="kiểm thử")
                        exempt = True
                    else:
                        done = workflow.transition(None, report, action, reason="kiểm thử")
                        state = done.status
                except ValidationError:  # not allowed in this state: nothing changed
                    pass
                model[unit.pk] = (state, values, exempt)
                assert Report.objects.get(pk=report.pk).status == state
            # The stored totals, read as the pages read them, for each choice.
            column_of = {c.pk: c.column_code for c in FormCell.objects.filter(form_code=FORM, row_code="to_chuc")}
            stored = defaultdict(Decimal)
            for unit_id, cell, bucket, number in RollupTotal.objects.filter(period=period).values_list("unit_id", "cell_id", "bucket", "number"):
                for choice, buckets in COUNTING.items():
                    if bucket in buckets:
                        stored[(unit_id, column_of[cell], choice)] += number
            expected = expected_totals(units + [root], model)
            for key in set(stored) | set(expected):
                assert stored[key] == expected[key], key
            # Completeness: the obligations of the subtree by state, exempted ones out.
            for unit in units + [root]:
                counted = Counter()
                for row in RollupProgress.objects.filter(unit=unit, period=period):
                    counted[row.status] += row.count
                want = Counter(model[u.pk][0] for u in units if u.path.startswith(unit.path) and not model[u.pk][2])
                assert +counted == want, unit.code
            assert not differences(period)
            raise Rollback
    except Rollback:
        pass


def test_a_return_or_correction_takes_a_report_out_of_the_approved_totals(justice):
    root, units = build([9, 0])
    period = periods.create_period(None, kind="NAM", year=2026, deadline=timezone.localdate() + timedelta(days=30))
    periods.open_period(None, period)
    report = Report.objects.select_related("unit", "form", "period").get(period=period, unit=units[1])
    cell = FormCell.objects.get(form_code=FORM, row_code="to_chuc", column_code="chu_ky")

    def approved(unit):
        return sum((t.number for t in RollupTotal.objects.filter(unit=unit, period=period, cell=cell, bucket=3)), Decimal(0))

    services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(40)}, expected_version=report.version)
    for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet"):
        workflow.transition(None, report, code)
    assert approved(root) == approved(units[0]) == approved(units[1]) == 40
    workflow.transition(None, report, "yeu_cau_chinh_ly", reason="Sai")
    assert approved(root) == 0
    report.refresh_from_db()
    services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(45)}, expected_version=report.version)
    for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet"):
        workflow.transition(None, report, code)
    assert approved(root) == 45

"""Property: over random trees, reports in random states and random mergers with their
transfer, the roll-up (every stage) at the nearest common ancestor of the old and new units,
and at the root, is the same before and after; the stored roll-ups stay exact."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baocao.reorg import operations, transfers
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report
from baocao.rollup.verification import differences
from baocao.units.models import Unit, UnitKind, UnitType

from .test_transfers import A12, all_buckets

STATES = (0, 1, 2, 3)  # how far each report goes: saved, sent, checked, approved


class Rollback(Exception):
    pass


@pytest.fixture
def justice(settings, db):
    from baocao.formdefs.services import load_regime_forms

    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    UnitType.objects.get_or_create(code="to_chuc_hanh_nghe_cong_chung", defaults={"name": "Tổ chức hành nghề công chứng"})


def common_ancestor(units):
    paths = [u.path.strip("/").split("/") for u in units]
    shared = []
    for codes in zip(*paths):
        if len(set(codes)) > 1:
            break
        shared.append(codes[0])
    return Unit.objects.get(code=shared[-1])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    groups=st.lists(st.integers(1, 3), min_size=2, max_size=3),  # practices under each aggregating unit
    data=st.lists(st.tuples(st.integers(0, 900), st.sampled_from(STATES)), min_size=9, max_size=9),
    merged=st.sets(st.integers(0, 8), min_size=1, max_size=3),
    home=st.integers(0, 2),
)
def test_a_merger_with_its_transfer_keeps_every_total(justice, groups, data, merged, home):
    try:
        with transaction.atomic():
            root = Unit.objects.create(code="R", name="Gốc", kind=UnitKind.ROOT)
            parents, practices = [], []
            for g, size in enumerate(groups):
                parent = Unit.objects.create(code=f"S{g}", name=f"Sở {g}", kind=UnitKind.AGGREGATING, parent=root)
                parents.append(parent)
                for n in range(size):
                    unit = Unit.objects.create(code=f"S{g}P{n}", name=f"Tổ chức {g}.{n}", kind=UnitKind.REPORTING, parent=parent)
                    unit.unit_types.add("to_chuc_hanh_nghe_cong_chung")
                    practices.append(unit)
            period = periods.create_period(None, kind="NAM", year=2026, deadline=timezone.localdate() + timedelta(days=30))
            periods.open_period(None, period)
            for unit, (amount, steps) in zip(practices, data):
                report = Report.objects.select_related("form", "unit", "period").get(unit=unit, period=period)
                services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(amount), ("to_chuc", "viec_hop_dong"): Decimal(amount % 7)},
                                   expected_version=report.version)
                for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet")[:steps]:
                    workflow.transition(None, report, code)
            sources = sorted({practices[i % len(practices)] for i in merged}, key=lambda u: u.code)
            parent = parents[home % len(parents)]
            ancestor = common_ancestor(sources + [parent])
            before = {u.code: all_buckets(u, period, A12) for u in (root, ancestor)}
            target, _outcome = operations.run(None, "merge", sources=sources, new={"code": "NEW", "name": "Đơn vị mới", "parent": parent,
                                                                                    "unit_types": ["to_chuc_hanh_nghe_cong_chung"]})
            request = transfers.file_request(None, sources=sources, targets=[target], periods=[period])
            transfers.execute(None, request)
            after = {u.code: all_buckets(u, period, A12) for u in (root, ancestor)}
            assert after == before
            assert not differences(period)
            raise Rollback
    except Rollback:
        pass

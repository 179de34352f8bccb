"""Property: over random trees, reports in random states and random *sequences* of
reorganisations — moves of units and of whole departments, mergers with the transfer of
their data, waves of mergers — the root's roll-up (every stage) never changes, every
descendant stays found by subtree queries, refused operations change nothing, and after
each step the stored roll-ups are exact (verify_rollups)."""
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baocao.reorg import operations, transfers
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report
from baocao.rollup.verification import differences
from baocao.units import tree
from baocao.units.models import Unit, UnitKind, UnitStatus

from .test_transfer_properties import Rollback, justice  # noqa: F401 (fixture)
from .test_transfers import A12, all_buckets

NOTARY = "to_chuc_hanh_nghe_cong_chung"
OPERATIONS = st.lists(st.tuples(st.sampled_from(("move", "move_department", "merge", "wave")), st.integers(0, 20), st.integers(0, 20)),
                      min_size=1, max_size=5)


def _active(kind, root):
    return list(Unit.objects.subtree(root).filter(kind=kind, status=UnitStatus.ACTIVE).order_by("code"))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(groups=st.lists(st.integers(1, 3), min_size=2, max_size=3),
       data=st.lists(st.tuples(st.integers(0, 900), st.integers(0, 3)), min_size=9, max_size=9),
       script=OPERATIONS)
def test_random_sequences_of_operations_lose_and_double_nothing(justice, groups, data, script):  # noqa: F811
    try:
        with transaction.atomic():
            root = Unit.objects.create(code="R", name="Gốc", kind=UnitKind.ROOT)
            practices = []
            for g, size in enumerate(groups):
                parent = Unit.objects.create(code=f"S{g}", name=f"Sở {g}", kind=UnitKind.AGGREGATING, parent=root)
                for n in range(size):
                    unit = Unit.objects.create(code=f"S{g}P{n}", name=f"Tổ chức {g}.{n}", kind=UnitKind.REPORTING, parent=parent)
                    unit.unit_types.add(NOTARY)
                    practices.append(unit)
            period = periods.create_period(None, kind="NAM", year=2026, deadline=timezone.localdate() + timedelta(days=30))
            periods.open_period(None, period)
            for unit, (amount, steps) in zip(practices, data):
                report = Report.objects.select_related("form", "unit", "period").get(unit=unit, period=period)
                services.save_grid(None, report, {("to_chuc", "chu_ky"): Decimal(amount)}, expected_version=report.version)
                for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet")[:steps]:
                    workflow.transition(None, report, code)
            expected = all_buckets(root, period, A12)
            everyone = Unit.objects.count()
            for n, (operation, a, b) in enumerate(script):
                units, departments = _active(UnitKind.REPORTING, root), _active(UnitKind.AGGREGATING, root)
                try:
                    with transaction.atomic():
                        if operation == "move":
                            tree.move(None, units[a % len(units)], parent=departments[b % len(departments)])
                        elif operation == "move_department":  # possibly under itself: refused as a cycle
                            tree.move(None, departments[a % len(departments)], parent=departments[b % len(departments)])
                        else:
                            sources = sorted({units[a % len(units)], units[b % len(units)]}, key=lambda u: u.code)
                            parent = departments[(a + b) % len(departments)]
                            new = {"code": f"N{n}", "name": f"Đơn vị mới {n}", "parent": parent, "unit_types": [NOTARY]}
                            if operation == "merge":
                                target, _outcome = operations.run(None, "merge", sources=sources, new=new)
                            else:
                                [(target, _log)], _outcome = operations.run_wave(None, [{"sources": sources, "new": new}])
                            transfers.execute(None, transfers.file_request(None, sources=sources, targets=[target], periods=[period]))
                            everyone += 1
                except ValidationError:
                    pass  # refused (a cycle, nothing to transfer…): nothing may have changed
                assert all_buckets(root, period, A12) == expected, (n, operation)
                assert Unit.objects.subtree(root).count() == everyone == Unit.objects.count()
                assert not differences(period), (n, operation)
            raise Rollback
    except Rollback:
        pass

"""What the locks of docs/adr/0010 cost (issue 21): a save and a transition with the unit's
path and the period held (units.tree.pin, reports.period_rules.hold) against the same
action without them, alternately, in one run, on the same reports. Measured at the service
(the action itself, no page around it): the least favourable ratio. Meaningful on
PostgreSQL (SQLite has no such locks: both sides are the same there)."""
import time
from decimal import Decimal
from unittest import mock

from django.db import connection


def main(n, *, tuphap_setup, regime_accounts, report, ms_figure, ratio):
    from baocao.reports import period_rules, periods, services, workflow
    from baocao.reports.models import Report
    from baocao.units import tree
    from baocao.units.models import Unit, UnitKind

    period = tuphap_setup()
    units = list(Unit.objects.filter(kind=UnitKind.REPORTING).order_by("-pk")[:n])
    accounts = regime_accounts(units)
    reports = []
    for unit in units:
        owed = periods.add_obligation(None, period, unit, "12a/BTP/BTTP/CC", reason="bench")
        reports.append(Report.objects.select_related("form", "unit", "period").get(pk=owed.pk))
    cell = ("to_chuc", "chu_ky")

    def fresh(report_obj):
        return Report.objects.select_related("form", "unit", "period").get(pk=report_obj.pk)

    def save(report_obj, amount):
        report_obj = fresh(report_obj)
        start = time.perf_counter()
        services.save_grid(accounts[f"{report_obj.unit.code}_bc"], report_obj, {cell: Decimal(amount)}, expected_version=report_obj.version)
        return (time.perf_counter() - start) * 1000

    def cycle(report_obj):
        """Gửi kiểm tra (the preparer), then Trả lại (the checker): two transitions."""
        elapsed = 0.0
        for code, suffix, reason in (("gui_kiem_tra", "_bc", ""), ("tra_lai_kiem_tra", "_kt", "Xem lại")):
            report_obj = fresh(report_obj)
            start = time.perf_counter()
            workflow.transition(accounts[f"{report_obj.unit.code}{suffix}"], report_obj, code, reason=reason)
            elapsed += (time.perf_counter() - start) * 1000
        return elapsed / 2

    for report_obj in reports:  # each report started (Chưa nhập → Đang nhập) before measuring
        save(report_obj, 1)
    without_locks = (mock.patch.object(tree, "pin", lambda unit: None), mock.patch.object(period_rules, "hold", lambda *a, **k: None))
    samples = {"save": ([], []), "transition": ([], [])}
    for i, report_obj in enumerate(reports):
        locked = i % 2 == 0
        if not locked:
            for patch in without_locks:
                patch.start()
        try:
            samples["save"][0 if locked else 1].append(save(report_obj, 2 + i))
            samples["transition"][0 if locked else 1].append(cycle(report_obj))
        finally:
            if not locked:
                for patch in without_locks:
                    patch.stop()
    depth = len(reports[0].unit.path.strip("/").split("/"))
    for name, (with_, bare) in samples.items():
        report(f"{name} with its locks ({connection.vendor})", ms_figure(with_), f"the same without them, {depth} levels", ratio(with_, bare))

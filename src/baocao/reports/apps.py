from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "baocao.reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from baocao.parameters.signals import holidays_changed

        from baocao.units.signals import unit_moved, units_created, units_retired

        from .periods import obligations_for_new_units, refresh_deadlines, units_retired_in_open_periods
        from .ledger import subtree_moved

        # A holiday added or removed moves the deadlines of periods not yet closed, and of their reports.
        holidays_changed.connect(lambda sender, **kwargs: refresh_deadlines(), weak=False, dispatch_uid="reports.refresh_deadlines")
        # The open periods' totals and counters follow a moved subtree; a retired unit's
        # unsent reports leave the counts (docs/adr/0007).
        unit_moved.connect(lambda sender, unit_id, old_ancestor_ids, new_ancestor_ids, **kwargs:
                           subtree_moved(unit_id, old_ancestor_ids, new_ancestor_ids), weak=False, dispatch_uid="reports.subtree_moved")
        units_retired.connect(lambda sender, unit_ids, reorganisation, **kwargs: units_retired_in_open_periods(unit_ids, reorganisation),
                              weak=False, dispatch_uid="reports.units_retired")
        units_created.connect(lambda sender, unit_ids, **kwargs: obligations_for_new_units(unit_ids), weak=False,
                              dispatch_uid="reports.units_created")

"""The roll-ups as plain SQL (docs/adr/0005): every stored total and counter recomputed
from the reports, each unit joined to its ancestors by materialised-path prefix: on the
live tree for an open period, on its snapshot (PeriodTree) for a closed one. Used to open
a period (counters), to reopen one, and by `verify_rollups` to prove the stored rows."""
from django.db import connection

from baocao import regimes
from baocao.formdefs.models import FormCell
from baocao.units.models import Unit

from .models import Period, PeriodTree, Report, ReportValue, RollupProgress, RollupTotal
from .totals import BUCKETS


def _t(model):
    return model._meta.db_table


def bucket_case():
    """SQL CASE giving a report's bucket from its state (NULL for none)."""
    flow = regimes.current().workflow
    whens = " ".join(f"WHEN '{code}' THEN {BUCKETS[state.stage]}" for code, state in flow.states.items() if state.stage in BUCKETS)
    return f"CASE r.status {whens} ELSE NULL END"


def _ancestors(period):
    """(WITH clause, params) defining anc(unit_id, ancestor_id): every unit with itself and
    each of its ancestors, on the period's tree (its snapshot if it has one, else today's),
    walked up the parent links: units × depth rows, joined to the reports by hash."""
    if PeriodTree.objects.filter(period=period).exists():
        tree, where, params = _t(PeriodTree), "WHERE period_id = %s", [period.pk]
        up = f"JOIN {tree} t ON t.unit_id = anc.ancestor_id AND t.period_id = %s WHERE t.parent_id IS NOT NULL"
        return (f"WITH RECURSIVE anc(unit_id, ancestor_id) AS (SELECT unit_id, unit_id FROM {tree} {where} "
                f"UNION ALL SELECT anc.unit_id, t.parent_id FROM anc {up}) "), params + [period.pk]
    units = _t(Unit)
    return (f"WITH RECURSIVE anc(unit_id, ancestor_id) AS (SELECT id, id FROM {units} "
            f"UNION ALL SELECT anc.unit_id, u.parent_id FROM anc JOIN {units} u ON u.id = anc.ancestor_id WHERE u.parent_id IS NOT NULL) "), []


def totals_select(period, *, into=""):
    """(sql, params) of (unit, period, cell, bucket, sum) for every rolling cell; `into`: an
    INSERT INTO … (columns) clause to put them straight into a table."""
    anc, params = _ancestors(period)
    bucket = bucket_case()
    sql = (anc + into + f"SELECT anc.ancestor_id, r.period_id, v.cell_id, {bucket}, SUM(v.number) FROM anc "
           f"JOIN {_t(Report)} r ON r.unit_id = anc.unit_id AND r.period_id = %s "
           f"JOIN {_t(ReportValue)} v ON v.report_id = r.id JOIN {_t(FormCell)} c ON c.id = v.cell_id "
           f"WHERE c.rolls_up AND NOT r.exempt AND v.number IS NOT NULL AND {bucket} IS NOT NULL "
           f"GROUP BY anc.ancestor_id, r.period_id, v.cell_id, {bucket}")
    return sql, params + [period.pk]


def progress_select(period, *, into=""):
    """(sql, params) of (unit, period, form, state, timeliness, count) of the obligations."""
    anc, params = _ancestors(period)
    timeliness = ("CASE WHEN r.submitted_at IS NULL THEN '' WHEN r.submitted_at <= p.due_at THEN 'on_time' "
                  "WHEN r.submitted_at <= r.due_at THEN 'extended' ELSE 'late' END")
    sql = (anc + into + f"SELECT anc.ancestor_id, r.period_id, r.form_code, r.status, {timeliness}, COUNT(*) FROM anc "
           f"JOIN {_t(Report)} r ON r.unit_id = anc.unit_id AND r.period_id = %s JOIN {_t(Period)} p ON p.id = r.period_id "
           f"WHERE NOT r.exempt GROUP BY anc.ancestor_id, r.period_id, r.form_code, r.status, {timeliness}")
    return sql, params + [period.pk]


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _analyze(*models):
    """Fresh planner statistics after a bulk change (PostgreSQL): a period's reports are
    inserted and counted in one transaction, and stale estimates choose nested loops."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {_t(model)}")


def rebuild_totals(period):
    RollupTotal.objects.filter(period=period).delete()
    sql, params = totals_select(period, into=f"INSERT INTO {_t(RollupTotal)} (unit_id, period_id, cell_id, bucket, number) ")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rebuild_progress(period):
    RollupProgress.objects.filter(period=period).delete()
    _analyze(Report)
    sql, params = progress_select(period, into=f"INSERT INTO {_t(RollupProgress)} (unit_id, period_id, form_code, status, timeliness, count) ")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def snapshot_tree(period):
    """Keep the tree as it is now for `period` (when it closes)."""
    PeriodTree.objects.filter(period=period).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_t(PeriodTree)} (period_id, unit_id, parent_id, path) SELECT %s, id, parent_id, path FROM {_t(Unit)}",
                       [period.pk])


def periods():
    return Period.objects.all()

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
    """FROM … giving `anc` (ancestor unit id) and `u_id` (a unit of its subtree) for the
    period's tree: its snapshot if it has one, else today's."""
    upper = "(substr(a.path, 1, length(a.path) - 1) || '0')"
    if PeriodTree.objects.filter(period=period).exists():
        tree = _t(PeriodTree)
        return (f"FROM {tree} a JOIN {tree} u ON u.period_id = a.period_id AND u.path >= a.path AND u.path < {upper} ",
                "a.unit_id", "u.unit_id", f" AND a.period_id = {int(period.pk)}")
    units = _t(Unit)
    return (f"FROM {units} a JOIN {units} u ON u.path >= a.path AND u.path < {upper} ", "a.id", "u.id", "")


def totals_select(period):
    """(sql, params) of (unit, period, cell, bucket, sum) for every rolling cell."""
    source, anc, unit, extra = _ancestors(period)
    bucket = bucket_case()
    sql = (f"SELECT {anc}, r.period_id, v.cell_id, {bucket}, SUM(v.number) " + source
           + f"JOIN {_t(Report)} r ON r.unit_id = {unit} AND r.period_id = %s "
           f"JOIN {_t(ReportValue)} v ON v.report_id = r.id JOIN {_t(FormCell)} c ON c.id = v.cell_id "
           f"WHERE c.rolls_up AND NOT r.exempt AND v.number IS NOT NULL AND {bucket} IS NOT NULL{extra} "
           f"GROUP BY {anc}, r.period_id, v.cell_id, {bucket}")
    return sql, [period.pk]


def progress_select(period):
    """(sql, params) of (unit, period, form, state, timeliness, count) of the obligations."""
    source, anc, unit, extra = _ancestors(period)
    timeliness = ("CASE WHEN r.submitted_at IS NULL THEN '' WHEN r.submitted_at <= p.due_at THEN 'on_time' "
                  "WHEN r.submitted_at <= r.due_at THEN 'extended' ELSE 'late' END")
    sql = (f"SELECT {anc}, r.period_id, r.form_code, r.status, {timeliness}, COUNT(*) " + source
           + f"JOIN {_t(Report)} r ON r.unit_id = {unit} AND r.period_id = %s JOIN {_t(Period)} p ON p.id = r.period_id "
           f"WHERE NOT r.exempt{extra} GROUP BY {anc}, r.period_id, r.form_code, r.status, {timeliness}")
    return sql, [period.pk]


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rebuild_totals(period):
    RollupTotal.objects.filter(period=period).delete()
    sql, params = totals_select(period)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_t(RollupTotal)} (unit_id, period_id, cell_id, bucket, number) " + sql, params)
        return cursor.rowcount


def rebuild_progress(period):
    RollupProgress.objects.filter(period=period).delete()
    sql, params = progress_select(period)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_t(RollupProgress)} (unit_id, period_id, form_code, status, timeliness, count) " + sql, params)
        return cursor.rowcount


def snapshot_tree(period):
    """Keep the tree as it is now for `period` (when it closes)."""
    PeriodTree.objects.filter(period=period).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_t(PeriodTree)} (period_id, unit_id, path) SELECT %s, id, path FROM {_t(Unit)}", [period.pk])


def periods():
    return Period.objects.all()

"""Proof that the stored roll-ups are exact (docs/adr/0005): both tables recomputed from
the reports with one plain SQL `GROUP BY` each, every unit joined to its ancestors by
materialised-path prefix, and compared with what is stored; `rebuild` replaces them."""
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from baocao import regimes
from baocao.formdefs.models import FormCell
from baocao.reports.models import Period, Report, ReportValue, RollupProgress, RollupTotal
from baocao.reports.totals import BUCKETS
from baocao.units.models import Unit


def _table(model):
    return model._meta.db_table


def _bucket_case():
    """SQL CASE giving a report's bucket from its state (NULL for none)."""
    flow = regimes.current().workflow
    whens = " ".join(
        f"WHEN '{code}' THEN {BUCKETS[state.stage]}" for code, state in flow.states.items() if state.stage in BUCKETS
    )
    return f"CASE r.status {whens} ELSE NULL END"


def _ancestors_join():
    """`a` is every ancestor-or-self of `u`: u.path lies in a.path's prefix range."""
    return (f"FROM {_table(Unit)} a JOIN {_table(Unit)} u "
            "ON u.path >= a.path AND u.path < (substr(a.path, 1, length(a.path) - 1) || '0') ")


def totals_sql(period_id=None):
    bucket = _bucket_case()
    return (
        f"SELECT a.id, r.period_id, v.cell_id, {bucket} AS bucket, SUM(v.number) "
        + _ancestors_join()
        + f"JOIN {_table(Report)} r ON r.unit_id = u.id "
        f"JOIN {_table(ReportValue)} v ON v.report_id = r.id "
        f"JOIN {_table(FormCell)} c ON c.id = v.cell_id "
        f"WHERE c.rolls_up AND NOT r.exempt AND v.number IS NOT NULL AND {bucket} IS NOT NULL"
        + (" AND r.period_id = %s" if period_id else "")
        + f" GROUP BY a.id, r.period_id, v.cell_id, {bucket}"
    ), ([period_id] if period_id else [])


def progress_sql(period_id=None):
    timeliness = ("CASE WHEN r.submitted_at IS NULL THEN '' WHEN r.submitted_at <= p.due_at THEN 'on_time' "
                  "WHEN r.submitted_at <= r.due_at THEN 'extended' ELSE 'late' END")
    return (
        f"SELECT a.id, r.period_id, r.form_code, r.status, {timeliness} AS timeliness, COUNT(*) "
        + _ancestors_join()
        + f"JOIN {_table(Report)} r ON r.unit_id = u.id JOIN {_table(Period)} p ON p.id = r.period_id "
        "WHERE NOT r.exempt"
        + (" AND r.period_id = %s" if period_id else "")
        + f" GROUP BY a.id, r.period_id, r.form_code, r.status, {timeliness}"
    ), ([period_id] if period_id else [])


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    stored: object
    expected: object

    def __str__(self):
        return f"{self.table} {self.key}: stored {self.stored}, expected {self.expected}"


def _same(a, b):
    a, b = Decimal(str(a or 0)), Decimal(str(b or 0))
    if connection.vendor == "sqlite":  # doubles: equal to the last representable digit
        return abs(a - b) <= Decimal("1e-9") * max(Decimal(1), abs(a))
    return a == b


def differences(period=None):
    """Every stored total or counter that differs from the reports (none, if all is well)."""
    period_id = period.pk if period is not None else None
    found = []
    stored = RollupTotal.objects.all() if period_id is None else RollupTotal.objects.filter(period_id=period_id)
    have = {(u, p, c, b): n for u, p, c, b, n in stored.values_list("unit_id", "period_id", "cell_id", "bucket", "number")}
    want = {(u, p, c, b): n for u, p, c, b, n in _rows(*totals_sql(period_id))}
    for key in set(have) | set(want):
        if not _same(have.get(key), want.get(key)):
            found.append(Difference("RollupTotal", key, have.get(key), want.get(key)))
    stored = RollupProgress.objects.all() if period_id is None else RollupProgress.objects.filter(period_id=period_id)
    have = {(u, p, f, s, t): n for u, p, f, s, t, n in stored.values_list("unit_id", "period_id", "form_code", "status", "timeliness", "count")}
    want = {(u, p, f, s, t): n for u, p, f, s, t, n in _rows(*progress_sql(period_id))}
    for key in set(have) | set(want):
        if (have.get(key) or 0) != (want.get(key) or 0):
            found.append(Difference("RollupProgress", key, have.get(key), want.get(key)))
    return found


def rebuild(period=None):
    """Replace the stored totals and counters by the recomputed ones; returns (totals, counters) written."""
    period_id = period.pk if period is not None else None
    with transaction.atomic():
        for model in (RollupTotal, RollupProgress):
            (model.objects.all() if period_id is None else model.objects.filter(period_id=period_id)).delete()
        with connection.cursor() as cursor:
            sql, params = totals_sql(period_id)
            cursor.execute(f"INSERT INTO {_table(RollupTotal)} (unit_id, period_id, cell_id, bucket, number) " + sql, params)
            totals = cursor.rowcount
            sql, params = progress_sql(period_id)
            cursor.execute(f"INSERT INTO {_table(RollupProgress)} (unit_id, period_id, form_code, status, timeliness, count) " + sql, params)
            counters = cursor.rowcount
    return totals, counters

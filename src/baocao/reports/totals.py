"""Keeping roll-up totals and progress counters exact, in the transaction of each change
(docs/adr/0005).

- `RollupTotal(unit, period, cell, bucket)`: the sum of a cell over the unit's subtree, by
  the stage bucket of the reports (1 editing, 2 sent, 3 approved/received);
- `RollupProgress(unit, period, form, state, timeliness)`: how many reports of the subtree
  are in each state.

The actions that change what counts call these: a save (`values_changed`), a transition
or an exemption (`report_changed`), a period opening or a deadline change (`rebuild_progress`).
Each is one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` statement (per batch),
the same on PostgreSQL and SQLite. `verify_rollups` proves the result against the reports.
"""
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from baocao import regimes
from baocao.access.paths import SEPARATOR
from baocao.units.models import Unit

from .models import ReportValue, RollupProgress, RollupTotal

BUCKETS = {"editing": 1, "submitted": 2, "final": 3}
# Which buckets each choice of "which reports count" reads.
COUNTING = {"approved": (3,), "sent": (2, 3), "all": (1, 2, 3)}


def bucket_of(status, exempt=False):
    """The bucket a report in this state adds to; None if it adds to none."""
    if exempt:
        return None
    state = regimes.current().workflow.states.get(status)
    return BUCKETS.get(state.stage) if state else None


def prefixes(path):
    """'/A/B/C/' -> ['/A/', '/A/B/', '/A/B/C/']: the paths of a unit and its ancestors."""
    codes = path.strip(SEPARATOR).split(SEPARATOR)
    return [SEPARATOR + SEPARATOR.join(codes[: n + 1]) + SEPARATOR for n in range(len(codes))]


def ancestor_ids(unit):
    """Ids of the unit and its ancestors (one indexed query on the unique path, cached)."""
    cached = getattr(unit, "_ancestor_ids", None)
    if cached is None:
        cached = unit._ancestor_ids = list(Unit.objects.filter(path__in=prefixes(unit.path)).values_list("pk", flat=True))
    return cached


def _upsert(table, key_columns, value_column, rows, cast=""):
    """Add each row's last value into `table`'s row of the same key (insert if missing)."""
    columns = key_columns + (value_column,)
    per_statement = max(1, 900 // len(columns)) if connection.vendor == "sqlite" else 1000
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql_head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    sql_tail = (f" ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
                f"{value_column} = {table}.{value_column} + excluded.{value_column}")
    # Always in key order: two transactions adding into the same rows (the root's, a
    # province's) then lock them in the same order and never deadlock.
    rows = sorted(rows, key=lambda row: row[:-1])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(sql_head + ", ".join([placeholder] * len(chunk)) + sql_tail, [v for row in chunk for v in row])


def add_totals(unit_ids, period_id, deltas):
    """deltas: {(cell id, bucket): Decimal}, added into every unit of `unit_ids`."""
    rows = [(unit, period_id, cell, bucket, amount) for (cell, bucket), amount in deltas.items() if amount for unit in unit_ids]
    if rows:
        _upsert(RollupTotal._meta.db_table, ("unit_id", "period_id", "cell_id", "bucket"), "number", rows)


def add_progress(unit_ids, period_id, form_code, deltas):
    """deltas: {(status, timeliness): ±n}, added into every unit of `unit_ids`."""
    rows = [(unit, period_id, form_code, status, timeliness, n) for (status, timeliness), n in deltas.items() if n for unit in unit_ids]
    if rows:
        _upsert(RollupProgress._meta.db_table, ("unit_id", "period_id", "form_code", "status", "timeliness"), "count", rows)


def _rolling(report, cell_ids):
    """The ids among `cell_ids` that roll-ups sum (one query, cached per form definition)."""
    from baocao.formdefs.models import FormCell

    cache = report.form.__dict__.setdefault("_rolling_cells", {})
    missing = [c for c in cell_ids if c not in cache]
    if missing:
        rolling = set(FormCell.objects.filter(pk__in=missing, rolls_up=True).values_list("pk", flat=True))
        cache.update({c: c in rolling for c in missing})
    return {c for c in cell_ids if cache[c]}


def values_changed(report, changes):
    """A save changed these cells (reports.values.Change) of a report in its current state."""
    bucket = bucket_of(report.status, report.exempt)
    if bucket is None or not changes:
        return
    rolling = _rolling(report, {c.cell for c in changes})
    deltas = defaultdict(Decimal)
    for change in changes:
        if change.cell not in rolling:
            continue
        old = change.old if isinstance(change.old, Decimal) else Decimal(0)
        new = change.new if isinstance(change.new, Decimal) else Decimal(0)
        deltas[(change.cell, bucket)] += new - old
    add_totals(ancestor_ids(report.unit), report.period_id, deltas)


def report_sums(report):
    """{cell id: sum} of the report's values that roll up (rows of a group summed)."""
    rows = (ReportValue.objects.filter(report=report, cell__rolls_up=True, number__isnull=False)
            .values_list("cell_id").annotate(total=Sum("number")))
    return dict(rows)


def progress_key(report):
    """(state, timeliness) the report counts under; None if exempted."""
    return None if report.exempt else (report.status, report.timeliness)


def report_changed(report, *, old_status, old_exempt, old_key):
    """After a transition, an exemption or its undoing: move the report's values between
    buckets and its count between states, for the unit and every ancestor."""
    units = ancestor_ids(report.unit)
    old_bucket, new_bucket = bucket_of(old_status, old_exempt), bucket_of(report.status, report.exempt)
    if old_bucket != new_bucket:
        deltas = defaultdict(Decimal)
        for cell, total in report_sums(report).items():
            if old_bucket is not None:
                deltas[(cell, old_bucket)] -= total
            if new_bucket is not None:
                deltas[(cell, new_bucket)] += total
        add_totals(units, report.period_id, deltas)
    new_key = progress_key(report)
    if old_key != new_key:
        deltas = defaultdict(int)
        if old_key is not None:
            deltas[old_key] -= 1
        if new_key is not None:
            deltas[new_key] += 1
        add_progress(units, report.period_id, report.form_code, deltas)


def rebuild_progress(period):
    """Recount a period's progress from its reports (one INSERT … SELECT): when it opens,
    and when deadlines move (which can turn a late report into one sent within its extension)."""
    from .rollup_sql import rebuild_progress as rebuild

    return rebuild(period)


def subtree_moved(unit_id, old_ancestor_ids, new_ancestor_ids):
    """A unit and its subtree moved: in every open period, its totals and counters leave the
    ancestors it left and join those it joined. A closed period keeps the tree it closed on
    (docs/adr/0007)."""
    from .models import Period, PeriodStatus

    leaving = [a for a in old_ancestor_ids if a not in set(new_ancestor_ids)]
    joining = [a for a in new_ancestor_ids if a not in set(old_ancestor_ids)]
    for period_id in Period.objects.filter(status=PeriodStatus.OPEN).values_list("pk", flat=True):
        sums = dict(((c, b), n) for c, b, n in RollupTotal.objects.filter(unit_id=unit_id, period_id=period_id).values_list("cell_id", "bucket", "number"))
        add_totals(leaving, period_id, {key: -n for key, n in sums.items()})
        add_totals(joining, period_id, sums)
        counts = defaultdict(lambda: defaultdict(int))
        for form, status, timeliness, n in RollupProgress.objects.filter(unit_id=unit_id, period_id=period_id).values_list("form_code", "status", "timeliness", "count"):
            counts[form][(status, timeliness)] += n
        for form, deltas in counts.items():
            add_progress(leaving, period_id, form, {key: -n for key, n in deltas.items()})
            add_progress(joining, period_id, form, deltas)

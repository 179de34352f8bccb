"""The totals ledger (docs/adr/0005, 0010): the only writer of the stored roll-ups, kept
exact in the transaction of each change, and their recomputation in plain SQL.

- `RollupTotal(unit, period, cell, bucket)`: the sum of a cell over the unit's subtree, by
  the stage bucket of the reports (1 editing, 2 sent, 3 approved/received);
- `RollupProgress(unit, period, form, state, timeliness)`: how many reports of the subtree
  are in each state.

A change adds its deltas into the rows of the unit and every ancestor *as the period sees
them* (reports.ancestry: today's tree while open, the snapshot once closed), with one
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` statement per batch, the same on
PostgreSQL and SQLite. The callers hold the unit's path (units.tree.pin) and the period
(period_rules.hold) so the tree and the period cannot change under them. The recomputation
(`totals_select`, `progress_select`) is what `verify_rollups` compares with, and what a
period's opening, reopening and deadline moves store.
"""
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from baocao import regimes
from baocao.formdefs.models import RollingCell
from baocao.units.models import Unit

from . import ancestry
from .models import Period, PeriodStatus, PeriodTree, Report, ReportValue, RollupProgress, RollupTotal

BUCKETS = {"editing": 1, "submitted": 2, "final": 3}
# Which buckets each choice of "which reports count" reads.
COUNTING = {"approved": (3,), "sent": (2, 3), "all": (1, 2, 3)}


def bucket_of(status, exempt=False):
    """The bucket a report in this state adds to; None if it adds to none."""
    if exempt:
        return None
    state = regimes.current().workflow.states.get(status)
    return BUCKETS.get(state.stage) if state else None


def progress_key(report):
    """(state, timeliness) the report counts under; None if exempted."""
    return None if report.exempt else (report.status, report.timeliness)


# --- incremental upkeep -------------------------------------------------------------------


def _upsert(table, key_columns, value_column, rows):
    """Add each row's last value into `table`'s row of the same key (insert if missing), in
    the order given (`_ordered`)."""
    columns = key_columns + (value_column,)
    per_statement = max(1, 900 // len(columns)) if connection.vendor == "sqlite" else 1000
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql_head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    sql_tail = (f" ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
                f"{value_column} = {table}.{value_column} + excluded.{value_column}")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(sql_head + ", ".join([placeholder] * len(chunk)) + sql_tail, [v for row in chunk for v in row])


def _ordered(unit_ids, keys):
    """(unit, key) pairs in the one order every transaction locks roll-up rows in: the
    deepest unit first (`unit_ids` is a chain of ancestors, root first), then by key. So
    two changes never wait on each other in a cycle, and a change that waits for a
    province's rows (held by a move of a subtree in it) does not yet hold the root's, which
    the rest of the country needs (docs/concurrency.md)."""
    keys = sorted(keys)
    return [(unit, key) for unit in reversed(unit_ids) for key in keys]


def add_totals(unit_ids, period_id, deltas):
    """deltas: {(cell id, bucket): Decimal}, added into every unit of `unit_ids` (a chain of
    ancestors, root first)."""
    rows = [(unit, period_id, cell, bucket, deltas[(cell, bucket)]) for unit, (cell, bucket) in _ordered(unit_ids, [k for k, n in deltas.items() if n])]
    if rows:
        _upsert(RollupTotal._meta.db_table, ("unit_id", "period_id", "cell_id", "bucket"), "number", rows)


def add_progress(unit_ids, period_id, form_code, deltas):
    """deltas: {(status, timeliness): ±n}, added into every unit of `unit_ids` (a chain of
    ancestors, root first)."""
    rows = [(unit, period_id, form_code, status, timeliness, deltas[(status, timeliness)])
            for unit, (status, timeliness) in _ordered(unit_ids, [k for k, n in deltas.items() if n])]
    if rows:
        _upsert(RollupProgress._meta.db_table, ("unit_id", "period_id", "form_code", "status", "timeliness"), "count", rows)


def post(unit_ids, period_id, *, totals=None, form_code="", progress=None):
    """Add a change's totals and counter deltas into every unit of `unit_ids` (a chain of
    ancestors, root first). With both kinds, unit by unit from the deepest, so that a change
    never holds the root's rows (which the whole country adds into) while it waits for a
    lower unit's (a move of a subtree holds its province's): the root's are taken last."""
    totals = {k: n for k, n in (totals or {}).items() if n}
    progress = {k: n for k, n in (progress or {}).items() if n}
    if not (totals and progress):
        add_totals(unit_ids, period_id, totals)
        add_progress(unit_ids, period_id, form_code, progress)
        return
    for unit in reversed(unit_ids):
        add_totals([unit], period_id, totals)
        add_progress([unit], period_id, form_code, progress)


def _rolling(report):
    """The ids of the cells the report's form version sums (one query, cached per version)."""
    form = report.form
    if "_rolling_cells" not in form.__dict__:
        form._rolling_cells = set(RollingCell.objects.filter(definition_id=form.pk).values_list("cell_id", flat=True))
    return form._rolling_cells


def _ancestors(report):
    return ancestry.ancestor_ids(report.period, report.unit)


def values_changed(report, changes):
    """A save changed these cells (reports.values.Change) of a report in its current state."""
    bucket = bucket_of(report.status, report.exempt)
    if bucket is None or not changes:
        return
    rolling = _rolling(report)
    deltas = defaultdict(Decimal)
    for change in changes:
        if change.cell not in rolling:
            continue
        old = change.old if isinstance(change.old, Decimal) else Decimal(0)
        new = change.new if isinstance(change.new, Decimal) else Decimal(0)
        deltas[(change.cell, bucket)] += new - old
    add_totals(_ancestors(report), report.period_id, deltas)


def report_sums(report):
    """{cell id: sum} of the report's values that its form version rolls up."""
    rows = (ReportValue.objects.filter(report=report, number__isnull=False,
                                       cell_id__in=RollingCell.objects.filter(definition_id=report.form_id).values("cell_id"))
            .values_list("cell_id").annotate(total=Sum("number")))
    return dict(rows)


def report_changed(report, *, old_status, old_exempt, old_key):
    """After a transition, an exemption or its undoing: move the report's values between
    buckets and its count between states, for the unit and every ancestor."""
    old_bucket, new_bucket = bucket_of(old_status, old_exempt), bucket_of(report.status, report.exempt)
    totals = defaultdict(Decimal)
    if old_bucket != new_bucket:
        for cell, total in report_sums(report).items():
            if old_bucket is not None:
                totals[(cell, old_bucket)] -= total
            if new_bucket is not None:
                totals[(cell, new_bucket)] += total
    new_key = progress_key(report)
    counts = defaultdict(int)
    if old_key != new_key:
        if old_key is not None:
            counts[old_key] -= 1
        if new_key is not None:
            counts[new_key] += 1
    if totals or counts:
        post(_ancestors(report), report.period_id, totals=totals, form_code=report.form_code, progress=counts)


def _left_and_joined(old_ids, new_ids):
    """Of two chains of ancestors (root first), the units only the old one has and those only
    the new one has, each root first: what a move or a transfer takes figures out of and
    into (their common ancestors keep them)."""
    return [u for u in old_ids if u not in set(new_ids)], [u for u in new_ids if u not in set(old_ids)]


def report_reassigned(report, old_unit):
    """A report now belongs to another unit (a transfer): its values and its count leave
    the old unit's ancestors and join the new one's, on the period's tree."""
    leaving, joining = _left_and_joined(ancestry.ancestor_ids(report.period, old_unit), _ancestors(report))
    bucket, key = bucket_of(report.status, report.exempt), progress_key(report)
    sums = report_sums(report) if bucket is not None else {}
    for units, sign in ((leaving, -1), (joining, 1)):
        post(units, report.period_id, totals={(c, bucket): sign * n for c, n in sums.items()}, form_code=report.form_code,
             progress={key: sign} if key is not None else {})


def subtree_moved(unit_id, old_ancestor_ids, new_ancestor_ids):
    """A unit and its subtree moved (units.tree holds it exclusively, so nothing in it is
    changing): in every open period its totals and counters leave the ancestors it left and
    join those it joined. A closed period keeps the tree it closed on."""
    leaving, joining = _left_and_joined(old_ancestor_ids, new_ancestor_ids)
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


# --- recomputation in SQL -----------------------------------------------------------------


def _t(model):
    return model._meta.db_table


def bucket_case():
    """SQL CASE giving a report's bucket from its state (NULL for none)."""
    flow = regimes.current().workflow
    whens = " ".join(f"WHEN '{code}' THEN {BUCKETS[state.stage]}" for code, state in flow.states.items() if state.stage in BUCKETS)
    return f"CASE r.status {whens} ELSE NULL END"


def _ancestor_pairs(period):
    """(WITH clause, params) defining anc(unit_id, ancestor_id): every unit with itself and
    each of its ancestors, on the period's tree (ancestry.uses_snapshot), walked up the
    parent links: units × depth rows, joined to the reports by hash."""
    if ancestry.uses_snapshot(period):
        tree = _t(PeriodTree)
        up = f"JOIN {tree} t ON t.unit_id = anc.ancestor_id AND t.period_id = %s WHERE t.parent_id IS NOT NULL"
        return (f"WITH RECURSIVE anc(unit_id, ancestor_id) AS (SELECT unit_id, unit_id FROM {tree} WHERE period_id = %s "
                f"UNION ALL SELECT anc.unit_id, t.parent_id FROM anc {up}) "), [period.pk, period.pk]
    units = _t(Unit)
    return (f"WITH RECURSIVE anc(unit_id, ancestor_id) AS (SELECT id, id FROM {units} "
            f"UNION ALL SELECT anc.unit_id, u.parent_id FROM anc JOIN {units} u ON u.id = anc.ancestor_id WHERE u.parent_id IS NOT NULL) "), []


def totals_select(period, *, into=""):
    """(sql, params) of (unit, period, cell, bucket, sum) for every cell the reports' form
    versions roll up; `into`: an INSERT INTO … (columns) clause to put them straight into a table."""
    anc, params = _ancestor_pairs(period)
    bucket = bucket_case()
    sql = (anc + into + f"SELECT anc.ancestor_id, r.period_id, v.cell_id, {bucket}, SUM(v.number) FROM anc "
           f"JOIN {_t(Report)} r ON r.unit_id = anc.unit_id AND r.period_id = %s "
           f"JOIN {_t(ReportValue)} v ON v.report_id = r.id "
           f"JOIN {_t(RollingCell)} rc ON rc.definition_id = r.form_id AND rc.cell_id = v.cell_id "
           f"WHERE NOT r.exempt AND v.number IS NOT NULL AND {bucket} IS NOT NULL "
           f"GROUP BY anc.ancestor_id, r.period_id, v.cell_id, {bucket}")
    return sql, params + [period.pk]


def progress_select(period, *, into=""):
    """(sql, params) of (unit, period, form, state, timeliness, count) of the obligations."""
    anc, params = _ancestor_pairs(period)
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
    """Replace a period's totals by their recomputation. The caller holds the period
    exclusively (period_rules.hold), so no delta interleaves."""
    RollupTotal.objects.filter(period=period).delete()
    sql, params = totals_select(period, into=f"INSERT INTO {_t(RollupTotal)} (unit_id, period_id, cell_id, bucket, number) ")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rebuild_progress(period):
    """Recount a period's progress from its reports (one INSERT … SELECT): when it opens,
    and when deadlines move (which can turn a late report into one sent within its
    extension). The caller holds the period exclusively."""
    RollupProgress.objects.filter(period=period).delete()
    _analyze(Report)
    sql, params = progress_select(period, into=f"INSERT INTO {_t(RollupProgress)} (unit_id, period_id, form_code, status, timeliness, count) ")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount

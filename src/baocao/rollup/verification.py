"""Proof that the stored roll-ups are exact (docs/adr/0005): both tables recomputed from
the reports with one plain SQL `GROUP BY` each (reports.ledger: every unit joined to
its ancestors by path prefix, on the period's tree), compared with what is stored;
`rebuild` replaces them."""
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from baocao.reports import ledger, period_rules
from baocao.reports.models import Period, RollupProgress, RollupTotal


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


def _periods(period):
    """The periods as stored now (a caller's copy may predate its closing)."""
    return list(Period.objects.filter(pk=period.pk) if period is not None else Period.objects.all())


def _differences_sql(chosen):
    """PostgreSQL: the comparison in the database (a FULL JOIN of the stored rows and the
    recomputed ones), so that millions of totals never travel to Python."""
    found = []
    tables = (
        ("RollupTotal", RollupTotal, ("unit_id", "period_id", "cell_id", "bucket"), "number", ledger.totals_select),
        ("RollupProgress", RollupProgress, ("unit_id", "period_id", "form_code", "status", "timeliness"), "count", ledger.progress_select),
    )
    for name, model, keys, value, select in tables:
        sql, params = select(chosen)
        head, _, body = sql.partition(") SELECT ")  # the WITH RECURSIVE clause, then the SELECT
        assert head.startswith("WITH RECURSIVE") and body, sql
        columns = ", ".join(keys + (value,))
        join = " AND ".join(f"s.{k} = w.{k}" for k in keys)
        compare = (f"{head}), want ({columns}) AS (SELECT {body}) "
                   f"SELECT {', '.join(f'COALESCE(s.{k}, w.{k})' for k in keys)}, s.{value}, w.{value} "
                   f"FROM (SELECT {columns} FROM {model._meta.db_table} WHERE period_id = %s) s FULL JOIN want w ON {join} "
                   f"WHERE COALESCE(s.{value}, 0) <> COALESCE(w.{value}, 0)")
        for row in ledger.rows(compare, params + [chosen.pk]):
            found.append(Difference(name, tuple(row[: len(keys)]), row[len(keys)], row[len(keys) + 1]))
    return found


def differences(period=None):
    """Every stored total or counter that differs from the reports (none, if all is well)."""
    found = []
    for chosen in _periods(period):
        if connection.vendor == "postgresql":
            found += _differences_sql(chosen)
            continue
        have = {(u, p, c, b): n for u, p, c, b, n in
                RollupTotal.objects.filter(period=chosen).values_list("unit_id", "period_id", "cell_id", "bucket", "number")}
        want = {(u, p, c, b): n for u, p, c, b, n in ledger.rows(*ledger.totals_select(chosen))}
        found += [Difference("RollupTotal", key, have.get(key), want.get(key))
                  for key in set(have) | set(want) if not _same(have.get(key), want.get(key))]
        have = {(u, p, f, s, t): n for u, p, f, s, t, n in
                RollupProgress.objects.filter(period=chosen).values_list("unit_id", "period_id", "form_code", "status", "timeliness", "count")}
        want = {(u, p, f, s, t): n for u, p, f, s, t, n in ledger.rows(*ledger.progress_select(chosen))}
        found += [Difference("RollupProgress", key, have.get(key), want.get(key))
                  for key in set(have) | set(want) if (have.get(key) or 0) != (want.get(key) or 0)]
    return found


def rebuild(period=None):
    """Replace the stored totals and counters by the recomputed ones; returns (totals, counters) written."""
    totals = counters = 0
    with transaction.atomic():
        for chosen in _periods(period):
            period_rules.hold(chosen.pk, exclusive=True)  # no delta of the period interleaves
            totals += ledger.rebuild_totals(chosen)
            counters += ledger.rebuild_progress(chosen)
    return totals, counters

"""Materialised-path prefixes as query conditions, for any path field.

A unit's path is the chain of codes from the root, "/BTC/T02/T02003/". Everything under
a unit is every path that starts with its path. On PostgreSQL `LIKE 'prefix%'` uses the
varchar_pattern_ops index Django creates for a unique or indexed CharField; SQLite does
not use an index for LIKE … ESCAPE, so there it is the equivalent half-open range.
"""
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Collate
from django.db.models.lookups import GreaterThanOrEqual, LessThan

SEPARATOR = "/"
# The character after the separator: "/T02/" <= path < "/T020" is "under /T02/".
_AFTER_SEPARATOR = chr(ord(SEPARATOR) + 1)


def prefix_q(field, path):
    """Q for rows whose `field` starts with `path` (a unit path, ending with the separator)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + _AFTER_SEPARATOR})
    return Q(**{f"{field}__startswith": path})


def prefixes(path):
    """'/A/B/C/' -> ['/A/', '/A/B/', '/A/B/C/']: the paths of a unit and its ancestors, root first."""
    codes = path.strip(SEPARATOR).split(SEPARATOR)
    return [SEPARATOR + SEPARATOR.join(codes[: n + 1]) + SEPARATOR for n in range(len(codes))]


def is_within(path, ancestor_path):
    return path.startswith(ancestor_path)


def bytewise(field):
    """`field` compared byte by byte (PostgreSQL: in the "C" collation; SQLite does already).
    Ordering a subtree's rows by it, no index on `field` alone can serve the order, so the
    planner reads the subtree's rows (a range of their path index) and sorts them, rather
    than walk `field`'s index across the whole country keeping the subtree's rows."""
    return Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)


def tree_order(field):
    """`field` (a unit path) as an ordering in tree order that an index serves with a prefix
    range: on PostgreSQL the path in the "C" collation (byte order, the index
    units.unit_path_c on units_unit.path), whatever the database's default collation; on
    SQLite the path itself (byte order already)."""
    return Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)


def tree_prefix_q(field, path):
    """Q for rows whose `field` starts with `path`, as a range of tree_order(field): with an
    ORDER BY tree_order(field) … LIMIT, one index walk from the subtree's first row,
    wherever the subtree sorts (docs/adr/0014). Only where such an index exists (units'
    path); elsewhere prefix_q."""
    if connection.vendor != "postgresql":
        return prefix_q(field, path)
    ordered = tree_order(field)
    return Q(GreaterThanOrEqual(ordered, path)) & Q(LessThan(ordered, path[:-1] + _AFTER_SEPARATOR))

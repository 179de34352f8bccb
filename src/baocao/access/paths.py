"""Materialised-path prefixes as query conditions, for any path field.

A unit's path is the chain of codes from the root, "/BTC/T02/T02003/". Everything under
a unit is every path that starts with its path. On PostgreSQL `LIKE 'prefix%'` uses the
varchar_pattern_ops index Django creates for a unique or indexed CharField; SQLite does
not use an index for LIKE … ESCAPE, so there it is the equivalent half-open range.
"""
from django.db import connection
from django.db.models import Q

SEPARATOR = "/"
# The character after the separator: "/T02/" <= path < "/T020" is "under /T02/".
_AFTER_SEPARATOR = chr(ord(SEPARATOR) + 1)


def prefix_q(field, path):
    """Q for rows whose `field` starts with `path` (a unit path, ending with the separator)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + _AFTER_SEPARATOR})
    return Q(**{f"{field}__startswith": path})


def is_within(path, ancestor_path):
    return path.startswith(ancestor_path)

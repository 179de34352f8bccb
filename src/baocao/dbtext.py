"""Case-insensitive equality that the functional indexes serve, on both databases.

Django's `__iexact` becomes UPPER(field) = UPPER(value) on PostgreSQL, which no index
serves: the unique constraints on usernames and unit codes are built on LOWER(field).
`iexact("username", value)` is LOWER(field) = LOWER(value), the indexed expression, so a
login or a look-up by code is one index probe on PostgreSQL and SQLite alike.
"""
from django.db.models import CharField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact


def iexact(field, value):
    """A filter() argument: `field` equals `value` whatever the case."""
    return Exact(Lower(field), Lower(Value(str(value).replace("\x00", ""), output_field=CharField())))

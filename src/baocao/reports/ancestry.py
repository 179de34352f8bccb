"""The tree a period sees (docs/adr/0007, 0010): today's while the period is draft or open,
the snapshot it was closed on (PeriodTree) once it is closed or locked. "The ancestors of
unit U in period P" is `ancestor_ids(period, unit)`, used by every write of the totals
ledger, by the roll-up pages and by transfers."""
from django.db import connection

from baocao.access.paths import SEPARATOR, prefixes
from baocao.units.models import Unit

from .models import PeriodStatus, PeriodTree


def uses_snapshot(period):
    return period.status in (PeriodStatus.CLOSED, PeriodStatus.LOCKED)


def snapshot_path(period, unit):
    """The unit's path in the period's snapshot ("" if it is not in it)."""
    return PeriodTree.objects.filter(period=period, unit=unit).values_list("path", flat=True).first() or ""


def ancestor_ids(period, unit):
    """Ids of the unit and its ancestors as `period` sees them, root first. A unit missing
    from a closed period's snapshot (one created after closing that a transfer reaches) is
    added to it first, with its missing ancestors (`include`). Cached on the unit object."""
    cache = unit.__dict__.setdefault("_ancestors_by_period", {})
    key = (period.pk, uses_snapshot(period))
    if key not in cache:
        if not uses_snapshot(period):
            rows = Unit.objects.filter(path__in=prefixes(unit.path)).values_list("pk", "path")
        else:
            path = snapshot_path(period, unit) or include(period, unit)
            rows = PeriodTree.objects.filter(period=period, path__in=prefixes(path)).values_list("unit_id", "path")
        cache[key] = [pk for pk, _path in sorted(rows, key=lambda row: len(row[1]))]
    return cache[key]


def include(period, unit):
    """Put `unit` in a closed period's snapshot if it is not there, with every live
    ancestor the snapshot lacks, each under its nearest ancestor that the snapshot has (so
    that parent links and path prefixes agree). Returns the unit's snapshot path."""
    chain = list(Unit.objects.filter(path__in=prefixes(Unit.objects.get(pk=unit.pk).path)).order_by("depth"))
    known = dict(PeriodTree.objects.filter(period=period, unit_id__in=[u.pk for u in chain]).values_list("unit_id", "path"))
    parent_id, parent_path, new = None, SEPARATOR, []
    for member in chain:
        if member.pk in known:
            parent_id, parent_path = member.pk, known[member.pk]
            continue
        path = f"{parent_path}{member.code}{SEPARATOR}"
        new.append(PeriodTree(period=period, unit=member, parent_id=parent_id, path=path))
        parent_id, parent_path = member.pk, path
    PeriodTree.objects.bulk_create(new)
    return parent_path


def snapshot(period):
    """Keep the tree as it is now for `period` (when it closes)."""
    PeriodTree.objects.filter(period=period).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PeriodTree._meta.db_table} (period_id, unit_id, parent_id, path) "
                       f"SELECT %s, id, parent_id, path FROM {Unit._meta.db_table}", [period.pk])

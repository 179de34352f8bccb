"""Accounts' copy of their unit's path (Account.unit_path, docs/adr/0014), kept right when
units move: the tree's `unit_moved` signal, received inside the move's transaction, rewrites
the copy of every account of the moved subtree with one UPDATE."""
from django.db.models import OuterRef, Subquery

from baocao.access.paths import prefix_q
from baocao.units.models import Unit

from .models import Account


def follow_moved_unit(unit_id):
    """Copy the new paths of the subtree of the unit that moved onto its accounts. Returns
    how many accounts were rewritten."""
    path = Unit.objects.values_list("path", flat=True).get(pk=unit_id)
    unit_path = Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]
    return Account.objects.filter(prefix_q("unit__path", path)).update(unit_path=Subquery(unit_path))

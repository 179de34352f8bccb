"""Unit actions that are not the catalogue import."""
from baocao import regimes

from .models import UnitType


def sync_unit_types(regime=None):
    """Make the UnitType table hold the regime's unit types (names updated, none deleted)."""
    regime = regime or regimes.current()
    created = 0
    for code, name in regime.unit_types.items():
        _, was_created = UnitType.objects.update_or_create(code=code, defaults={"name": name})
        created += was_created
    return created

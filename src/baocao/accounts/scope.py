"""Scope: the one place that decides whether an account may act on a unit.

- entry / reviewer / approver act on their own unit only;
- an admin views and administers its unit's subtree;
- a central admin reaches the whole tree.
Every view calls `require` (or filters with `administrable_units`), so a request
outside scope is refused and leaves an audit event.
"""
from django.core.exceptions import PermissionDenied

from baocao.audit.services import record
from baocao.units.models import Unit

VIEW, ENTER, REVIEW, APPROVE, ADMINISTER = "view", "enter", "review", "approve", "administer"
ACTIONS = (VIEW, ENTER, REVIEW, APPROVE, ADMINISTER)
# Which role performs each action on its own unit.
_OWN_UNIT_ROLE = {ENTER: "entry", REVIEW: "reviewer", APPROVE: "approver"}


def can(account, action, unit):
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not getattr(account, "is_authenticated", False) or not account.is_active:
        return False
    if account.role_central_admin:
        return True
    if account.role_admin and action in (VIEW, ADMINISTER) and unit.is_within(account.unit):
        return True
    if unit.pk == account.unit_id:
        return action == VIEW or (action in _OWN_UNIT_ROLE and account.has_role(_OWN_UNIT_ROLE[action]))
    return False


def require(request, action, unit):
    """Raise PermissionDenied (403) and audit the attempt unless request.user may do `action` on `unit`."""
    if not can(request.user, action, unit):
        record("scope.denied", request=request, unit=unit, note=f"{action} {request.method} {request.path}"[:500])
        raise PermissionDenied
    return unit


def administrable_units(account):
    """Units an account administers: its subtree, everything, or nothing."""
    if account.role_central_admin:
        return Unit.objects.all()
    if account.role_admin:
        return Unit.objects.subtree(account.unit)
    return Unit.objects.none()


def is_administrator(account):
    return getattr(account, "is_authenticated", False) and account.has_role("admin", "central_admin")

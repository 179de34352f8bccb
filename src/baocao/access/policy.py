"""The one place that decides whether an account may do something, and if not, why.

An account holds role grants (`RoleGrant`): a role of the regime, at a unit, over that
unit alone or its subtree. The regime says which permissions each role carries. A
question names a permission and, usually, the unit it concerns, and a relation:

- ANY: the unit is within a grant's reach (its unit, or below it for a subtree grant);
- OWN: the grant is at that very unit (a unit's own people enter and approve its data);
- BELOW: the grant's unit is a strict ancestor (a unit never receives its own report).

`check` returns a Decision with the refusal's reason in Vietnamese; `require` raises
`Refused` (a PermissionDenied, which `audit.middleware.AuditRefusals` records once);
`scope` gives the units within reach as a query condition for list pages.

`actor=None` is the platform itself (management commands, the demo loader): it may do
anything, and views never pass None (an anonymous visitor is an AnonymousUser).

This module imports no other app: it works on the objects it is given (an account with
`grants`, a unit with `pk`, `path` and `name`) and the regime's role declarations.
"""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from baocao import regimes

from . import permissions
from .models import Reach
from .paths import SEPARATOR, is_within, prefix_q, tree_prefix_q

ANY, OWN, BELOW = "any", "own", "below"


@dataclass(frozen=True)
class Grant:
    """A role grant as the policy sees it (read once per account and request)."""

    role: str
    unit_id: int
    unit_path: str
    reach: str
    permissions: frozenset

    def covers(self, unit, relation=ANY):
        if relation == OWN:
            return self.unit_id == unit.pk
        below = self.reach == Reach.SUBTREE and unit.pk != self.unit_id and is_within(unit.path, self.unit_path)
        if relation == BELOW:
            return below
        return self.unit_id == unit.pk or below


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Decision(True)


class Refused(PermissionDenied):
    """A refusal by the policy. `unit` and `permission` say what was refused, for the audit
    event the middleware writes; `reason` is what the person is told."""

    def __init__(self, reason, *, unit=None, permission="", note=""):
        super().__init__(reason)
        self.reason, self.unit, self.permission, self.note = reason, unit, permission, note


def grants_of(actor):
    """The actor's grants with what their roles allow, read once per account object."""
    cached = getattr(actor, "_access_grants", None)
    if cached is None:
        roles = regimes.current().roles
        prefetched = "grants" in getattr(actor, "_prefetched_objects_cache", {})  # the login backend's
        rows = actor.grants.all() if prefetched else actor.grants.select_related("unit")
        cached = tuple(
            Grant(g.role, g.unit_id, g.unit.path, g.reach, roles[g.role].permissions)
            for g in rows
            if g.role in roles  # a role the regime no longer declares grants nothing
        )
        actor._access_grants = cached
    return cached


def forget(actor):
    """Drop the cached grants (after they changed)."""
    actor.__dict__.pop("_access_grants", None)


def _active(actor):
    return getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)


def _holding(actor, permission):
    return [g for g in grants_of(actor) if permission in g.permissions]


def may_somewhere(actor, permission):
    """Whether the actor holds `permission` anywhere (menus, page access before a unit is known)."""
    return _active(actor) and bool(_holding(actor, permission))


def may(actor, permission, unit, *, relation=ANY):
    return _active(actor) and any(g.covers(unit, relation) for g in _holding(actor, permission))


def roles_with(permission):
    """Labels of the regime's roles that carry `permission`."""
    return [role.label for role in regimes.current().roles.values() if permission in role.permissions]


def _what(permission, label):
    """How a refusal names the action: the given label, the platform's, or the label of the
    workflow transition that needs this permission."""
    if not label and permission not in permissions.LABELS:
        workflow = regimes.current().workflow
        label = next((t.label for t in workflow.transitions.values() if t.permission == permission), None) if workflow else None
    return str(label or permissions.LABELS.get(permission) or permission).lower()


def check(actor, permission, unit=None, *, relation=ANY, label=None):
    """Decision for `permission` on `unit` (or anywhere, if unit is None). `label` names the
    action in the reason when it is not a platform permission (a transition's label)."""
    if actor is None:
        return ALLOWED
    if not _active(actor):
        return Decision(False, _("Bạn cần đăng nhập bằng một tài khoản đang hoạt động."))
    holding = _holding(actor, permission)
    what = _what(permission, label)
    if not holding:
        who = ", ".join(roles_with(permission)) or _("không vai trò nào")
        return Decision(False, _("Tài khoản của bạn không được %(what)s (việc này thuộc vai trò: %(who)s).") % {"what": what, "who": who})
    if unit is None or any(g.covers(unit, relation) for g in holding):
        return ALLOWED
    if relation == OWN:
        who = ", ".join(roles_with(permission))
        reason = _("Chỉ %(who)s của %(unit)s được %(what)s.") % {"who": who, "unit": unit.name, "what": what}
    elif relation == BELOW and any(g.unit_id == unit.pk for g in holding):
        reason = _("Đơn vị không tự %(what)s báo cáo của chính mình; việc này do đơn vị cấp trên thực hiện.") % {"what": what}
    elif relation == BELOW:
        reason = _("%(unit)s không trực thuộc đơn vị của bạn; chỉ đơn vị cấp trên của đơn vị này được %(what)s.") % {"unit": unit.name, "what": what}
    else:
        reason = _("%(unit)s nằm ngoài phạm vi quản lý của tài khoản.") % {"unit": unit.name}
    return Decision(False, reason)


def require(actor, permission, unit=None, *, relation=ANY, label=None, note=""):
    """Return quietly if allowed; otherwise raise Refused (audited by the middleware)."""
    decision = check(actor, permission, unit, relation=relation, label=label)
    if not decision:
        raise Refused(decision.reason, unit=unit, permission=permission, note=note)


@dataclass(frozen=True)
class Scope:
    """The units within reach of a permission: whole subtrees and single units."""

    subtrees: tuple = ()  # paths of units whose subtree is in (BELOW: excluding the unit itself)
    units: tuple = ()  # ids of single units
    exclude_roots: bool = False  # BELOW: the subtree roots themselves are out

    @property
    def is_empty(self):
        return not self.subtrees and not self.units

    @property
    def everywhere(self):
        """The whole tree (a subtree grant at the root)."""
        return not self.exclude_roots and any(path.count(SEPARATOR) == 2 for path in self.subtrees)

    def q(self, path="path", pk="pk", ordered=False):
        """A Q on a model whose unit path is `path` and unit id is `pk` (Report: unit__path,
        unit_id). ordered=True: each subtree as a range of paths.tree_order(path), for a list
        ordered by it (units' path only: the index it needs, docs/adr/0014)."""
        if self.is_empty:
            return Q(**{f"{pk}__in": []})
        if self.everywhere:
            return Q()
        condition = Q(**{f"{pk}__in": list(self.units)}) if self.units else Q(**{f"{pk}__in": []})
        for subtree in self.subtrees:
            inside = (tree_prefix_q if ordered else prefix_q)(path, subtree)
            if self.exclude_roots:
                inside &= ~Q(**{path: subtree})
            condition |= inside
        return condition

    def contains(self, unit):
        if unit.pk in self.units:
            return True
        return any(is_within(unit.path, p) and not (self.exclude_roots and unit.path == p) for p in self.subtrees)


def scope(actor, permission, *, relation=ANY):
    """Where the actor may use `permission`, as a Scope."""
    if not _active(actor):
        return Scope()
    holding = _holding(actor, permission)
    if relation == OWN:
        return Scope(units=tuple(sorted({g.unit_id for g in holding})))
    subtrees = tuple(sorted({g.unit_path for g in holding if g.reach == Reach.SUBTREE}))
    if relation == BELOW:
        return Scope(subtrees=subtrees, exclude_roots=True)
    # A subtree already covers a single grant inside it; keep only what adds.
    singles = tuple(sorted({g.unit_id for g in holding if g.reach == Reach.UNIT and not any(is_within(g.unit_path, s) for s in subtrees)}))
    return Scope(subtrees=subtrees, units=singles)

"""Which roles an account holds: its grants (access.RoleGrant) at its own unit.

Creating accounts from the regime's templates and editing an account's roles both come
here, so a grant always has the reach the regime says."""
from baocao import regimes
from baocao.access import policy
from baocao.access.models import RoleGrant


def planned_grants(account, roles, template=None):
    """Unsaved RoleGrants of `roles` for `account` at its unit: the template's reach if it
    sets one, otherwise each role's own."""
    regime = regimes.current()
    return [
        RoleGrant(account=account, role=role, unit_id=account.unit_id, reach=(template.reach if template and template.reach else regime.roles[role].reach))
        for role in roles
    ]


def template_for(account):
    """The regime's account template this account was made from (by its username), if any."""
    for template in regimes.current().account_templates(account.unit.kind):
        if template.username_for(account.unit).lower() == account.username.lower():
            return template
    return None


def set_roles(account, roles):
    """Make the account's grants at its own unit exactly `roles` (an existing grant keeps its
    reach); grants at other units are left alone. Returns (added, removed) role codes."""
    current = {g.role: g for g in RoleGrant.objects.filter(account=account, unit_id=account.unit_id)}
    wanted = set(roles)
    removed = sorted(set(current) - wanted)
    added = [role for role in roles if role not in current]
    RoleGrant.objects.filter(account=account, unit_id=account.unit_id, role__in=removed).delete()
    RoleGrant.objects.bulk_create(planned_grants(account, added, template_for(account)))
    policy.forget(account)
    if hasattr(account, "_prefetched_objects_cache"):
        account._prefetched_objects_cache.pop("grants", None)
    return added, removed


def permissions_of(roles):
    regime = regimes.current()
    return frozenset().union(*(regime.roles[r].permissions for r in roles if r in regime.roles))

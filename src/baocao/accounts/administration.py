"""User administration (QUẢN TRỊ HỆ THỐNG > 29. Quản lý người dùng): the actions an
administrator takes on accounts of its scope. Every action checks scope for every
account it touches and refuses the whole batch if one is outside."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baocao import regimes
from baocao.access import permissions, policy
from baocao.access.paths import prefix_q
from baocao.audit.services import event, record, record_many
from baocao.units.text import fold

from . import grants
from .models import Account, LoginFailure
from .services import default_password_hash, username_key

# The status filter of the user list ("locked" covers both kinds of lock).
STATUSES = {
    "active": gettext_lazy("Đang hoạt động"),
    "locked": gettext_lazy("Bị khóa"),
    "revoked": gettext_lazy("Đã thu hồi"),
    "must_change": gettext_lazy("Chưa đổi mật khẩu mặc định"),
}


def accounts_in_scope(actor):
    """Accounts an administrator manages: those of the units it administers (a subtree: a
    prefix range of the account's own copy of its unit's path, no join: docs/adr/0014)."""
    return Account.objects.filter(policy.scope(actor, permissions.ACCOUNT_ADMINISTER).q(path="unit_path", pk="unit_id"))


def user_groups():
    """The groups an account can be in, for the list's filter: the regime's account
    templates' groups and the role labels (what accounts.services and an approved account
    request give), known without reading the accounts."""
    regime = regimes.current()
    groups = {t.group for templates in regime.accounts_by_kind.values() for t in templates}
    return sorted(groups | set(regime.role_labels.values()))


def is_central(account):
    """An administrator of the whole platform: it may set the parameters."""
    return policy.may_somewhere(account, permissions.PARAMETERS_EDIT)


def search_accounts(actor, *, query="", unit=None, group="", status=""):
    """The administrator's account list, filtered. `query` matches username, display name,
    unit code and unit name, whatever the accents and case, every word somewhere."""
    accounts = accounts_in_scope(actor)
    for word in fold(query).split():
        accounts = accounts.filter(search_text__contains=word)
    if unit is not None:
        accounts = accounts.filter(prefix_q("unit_path", unit.path))
    if group:
        accounts = accounts.filter(user_group=group)
    now = timezone.now()
    if status == "active":
        accounts = accounts.filter(is_active=True, locked_by_admin=False).exclude(locked_until__gt=now)
    elif status == "locked":
        accounts = accounts.filter(is_active=True).filter(Q(locked_by_admin=True) | Q(locked_until__gt=now))
    elif status == "revoked":
        accounts = accounts.filter(is_active=False)
    elif status == "must_change":
        accounts = accounts.filter(must_change_password=True)
    return accounts


def by_status(accounts, now, *, descending=False):
    """`accounts` in the parts of the list's order by status: active, locked out (wrong
    passwords), locked by an administrator, revoked — or the reverse. The three rare ones
    are read from their partial indexes; only the active part is long, and it is walked in
    the list's own order, so a page by status costs a page (paging.Chain)."""
    parts = [
        accounts.filter(is_active=True, locked_by_admin=False).exclude(locked_until__gt=now),
        accounts.filter(is_active=True, locked_by_admin=False, locked_until__gt=now),
        accounts.filter(is_active=True, locked_by_admin=True),
        accounts.filter(is_active=False),
    ]
    return parts[::-1] if descending else parts


def refuse_out_of_scope(actor, accounts, *, action):
    """Raise access.Refused if any account is outside the actor's scope (the whole batch is
    refused; the refusal names the accounts)."""
    outside = [a for a in accounts if not policy.may(actor, permissions.ACCOUNT_ADMINISTER, a.unit)]
    if outside:
        decision = policy.check(actor, permissions.ACCOUNT_ADMINISTER, outside[0].unit)
        raise policy.Refused(decision.reason, unit=outside[0].unit, permission=permissions.ACCOUNT_ADMINISTER,
                             note=f"{action}: {', '.join(a.username for a in outside[:20])}")
    return accounts


def reset_passwords(actor, accounts, *, request=None):
    """Give each account of the queryset the default password, force a change at next login,
    clear lockouts. One transaction; one audit event per account; the whole batch is refused
    (and the refusal audited, outside the transaction) if any account is outside the actor's
    scope. Returns how many were reset."""
    accounts = list(accounts.select_related("unit"))
    refuse_out_of_scope(actor, accounts, action="password.reset")
    password = default_password_hash()
    ids = [a.pk for a in accounts]
    with transaction.atomic():
        for start in range(0, len(ids), 900):
            Account.objects.filter(pk__in=ids[start : start + 900]).update(
                password=password, must_change_password=True, failed_login_count=0, locked_until=None
            )
        record_many(event("password.reset", actor=actor, request=request, unit=a.unit, obj=a) for a in accounts)
    return len(accounts)


def reset_matching(actor, accounts, *, request=None, progress=None, batch=2000):
    """Reset every account of `accounts` (a queryset already within the actor's scope:
    search_accounts) set-based, `batch` accounts per transaction: one UPDATE and one
    multi-row audit INSERT per batch, walking the primary key (keyset), so a national reset
    holds no long transaction and autovacuum can reclaim each batch's old rows as it goes
    (docs/operations.md). `progress(done)` after each batch. Returns how many were reset."""
    from baocao.units.models import Unit

    password = default_password_hash()
    last, done = 0, 0
    while True:
        chunk = list(accounts.filter(pk__gt=last).order_by("pk").values_list("pk", "unit_id", "unit__path")[:batch])
        if not chunk:
            return done
        ids = [pk for pk, _unit, _path in chunk]
        with transaction.atomic():
            Account.objects.filter(pk__in=ids).update(password=password, must_change_password=True, failed_login_count=0, locked_until=None)
            record_many(event("password.reset", actor=actor, request=request, unit=Unit(pk=unit, path=path), obj=Account(pk=pk))
                        for pk, unit, path in chunk)
        last, done = ids[-1], done + len(ids)
        if progress is not None:
            progress(done)


def _central_roles():
    return [code for code, role in regimes.current().roles.items() if permissions.PARAMETERS_EDIT in role.permissions]


def _guard_last_central_admin(account, action):
    if not is_central(account):
        return
    others = Account.objects.filter(is_active=True, locked_by_admin=False, grants__role__in=_central_roles()).exclude(pk=account.pk)
    if not others.exists():
        raise ValidationError(_("Không thể %(action)s quản trị trung ương cuối cùng.") % {"action": action})


def _guard_self_and_last_central_admin(actor, account, action):
    if account.pk == actor.pk:
        raise ValidationError(_("Không thể tự %(action)s tài khoản của chính mình.") % {"action": action})
    _guard_last_central_admin(account, action)


def _require_scope(actor, account, request, action):
    refuse_out_of_scope(actor, [account], action=action)


@transaction.atomic
def lock(actor, account, *, request=None):
    """Lock at once (suspected leak) until an administrator unlocks."""
    _require_scope(actor, account, request, "account.locked")
    _guard_self_and_last_central_admin(actor, account, _("khóa"))
    account.locked_by_admin = True
    account.save(update_fields=["locked_by_admin"])
    record("account.locked", actor=actor, request=request, unit=account.unit, obj=account)


@transaction.atomic
def unlock(actor, account, *, request=None):
    """Clear an administrator's lock and a lockout after wrong passwords."""
    _require_scope(actor, account, request, "account.unlocked")
    before = {"locked_by_admin": account.locked_by_admin, "locked_until": account.locked_until.isoformat() if account.locked_until else None}
    account.locked_by_admin = False
    account.locked_until = None
    account.failed_login_count = 0
    account.save(update_fields=["locked_by_admin", "locked_until", "failed_login_count"])
    LoginFailure.objects.filter(username_key=username_key(account.username)).delete()  # every address it was locked from
    record("account.unlocked", actor=actor, request=request, unit=account.unit, obj=account, before=before)


@transaction.atomic
def revoke(actor, account, *, reason, reference, request=None):
    """Deactivate (thu hồi) with a reason and the request letter's reference; never deleted."""
    _require_scope(actor, account, request, "account.revoked")
    if not reason.strip():
        raise ValidationError(_("Cần nêu lý do thu hồi."))
    _guard_self_and_last_central_admin(actor, account, _("thu hồi"))
    account.is_active = False
    account.revoked_at = timezone.now()
    account.revoked_reason = reason.strip()
    account.revoked_reference = reference.strip()
    account.save(update_fields=["is_active", "revoked_at", "revoked_reason", "revoked_reference"])
    record(
        "account.revoked",
        actor=actor,
        request=request,
        unit=account.unit,
        obj=account,
        after={"reason": account.revoked_reason, "reference": account.revoked_reference},
    )


@transaction.atomic
def reactivate(actor, account, *, request=None):
    _require_scope(actor, account, request, "account.reactivated")
    before = {"reason": account.revoked_reason, "reference": account.revoked_reference}
    account.is_active = True
    account.revoked_at = None
    account.save(update_fields=["is_active", "revoked_at"])
    record("account.reactivated", actor=actor, request=request, unit=account.unit, obj=account, before=before)


def require_may_grant(actor, roles):
    """Refuse (ValidationError) to grant a role carrying a permission the actor does not hold
    itself (docs/security.md); the platform itself (actor None) grants any."""
    if actor is None:
        return
    regime = regimes.current()
    mine = frozenset().union(*(g.permissions for g in policy.grants_of(actor)))
    beyond = [regime.roles[r].label for r in roles if r in regime.roles and not regime.roles[r].permissions <= mine]
    if beyond:
        raise ValidationError(_("Bạn không được cấp vai trò có quyền vượt quá quyền của mình: %(roles)s.") % {"roles": ", ".join(beyond)})


def update_account(actor, account, *, display_name, roles, request=None):
    """Change the display name and the roles held at the account's unit. No one grants a
    role carrying a permission they do not hold themselves, removes the last central
    administrator's role, or removes their own administration roles."""
    _require_scope(actor, account, request, "account.updated")
    regime = regimes.current()
    roles = [r for r in regime.roles if r in set(roles)]
    if not roles:
        raise ValidationError(_("Tài khoản phải có ít nhất một vai trò."))
    before_roles = list(account.roles)
    require_may_grant(actor, [r for r in roles if r not in before_roles])
    admin_roles = {r for r in before_roles if regime.roles[r].permissions & set(permissions.ADMINISTRATION)}
    if account.pk == actor.pk and not set(roles) >= admin_roles:
        raise ValidationError(_("Không thể tự bỏ vai trò quản trị của chính mình."))
    if set(before_roles) & set(_central_roles()) - set(roles):
        _guard_self_and_last_central_admin(actor, account, _("bỏ vai trò của"))
    before = {"display_name": account.display_name, "roles": before_roles}
    with transaction.atomic():
        account.display_name = display_name.strip()[:300]
        account.full_clean(exclude=["password", "unit"])
        account.save()
        grants.set_roles(account, roles)
        after = {"display_name": account.display_name, "roles": list(account.roles)}
        if after != before:
            record("account.updated", actor=actor, request=request, unit=account.unit, obj=account, before=before, after=after)

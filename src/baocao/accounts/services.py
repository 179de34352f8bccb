"""Account actions. Views, commands and tests all call these."""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from baocao import parameters, regimes
from baocao.access.models import RoleGrant
from baocao.audit.services import client_ip, event, record, record_many, record_read
from baocao.dbtext import iexact
from baocao.units import tree
from baocao.units.text import clean_text

from . import grants
from .models import Account, LoginFailure, search_text_for


class UnitRetired(Exception):
    """The password was right, but the account's unit was merged into another (or split, or
    dissolved) and its accounts revoked: the person is told where its work went. Raised only
    after the password is checked, so it tells nothing to someone who does not know it."""

    def __init__(self, unit):
        super().__init__(unit.code)
        self.unit = unit
        self.successors = list(tree.successors_of(unit))
        self.usernames = list(Account.objects.filter(unit__in=self.successors, is_active=True).order_by("username")
                              .values_list("username", flat=True)[:10])


class LoginLocked(Exception):
    """Logins with this username from this address (or from this address at all) are
    refused until `until`; no password was checked."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


def username_key(username):
    return clean_text(username or "").strip().casefold()[:150]


def lock_of(request, username, now=None):
    """When the lock on `username` from the request's address ends, or None if there is none.

    Two locks, both counted from LoginFailure rows within the last lockout_minutes: the
    username tried from this address lockout_threshold times (the account itself stays open
    from every other address), and this address failing login_address_limit times over
    any usernames."""
    now = now or timezone.now()
    policy = parameters.current()
    window = now - timedelta(minutes=policy.lockout_minutes)
    ip = client_ip(request)
    recent = LoginFailure.objects.filter(ip=ip, at__gte=window)
    ends = []
    mine = list(recent.filter(username_key=username_key(username)).order_by("-at").values_list("at", flat=True)[: policy.lockout_threshold])
    if len(mine) >= policy.lockout_threshold:
        ends.append(mine[-1] + timedelta(minutes=policy.lockout_minutes))
    limit = settings.BAOCAO_LOGIN_ADDRESS_LIMIT
    if limit:
        address = list(recent.order_by("-at").values_list("at", flat=True)[:limit])
        if len(address) >= limit:
            ends.append(address[-1] + timedelta(minutes=policy.lockout_minutes))
    until = max(ends) if ends else None
    return until if until is not None and until > now else None


def note_failure(request, username, account=None, *, now=None, reason="wrong password"):
    """Count one failure of `username` from the request's address, with its audit event;
    at the threshold, the lockout's audit event too. Returns the lock's end if this failure
    started one."""
    now = now or timezone.now()
    with transaction.atomic():
        return _note_failure(request, username, account, now, reason)


def _note_failure(request, username, account, now, reason):
    LoginFailure.objects.create(at=now, ip=client_ip(request), username_key=username_key(username))
    # Rows older than a day count for nothing: forget them as we go.
    LoginFailure.objects.filter(at__lt=now - timedelta(days=1)).delete()
    unit = account.unit if account is not None else None
    record("login.failure", request=request, actor=account, unit=unit, username=username, note=reason)
    until = lock_of(request, username, now)
    if account is not None:
        Account.objects.filter(pk=account.pk).update(failed_login_count=F("failed_login_count") + 1)
    if until is not None:
        if account is not None:
            # Shown in the user list (Tạm khóa); the lock itself is on the failing addresses.
            Account.objects.filter(pk=account.pk).update(locked_until=until)
        record("account.locked_out", request=request, actor=account, unit=unit, obj=account, username=username,
               after={"locked_until": until.isoformat(), "address": client_ip(request)},
               note=f"{parameters.current().lockout_threshold} failed attempts from {client_ip(request)}")
    return until


def attempt_login(request, username, password):
    """Check a username and password; return the account, or None for any failure.

    Raises LoginLocked, without checking the password (no Argon2 work for an attacker to
    spend), when this username has failed lockout_threshold times from this address within
    lockout_minutes, or this address has failed login_address_limit times; the same for
    unknown usernames, so a lockout says nothing about which accounts exist. The caller
    shows one message for every other failure.
    """
    username = clean_text(username or "").strip()
    now = timezone.now()
    until = lock_of(request, username, now)
    if until is not None:
        record_read("login.failure", request=request, username=username, note="locked out (address)")
        raise LoginLocked(until)
    account = Account.objects.select_related("unit").filter(iexact("username", username)).first()  # the LOWER() unique index
    if account is None:
        make_password(password)  # same cost as a real check: no timing oracle for unknown names
        until = note_failure(request, username, now=now, reason="unknown username")
        if until is not None:
            raise LoginLocked(until)
        return None
    password_ok = account.check_password(password)
    if not account.is_active or account.is_locked(now):
        reason = "revoked" if not account.is_active else "locked"
        record_read("login.failure", request=request, actor=account, unit=account.unit, note=reason)
        if password_ok and not account.is_active and account.unit.status == "retired":
            raise UnitRetired(account.unit)
        return None
    if password_ok:
        with transaction.atomic():
            Account.objects.filter(pk=account.pk).update(failed_login_count=0, last_login=now)
            LoginFailure.objects.filter(username_key=username_key(username), ip=client_ip(request)).delete()
            record("login.success", request=request, actor=account, unit=account.unit)
        account.failed_login_count, account.last_login = 0, now
        return account
    until = note_failure(request, username, account, now=now)
    if until is not None:
        raise LoginLocked(until)
    return None


def change_password(account, new_password, *, request=None):
    """Set a new password that passes the policy; raises ValidationError listing every reason."""
    password_validation.validate_password(new_password, account)
    account.set_password(new_password)
    account.must_change_password = False
    account.password_changed_at = timezone.now()
    with transaction.atomic():
        account.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record("password.changed", request=request, actor=account, unit=account.unit, obj=account)


def default_password_hash():
    """One Argon2 hash of the default password, shared by every account that gets it in one
    batch: the password is the same known text for all of them, so one hash is as strong as
    many, and hashing once per account would take an hour for 10,000 accounts."""
    return make_password(parameters.current().default_password)


def planned_accounts(units):
    """(unit, template, username) for every account the regime says these units should have."""
    regime = regimes.current()
    for unit in units:
        for template in regime.account_templates(unit.kind):
            yield unit, template, template.username_for(unit)


@transaction.atomic
def create_missing_accounts(actor, units, *, request=None):
    """Create the regime's accounts that do not exist yet for `units`, with the default password
    and a forced change at first login. Idempotent; returns the accounts created."""
    planned = list(planned_accounts(units))
    if not planned:
        return []
    existing = set()
    wanted = [username.lower() for _, _, username in planned]
    for start in range(0, len(wanted), 900):  # stay under SQLite's bound-parameter limit
        # lower(username) is what the unique index is built on, so this lookup uses it.
        query = Account.objects.alias(key=Lower("username")).filter(key__in=wanted[start : start + 900])
        existing.update(u.lower() for u in query.values_list("username", flat=True))
    password = default_password_hash()
    new_accounts, templates = [], []
    for unit, template, username in planned:
        if username.lower() in existing:
            continue
        existing.add(username.lower())
        account = Account(
            username=username,
            display_name=template.display_name_for(unit)[:300],
            unit=unit,
            user_group=template.group,
            password=password,
            must_change_password=True,
        )
        account.search_text = search_text_for(account, unit)
        new_accounts.append(account)
        templates.append(template)
    # Both databases return the new primary keys from a bulk insert.
    created = Account.objects.bulk_create(new_accounts, batch_size=1000)
    RoleGrant.objects.bulk_create(
        [g for account, template in zip(created, templates) for g in grants.planned_grants(account, template.roles, template)], batch_size=1000
    )
    record_many(
        event("account.created", actor=actor, request=request, unit=a.unit, obj=a, after={"username": a.username, "roles": list(t.roles)})
        for a, t in zip(created, templates)
    )
    return created


def refresh_search_text(unit_ids):
    """Recompute the search text of the accounts of renamed units."""
    accounts = list(Account.objects.filter(unit_id__in=list(unit_ids)).select_related("unit"))
    for account in accounts:
        account.search_text = search_text_for(account, account.unit)
    Account.objects.bulk_update(accounts, ["search_text"], batch_size=1000)


def deactivate_accounts_of(unit_ids, reorganisation):
    """Thu hồi the active accounts of retired units, citing the decision (in the caller's
    transaction), one audit event each."""
    accounts = list(Account.objects.filter(unit_id__in=list(unit_ids), is_active=True).select_related("unit"))
    reference = " ".join(p for p in (reorganisation.decision_number, reorganisation.decision_issuer) if p)[:200]
    reason = str(reorganisation.get_operation_display())
    now = timezone.now()
    Account.objects.filter(pk__in=[a.pk for a in accounts]).update(is_active=False, revoked_at=now, revoked_reason=reason, revoked_reference=reference)
    record_many(event("account.revoked", actor=reorganisation.actor, unit=a.unit, obj=a, after={"reason": reason, "reference": reference})
                for a in accounts)
    return len(accounts)

"""Account actions. Views, commands and tests all call these."""
from datetime import timedelta

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from baocao import parameters, regimes
from baocao.access.models import RoleGrant
from baocao.audit.services import event, record, record_many

from . import grants
from .models import Account, search_text_for


def attempt_login(request, username, password):
    """Check a username and password; return the account, or None for any failure.

    Counts consecutive failures and locks the account for the parameter lockout_minutes
    after lockout_threshold of them (THIẾT LẬP THÔNG SỐ; defaults from the environment).
    The caller shows one message whatever the reason.
    """
    username = (username or "").strip()
    now = timezone.now()
    with transaction.atomic():
        account = Account.objects.select_for_update().select_related("unit").filter(username__iexact=username).first()
        if account is None:
            make_password(password)  # same cost as a real check: no timing oracle for unknown names
            record("login.failure", request=request, username=username, note="unknown username")
            return None
        password_ok = account.check_password(password)
        if not account.is_active or account.is_locked(now):
            reason = "revoked" if not account.is_active else "locked"
            record("login.failure", request=request, actor=account, unit=account.unit, note=reason)
            return None
        if password_ok:
            Account.objects.filter(pk=account.pk).update(failed_login_count=0, locked_until=None, last_login=now)
            account.failed_login_count, account.locked_until, account.last_login = 0, None, now
            record("login.success", request=request, actor=account, unit=account.unit)
            return account
        failures = account.failed_login_count + 1
        record("login.failure", request=request, actor=account, unit=account.unit, note="wrong password")
        policy = parameters.current()
        if failures >= policy.lockout_threshold:
            until = now + timedelta(minutes=policy.lockout_minutes)
            Account.objects.filter(pk=account.pk).update(failed_login_count=0, locked_until=until)
            record(
                "account.locked_out",
                request=request,
                actor=account,
                unit=account.unit,
                obj=account,
                after={"locked_until": until.isoformat()},
                note=f"{failures} failed attempts",
            )
        else:
            Account.objects.filter(pk=account.pk).update(failed_login_count=F("failed_login_count") + 1)
        return None


def change_password(account, new_password, *, request=None):
    """Set a new password that passes the policy; raises ValidationError listing every reason."""
    password_validation.validate_password(new_password, account)
    account.set_password(new_password)
    account.must_change_password = False
    account.password_changed_at = timezone.now()
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

"""Two-factor sign-in (xác thực hai bước): who needs it, enrolment, verification, recovery
codes and reset. Each action is atomic and writes its audit event in the same transaction
(docs/adr/0015, docs/security.md).

A failed code counts toward the platform's login limits twice over:

- as a login failure of the username from the client's address (`accounts.services.note_failure`:
  the `LoginFailure` row, the audited `login.failure` with the reason, the lockout of that
  address at the threshold), exactly as a wrong password;
- as a failure of the account's second step (`Failure`), whatever the address: at
  `lockout_threshold` failures within `lockout_minutes` the second step is refused for that
  account until they age out. A correct password does not clear these (it clears the
  address's password failures), so knowing the password does not buy endless guesses of the
  six digits. Only someone who knows the password reaches the second step, so this lock on
  the account is no way for a stranger to keep a unit out.
"""
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import parameters
from baocao.access import permissions, policy
from baocao.accounts.services import lock_of, note_failure
from baocao.audit.services import record

from .models import Authenticator, Failure, RecoveryCode

STEP_SECONDS = 30  # RFC 6238's time step, what every authenticator app uses
DRIFT_STEPS = 1  # a code of the previous or next step is accepted too (clocks drift)
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# 16 characters of 31 (no 0/o, 1/l/i look-alikes): about 79 bits each.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 16
SESSION_KEY = "mfa_verified"

# Outcomes of a verification.
OK, WRONG, REPLAYED, LOCKED = "ok", "wrong", "replayed", "locked"
# What an account's session still needs.
NOTHING, ENROL, VERIFY = "nothing", "enrol", "verify"


@dataclass(frozen=True)
class Outcome:
    result: str
    until: object = None  # the end of the lock, when LOCKED

    @property
    def ok(self):
        return self.result == OK

    @property
    def message(self):
        return {
            WRONG: _("Mã xác thực không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực trên điện thoại."),
            REPLAYED: _("Mã xác thực này đã được dùng. Hãy chờ ứng dụng hiện mã mới rồi nhập mã mới."),
        }.get(self.result, "")


# --- who needs it ----------------------------------------------------------------------------


def required_for(account, effective=None):
    """Whether the account must sign in with a second factor: it holds a role the central
    administrator (THIẾT LẬP THÔNG SỐ) or the regime requires it for."""
    effective = effective or parameters.current()
    required = set(effective.two_factor_roles)
    return bool(required) and any(g.role in required for g in policy.grants_of(account))


def may_enrol(account, effective=None):
    """Administrators (account, unit, period or parameter administration) may enrol even when
    nobody requires it; so may anyone it is required for."""
    return any(policy.may_somewhere(account, p) for p in permissions.TWO_FACTOR) or required_for(account, effective)


def confirmed_authenticator(account):
    return Authenticator.objects.filter(account=account, confirmed_at__isnull=False).first()


def pending(request):
    """What the logged-in account's session still needs: NOTHING, ENROL or VERIFY.

    Once enrolled, an account always verifies, required or not. One query for an
    administrator, none for anyone else (the grants and parameters are read already)."""
    user = request.user
    if not user.is_authenticated:
        return NOTHING
    cached = getattr(request, "_mfa_pending", None)
    if cached is not None:
        return cached
    effective = parameters.for_request(request)
    required = required_for(user, effective)
    state = NOTHING
    if required or may_enrol(user, effective):
        authenticator = confirmed_authenticator(user)
        if authenticator is not None:
            state = NOTHING if request.session.get(SESSION_KEY) == _marker(authenticator) else VERIFY
        elif required:
            state = ENROL
    request._mfa_pending = state
    return state


def _marker(authenticator):
    """What a verified session keeps: this enrolment, not a later one (after a reset, SQLite may
    give the new authenticator the id of the deleted one; its confirmation time differs)."""
    return f"{authenticator.pk}:{authenticator.confirmed_at.timestamp()}"


def mark_verified(request, authenticator):
    """This session has passed the second step (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = _marker(authenticator)
    request._mfa_pending = NOTHING


# --- codes -------------------------------------------------------------------------------------


def new_secret():
    return pyotp.random_base32(32)  # 160 bits, RFC 4226's recommendation


def provisioning_uri(authenticator, issuer):
    return pyotp.TOTP(authenticator.secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=authenticator.account.username, issuer_name=issuer
    )


def time_step(now=None):
    return int((now or timezone.now()).timestamp()) // STEP_SECONDS


def code_at(secret, step):
    """The code an authenticator app shows during time step `step`."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def _matching_steps(secret, code, now):
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
        return []
    current = time_step(now)
    return [s for s in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1) if hmac.compare_digest(code_at(secret, s), code)]


def normalise_recovery_code(code):
    return re.sub(r"[\s\-]", "", (code or "").lower())


def hash_recovery_code(code):
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def _new_recovery_codes():
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH)) for _j in range(RECOVERY_CODE_COUNT)]
    return ["-".join(code[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


# --- failures and locks ------------------------------------------------------------------------


def lock_until(request, account, now=None):
    """When the second step of `account` opens again, or None: the address's login lock on
    the username (accounts.services.lock_of), or lockout_threshold second-step failures of
    the account within lockout_minutes from any address."""
    now = now or timezone.now()
    ends = [lock_of(request, account.username, now)]
    effective = parameters.current()
    window = now - timedelta(minutes=effective.lockout_minutes)
    recent = list(
        Failure.objects.filter(account=account, at__gte=window).order_by("-at").values_list("at", flat=True)[: effective.lockout_threshold]
    )
    if len(recent) >= effective.lockout_threshold:
        ends.append(recent[-1] + timedelta(minutes=effective.lockout_minutes))
    ends = [end for end in ends if end is not None and end > now]
    return max(ends) if ends else None


def _failed(request, account, reason, now):
    """One failed code: counted for the address (with its `login.failure` audit event and the
    lockout's) and for the account's second step. Returns the lock's end if there is one now."""
    Failure.objects.create(account=account, at=now, ip=request.META.get("REMOTE_ADDR") or None)
    Failure.objects.filter(at__lt=now - timedelta(days=1)).delete()
    note_failure(request, account.username, account, now=now, reason=reason)
    return lock_until(request, account, now)


# --- enrolment ---------------------------------------------------------------------------------


def begin_enrolment(account):
    """The account's unconfirmed authenticator (a new secret the first time). Refused if the
    account is enrolled already."""
    existing = Authenticator.objects.filter(account=account).first()
    if existing is not None:
        if existing.confirmed:
            raise ValidationError(_("Tài khoản này đã đăng ký xác thực hai bước."))
        return existing
    try:
        with transaction.atomic():
            return Authenticator.objects.create(account=account, secret=new_secret())
    except IntegrityError:  # the same person's other tab created it a moment ago
        return Authenticator.objects.get(account=account)


def confirm_enrolment(request, account, code, *, now=None):
    """Confirm the pending authenticator with a code from the app. Returns (Outcome, recovery
    codes): the ten codes, in clear this once, when it succeeded; their hashes are kept."""
    now = now or timezone.now()
    until = lock_until(request, account, now)
    if until is not None:
        return Outcome(LOCKED, until), []
    with transaction.atomic():
        authenticator = Authenticator.objects.select_for_update().filter(account=account).first()
        if authenticator is None or authenticator.confirmed:
            raise ValidationError(_("Không có đăng ký xác thực hai bước nào đang chờ xác nhận; hãy tải lại trang."))
        steps = _matching_steps(authenticator.secret, code, now)
        if not steps:
            until = _failed(request, account, "second factor: wrong code at enrolment", now)
            return Outcome(LOCKED if until else WRONG, until), []
        authenticator.confirmed_at = authenticator.last_used_at = now
        authenticator.last_step = max(steps)
        authenticator.save(update_fields=["confirmed_at", "last_step", "last_used_at"])
        codes = _replace_recovery_codes(account)
        Failure.objects.filter(account=account).delete()
        record("mfa.enrolled", request=request, actor=account, unit=account.unit, obj=account,
               after={"recovery_codes": len(codes)})
    mark_verified(request, authenticator)
    return Outcome(OK), codes


def _replace_recovery_codes(account):
    codes = _new_recovery_codes()
    RecoveryCode.objects.filter(account=account).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(account=account, code_hash=hash_recovery_code(c)) for c in codes)
    return codes


# --- signing in --------------------------------------------------------------------------------


def _enrolled(account):
    """The account's confirmed authenticator, locked (ValidationError if it has none)."""
    authenticator = Authenticator.objects.select_for_update().filter(account=account, confirmed_at__isnull=False).first()
    if authenticator is None:
        raise ValidationError(_("Tài khoản này chưa đăng ký xác thực hai bước."))
    return authenticator


def verify(request, account, code, *, now=None):
    """Check a code from the app at sign-in. A code of a time step already used (or earlier)
    is a replay and is refused like a wrong one."""
    now = now or timezone.now()
    until = lock_until(request, account, now)
    if until is not None:
        return Outcome(LOCKED, until)
    with transaction.atomic():
        authenticator = _enrolled(account)
        steps = _matching_steps(authenticator.secret, code, now)
        fresh = [s for s in steps if authenticator.last_step is None or s > authenticator.last_step]
        if not fresh:
            result = REPLAYED if steps else WRONG
            until = _failed(request, account, f"second factor: {'replayed' if steps else 'wrong'} code", now)
            return Outcome(LOCKED if until else result, until)
        authenticator.last_step = max(fresh)
        authenticator.last_used_at = now
        authenticator.save(update_fields=["last_step", "last_used_at"])
        Failure.objects.filter(account=account).delete()
        record("mfa.verified", request=request, actor=account, unit=account.unit)
    mark_verified(request, authenticator)
    return Outcome(OK)


def use_recovery_code(request, account, code, *, now=None):
    """Sign in with one of the recovery codes instead of a code from the app: it is spent."""
    now = now or timezone.now()
    until = lock_until(request, account, now)
    if until is not None:
        return Outcome(LOCKED, until)
    with transaction.atomic():
        authenticator = _enrolled(account)
        spent = RecoveryCode.objects.filter(account=account, code_hash=hash_recovery_code(code), used_at__isnull=True).update(used_at=now)
        if not spent:
            until = _failed(request, account, "second factor: wrong or used recovery code", now)
            return Outcome(LOCKED if until else WRONG, until)
        authenticator.last_used_at = now
        authenticator.save(update_fields=["last_used_at"])
        Failure.objects.filter(account=account).delete()
        left = remaining_recovery_codes(account)
        record("mfa.recovery_code_used", request=request, actor=account, unit=account.unit, obj=account, after={"remaining": left})
    mark_verified(request, authenticator)
    return Outcome(OK)


def remaining_recovery_codes(account):
    return RecoveryCode.objects.filter(account=account, used_at__isnull=True).count()


def new_recovery_codes(request, account):
    """Ten fresh recovery codes for the account (the old ones stop working); from a session
    that has passed the second step."""
    if pending(request) != NOTHING or confirmed_authenticator(account) is None:
        raise ValidationError(_("Hãy đăng ký và xác thực hai bước trước."))
    with transaction.atomic():
        codes = _replace_recovery_codes(account)
        record("mfa.recovery_codes_renewed", request=request, actor=account, unit=account.unit, obj=account,
               after={"recovery_codes": len(codes)})
    return codes


# --- reset -------------------------------------------------------------------------------------


def reset(actor, account, *, request=None, note=""):
    """Đặt lại xác thực hai bước: the account's authenticator and recovery codes are removed;
    at its next request (sessions already open included) it enrols again if required.

    Only the central administrator (parameters administration, and the account in its
    scope), and never on their own account: a stolen session must not be able to swap the
    second factor for the thief's. `actor` None is the operator's command line."""
    if actor is not None:
        policy.require(actor, permissions.PARAMETERS_EDIT, label=_("đặt lại xác thực hai bước"))
        policy.require(actor, permissions.ACCOUNT_ADMINISTER, account.unit)
        if actor.pk == account.pk:
            raise ValidationError(_("Không thể tự đặt lại xác thực hai bước của chính mình; hãy nhờ một quản trị trung ương khác."))
    with transaction.atomic():
        authenticator = Authenticator.objects.select_for_update().filter(account=account).first()
        if authenticator is None:
            raise ValidationError(_("Tài khoản này chưa đăng ký xác thực hai bước."))
        before = {"enrolled": authenticator.confirmed, "recovery_codes": remaining_recovery_codes(account)}
        RecoveryCode.objects.filter(account=account).delete()
        Failure.objects.filter(account=account).delete()
        authenticator.delete()
        record("mfa.reset", request=request, actor=actor, unit=account.unit, obj=account, before=before,
               username="" if actor is not None else "(command line)", note=note)

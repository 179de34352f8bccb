"""Reading and changing the parameters. Every reader goes through `current()`.
The holiday calendar: adding and removing the days a deadline may not fall on."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access import permissions, policy
from baocao.audit.services import record

from .models import Holiday, Parameters
from .signals import holidays_changed

FIRST_YEAR, LAST_YEAR = 1990, 2100

# Parameter -> where its default comes from when the field is blank.
SETTINGS_DEFAULTS = {
    "password_min_length": "BAOCAO_PASSWORD_MIN_LENGTH",
    "lockout_threshold": "BAOCAO_LOCKOUT_THRESHOLD",
    "lockout_minutes": "BAOCAO_LOCKOUT_MINUTES",
    "session_idle_minutes": "BAOCAO_SESSION_IDLE_MINUTES",
}
SECRET_FIELDS = {"default_password"}


@dataclass(frozen=True)
class Effective:
    """The values in force: the stored parameter, or its default."""

    site_title: str
    default_password: str
    password_min_length: int
    lockout_threshold: int
    lockout_minutes: int
    session_idle_minutes: int
    account_admin_unit: str
    business_support_name: str
    business_support_phone: str
    technical_support_name: str
    technical_support_phone: str
    # Role codes whose accounts must sign in with a second factor (chosen here, or the
    # regime's own requirement): docs/adr/0015.
    two_factor_roles: tuple = ()


def stored():
    return Parameters.objects.filter(pk=1).first() or Parameters()


def current():
    """The parameters in force, read from the database each time (no process-local state)."""
    row = stored()
    regime = regimes.current()
    values = {}
    for field in Effective.__dataclass_fields__:
        value = getattr(row, field)
        if field == "two_factor_roles":
            values[field] = tuple(sorted(set(value or ()) | set(regime.two_factor_roles)))
            continue
        if value in (None, ""):
            if field in SETTINGS_DEFAULTS:
                value = getattr(settings, SETTINGS_DEFAULTS[field])
            elif field == "default_password":
                value = regime.default_password
            elif field == "site_title":
                value = regime.title
            else:
                value = regime.support.get(field, "")
        values[field] = value
    return Effective(**values)


def two_factor_role_choices():
    """(code, label) of the regime's roles that may be required to sign in with a second
    factor: those carrying account, unit, period or parameter administration."""
    return [
        (code, role.label)
        for code, role in regimes.current().roles.items()
        if role.permissions & set(permissions.TWO_FACTOR)
    ]


def default_password_problems(password, min_length):
    """Policy failures of a candidate default password (other than being the default)."""
    validators = [v for v in password_validation.get_default_password_validators() if not getattr(v, "about_default_password", False)]
    problems = []
    for validator in validators:
        if hasattr(validator, "_min_length"):
            validator = type(validator)(min_length)
        try:
            validator.validate(password, None)
        except ValidationError as error:
            problems.extend(error.messages)
    return problems


def update_parameters(actor, changes, *, request=None):
    """Save changed parameters and audit each change (the default password masked)."""
    row = stored()
    before, after = {}, {}
    for field, value in changes.items():
        old = getattr(row, field)
        if old != value:
            masked = field in SECRET_FIELDS
            before[field] = "***" if masked and old else old
            after[field] = "***" if masked and value else value
            setattr(row, field, value)
    if after:
        row.full_clean()
        with transaction.atomic():
            row.save()
            record("parameters.changed", actor=actor, request=request, obj=row, before=before, after=after)
    return after


# --- the holiday calendar ----------------------------------------------------------------


def _duplicate(day):
    existing = Holiday.objects.filter(day=day).first()
    return _("Ngày %(d)s đã có trong lịch nghỉ (%(name)s).") % {"d": day.strftime("%d/%m/%Y"), "name": existing.name if existing else ""}


def add_holiday(actor, day, name, *, request=None):
    """Declare `day` a holiday: a deadline falling on it moves to the next working day. The
    deadlines of periods not yet closed follow in the same transaction (holidays_changed)."""
    policy.require(actor, permissions.PARAMETERS_EDIT)
    name = (name or "").strip()
    max_length = Holiday._meta.get_field("name").max_length
    errors = []
    if not (FIRST_YEAR <= day.year <= LAST_YEAR):
        errors.append(_("Năm phải từ %(a)d đến %(b)d.") % {"a": FIRST_YEAR, "b": LAST_YEAR})
    if not name:
        errors.append(_("Cần nhập tên ngày nghỉ."))
    elif len(name) > max_length:
        errors.append(_("Tên ngày nghỉ dài quá %(n)d ký tự.") % {"n": max_length})
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if Holiday.objects.filter(day=day).exists():
                raise ValidationError(_duplicate(day))
            holiday = Holiday.objects.create(day=day, name=name)
            record("parameters.holiday_added", actor=actor, request=request, obj=holiday, after={"day": day.isoformat(), "name": name})
            holidays_changed.send(sender=Holiday, days=[day])
    except IntegrityError:  # the same day added at the same moment by someone else
        raise ValidationError(_duplicate(day)) from None
    return holiday


def remove_holiday(actor, holiday, *, request=None):
    """Take `holiday` off the calendar; the deadlines of periods not yet closed follow."""
    policy.require(actor, permissions.PARAMETERS_EDIT)
    with transaction.atomic():
        before = {"day": holiday.day.isoformat(), "name": holiday.name}
        deleted, _rows = Holiday.objects.filter(pk=holiday.pk).delete()
        if not deleted:
            raise ValidationError(_("Ngày nghỉ này đã được xóa trước đó."))
        record("parameters.holiday_removed", actor=actor, request=request, obj=holiday, before=before)
        holidays_changed.send(sender=Holiday, days=[holiday.day])

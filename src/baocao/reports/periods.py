"""Kỳ báo cáo: creating, opening, closing and locking periods, their deadlines, extensions,
and the obligations a period creates when it opens (docs/adr/0002).

Every action checks the actor's permission through the access policy, runs in one
transaction with its audit event, asks period_rules whether the period accepts it under the
period's lock, and locks the period row before its reports (docs/concurrency.md).
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.access.paths import prefix_q
from baocao.audit.services import record
from baocao.formdefs.models import FormAssignment, FormDefinition
from baocao.parameters.models import Holiday
from baocao.units import tree
from baocao.units.models import Unit, UnitStatus

from . import ancestry, exemptions, ledger, period_rules, workflow
from .models import Extension, FormDuty, Period, PeriodForm, PeriodStatus, PeriodTree, Report, ReportEvent
from .period_rules import Change

# --- the calendar ------------------------------------------------------------------------


def holidays_between(start, end):
    return set(Holiday.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))


def next_working_day(day, holidays=None):
    """`day` itself if it is a working day, else the first working day after it: Saturday,
    Sunday and the holidays of THIẾT LẬP THÔNG SỐ are not (TT 03/2019 Art. 6.2.b)."""
    holidays = holidays_between(day, day + timedelta(days=60)) if holidays is None else holidays
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def end_of(day):
    """The last moment of a day, local time: a deadline day is whole."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59, 999999)))


def due_moment(deadline):
    return end_of(next_working_day(deadline))


# --- periods -----------------------------------------------------------------------------


def _period_type(kind):
    try:
        return regimes.current().period_types[kind]
    except KeyError:
        raise ValidationError(_("Loại kỳ báo cáo không hợp lệ.")) from None


def _check_dates(data_from, data_to, deadline, *, moment):
    errors = []
    if data_from > data_to:
        errors.append(_("Ngày bắt đầu số liệu phải trước ngày kết thúc."))
    if deadline < data_to:
        errors.append(_("Hạn báo cáo không được trước ngày kết thúc số liệu (%(d)s).") % {"d": data_to.strftime("%d/%m/%Y")})
    if moment and data_from != data_to:
        errors.append(_("Kỳ kiểm kê là một thời điểm: ngày bắt đầu và kết thúc phải trùng nhau."))
    if errors:
        raise ValidationError(errors)


def create_period(actor, *, kind, year, code="", name="", deadline=None, data_from=None, data_to=None, request=None):
    """A new period (Chưa mở) of a regime period type; dates default to the type's."""
    policy.require(actor, permissions.PERIOD_MANAGE)
    regime = regimes.current()
    period_type = _period_type(kind)
    if not (1990 <= year <= 2100):
        raise ValidationError(_("Năm phải từ 1990 đến 2100."))
    default_from, default_to, default_deadline = period_type.dates_for(year)
    data_from, data_to = data_from or default_from, data_to or default_to
    deadline = deadline or default_deadline
    _check_dates(data_from, data_to, deadline, moment=period_type.moment)
    code = (code or f"{kind}_{year}").strip()[:40]
    name = (name or period_type.name_for(year)).strip()[:200]
    with transaction.atomic():
        if Period.objects.filter(regime=regime.key, code__iexact=code).exists():
            raise ValidationError(_("Đã có kỳ báo cáo mã %(code)s.") % {"code": code})
        period = Period.objects.create(
            regime=regime.key, code=code, name=name, kind=kind, data_from=data_from, data_to=data_to,
            deadline=deadline, due_at=due_moment(deadline),
        )
        record("period.created", actor=actor, request=request, obj=period,
               after={"code": code, "name": name, "deadline": deadline.isoformat(), "due_at": period.due_at.isoformat()})
    return period


def _locked(period, *, exclusive=False):
    """The period row, locked, after the period's advisory lock (shared for a change of its
    reports, exclusive for a change of its status, deadlines or counts)."""
    period_rules.hold(period.pk, exclusive=exclusive)
    return Period.objects.select_for_update().get(pk=period.pk)


def update_period(actor, period, *, name, deadline, data_from=None, data_to=None, request=None):
    """Rename, or move the deadline (every report's own deadline follows, extensions kept).
    The data range can change only before the period opens."""
    policy.require(actor, permissions.PERIOD_MANAGE)
    with transaction.atomic():
        period = _locked(period, exclusive=True)
        period_rules.require(period, Change.SCHEDULE)
        if period.status != PeriodStatus.DRAFT and ((data_from and data_from != period.data_from) or (data_to and data_to != period.data_to)):
            raise ValidationError(_("Kỳ báo cáo đã mở: không đổi được khoảng thời gian số liệu."))
        data_from, data_to = data_from or period.data_from, data_to or period.data_to
        _check_dates(data_from, data_to, deadline, moment=period.is_moment)
        before = {"name": period.name, "deadline": period.deadline.isoformat(), "data_from": period.data_from.isoformat(), "data_to": period.data_to.isoformat()}
        period.name, period.deadline, period.data_from, period.data_to = name.strip()[:200] or period.name, deadline, data_from, data_to
        period.due_at = due_moment(deadline)
        period.save()
        recompute_due(period)
        after = {"name": period.name, "deadline": period.deadline.isoformat(), "data_from": period.data_from.isoformat(), "data_to": period.data_to.isoformat()}
        if after != before:
            record("period.updated", actor=actor, request=request, obj=period, before=before, after=after)
    return period


def recompute_due(period):
    """Each report's deadline: the period's, or the latest extension covering its unit; the
    progress counters follow (a report sent late may now be within its deadline)."""
    Report.objects.filter(period=period).update(due_at=period.due_at)
    for extension in period.extensions.select_related("unit").order_by("due_at"):
        _apply_extension(period, extension)
    ledger.rebuild_progress(period)


def refresh_deadlines():
    """After the holiday calendar changed: the deadlines of periods not yet closed."""
    for period in Period.objects.filter(status__in=[PeriodStatus.DRAFT, PeriodStatus.OPEN]):
        with transaction.atomic():
            period = _locked(period, exclusive=True)
            if not period_rules.accepts(period, Change.SCHEDULE):
                continue
            due = due_moment(period.deadline)
            if due != period.due_at:
                period.due_at = due
                period.save(update_fields=["due_at"])
                recompute_due(period)


@dataclass
class OpenSummary:
    reports: int = 0
    forms: dict = field(default_factory=dict)  # form code -> version used
    missing_forms: list = field(default_factory=list)  # assigned but not loaded


def _period_forms(period, codes):
    """{code: FormDefinition} the period uses, fixing the current version of any form not yet fixed."""
    fixed = {pf.form_code: pf.definition for pf in PeriodForm.objects.filter(period=period).select_related("definition")}
    missing = []
    new = []
    for code in codes:
        if code in fixed:
            continue
        try:
            definition = FormDefinition.objects.current(period.regime, code)
        except FormDefinition.DoesNotExist:
            missing.append(code)
            continue
        fixed[code] = definition
        new.append(PeriodForm(period=period, form_code=code, definition=definition))
    PeriodForm.objects.bulk_create(new)
    return fixed, missing


def _create_reports(period, owed):
    """Report rows (state: the workflow's initial) for {unit id: [codes]} not yet owed."""
    codes = sorted({c for cs in owed.values() for c in cs})
    forms, missing = _period_forms(period, codes)
    existing = set(Report.objects.filter(period=period, unit_id__in=list(owed)).values_list("unit_id", "form_code"))
    initial = regimes.current().workflow.initial
    rows = [
        Report(form=forms[code], form_code=code, unit_id=unit_id, period=period, status=initial, due_at=period.due_at)
        for unit_id, unit_codes in owed.items()
        for code in unit_codes
        if code in forms and (unit_id, code) not in existing
    ]
    Report.objects.bulk_create(rows, batch_size=5000)
    return rows, forms, missing


def _obligations_sql(period, *, codes_only=False, unit_ids=None):
    """The (unit, form code) pairs every active filing unit owes, as SQL: the regime's
    assignment by unit type, plus standing additions, minus standing exemptions."""
    regime = regimes.current()
    kinds = ", ".join(f"'{kind}'" for kind in regime.filing_kinds if kind.isidentifier())
    through = Unit.unit_types.through._meta.db_table
    duty, unit = FormDuty._meta.db_table, Unit._meta.db_table
    sql = (
        f"SELECT o.unit_id, o.form_code FROM ("
        f"SELECT t.unit_id AS unit_id, a.form_code AS form_code FROM {through} t "
        f"JOIN {FormAssignment._meta.db_table} a ON a.unit_type = t.unittype_id AND a.regime = %s "
        f"UNION SELECT d.unit_id, d.form_code FROM {duty} d WHERE d.exempt = %s) o "
        f"JOIN {unit} u ON u.id = o.unit_id AND u.status = %s AND u.kind IN ({kinds}) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {duty} x WHERE x.unit_id = o.unit_id AND x.form_code = o.form_code AND x.exempt = %s)"
        + (f" AND o.unit_id IN ({', '.join(str(int(pk)) for pk in unit_ids)})" if unit_ids else "")
    )
    params = [period.regime, False, UnitStatus.ACTIVE, True]
    if codes_only:
        return f"SELECT DISTINCT form_code FROM ({sql}) owed", params
    return sql, params


def _insert_obligations(period):
    """Create every obligation of the period with one INSERT … SELECT (80,000 units in
    seconds); returns (reports created, {code: definition}, codes assigned but not loaded)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(*_obligations_sql(period, codes_only=True))
        codes = sorted(row[0] for row in cursor.fetchall())
    forms, missing = _period_forms(period, codes)
    owed, params = _obligations_sql(period)
    empty = "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"
    now = timezone.now()
    sql = (
        f"INSERT INTO {Report._meta.db_table} (form_id, form_code, unit_id, period_id, status, version, explanation, notes, "
        f"warning_notes, due_at, exempt, exempt_reason, revision, pending_reason, updated_at, created_at) "
        f"SELECT pf.definition_id, owed.form_code, owed.unit_id, %s, %s, 1, '', {empty}, {empty}, %s, %s, '', 0, '', %s, %s "
        f"FROM ({owed}) owed JOIN {PeriodForm._meta.db_table} pf ON pf.period_id = %s AND pf.form_code = owed.form_code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk, regimes.current().workflow.initial, period.due_at, False, now, now] + params + [period.pk])
        created = cursor.rowcount
    return created, forms, missing


def open_period(actor, period, *, request=None):
    """Chưa mở → Đang mở: fix the form versions and create every obligation, in one transaction."""
    policy.require(actor, permissions.PERIOD_MANAGE)
    with transaction.atomic():
        period = _locked(period, exclusive=True)
        if period.status != PeriodStatus.DRAFT:
            raise ValidationError(_("Chỉ mở được kỳ báo cáo đang ở trạng thái Chưa mở."))
        if Report.objects.filter(period=period).exists():
            raise ValidationError(_("Kỳ báo cáo đã có báo cáo phải lập."))
        created, forms, missing = _insert_obligations(period)
        period.status, period.opened_at = PeriodStatus.OPEN, timezone.now()
        period.save(update_fields=["status", "opened_at"])
        ledger.rebuild_progress(period)
        summary = OpenSummary(created, {code: d.version for code, d in forms.items()}, missing)
        record("period.opened", actor=actor, request=request, obj=period,
               after={"reports": summary.reports, "forms": summary.forms, "missing_forms": missing})
    return summary


def _move(actor, period, *, sources, target, action, stamp, message, request, then=None, reason=""):
    """A change of the period's status: under the tree lock (no reorganisation or transfer
    runs beside it, so the snapshot and the totals agree) and the period's exclusive lock
    (no save or review of the period runs beside it)."""
    policy.require(actor, permissions.PERIOD_MANAGE)
    with transaction.atomic():
        tree.lock()
        period = _locked(period, exclusive=True)
        if period.status not in sources:
            raise ValidationError(message)
        before = period.status
        period.status = target
        if stamp:
            setattr(period, stamp, timezone.now())
        period.save()
        if then:
            then(period)
        after = {"status": target, **({"reason": reason} if reason else {})}
        record(action, actor=actor, request=request, obj=period, before={"status": before}, after=after)
    return period


def close_period(actor, period, *, request=None):
    """No more entry or sending; reviews of what was sent may still finish."""
    return _move(actor, period, sources=[PeriodStatus.OPEN], target=PeriodStatus.CLOSED, action="period.closed", stamp="closed_at",
                 message=_("Chỉ đóng được kỳ báo cáo đang mở."), request=request, then=ancestry.snapshot)


def _back_on_todays_tree(period):
    """A reopened period follows today's tree again: its snapshot goes, its totals and
    counters are recomputed on the tree as it is now."""
    PeriodTree.objects.filter(period=period).delete()
    ledger.rebuild_totals(period)
    ledger.rebuild_progress(period)


def reopen_period(actor, period, *, request=None):
    return _move(actor, period, sources=[PeriodStatus.CLOSED], target=PeriodStatus.OPEN, action="period.reopened", stamp="",
                 message=_("Chỉ mở lại được kỳ báo cáo đã đóng."), request=request, then=_back_on_todays_tree)


def lock_period(actor, period, *, request=None):
    """The figures are final: nothing in the period changes any more."""
    return _move(actor, period, sources=[PeriodStatus.CLOSED], target=PeriodStatus.LOCKED, action="period.locked", stamp="locked_at",
                 message=_("Chỉ khóa được kỳ báo cáo đã đóng."), request=request)


def unlock_period(actor, period, *, reason, request=None):
    """Mở khóa: the one change a locked period accepts, back to closed (the central
    administrator, with a reason, audited); its figures then accept what a closed period's do."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Cần nêu lý do mở khóa kỳ báo cáo."))
    if len(reason) > 2000:
        raise ValidationError(_("Lý do quá dài (tối đa 2.000 ký tự)."))
    return _move(actor, period, sources=[PeriodStatus.LOCKED], target=PeriodStatus.CLOSED, action="period.unlocked", stamp="",
                 message=_("Chỉ mở khóa được kỳ báo cáo đã khóa."), request=request, reason=reason)


# --- extensions --------------------------------------------------------------------------


def _covered(period, unit, subtree):
    reports = Report.objects.filter(period=period)
    return reports.filter(prefix_q("unit__path", unit.path)) if subtree else reports.filter(unit=unit)


def _apply_extension(period, extension):
    return _covered(period, extension.unit, extension.subtree).filter(due_at__lt=extension.due_at).update(due_at=extension.due_at)


def grant_extension(actor, period, unit, *, until, reason, subtree=False, request=None):
    """Gia hạn: `unit` (and its subtree if asked) may enter and send until the end of
    `until`. Granted by a unit above it or the central administrator, with a reason."""
    policy.require(actor, permissions.REPORT_EXTEND, unit, relation=policy.BELOW)
    errors = []
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do gia hạn"))
    if not reason:
        errors.append(_("Cần nêu lý do gia hạn."))
    if until < timezone.localdate():
        errors.append(_("Ngày gia hạn đã qua."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Exclusive: the deadlines and counts of the period move, no save or review beside it.
        period = _locked(period, exclusive=True)
        if period.status != PeriodStatus.OPEN:
            raise ValidationError(_("Chỉ gia hạn được trong kỳ báo cáo đang mở."))
        if until <= period.deadline:  # the deadline as it is now, not as the page read it
            raise ValidationError(_("Ngày gia hạn phải sau hạn báo cáo của kỳ (%(d)s).") % {"d": period.deadline.strftime("%d/%m/%Y")})
        extension = Extension.objects.create(period=period, unit=unit, subtree=subtree, until=until, due_at=end_of(until),
                                             reason=reason.strip(), granted_by=actor)
        covered = _covered(period, unit, subtree).filter(due_at__lt=extension.due_at)
        affected = list(covered.values_list("pk", flat=True))
        sent_late = exemptions.locked_reports(covered.filter(submitted_at__isnull=False, exempt=False))
        _apply_extension(period, extension)
        for report in sent_late:  # sent after its old deadline: now perhaps within the new one
            old_key = ledger.progress_key(report)
            report.due_at = extension.due_at
            ledger.report_changed(report, old_status=report.status, old_exempt=False, old_key=old_key)
        label = _("Gia hạn đến ngày %(d)s") % {"d": until.strftime("%d/%m/%Y")}
        ReportEvent.objects.bulk_create(
            [ReportEvent(report_id=pk, actor=actor, transition="extension", label=label, reason=extension.reason) for pk in affected], batch_size=2000
        )
        record("period.extended", actor=actor, request=request, unit=unit, obj=period,
               after={"until": until.isoformat(), "subtree": subtree, "reason": extension.reason, "reports": len(affected)})
    return extension, len(affected)


# --- obligations -------------------------------------------------------------------------


def add_obligation(actor, period, unit, form_code, *, reason, request=None):
    """Make `unit` owe `form_code` in an open period (a unit created after it opened, a duty
    decided later); an exempted obligation becomes owed again."""
    policy.require(actor, permissions.OBLIGATION_EDIT, unit)
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do"))
    if not reason:
        raise ValidationError(_("Cần nêu lý do."))
    with transaction.atomic():
        tree.pin(unit)
        period = _locked(period)
        if not period_rules.accepts(period, Change.OBLIGATION):
            raise ValidationError(_("Chỉ bổ sung được biểu phải lập trong kỳ báo cáo đang mở."))
        found = exemptions.locked_reports(Report.objects.filter(period=period, unit=unit, form_code=form_code))
        report = found[0] if found else None
        if report is not None and not report.exempt:
            raise ValidationError(_("Đơn vị đã phải lập biểu %(form)s trong kỳ này.") % {"form": form_code})
        if report is None:
            rows, _forms, missing = _create_reports(period, {unit.pk: [form_code]})
            if missing:
                raise ValidationError(_("Biểu %(form)s chưa được nạp vào hệ thống.") % {"form": form_code})
            report = rows[0]
            report.due_at = _due_for(period, unit)
            report.save(update_fields=["due_at"])
            exemptions.counted_from_now(report)
        else:
            exemptions.set_exempt(report, exempt=False)
        ReportEvent.objects.create(report=report, actor=actor, transition="obligation_added", label=_("Bổ sung vào biểu phải lập"), reason=reason.strip())
        record("report.obligation_added", actor=actor, request=request, unit=unit, obj=report, after={"form": form_code, "reason": reason.strip()})
    return report


def _due_for(period, unit):
    latest = period.extensions.filter(Q(unit=unit) | (Q(subtree=True) & Q(unit__in=unit_ancestors(unit)))).aggregate(m=Max("due_at"))["m"]
    return max(period.due_at, latest) if latest else period.due_at


def unit_ancestors(unit):
    codes = unit.ancestor_codes()
    return Unit.objects.filter(code__in=codes)


def exempt_obligation(actor, report, *, reason, request=None):
    """Miễn: the unit does not owe this report; it leaves every count, keeps its history."""
    policy.require(actor, permissions.OBLIGATION_EDIT, report.unit)
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do miễn"))
    if not reason:
        raise ValidationError(_("Cần nêu lý do miễn."))
    flow = regimes.current().workflow
    with transaction.atomic():
        report = workflow.lock(report)  # its place in the tree, its period, its row
        period_rules.require(report.period, Change.EXEMPTION)
        if report.exempt:
            raise ValidationError(_("Báo cáo đã được miễn."))
        if not flow.states[report.status].editable:
            raise ValidationError(_("Báo cáo đã gửi (%(state)s), không miễn được.") % {"state": report.get_status_display()})
        exemptions.set_exempt(report, exempt=True, reason=reason, actor=actor, event=exemptions.EXEMPTED)
        record("report.exempted", actor=actor, request=request, unit=report.unit, obj=report, after={"reason": report.exempt_reason})
    return report


def set_duty(actor, unit, form_code, *, exempt, reason, request=None):
    """A standing addition (exempt=False) or exemption of `unit` for `form_code`, applied to
    periods opened from now on. An addition is for a form the unit's types do not assign,
    an exemption for one they do."""
    policy.require(actor, permissions.OBLIGATION_EDIT, unit)
    errors = []
    if not form_code:
        errors.append(_("Chọn biểu mẫu."))
    elif not FormDefinition.objects.filter(regime=regimes.current().key, code=form_code).exists():
        errors.append(_("Không có biểu mã %(form)s.") % {"form": form_code})
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do"))
    if not reason:
        errors.append(_("Cần nêu lý do."))
    if errors:
        raise ValidationError(errors)
    assigned = form_code in assigned_forms(unit)
    existing = FormDuty.objects.filter(unit=unit, form_code=form_code).first()
    if not exempt and assigned:
        if existing is not None and existing.exempt:
            raise ValidationError(_("Biểu %(form)s được giao theo loại hình của đơn vị và đang được miễn: muốn đơn vị lập lại biểu này, hãy xóa dòng miễn lập.") % {"form": form_code})
        raise ValidationError(_("Biểu %(form)s đã được giao theo loại hình của đơn vị, không cần bổ sung.") % {"form": form_code})
    if exempt and not assigned:
        if existing is not None and not existing.exempt:
            raise ValidationError(_("Biểu %(form)s là biểu bổ sung: muốn bỏ, hãy xóa dòng bổ sung.") % {"form": form_code})
        raise ValidationError(_("Biểu %(form)s không được giao cho đơn vị, không cần miễn.") % {"form": form_code})
    if existing is not None:
        raise ValidationError(_("Biểu %(form)s đã có trong danh sách bổ sung, miễn lập của đơn vị.") % {"form": form_code})
    with transaction.atomic():
        duty = FormDuty.objects.create(unit=unit, form_code=form_code, exempt=exempt, reason=reason.strip(), created_by=actor)
        record("unit.duty_set", actor=actor, request=request, unit=unit, obj=duty, after={"form": form_code, "exempt": exempt, "reason": duty.reason})
    return duty


def remove_duty(actor, duty, *, request=None):
    policy.require(actor, permissions.OBLIGATION_EDIT, duty.unit)
    with transaction.atomic():
        record("unit.duty_removed", actor=actor, request=request, unit=duty.unit, obj=duty,
               before={"form": duty.form_code, "exempt": duty.exempt, "reason": duty.reason})
        duty.delete()


def assigned_forms(unit):
    """The form codes the regime assigns to `unit` by its unit types (before duties)."""
    rows = FormAssignment.objects.filter(regime=regimes.current().key, unit_type__in=unit.unit_types.values("code")).order_by("position")
    return list(dict.fromkeys(rows.values_list("form_code", flat=True)))


def units_retired_in_open_periods(unit_ids, reorganisation):
    """A retired unit owes nothing more: its reports not yet started in open periods are
    exempted, citing the decision. What it entered or sent stays counted until a transfer
    moves it to its successor (docs/adr/0007), so no figure vanishes meanwhile. Runs inside
    the tree operation (which holds the tree lock)."""
    flow = regimes.current().workflow
    reason = _("%(op)s theo quyết định %(n)s") % {"op": reorganisation.get_operation_display(), "n": reorganisation.decision_number or "—"}
    for period in Period.objects.filter(regime=regimes.current().key, status=PeriodStatus.OPEN):
        period_rules.hold(period.pk)
        reports = Report.objects.filter(unit_id__in=list(unit_ids), period=period, exempt=False,
                                        status__in=flow.codes_in_stage("not_started"))
        for report in exemptions.locked_reports(reports):
            exemptions.set_exempt(report, exempt=True, reason=reason, actor=reorganisation.actor, event=exemptions.EXEMPTED)


def obligations_for_new_units(unit_ids):
    """Units created while periods are open owe those periods what the regime assigns them
    (completeness counts them from now on; an administrator may exempt them)."""
    open_periods = list(Period.objects.filter(regime=regimes.current().key, status=PeriodStatus.OPEN))
    if not open_periods:
        return
    from django.db import connection

    unit_ids = list(unit_ids)
    for period in open_periods:
        period_rules.hold(period.pk)
        owed = {}
        for start in range(0, len(unit_ids), 500):
            sql, params = _obligations_sql(period, unit_ids=unit_ids[start : start + 500])
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                for unit_id, code in cursor.fetchall():
                    owed.setdefault(unit_id, []).append(code)
        if not owed:
            continue
        rows, _forms, _missing = _create_reports(period, owed)
        for report in Report.objects.filter(pk__in=[r.pk for r in rows]).select_related("form", "unit", "period"):
            exemptions.counted_from_now(report)

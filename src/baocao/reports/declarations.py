"""Đăng ký đối tượng kiểm kê: a reporting unit declares which of the regime's declarable
forms (asset types) it holds; it then owes exactly those (docs/adr/0008).

No parallel mechanism: a form declared as not held is an exempted obligation (Được miễn,
with the declaration as its reason), a form declared as held and not yet owed becomes an
obligation, as `periods.add_obligation` does. So the progress counters, the roll-ups and
the completeness lists measure each unit against its own declaration. The declaration
itself is the report events it leaves (transition `objects_declared`).
"""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access import permissions, policy
from baocao.audit.services import record
from baocao.formdefs.models import FormDefinition

from baocao.units import tree

from . import exemptions, period_rules
from .models import Report, ReportEvent
from .periods import _create_reports, _due_for, _locked

DECLARED = "objects_declared"


@dataclass(frozen=True)
class Choice:
    code: str
    title: str
    held: bool  # as declared (or, before any declaration, as the unit's types assign it)
    report: Report | None
    records: int


def declarable_codes():
    return list(regimes.current().declarable_forms)


def applies_to(unit):
    """Only the units that declare assets (the filing kinds: đơn vị kiểm kê) declare;
    an aggregating unit declares none."""
    return bool(declarable_codes()) and unit.kind in regimes.current().filing_kinds


def has_declared(unit, period):
    return ReportEvent.objects.filter(report__unit=unit, report__period=period, transition=DECLARED).exists()


def choices(unit, period):
    """Each declarable form with what the unit holds of it."""
    codes = declarable_codes()
    reports = {r.form_code: r for r in Report.objects.filter(unit=unit, period=period, form_code__in=codes)}
    titles = {}
    for code, title in FormDefinition.objects.filter(regime=regimes.current().key, code__in=codes).order_by("version").values_list("code", "title"):
        titles[code] = title  # the latest version's title
    result = []
    for code in codes:
        if code not in titles:
            continue
        report = reports.get(code)
        result.append(Choice(code, titles[code], bool(report and not report.exempt), report, report.records.count() if report else 0))
    return result


def declare(actor, unit, period, held, *, request=None):
    """Record that `unit` holds the forms `held` (codes) and none of the other declarable
    forms. Refused for a unit that declares nothing, outside the entry window, for a form
    already sent, or for a form with records the unit says it does not hold. After the unit's
    deadline (the period's, or its extension) a declaration no longer changes: a unit may
    not excuse itself from what it has not sent in time."""
    if not applies_to(unit):
        raise ValidationError(_("Đơn vị tổng hợp không trực tiếp kê khai tài sản nên không đăng ký đối tượng kiểm kê."))
    policy.require(actor, permissions.REPORT_EDIT, unit, relation=policy.OWN)
    codes = [c.code for c in choices(unit, period)]
    unknown = sorted(set(held) - set(codes))
    if unknown:
        raise ValidationError(_("Không có loại đối tượng kiểm kê: %(codes)s.") % {"codes": ", ".join(unknown)})
    workflow = regimes.current().workflow
    changed = []
    with transaction.atomic():
        tree.pin(unit)
        period = _locked(period)
        if not period_rules.accepts(period, period_rules.Change.EXEMPTION):
            raise ValidationError(_("Chỉ đăng ký đối tượng kiểm kê được trong kỳ đang mở."))
        due = _due_for(period, unit)
        if timezone.now() > due:
            raise ValidationError(_("Đã hết hạn báo cáo (%(d)s): muốn thay đổi đăng ký đối tượng kiểm kê, đề nghị đơn vị cấp trên gia hạn.")
                                  % {"d": timezone.localtime(due).strftime("%d/%m/%Y")})
        reports = {r.form_code: r for r in exemptions.locked_reports(Report.objects.filter(unit=unit, period=period, form_code__in=codes))}
        problems = []
        for code in codes:
            report = reports.get(code)
            if code in held or report is None or report.exempt:
                continue
            if not workflow.states[report.status].editable:
                problems.append(_("Biểu %(form)s đã gửi (%(state)s): không bỏ đăng ký được.") % {"form": code, "state": report.get_status_display()})
            elif report.records.exists():
                problems.append(_("Biểu %(form)s đã có %(n)d bản ghi: xóa các bản ghi trước khi đăng ký đơn vị không có tài sản loại này.")
                                % {"form": code, "n": report.records.count()})
        if problems:
            raise ValidationError(problems)
        reason = _("Đăng ký đối tượng kiểm kê")
        for code in codes:
            report = reports.get(code)
            if code in held:
                if report is None:
                    rows, _forms, missing = _create_reports(period, {unit.pk: [code]})
                    if missing:
                        raise ValidationError(_("Biểu %(form)s chưa được nạp vào hệ thống.") % {"form": code})
                    report = rows[0]
                    report.due_at = due
                    report.save(update_fields=["due_at"])
                    exemptions.counted_from_now(report)
                    changed.append(code)
                elif exemptions.set_exempt(report, exempt=False):
                    changed.append(code)
                label = _("Đăng ký có tài sản loại này")
            else:
                if report is None:
                    continue
                if exemptions.set_exempt(report, exempt=True, reason=_("Đơn vị đăng ký không có tài sản loại này (đăng ký đối tượng kiểm kê).")):
                    changed.append(code)
                label = _("Đăng ký không có tài sản loại này")
            ReportEvent.objects.create(report=report, actor=actor, transition=DECLARED, label=label, reason=reason)
        record("report.objects_declared", actor=actor, request=request, unit=unit, obj=period,
               after={"held": sorted(held), "not_held": sorted(set(codes) - set(held)), "changed": changed})
    return changed

"""Biểu phải lập of a unit: the forms the regime assigns to it by its unit types, and its
standing additions and exemptions (FormDuty), applied to every period opened afterwards
(docs/adr/0002). Owned by the reports app: the unit page links here by URL name, since
units must not import reports. Thin views over reports.periods."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.dbtext import iexact
from baocao.formdefs.models import FormDefinition
from baocao.units.models import Unit, UnitStatus

from . import periods
from .models import FormDuty

ADD, EXEMPT = "add", "exempt"


def _unit(request, code):
    """The unit, if the actor may edit its duties (else Refused, audited by the middleware)."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), iexact("code", code))
    policy.require(request.user, permissions.OBLIGATION_EDIT, unit)
    return unit


def _kind_problem(kind):
    return [] if kind in (ADD, EXEMPT) else [_("Chọn bổ sung hoặc miễn lập.")]


@login_required
def unit_duties(request, code):
    """The unit's forms, its additions and exemptions, and the form to add one."""
    unit = _unit(request, code)
    regime = regimes.current()
    titles = {d.code: d.title for d in FormDefinition.objects.current_versions(regime.key)}
    assigned = periods.assigned_forms(unit)
    duties = {d.form_code: d for d in FormDuty.objects.filter(unit=unit).select_related("created_by")}
    form = {"kind": ADD, "form_code": "", "reason": ""}
    errors = []
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip()[:200] for key in ("kind", "form_code")}
        form["reason"] = request.POST.get("reason", "").strip()
        errors = _kind_problem(form["kind"])
        try:
            textbounds.bounded(form["reason"], textbounds.REASON, _("Lý do"))
        except textbounds.TextTooLong as error:
            errors += error.messages
            form["reason"] = form["reason"][: textbounds.REASON]  # what is shown back; nothing is saved
        if not errors:
            try:
                periods.set_duty(request.user, unit, form["form_code"], exempt=form["kind"] == EXEMPT, reason=form["reason"], request=request)
            except ValidationError as error:
                errors = error.messages
            else:
                done = _("Đã miễn lập biểu %(form)s cho %(unit)s.") if form["kind"] == EXEMPT else _("Đã bổ sung biểu %(form)s cho %(unit)s.")
                messages.success(request, done % {"form": form["form_code"], "unit": unit.name}
                                 + " " + _("Áp dụng từ kỳ báo cáo mở sau."))
                return redirect("periods:duties", code=unit.code)
    exempt = {code for code, duty in duties.items() if duty.exempt}
    added = [code for code in sorted(duties) if not duties[code].exempt and code not in assigned]
    return render(request, "reports/duties.html", {
        "active_menu": "admin", "unit": unit, "form": form, "errors": errors,
        "assigned": [{"code": c, "title": titles.get(c, ""), "loaded": c in titles, "exempt": duties[c] if c in exempt else None} for c in assigned],
        "duties": [{"duty": duties[c], "title": titles.get(c, "")} for c in sorted(duties, key=lambda c: (duties[c].exempt, c))],
        "owed": [c for c in assigned if c not in exempt] + added,
        "choices": sorted(titles.items()),
        "files": unit.status == UnitStatus.ACTIVE and unit.kind in regime.filing_kinds,
    }, status=400 if errors else 200)


@require_POST
@login_required
def duty_remove(request, code, pk):
    unit = _unit(request, code)
    duty = get_object_or_404(FormDuty, pk=pk, unit=unit)
    periods.remove_duty(request.user, duty, request=request)
    if duty.exempt:
        done = _("Đã bỏ miễn lập biểu %(form)s: đơn vị lại phải lập biểu này từ kỳ báo cáo mở sau.")
    else:
        done = _("Đã bỏ biểu bổ sung %(form)s: đơn vị không phải lập biểu này từ kỳ báo cáo mở sau.")
    messages.success(request, done % {"form": duty.form_code})
    return redirect("periods:duties", code=unit.code)

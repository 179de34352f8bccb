"""The workflow's pages: taking a transition, a report's history and revisions, the
reports of the units below. Thin views over reports.workflow and reports.selectors."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.formdefs.models import FormDefinition

from . import revisions, selectors, services, values, workflow
from .formatting import vn_number
from .models import Revision
from .views import posted_version, report_for

BELOW_PAGE_SIZE = 50


@require_POST
@login_required
def take_transition(request, pk, code):
    report = report_for(request, pk)
    try:
        # Bounded here, refused whole (docs/security.md): a reason is stored three times.
        reason = textbounds.bounded(request.POST.get("reason", ""), textbounds.REASON, _("Lý do"))
        notes = textbounds.warning_notes({name[3:]: value for name, value in request.POST.items() if name.startswith("wn|")})
    except textbounds.TextTooLong as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:report", pk=report.pk)
    try:
        done = workflow.transition(
            request.user, report, code, reason=reason, expected_version=posted_version(request),
            warning_notes=notes, request=request,
        )
    except workflow.TransitionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        label = workflow.workflow().transitions[code].label
        messages.success(request, _("Đã thực hiện “%(action)s”. Trạng thái báo cáo: %(state)s.") % {"action": label, "state": done.get_status_display()})
    return redirect("reports:report", pk=report.pk)


@login_required
def history(request, pk):
    """Every transition and administrative step, and every revision sent."""
    report = report_for(request, pk)
    labels = {code: state.label for code, state in workflow.workflow().states.items()}
    events = list(report.events.select_related("actor").order_by("-at", "-id"))
    for e in events:
        e.from_label, e.to_label = labels.get(e.from_state, ""), labels.get(e.to_state, "")
    revision_list = report.revisions.select_related("created_by").order_by("-number")
    return render(request, "reports/history.html", {"active_menu": "entry", "report": report, "events": events, "revisions": revision_list})


def _shown(value, column):
    if value is None:
        return ""
    return value if isinstance(value, str) else vn_number(value, column.decimals)


@login_required
def revision(request, pk, number):
    """One revision as it was sent, and what differs from the previous one."""
    report = report_for(request, pk)
    current = get_object_or_404(Revision.objects.select_related("created_by"), report=report, number=number)
    previous = Revision.objects.filter(report=report, number=number - 1).first()
    spec = report.form.spec_object()
    context = {"active_menu": "entry", "report": report, "revision": current, "previous": previous, "spec": spec}
    if spec.kind == "grid":
        shown = values.from_json(current.values, spec)
        instances = services.instances_for(report)
        labels = {f"{group}/{key}": label for group, rows in instances.items() for key, label in rows}
        rows = []
        for row in spec.concrete_rows(shown, {g: [k for k, _l in r] for g, r in instances.items()}):
            if row.kind == "heading":
                continue
            cells = [_shown(shown.get((row.code, c.code)), c) for c in spec.leaves]
            rows.append({"label": labels.get(row.code, row.label), "number": row.number, "cells": cells})
        changes = revisions.cell_changes(spec, previous.values, current.values) if previous else []
        row_labels = {r.code: labels.get(r.code, r.label) for r in spec.concrete_rows({(c.row, c.column) for c in changes})}
        context.update({
            "rows": rows,
            "changes": [
                {"row": row_labels.get(c.row, c.row), "column": f"{spec.column(c.column).number} {spec.column(c.column).label}",
                 "old": _shown(c.old, spec.column(c.column)), "new": _shown(c.new, spec.column(c.column))}
                for c in changes
            ],
        })
    else:
        context.update({
            "fields": spec.fields[:8],
            "records": [[r.get(f.code, "") for f in spec.fields[:8]] for r in current.records],
            "record_changes": [
                {"kind": c.kind, "key": c.key, "fields": ", ".join(spec.field(code).label for code in c.fields)}
                for c in (revisions.record_changes(spec, previous.records, current.records) if previous else [])
            ],
        })
    return render(request, "reports/revision.html", context)


@login_required
def reports_below(request):
    """Báo cáo của đơn vị cấp dưới: the reports of the units within reach, by state."""
    policy.require(request.user, permissions.REPORT_VIEW)
    if not selectors.sees_below(request.user):
        raise policy.Refused(_("Tài khoản không được xem báo cáo của các đơn vị cấp dưới."), unit=request.user.unit,
                             permission=permissions.REPORT_VIEW, note="reports below")
    periods = list(selectors.visible_periods())
    wanted = request.GET.get("ky", "")
    period = next((p for p in periods if str(p.pk) == wanted), None) or selectors.default_period(periods)
    flow = workflow.workflow()
    filters = {key: request.GET.get(key, "").strip()[:200] for key in ("bieu", "trang_thai", "q")}
    if filters["trang_thai"] and filters["trang_thai"] not in flow.states and filters["trang_thai"] != "exempt":
        raise BadRequest(_("Trạng thái không hợp lệ."))
    page = None
    if period is not None:
        reports = selectors.reports_below(request.user, period, form_code=filters["bieu"], status=filters["trang_thai"], query=filters["q"])
        page = Paginator(reports, BELOW_PAGE_SIZE).get_page(request.GET.get("page"))
    forms = FormDefinition.objects.current_versions(regimes.current().key)
    return render(request, "reports/below.html", {
        "active_menu": "entry", "periods": periods, "period": period, "page": page, "filters": filters,
        "states": list(flow.states.values()), "forms": sorted({f.code for f in forms}),
    })

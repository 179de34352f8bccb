"""QUẢN TRỊ HỆ THỐNG > Kỳ báo cáo: the central administrator creates, opens, closes and
locks periods and moves their deadline; a unit above (or the central administrator)
grants extensions; administrators add or exempt obligations. Thin views over
reports.periods."""
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.dbtext import iexact
from baocao.units.models import Unit

from . import periods
from .models import Period, Report

OBLIGATIONS_PAGE_SIZE = 50


def parse_day(text, label):
    """A date typed dd/mm/yyyy, or ValidationError naming the field."""
    text = (text or "").strip()
    try:
        day = datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise ValidationError(_("%(label)s: nhập ngày theo dạng dd/mm/yyyy (ví dụ 05/02/2021).") % {"label": label}) from None
    if not (1990 <= day.year <= 2100):
        raise ValidationError(_("%(label)s: năm phải từ 1990 đến 2100.") % {"label": label})
    return day


def _reason(request):
    """The posted reason, or TextTooLong (a ValidationError) when it is beyond the bound."""
    return textbounds.bounded(request.POST.get("reason", ""), textbounds.REASON, _("Lý do"))


def _period(request, pk):
    return get_object_or_404(Period, pk=pk, regime=regimes.current().key)


@login_required
def period_list(request):
    policy.require(request.user, permissions.PERIOD_MANAGE)
    regime = regimes.current()
    form = {"kind": "", "year": str(timezone.localdate().year), "deadline": "", "name": ""}
    errors = []
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip()[:200] for key in form}
        try:
            try:
                year = int(form["year"])
            except ValueError:
                raise ValidationError(_("Năm phải là số, ví dụ 2020.")) from None
            deadline = parse_day(form["deadline"], _("Hạn báo cáo")) if form["deadline"] else None
            period = periods.create_period(request.user, kind=form["kind"], year=year, name=form["name"], deadline=deadline, request=request)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Đã tạo kỳ báo cáo “%(name)s” (chưa mở).") % {"name": period.name})
            return redirect("periods:detail", pk=period.pk)
    rows = Period.objects.filter(regime=regime.key).annotate(
        owed=Count("reports", filter=Q(reports__exempt=False)),
        done=Count("reports", filter=Q(reports__exempt=False, reports__status__in=regime.workflow.codes_in_stage("final"))),
    )
    return render(request, "reports/periods/list.html", {
        "active_menu": "admin", "periods": rows, "types": regime.period_types.values(), "form": form, "errors": errors,
    }, status=400 if errors else 200)


@login_required
def period_detail(request, pk):
    policy.require(request.user, permissions.PERIOD_MANAGE)
    period = _period(request, pk)
    errors = []
    if request.method == "POST":
        try:
            deadline = parse_day(request.POST.get("deadline"), _("Hạn báo cáo"))
            data_from = parse_day(request.POST.get("data_from"), _("Số liệu từ ngày")) if request.POST.get("data_from") else None
            data_to = parse_day(request.POST.get("data_to"), _("Số liệu đến ngày")) if request.POST.get("data_to") else None
            periods.update_period(request.user, period, name=request.POST.get("name", "")[:200], deadline=deadline,
                                  data_from=data_from, data_to=data_to, request=request)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Đã lưu kỳ báo cáo."))
            return redirect("periods:detail", pk=period.pk)
    regime = regimes.current()
    counts = dict(Report.objects.filter(period=period, exempt=False).values_list("status").annotate(n=Count("pk")))
    states = [(state, counts.get(code, 0)) for code, state in regime.workflow.states.items()]
    return render(request, "reports/periods/detail.html", {
        "active_menu": "admin", "period": period, "errors": errors, "states": states,
        "exempt": Report.objects.filter(period=period, exempt=True).count(),
        "forms": period.forms.select_related("definition").order_by("form_code"),
        "extensions": period.extensions.select_related("unit", "granted_by")[:100],
        "late": Report.objects.filter(period=period, exempt=False, submitted_at__gt=period.due_at).count(),
    }, status=400 if errors else 200)


ACTIONS = {
    "open": (periods.open_period, _("Đã mở kỳ báo cáo.")),
    "close": (periods.close_period, _("Đã đóng kỳ báo cáo.")),
    "reopen": (periods.reopen_period, _("Đã mở lại kỳ báo cáo.")),
    "lock": (periods.lock_period, _("Đã khóa kỳ báo cáo.")),
    # The one change a locked period accepts: back to closed, with the reason (audited).
    "unlock": (lambda actor, period, request: periods.unlock_period(actor, period, reason=_reason(request), request=request),
               _("Đã mở khóa kỳ báo cáo: kỳ trở về trạng thái Đã đóng.")),
}


@require_POST
@login_required
def period_action(request, pk, action):
    policy.require(request.user, permissions.PERIOD_MANAGE)
    period = _period(request, pk)
    if action not in ACTIONS:
        raise BadRequest(_("Thao tác không hợp lệ."))
    run, done = ACTIONS[action]
    try:
        result = run(request.user, period, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action == "open":
            messages.success(request, _("Đã mở kỳ báo cáo: %(n)d báo cáo phải lập đã được tạo.") % {"n": result.reports})
            if result.missing_forms:
                messages.warning(request, _("Các biểu được giao nhưng chưa nạp: %(codes)s.") % {"codes": ", ".join(result.missing_forms)})
        else:
            messages.success(request, done)
    return redirect("periods:detail", pk=period.pk)


def _unit_by_code(code):
    unit = Unit.objects.filter(iexact("code", (code or "").strip())).first()
    if unit is None:
        raise ValidationError(_("Không có đơn vị mã “%(code)s”.") % {"code": (code or "").strip()[:40]})
    return unit


@require_POST
@login_required
def grant_extension(request, pk):
    """Gia hạn: by the central administrator or a unit above, for a unit or its subtree."""
    policy.require(request.user, permissions.REPORT_EXTEND)
    period = get_object_or_404(Period, pk=pk, regime=regimes.current().key)
    back = request.POST.get("back") == "report" and request.POST.get("report", "").isdigit()
    try:
        unit = _unit_by_code(request.POST.get("unit"))
        until = parse_day(request.POST.get("until"), _("Gia hạn đến ngày"))
        _extension, count = periods.grant_extension(request.user, period, unit, until=until, reason=_reason(request),
                                                     subtree=request.POST.get("subtree") == "1", request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã gia hạn đến ngày %(d)s cho %(unit)s (%(n)d báo cáo).") % {"d": until.strftime("%d/%m/%Y"), "unit": unit.name, "n": count})
    if back:
        return redirect("reports:report", pk=int(request.POST["report"]))
    if policy.may_somewhere(request.user, permissions.PERIOD_MANAGE):
        return redirect("periods:detail", pk=period.pk)
    return redirect("reports:below")


@login_required
def obligations(request, pk):
    """Biểu phải lập of a period: every obligation, with add and exempt."""
    policy.require(request.user, permissions.OBLIGATION_EDIT)
    period = _period(request, pk)
    reach = policy.scope(request.user, permissions.OBLIGATION_EDIT)
    reports = Report.objects.filter(reach.q(path="unit__path", pk="unit_id"), period=period).select_related("unit").order_by("unit__path", "form_code")
    query = request.GET.get("q", "").strip()[:200]
    if query:
        from baocao.units.text import fold

        for word in fold(query).split():
            reports = reports.filter(unit__search_text__contains=word)
    page = Paginator(reports, OBLIGATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/periods/obligations.html", {
        "active_menu": "admin", "period": period, "page": page, "query": query,
        "form_codes": list(period.forms.order_by("form_code").values_list("form_code", flat=True)),
    })


@require_POST
@login_required
def obligation_add(request, pk):
    policy.require(request.user, permissions.OBLIGATION_EDIT)
    period = _period(request, pk)
    try:
        unit = _unit_by_code(request.POST.get("unit"))
        periods.add_obligation(request.user, period, unit, request.POST.get("form_code", "")[:60], reason=_reason(request), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã bổ sung biểu phải lập cho %(unit)s.") % {"unit": unit.name})
    return redirect("periods:obligations", pk=period.pk)


@require_POST
@login_required
def obligation_exempt(request, pk, report_pk):
    policy.require(request.user, permissions.OBLIGATION_EDIT)
    period = _period(request, pk)
    report = get_object_or_404(Report.objects.select_related("unit"), pk=report_pk, period=period)
    try:
        periods.exempt_obligation(request.user, report, reason=_reason(request), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã miễn lập biểu %(form)s cho %(unit)s.") % {"form": report.form_code, "unit": report.unit.name})
    return redirect("periods:obligations", pk=period.pk)


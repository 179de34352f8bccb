"""THIẾT LẬP THÔNG SỐ: the parameters, and the holiday calendar (Ngày nghỉ lễ). Thin views
over parameters.services."""
import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao.access import permissions, policy

from . import services
from .forms import ParametersForm
from .models import Holiday


@login_required
def edit_parameters(request):
    policy.require(request.user, permissions.PARAMETERS_EDIT)
    row = services.stored()
    form = ParametersForm(request.POST or None, instance=row, effective=services.current())
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "accept_weak_default_password"}
        changed = services.update_parameters(request.user, changes, request=request)
        if form.weak_default_password:
            messages.warning(request, _("Lưu ý: mật khẩu mặc định không đạt chính sách mật khẩu."))
        messages.success(request, _("Đã lưu %(n)d thông số.") % {"n": len(changed)} if changed else _("Không có thông số nào thay đổi."))
        return redirect("parameters:edit")
    return render(request, "parameters/edit.html", {"active_menu": "parameters", "form": form})


# --- Ngày nghỉ lễ ------------------------------------------------------------------------

DAY_FORMAT = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_day(text):
    """A day typed dd/mm/yyyy, or ValidationError saying what is wrong with it."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Cần nhập ngày nghỉ (dd/mm/yyyy)."))
    if not DAY_FORMAT.match(text):
        raise ValidationError(_("Ngày nghỉ: nhập ngày theo dạng dd/mm/yyyy (ví dụ 30/04/2025)."))
    day, month, year = (int(part) for part in text.split("/"))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(_("Ngày %(text)s không có trên lịch.") % {"text": text}) from None


def _year(text, default):
    try:
        year = int(text)
    except (TypeError, ValueError):
        return default
    return year if services.FIRST_YEAR <= year <= services.LAST_YEAR else default


@login_required
def holidays(request):
    """Ngày nghỉ lễ: the calendar of public holidays, by year; add a day."""
    policy.require(request.user, permissions.PARAMETERS_EDIT)
    year = _year(request.GET.get("nam"), timezone.localdate().year)
    form = {"day": "", "name": ""}
    errors = []
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip()[:300] for key in form}
        try:
            day = parse_day(form["day"])
            holiday = services.add_holiday(request.user, day, form["name"], request=request)
        except ValidationError as error:
            errors = error.messages
            year = _year(form["day"][-4:], year)
        else:
            messages.success(request, _("Đã thêm ngày nghỉ %(d)s (%(name)s); hạn báo cáo của các kỳ chưa đóng đã được tính lại.")
                             % {"d": holiday.day.strftime("%d/%m/%Y"), "name": holiday.name})
            return redirect(f"{reverse('parameters:holidays')}?nam={holiday.day.year}")
    years = sorted({d.year for d in Holiday.objects.dates("day", "year")} | {year, timezone.localdate().year})
    return render(request, "parameters/holidays.html", {
        "active_menu": "parameters", "year": year, "years": years, "form": form, "errors": errors,
        "holidays": Holiday.objects.filter(day__year=year).order_by("day"),
    }, status=400 if errors else 200)


@require_POST
@login_required
def holiday_remove(request, pk):
    policy.require(request.user, permissions.PARAMETERS_EDIT)
    holiday = get_object_or_404(Holiday, pk=pk)
    try:
        services.remove_holiday(request.user, holiday, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xóa ngày nghỉ %(d)s (%(name)s); hạn báo cáo của các kỳ chưa đóng đã được tính lại.")
                         % {"d": holiday.day.strftime("%d/%m/%Y"), "name": holiday.name})
    return redirect(f"{reverse('parameters:holidays')}?nam={holiday.day.year}")

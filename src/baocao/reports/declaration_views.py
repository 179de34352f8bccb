"""Đăng ký đối tượng kiểm kê: the page where a reporting unit declares the asset types it holds."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access import permissions, policy

from . import declarations
from .models import Period


@login_required
def declare(request, period_pk):
    account = request.user
    period = get_object_or_404(Period, pk=period_pk)
    policy.require(account, permissions.REPORT_VIEW, account.unit, relation=policy.OWN)
    if not declarations.applies_to(account.unit):
        raise Http404(_("Đơn vị tổng hợp không trực tiếp kê khai tài sản nên không đăng ký đối tượng kiểm kê."))
    if request.method == "POST":
        held = [code[:60] for code in request.POST.getlist("held") if code][:200]  # a regime has a few kinds of asset
        try:
            declarations.declare(account, account.unit, period, held, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã đăng ký đối tượng kiểm kê. Đơn vị nhập số liệu các loại tài sản đã đăng ký."))
            return redirect(reverse("reports:entry") + f"?ky={period.pk}")
    return render(request, "reports/declaration.html", {
        "active_menu": "entry", "period": period, "choices": declarations.choices(account.unit, period),
        "declared": declarations.has_declared(account.unit, period),
        "unidentified": regimes.current().unidentified_forms,
        "may_edit": policy.may(account, permissions.REPORT_EDIT, account.unit, relation=policy.OWN) and period.is_open(),
    })

"""Phản ánh lỗi: thin views over support.services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import textbounds
from baocao.parameters import services as parameters

from . import services
from .models import Problem


def _problem(request, pk):
    """A problem the account may read (its own, or any for a handler); else 404."""
    problem = services.visible_to(request.user).filter(pk=pk).first()
    if problem is None:
        raise Http404(_("Không tìm thấy phản ánh này."))
    return problem


@login_required
def problem_list(request):
    actor = request.user
    handler = services.may_handle(actor)
    problems = services.visible_to(actor)
    status = request.GET.get("status", "")
    if status in Problem.Status.values:
        problems = problems.filter(status=status)
    page = request.GET.get("trang", "")[:500]
    if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}) or not page.startswith("/"):
        page = ""
    context = {
        "active_menu": "admin" if handler else "home",
        "handler": handler,
        "problems": Paginator(problems, 50).get_page(request.GET.get("page")),
        "status": status,
        "statuses": Problem.Status.choices,
        "page_address": page,
        "contacts": parameters.current(),
    }
    return render(request, "support/list.html", context)


@require_POST
@login_required
def problem_report(request):
    try:
        services.report_problem(
            request.user,
            description=request.POST.get("description", ""),
            page=request.POST.get("page", ""),
            screenshot=request.FILES.get("screenshot"),
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã gửi phản ánh. Câu trả lời sẽ hiện tại trang này."))
    return redirect("support:list")


@require_POST
@login_required
def problem_answer(request, pk):
    problem = _problem(request, pk)
    try:
        text = textbounds.bounded(request.POST.get("answer", ""), textbounds.DESCRIPTION, _("Trả lời"))
        services.answer(request.user, problem, status=request.POST.get("status", ""), text=text, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã cập nhật phản ánh số %(n)d.") % {"n": problem.pk})
    return redirect("support:list")


@login_required
def screenshot(request, pk):
    problem = _problem(request, pk)
    if not problem.screenshot or problem.screenshot_type not in ("image/png", "image/jpeg"):
        raise Http404(_("Phản ánh này không có ảnh chụp màn hình."))
    response = HttpResponse(bytes(problem.screenshot), content_type=problem.screenshot_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="phan-anh-{problem.pk}.{problem.screenshot_type.split("/")[1]}"'
    return response

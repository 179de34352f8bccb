"""Đề nghị cấp, thu hồi tài khoản: units file, administrators decide."""
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import regimes, textbounds
from baocao.access import permissions, policy

from . import requests as account_requests
from .models import Account, AccountRequest


@login_required
def request_list(request):
    actor = request.user
    may_file = account_requests.may_file(actor)
    may_decide = policy.may_somewhere(actor, permissions.ACCOUNT_REQUEST_DECIDE)
    if not (may_file or may_decide):
        policy.require(actor, permissions.ACCOUNT_REQUEST_FILE, actor.unit, relation=policy.OWN)
        if policy.may(actor, permissions.ACCOUNT_REQUEST_DECIDE, actor.unit):
            return redirect("accounts:users")
    regime = regimes.current()
    context = {"active_menu": "admin" if may_decide else "home", "may_file": may_file, "may_decide": may_decide}
    if may_file:
        context["own_requests"] = AccountRequest.objects.filter(unit=actor.unit).select_related("target", "result_account", "decided_by")[:100]
        context["own_accounts"] = account_requests.revocable_accounts(actor)
        context["roles"] = [(r, regime.role_labels.get(r, r)) for r in account_requests.requestable_roles(actor.unit)]
        context["has_offers"] = bool(context["roles"]) or context["own_accounts"].exists()
    if may_decide:
        queue = account_requests.pending_for(actor).select_related("unit", "target", "requested_by", "result_account")
        status = request.GET.get("status", AccountRequest.Status.PENDING)
        if status in AccountRequest.Status.values:
            queue = queue.filter(status=status)
        context["queue"] = Paginator(queue, 50).get_page(request.GET.get("page"))
        context["status"] = status
        context["statuses"] = AccountRequest.Status.choices
    return render(request, "accounts/requests.html", context)


@require_POST
@login_required
def request_file(request):
    target = None
    if request.POST.get("target"):
        if not (request.POST["target"].isdigit() and len(request.POST["target"]) <= 18):
            messages.error(request, _("Tài khoản cần thu hồi không hợp lệ."))
            return redirect("accounts:requests")
        target = Account.objects.filter(pk=int(request.POST["target"])).select_related("unit").first()
    letter_date = None
    text = request.POST.get("letter_date", "").strip()
    if text:
        try:
            letter_date = datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            messages.error(request, _("Ngày văn bản đề nghị “%(text)s” không đúng dạng dd/mm/yyyy.") % {"text": text[:20]})
            return redirect("accounts:requests")
    try:
        texts = textbounds.bounded_fields(request.POST, {"reason": (textbounds.REASON, _("Lý do")),
                                                         "letter_number": (60, _("Số văn bản đề nghị"))})
        account_requests.file_request(
            request.user,
            kind=request.POST.get("kind", ""),
            role=request.POST.get("role", ""),
            target=target,
            reason=texts["reason"],
            letter_number=texts["letter_number"],
            letter_date=letter_date,
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã gửi đề nghị. Kết quả xử lý sẽ hiện tại trang này."))
    return redirect("accounts:requests")


@require_POST
@login_required
def request_decide(request, pk):
    account_request = get_object_or_404(AccountRequest.objects.select_related("unit", "target__unit"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        comment = textbounds.bounded(request.POST.get("comment", ""), textbounds.REASON, _("Ý kiến xử lý"))
        done = account_requests.decide(request.user, account_request, approve=approve, comment=comment, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approve and done.result_account:
            messages.success(
                request,
                _("Đã chấp thuận: tạo tài khoản %(username)s với mật khẩu mặc định.") % {"username": done.result_account.username},
            )
        elif approve:
            messages.success(request, _("Đã chấp thuận: thu hồi tài khoản %(username)s.") % {"username": done.target.username})
        else:
            messages.success(request, _("Đã từ chối đề nghị."))
    return redirect("accounts:requests")

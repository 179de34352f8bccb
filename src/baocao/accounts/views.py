import math

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from baocao import parameters
from baocao.audit.services import record_read

from . import services
from .forms import LoginForm, PasswordChangeForm

BACKEND = "baocao.accounts.backends.AccountBackend"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect("shell:home")
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            account = services.attempt_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except services.LoginLocked as locked:
            error = lockout_message(locked.until)
            account = None
        if account is not None:
            login(request, account, backend=BACKEND)
            if account.must_change_password:
                return redirect("accounts:password_change")
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "shell:home"
            return redirect(target)
        # One message whatever went wrong: wrong password, unknown or locked account.
        error = error or _("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị khóa.")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": request.GET.get("next", ""), "support": parameters.current()},
    )


def lockout_message(until):
    """How long, and whom to contact; the same for every username, existing or not."""
    support = parameters.current()
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    who = support.account_admin_unit or _("quản trị hệ thống của đơn vị quản lý tài khoản")
    return _(
        "Đăng nhập từ máy này tạm bị chặn vì nhập sai mật khẩu nhiều lần: hãy thử lại sau %(minutes)d phút (lúc %(time)s). "
        "Từ máy khác vẫn đăng nhập được bình thường. Nếu cần vào ngay hoặc quên mật khẩu, hãy liên hệ %(who)s để được mở khóa "
        "hoặc cấp lại mật khẩu."
    ) % {"minutes": minutes, "time": timezone.localtime(until).strftime("%H:%M"), "who": who}


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record_read("logout", request=request, unit=request.user.unit)
    logout(request)
    return redirect("accounts:login")


@sensitive_post_parameters()
@never_cache
@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    if request.method == "POST" and form.has_error("old_password", "wrong_password"):
        # A wrong current password counts toward the lockout like a wrong login, audited.
        account = request.user
        until = services.note_failure(request, account.username, account, reason="wrong current password (change page)")
        if until is not None:
            logout(request)
            messages.error(request, lockout_message(until))
            return redirect("accounts:login")
    if valid:
        services.change_password(request.user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Đổi mật khẩu thành công."))
        return redirect("shell:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password})


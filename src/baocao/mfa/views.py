"""Xác thực hai bước: enrolment (QR code drawn here, the secret as text too), the code at
sign-in, recovery codes, the account's own page, and the central administrator's reset.
Thin views over mfa.services."""
import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from baocao import regimes
from baocao.accounts.models import Account
from baocao.accounts.views import lockout_message

from . import services


def _next(request):
    """Where the person was going: a path on this site, or ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _go_on(request):
    return HttpResponseRedirect(_next(request) or reverse("shell:home"))


def _locked_out(request, until):
    """Too many wrong codes: the session ends, the login page says how long and whom to call."""
    logout(request)
    messages.error(request, lockout_message(until))
    return redirect("accounts:login")


def _qr_svg(uri):
    # Drawn on the server as inline SVG: no external service ever sees the secret.
    return mark_safe(segno.make(uri, error="m").svg_inline(scale=5, border=4))


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@login_required
def enrol(request):
    """Đăng ký xác thực hai bước: scan the QR code (or type the secret), type a code back."""
    state = services.pending(request)
    if state == services.VERIFY:
        return redirect(_reverse_with_next("mfa:verify", request))
    if not services.may_enrol(request.user):
        return _go_on(request)
    try:
        authenticator = services.begin_enrolment(request.user)
    except ValidationError:  # enrolled and verified already
        return redirect("mfa:status")
    error = ""
    if request.method == "POST":
        outcome, codes = services.confirm_enrolment(request, request.user, request.POST.get("code", ""))
        if outcome.result == services.LOCKED:
            return _locked_out(request, outcome.until)
        if outcome.ok:
            return render(request, "mfa/recovery_codes.html", {"codes": codes, "next": _next(request), "enrolled": True})
        error = outcome.message
    # The app lists the account under the regime's short title (a short name keeps the QR code small).
    uri = services.provisioning_uri(authenticator, regimes.current().short_title)
    return render(request, "mfa/enrol.html", {
        "qr": _qr_svg(uri), "secret": _grouped(authenticator.secret), "error": error, "next": _next(request),
        "required": services.required_for(request.user),
    }, status=400 if error else 200)


def _reverse_with_next(name, request):
    target = _next(request)
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


@sensitive_post_parameters("code")
@never_cache
@login_required
def verify(request):
    """The code from the app, at every sign-in of an enrolled account."""
    state = services.pending(request)
    if state == services.ENROL:
        return redirect(_reverse_with_next("mfa:enrol", request))
    if state == services.NOTHING:
        return _go_on(request)
    error = ""
    if request.method == "POST":
        outcome = services.verify(request, request.user, request.POST.get("code", ""))
        if outcome.result == services.LOCKED:
            return _locked_out(request, outcome.until)
        if outcome.ok:
            return _go_on(request)
        error = outcome.message
    return render(request, "mfa/verify.html", {"error": error, "next": _next(request)}, status=400 if error else 200)


@sensitive_post_parameters("code")
@never_cache
@login_required
def recover(request):
    """Sign in with a recovery code (the phone is lost or not at hand): each code works once."""
    state = services.pending(request)
    if state != services.VERIFY:
        return redirect(_reverse_with_next("mfa:enrol", request)) if state == services.ENROL else _go_on(request)
    error = ""
    if request.method == "POST":
        outcome = services.use_recovery_code(request, request.user, request.POST.get("code", ""))
        if outcome.result == services.LOCKED:
            return _locked_out(request, outcome.until)
        if outcome.ok:
            left = services.remaining_recovery_codes(request.user)
            messages.warning(request, _("Đã dùng một mã khôi phục; còn %(n)d mã. Mỗi mã chỉ dùng được một lần.") % {"n": left})
            return _go_on(request)
        error = _("Mã khôi phục không đúng hoặc đã được dùng.")
    return render(request, "mfa/recover.html", {"error": error, "next": _next(request)}, status=400 if error else 200)


@never_cache
@login_required
def status(request):
    """The account's own page: enrolled or not, required or not, recovery codes left."""
    account = request.user
    authenticator = services.confirmed_authenticator(account)
    return render(request, "mfa/status.html", {
        "authenticator": authenticator,
        "required": services.required_for(account),
        "may_enrol": services.may_enrol(account),
        "remaining": services.remaining_recovery_codes(account) if authenticator else 0,
    })


@require_POST
@never_cache
@login_required
def renew_recovery_codes(request):
    try:
        codes = services.new_recovery_codes(request, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mfa:status")
    return render(request, "mfa/recovery_codes.html", {"codes": codes, "next": "", "enrolled": False})


@require_POST
@login_required
def reset(request, pk):
    """Đặt lại xác thực hai bước of an account (its page in Quản lý người dùng)."""
    account = get_object_or_404(Account.objects.select_related("unit"), pk=pk)
    try:
        services.reset(request.user, account, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã đặt lại xác thực hai bước của tài khoản %(username)s; lần đăng nhập sau tài khoản sẽ đăng ký lại.")
                         % {"username": account.username})
    return redirect("accounts:user_detail", pk=account.pk)

"""Account middleware: the idle timeout, and the forced password change."""
from django.conf import settings
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse

from baocao import parameters


class SessionIdleTimeoutMiddleware:
    """End a session after the parameter session_idle_minutes without a request: each request
    pushes the session's expiry that far ahead (sessions are saved on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.session.set_expiry(parameters.for_request(request).session_idle_minutes * 60)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account with a default or reset password can open nothing but the change-password page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password and not self._allowed(request.path):
            if request.method == "GET" and not request.headers.get("HX-Request"):
                return redirect("accounts:password_change")
            return HttpResponseForbidden("Bạn phải đổi mật khẩu trước khi sử dụng hệ thống.")
        return self.get_response(request)

    @staticmethod
    def _allowed(path):
        allowed = (reverse("accounts:password_change"), reverse("accounts:logout"), reverse("set_language"), settings.STATIC_URL)
        return path.startswith(allowed)

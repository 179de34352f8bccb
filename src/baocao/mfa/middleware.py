"""An account that must sign in with a second factor reaches nothing but the enrolment and
verification pages, logout, the language switch, the user guide and static files until its
session has passed the second step (docs/adr/0015)."""
from django.conf import settings
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The forced password change comes first (PasswordChangeRequiredMiddleware).
        if user is not None and user.is_authenticated and not user.must_change_password and not self._allowed(request.path):
            state = services.pending(request)
            if state != services.NOTHING:
                if request.method == "GET" and not request.headers.get("HX-Request"):
                    target = reverse("mfa:enrol" if state == services.ENROL else "mfa:verify")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
                return HttpResponseForbidden(_("Bạn phải hoàn tất xác thực hai bước trước khi sử dụng hệ thống."))
        return self.get_response(request)

    @staticmethod
    def _allowed(path):
        exact = {reverse("mfa:enrol"), reverse("mfa:verify"), reverse("mfa:recover")}
        prefixes = (reverse("accounts:logout"), reverse("set_language"), reverse("guide:guide"), settings.STATIC_URL)
        return path in exact or path.startswith(prefixes)

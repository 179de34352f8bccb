"""The platform's own error pages, in Vietnamese, with the reason when there is one."""
from django.shortcuts import render


def _reason(exception):
    reason = getattr(exception, "reason", "")
    if reason:
        return reason
    # Http404 / BadRequest raised with a Vietnamese message of ours (not Django's own English).
    args = getattr(exception, "args", ())
    return args[0] if args and isinstance(args[0], str) and not args[0].isascii() else ""


def bad_request(request, exception=None):
    return render(request, "400.html", {"reason": _reason(exception)}, status=400)


def forbidden(request, exception=None):
    """The 403 page, with the policy's reason when it gave one (access.Refused)."""
    return render(request, "403.html", {"reason": _reason(exception)}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", {"reason": _reason(exception)}, status=404)


def server_error(request):
    """The 500 page: rendered without context processors or the database (which may be what
    failed), still the platform's Vietnamese page."""
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))


def csrf_failure(request, reason=""):
    """A refused CSRF check. On a production server reached over plain http while cookies
    are marked secure, the browser never sends the CSRF cookie back: tell the operator how
    to fix it rather than showing Django's English page."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    if settings.CSRF_COOKIE_SECURE and not request.is_secure():
        message = _(
            "Máy chủ đang đặt cookie chỉ gửi qua HTTPS (SECURE_COOKIES bật) nhưng trang được mở qua http://, nên trình duyệt "
            "không gửi lại cookie và không đăng nhập được. Hãy mở trang bằng https://; nếu máy chủ đứng sau một proxy TLS, "
            "đặt BEHIND_TLS_PROXY=on; chỉ khi dùng thử trong mạng nội bộ không có TLS mới đặt SECURE_COOKIES=off."
        )
        operator = True
    else:
        message = _("Phiên làm việc của trang đã hết hạn hoặc trang được mở từ nơi khác. Hãy tải lại trang (F5) rồi thử lại.")
        operator = False
    return render(request, "403_csrf.html", {"reason": message, "operator": operator}, status=403)

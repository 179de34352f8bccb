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

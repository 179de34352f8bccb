"""Every refusal is audited here, once: a view (or a service it called) raises
PermissionDenied — usually access.Refused, which says which unit and permission — and
this records one `scope.denied` event before Django renders the 403 page."""
from django.core.exceptions import PermissionDenied

from .services import record_read


class AuditRefusals:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        user = getattr(request, "user", None)
        unit = getattr(exception, "unit", None)
        if unit is None and user is not None and user.is_authenticated:
            unit = user.unit
        what = " ".join(part for part in (getattr(exception, "permission", ""), getattr(exception, "note", "")) if part)
        record_read("scope.denied", request=request, unit=unit, note=f"{what} {request.method} {request.path}".strip()[:500])
        return None

"""Run-time parameters (THIẾT LẬP THÔNG SỐ). `current()` gives the values in force."""


def current():
    from .services import current as _current

    return _current()


def for_request(request):
    """current(), read once per request (the middleware and the page header both need it)."""
    if not hasattr(request, "_baocao_parameters"):
        request._baocao_parameters = current()
    return request._baocao_parameters

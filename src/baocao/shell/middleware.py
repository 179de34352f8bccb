"""Language: Vietnamese unless the person chose English with the language switch.

Django's LocaleMiddleware would also follow the browser's Accept-Language, and office
PCs often run an English browser: the official labels must stay Vietnamese there."""
from django.conf import settings
from django.utils import translation

from baocao.units.text import clean_text, has_control


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Only for this request: the thread goes back to the default afterwards.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Scripts only from this site (every page's behaviour is in static files), no plugins, no
# framing, forms posting only here. Inline style attributes stay allowed (layout only).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


# --- Submitted text ------------------------------------------------------------------------

# Longest accepted query-string value: gunicorn refuses request lines over 4 KB anyway; a
# search box or filter never needs more.
MAX_QUERY_VALUE = 1000


def _cleaned(query):
    from django.http import QueryDict

    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(clean_text(key), [clean_text(v) for v in values])
    cleaned._mutable = False
    return cleaned


def _posted(request, content_type):
    """request.POST; for a page that posts more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS by
    design (a grid saved without JavaScript: every input, a 12b of 200 sub-units has 2,211),
    read again under the bound its view declares (`posted_fields_bound(request, **kwargs)`),
    never above it. Any other page keeps Django's bound."""
    from urllib.parse import parse_qsl

    from django.core.exceptions import TooManyFieldsSent
    from django.http import QueryDict
    from django.urls import Resolver404, resolve
    from django.utils.datastructures import MultiValueDict

    try:
        return request.POST
    except TooManyFieldsSent:
        if not content_type.startswith("application/x-www-form-urlencoded"):
            raise
        try:
            match = resolve(request.path_info)
        except Resolver404:
            raise TooManyFieldsSent() from None
        declared = getattr(match.func, "posted_fields_bound", None)
        bound = declared(request, **match.kwargs) if declared else None
        if not bound:
            raise
        try:
            pairs = parse_qsl(request.body.decode(request.encoding or "utf-8", errors="replace"), keep_blank_values=True,
                              max_num_fields=bound)
        except ValueError:
            raise TooManyFieldsSent(f"More than {bound} fields posted to a page that accepts {bound}.") from None
        post = QueryDict(mutable=True, encoding=request.encoding)
        for key, value in pairs:
            post.appendlist(key, value)
        post._mutable = False
        request._post, request._files = post, MultiValueDict()
        return post


class SubmittedTextMiddleware:
    """Every submitted text is NFC-normalised and loses its control characters before any
    view reads it (query string, form fields, uploaded file names, cookies), so a NUL typed
    into a search box, an explanation or a record field never reaches the database, and a
    unit name typed in NFD is the same text as in NFC. A path with a control character, or a
    query value longer than MAX_QUERY_VALUE, is answered with the 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest
        from django.utils.translation import gettext as _

        if has_control(request.path):
            raise BadRequest(_("Địa chỉ trang chứa ký tự không hợp lệ."))
        if any(len(v) > MAX_QUERY_VALUE for values in request.GET.lists() for v in values[1]) or any(
            len(k) > MAX_QUERY_VALUE for k in request.GET
        ):
            raise BadRequest(_("Tham số trên địa chỉ trang dài quá %(n)d ký tự.") % {"n": MAX_QUERY_VALUE})
        request.GET = _cleaned(request.GET)
        request.COOKIES = {clean_text(k): clean_text(v) for k, v in request.COOKIES.items()}
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            request.POST = _cleaned(_posted(request, content_type))
            for upload in request.FILES.values():
                upload.name = clean_text(upload.name) or "tep"
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A request whose query waited past the lock timeout, ran past the statement timeout or
    found SQLite locked gets the Vietnamese "try again" page (503) instead of a 500. Pages
    where something was typed (a grid, a record) catch it themselves and keep what was typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        if not isinstance(exception, OperationalError):
            return None
        reason = _("Hệ thống đang bận (dữ liệu này đang được người khác cập nhật). Thao tác chưa được thực hiện; "
                   "hãy quay lại trang trước, chờ vài giây rồi thử lại.")
        response = render(request, "400.html", {"reason": reason, "busy": True}, status=503)
        response["Retry-After"] = "5"
        return response

"""Bounds on the free text people type (issue 22, item 5; docs/security.md "Hostile input").

A form's `maxlength` is not a bound: a hand-made request can send a 4 MB return reason, which
was stored three times (the report, its history, the audit log), or 900 warning notes. Every
view (and any service a view does not front) reads a free-text field through `bounded`: text a
person typed that is too long is refused with a Vietnamese message naming the field and the
limit — never silently cut, so nothing they wrote is lost without their knowing — and they
shorten it. The limits are the platform's, one place for all of them.
"""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters, after stripping the ends.
LINE = 300  # one line: names, decision numbers and issuers, letter numbers
REASON = 2_000  # why: a return, a correction request, a rejection, an extension, an exemption; a decision's comment
NOTE = 2_000  # a note: under a decision, a warning note, a request's note
EXPLANATION = 20_000  # a report's thuyết minh (several pages of text)
DESCRIPTION = 10_000  # a support request or its answer
TEXT_CELL = 2_000  # a text cell of a grid
FOOTER_NOTE = 1_000  # a note under a grid (reports.services.clean_notes keeps 1,000)
MAX_WARNING_NOTES = 200  # warning notes in one request (a form raises at most a few dozen warnings)
MAX_NOTE_KEY = 200  # the key of a warning note (a rule code and its row)


class TextTooLong(ValidationError):
    """A free-text field longer than its bound; `message` names the field and the limit."""


def too_long(label, limit, length):
    return _("%(label)s dài %(n)s ký tự, vượt giới hạn %(max)s ký tự: hãy rút gọn.") % {
        "label": label, "n": _vn(length), "max": _vn(limit)}


def _vn(n):
    return f"{n:,}".replace(",", ".")


def bounded(value, limit, label):
    """`value` (None: "") stripped, or TextTooLong if it is longer than `limit` characters."""
    text = (value or "").strip()
    if len(text) > limit:
        raise TextTooLong(too_long(label, limit, len(text)))
    return text


def bounded_fields(values, limits):
    """{name: stripped text} of `values` ({name: typed}) for the fields of `limits`
    ({name: (limit, label)}); TextTooLong listing every field that is too long."""
    clean, problems = {}, []
    for name, (limit, label) in limits.items():
        text = (values.get(name) or "").strip()
        if len(text) > limit:
            problems.append(too_long(label, limit, len(text)))
        clean[name] = text
    if problems:
        raise TextTooLong(problems)
    return clean


def warning_notes(posted):
    """{warning key: note} of the notes posted with a submission (blank ones left out);
    TextTooLong if there are more than MAX_WARNING_NOTES, a key is not a warning's, or a note
    is longer than NOTE."""
    notes = {key: (value or "").strip() for key, value in posted.items() if (value or "").strip()}
    if len(notes) > MAX_WARNING_NOTES:
        raise TextTooLong(_("Có %(n)d ghi chú giải trình, vượt giới hạn %(max)d ghi chú mỗi lần gửi.") % {
            "n": len(notes), "max": MAX_WARNING_NOTES})
    if any(len(key) > MAX_NOTE_KEY for key in notes):
        raise TextTooLong(_("Ghi chú giải trình không gắn với cảnh báo nào của biểu."))
    problems = [too_long(_("Ghi chú giải trình"), NOTE, len(note)) for note in notes.values() if len(note) > NOTE]
    if problems:
        raise TextTooLong(problems[:1])
    return notes

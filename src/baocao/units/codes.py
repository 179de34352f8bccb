"""What a regime says about unit codes and unit kinds: the code grammar, the parent a code
implies, and the words users see for each kind.

The kiemke regime's asset-registration code (mã đơn vị đăng ký tài sản) is 3 characters
for a ministry or province, then 3 digits per level, and the parent's code is the code
minus its last 3 characters (regime.yaml `unit_code`). A regime without a grammar accepts
any code of the platform's safe characters.
"""
import re

from django.utils.translation import gettext as _

from baocao import regimes

from .models import UnitKind


def _grammar():
    spec = regimes.current().unit_code
    return (re.compile(spec["pattern"]), spec["segment"], spec["message"]) if spec else None


def code_problem(code, kind=None):
    """The message for a code that breaks the regime's grammar, or None. The root (the
    central unit) is outside the grammar."""
    grammar = _grammar()
    if grammar is None or kind == UnitKind.ROOT:
        return None
    pattern, _segment, message = grammar
    if pattern.match(code or ""):
        return None
    return _("Mã đơn vị “%(code)s” không đúng quy tắc. %(rule)s") % {"code": (code or "")[:40], "rule": message}


def implied_parent(code):
    """The parent code a code implies ('' for a top-level code, the root's child), or None
    when the regime has no grammar or the code breaks it."""
    grammar = _grammar()
    if grammar is None:
        return None
    pattern, segment, _message = grammar
    if not pattern.match(code or ""):
        return None
    parent = code[:-segment]
    return parent if pattern.match(parent) else ""


def parent_problem(code, parent_code, root_code):
    """The message when a new unit's parent is not the one its code implies, or None."""
    implied = implied_parent(code)
    if implied is None:
        return None
    expected = implied or root_code
    if expected and (parent_code or "").lower() != expected.lower():
        return _("Theo quy tắc mã, đơn vị cấp trên của %(code)s phải là %(parent)s (mã bỏ 3 ký tự cuối), không phải %(given)s.") % {
            "code": code, "parent": expected, "given": parent_code or "—"}
    return None


def kind_labels():
    """{kind: label} as the users of this regime say it."""
    labels = dict(UnitKind.choices)
    labels.update(regimes.current().kind_labels)
    return {kind: str(label) for kind, label in labels.items()}


def kind_label(kind):
    return kind_labels().get(kind, kind)


def next_free_code(parent_code):
    """The next code the grammar allows under `parent_code` that no unit, active or retired,
    has ever had (codes are never reused): the parent's code plus the next 3-digit number;
    '' when the regime has no grammar, the parent breaks it, or all are taken."""
    from django.db.models.functions import Length

    from .models import Unit

    grammar = _grammar()
    if grammar is None or not parent_code:
        return ""
    pattern, segment, _message = grammar
    taken = {code[len(parent_code):] for code in Unit.objects.annotate(n=Length("code"))
             .filter(code__istartswith=parent_code, n=len(parent_code) + segment).values_list("code", flat=True)}
    for number in range(1, 10 ** segment):
        candidate = f"{parent_code}{number:0{segment}d}"
        if f"{number:0{segment}d}" not in taken and pattern.match(candidate):
            return candidate
    return ""


def code_rule():
    """The regime's code rule as users read it ('' without a grammar)."""
    spec = regimes.current().unit_code
    return spec["message"] if spec else ""

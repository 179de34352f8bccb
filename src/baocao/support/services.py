"""Reporting and answering technical problems; each action audited in its transaction."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.audit.services import record
from baocao.units.text import clean_text

from .models import Problem

MAX_SCREENSHOT = 2 * 1024 * 1024
MAX_DESCRIPTION = 5000
# The image types accepted, recognised by their first bytes (never by the name or the
# type the browser claims).
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def may_handle(actor):
    """The central administrator (who sets the system's parameters) handles the queue."""
    return policy.may_somewhere(actor, permissions.PARAMETERS_EDIT)


def image_type(content):
    return next((kind for signature, kind in _SIGNATURES.items() if content.startswith(signature)), "")


def report_problem(actor, *, description, page="", screenshot=None, request=None):
    """File a problem. `screenshot` is an uploaded file or None."""
    description = clean_text(description or "").strip()
    page = clean_text(page or "").strip()
    errors = []
    if not description:
        errors.append(_("Cần mô tả lỗi gặp phải."))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(_("Mô tả lỗi dài quá %(n)d ký tự.") % {"n": MAX_DESCRIPTION})
    if len(page) > 500:
        errors.append(_("Địa chỉ trang dài quá 500 ký tự."))
    content, kind = None, ""
    if screenshot is not None:
        if screenshot.size > MAX_SCREENSHOT:
            errors.append(_("Ảnh chụp màn hình lớn quá 2 MB."))
        else:
            content = screenshot.read(MAX_SCREENSHOT + 1)
            kind = image_type(content)
            if not kind:
                errors.append(_("Ảnh chụp màn hình phải là tệp PNG hoặc JPEG."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        problem = Problem.objects.create(
            reporter=actor, unit=actor.unit, page=page, description=description,
            screenshot=content if kind else None, screenshot_type=kind,
        )
        record("support.reported", actor=actor, request=request, unit=actor.unit, obj=problem,
               after={"page": page, "screenshot": bool(kind)})
    return problem


def visible_to(actor):
    """The problems an account may read: all of them for a handler, else its own."""
    problems = Problem.objects.select_related("reporter", "unit", "answered_by")
    return problems if may_handle(actor) else problems.filter(reporter=actor)


def answer(actor, problem, *, status, text, request=None):
    """Set the status and the answer of a problem."""
    if not may_handle(actor):
        raise policy.Refused(_("Chỉ quản trị hệ thống xử lý phản ánh lỗi."), unit=problem.unit,
                             permission=permissions.PARAMETERS_EDIT, note=f"support problem {problem.pk}")
    text = clean_text(text or "").strip()
    if status not in Problem.Status.values:
        raise ValidationError(_("Trạng thái không hợp lệ."))
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(_("Câu trả lời dài quá %(n)d ký tự.") % {"n": MAX_DESCRIPTION})
    if status == Problem.Status.DONE and not text:
        raise ValidationError(_("Cần trả lời người phản ánh trước khi đánh dấu Đã xử lý."))
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        before = {"status": problem.status, "answer": problem.answer}
        problem.status, problem.answer = status, text
        problem.answered_by, problem.answered_at = actor, timezone.now()
        problem.save()
        record("support.answered", actor=actor, request=request, unit=problem.unit, obj=problem,
               before=before, after={"status": status, "answer": text})
    return problem

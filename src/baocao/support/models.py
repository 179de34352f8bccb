"""Phản ánh lỗi (letter 003, item 3): a user reports a technical problem, the central
administrator answers it."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Problem(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        DONE = "done", _("Đã xử lý")

    reporter = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("Người phản ánh"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị"))
    page = models.CharField(_("Trang gặp lỗi"), max_length=500, blank=True)
    description = models.TextField(_("Mô tả lỗi"))
    # The screenshot is kept in the database (bounded, PNG or JPEG only, checked by its
    # content), served only to the reporter and the handlers, never from a public folder.
    screenshot = models.BinaryField(null=True, blank=True)
    screenshot_type = models.CharField(max_length=20, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("Trạng thái"), max_length=12, choices=Status.choices, default=Status.NEW)
    answer = models.TextField(_("Trả lời"), blank=True)
    answered_by = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["status", "reported_at"], name="problem_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["new", "in_progress", "done"]), name="problem_status_valid"),
        ]

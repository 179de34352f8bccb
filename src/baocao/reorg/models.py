"""Transfers of already-entered data from old units to new ones (letter 000, 2b): filed by
a ministry's or province's administrator, previewed and executed (or rejected) by the
central administrator, traced line by line (docs/adr/0007)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        EXECUTED = "executed", _("Đã thực hiện")
        REJECTED = "rejected", _("Đã từ chối")

    sources = models.ManyToManyField("units.Unit", related_name="transfers_out", verbose_name=_("Đơn vị cũ"))
    periods = models.ManyToManyField("reports.Period", related_name="+", verbose_name=_("Kỳ báo cáo"))
    # The forms whose reports move; empty: every form.
    form_codes = models.JSONField(_("Biểu mẫu"), default=list, blank=True)
    decision_number = models.CharField(_("Số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("Ngày quyết định"), null=True, blank=True)
    decision_issuer = models.CharField(_("Cơ quan ban hành"), max_length=300, blank=True)
    note = models.TextField(_("Ghi chú"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("Trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Decided by the central administrator: keep each report's state (else back to entry for
    # re-approval), which successor each register record of a split goes to.
    keep_state = models.BooleanField(_("Giữ nguyên trạng thái báo cáo"), default=False)
    record_targets = models.JSONField(default=dict, blank=True)  # {record id: unit id}
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("Lý do từ chối"), blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=["pending", "executed", "rejected"]), name="transfer_status_valid")]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"


class TransferTarget(models.Model):
    """A unit that receives: the new unit of a merge, each successor of a split with the
    share of grid amounts it takes (percent; None for a single target)."""

    transfer = models.ForeignKey(TransferRequest, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("Tỷ lệ (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["transfer", "position"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "unit"], name="transfertarget_unique"),
            models.CheckConstraint(condition=models.Q(share__isnull=True) | (models.Q(share__gte=0) & models.Q(share__lte=100)), name="transfertarget_share_range"),
        ]


class TransferLine(models.Model):
    """One report's data that moved: from which report, into which, how (moved whole,
    combined into the target's report, or split), how many cells and records."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("Chuyển nguyên báo cáo")
        COMBINED = "combined", _("Cộng vào báo cáo của đơn vị mới")
        SPLIT = "split", _("Chia cho các đơn vị kế thừa")

    transfer = models.ForeignKey(TransferRequest, on_delete=models.PROTECT, related_name="lines")
    source_report = models.ForeignKey("reports.Report", on_delete=models.PROTECT, related_name="+")
    target_report = models.ForeignKey("reports.Report", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    cells = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["transfer", "id"]

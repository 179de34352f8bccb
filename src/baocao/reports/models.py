"""Periods and reports: one form × one unit × one period, with its values or records.

The workflow (submission, review, approval) extends `Report.status`; for now a report is
a draft that its unit's entry account fills while the period is open.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    SIX_MONTHS = "6T", _("6 tháng")
    ANNUAL = "NAM", _("Năm")
    ANNUAL_OFFICIAL = "NAM_CT", _("Năm chính thức")
    INVENTORY = "KIEMKE", _("Kiểm kê")


class Period(models.Model):
    """Kỳ báo cáo: the data range it covers and when units may enter data."""

    regime = models.CharField(max_length=40)
    code = models.CharField(_("Mã kỳ"), max_length=40)
    name = models.CharField(_("Tên kỳ báo cáo"), max_length=200)
    kind = models.CharField(_("Loại kỳ"), max_length=10, choices=PeriodKind.choices)
    data_from = models.DateField(_("Số liệu từ ngày"))
    data_to = models.DateField(_("Số liệu đến ngày"))
    opens_at = models.DateTimeField(_("Mở nhập liệu"))
    deadline = models.DateTimeField(_("Hạn báo cáo"))

    class Meta:
        ordering = ["-data_to", "code"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "code"], name="period_code_unique"),
            models.CheckConstraint(condition=models.Q(data_from__lte=models.F("data_to")), name="period_data_range_valid"),
            models.CheckConstraint(condition=models.Q(opens_at__lt=models.F("deadline")), name="period_opens_before_deadline"),
        ]

    def __str__(self):
        return self.name

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now <= self.deadline


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")


class Report(models.Model):
    form = models.ForeignKey("formdefs.FormDefinition", on_delete=models.PROTECT, related_name="reports")
    # The form's code, beside the version: a unit files one report per form and period,
    # whichever version it was entered on.
    form_code = models.CharField(max_length=60)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("Trạng thái"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # Optimistic locking: every save increments it; a save against an older one is refused.
    version = models.PositiveIntegerField(default=1)
    explanation = models.TextField(_("Thuyết minh"), blank=True)
    # The form's notes under the table (12b: how many practice reports, notaries registered),
    # by footer field code, numbers as text ("12"), never floats.
    notes = models.JSONField(default=dict, blank=True)
    # Notes explaining warnings ("a warning needs a note"), by rule code.
    warning_notes = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "unit", "form_code"]
        constraints = [models.UniqueConstraint(fields=["form_code", "unit", "period"], name="report_one_per_form_unit_period")]

    def __str__(self):
        return f"{self.form_code} · {self.unit.code} · {self.period.code}"


class ReportValue(models.Model):
    """One grid cell. Numbers are Decimal end to end (VND amounts reach 10^13)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    row = models.CharField(max_length=120)
    column = models.CharField(max_length=60)
    number = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "row", "column"], name="report_value_unique_cell")]


class ReportRecord(models.Model):
    """One record of a list form (a land parcel, a building, a car…). Field values are kept
    as JSON text exactly as validated ("1234567.50" for money), never as floats."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="records")
    position = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "position"], name="report_record_unique_position")]

"""Periods, obligations and reports: one form × one unit × one period, with its values or
records, its workflow state, its revisions and its history.

A period is opened by the central administrator, which fixes the form versions it uses
(PeriodForm) and creates one Report row per (unit, form) owed: the report row is the
obligation (docs/adr/0002). States are the regime's (regime.yaml `workflow:`); values are
keyed by integer cells (docs/adr/0003); every submission freezes a Revision and every
transition leaves a ReportEvent (docs/adr/0004).
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def timeliness_of(submitted_at, period_due, own_due):
    """"on_time" (by the period's deadline), "extended" (by the unit's extension), "late",
    or "" if not sent."""
    if submitted_at is None:
        return ""
    if submitted_at <= period_due:
        return "on_time"
    return "extended" if submitted_at <= own_due else "late"


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", _("Chưa mở")
    OPEN = "open", _("Đang mở")
    CLOSED = "closed", _("Đã đóng")
    LOCKED = "locked", _("Đã khóa")


class Period(models.Model):
    """Kỳ báo cáo: the data range it covers, its deadline, and where it is in its life."""

    regime = models.CharField(max_length=40)
    code = models.CharField(_("Mã kỳ"), max_length=40)
    name = models.CharField(_("Tên kỳ báo cáo"), max_length=200)
    # A period type of the regime (regime.yaml `period_types:`): 6T, NAM, NAM_CT, KIEMKE…
    kind = models.CharField(_("Loại kỳ"), max_length=20)
    data_from = models.DateField(_("Số liệu từ ngày"))
    data_to = models.DateField(_("Số liệu đến ngày"))
    # The deadline as the letter sets it, and the moment it really ends: the end of that
    # day, or of the next working day if it is a rest day or holiday (reports.periods).
    deadline = models.DateField(_("Hạn báo cáo"))
    due_at = models.DateTimeField(_("Hết hạn lúc"))
    status = models.CharField(_("Trạng thái"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT)
    opened_at = models.DateTimeField(_("Mở lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Đóng lúc"), null=True, blank=True)
    locked_at = models.DateTimeField(_("Khóa lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-data_to", "code"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "code"], name="period_code_unique"),
            models.CheckConstraint(condition=models.Q(data_from__lte=models.F("data_to")), name="period_data_range_valid"),
            models.CheckConstraint(condition=models.Q(status__in=PeriodStatus.values), name="period_status_valid"),
            models.CheckConstraint(condition=models.Q(status=PeriodStatus.DRAFT) | models.Q(opened_at__isnull=False), name="period_opened_has_time"),
        ]

    def __str__(self):
        return self.name

    @property
    def header_name(self):
        """The name as it reads after "Kỳ báo cáo:" on a form: "năm chính thức 2020", not
        "Kỳ báo cáo: Kỳ báo cáo năm chính thức 2020"."""
        prefix = "Kỳ báo cáo "
        return self.name[len(prefix):] if self.name.startswith(prefix) else self.name

    @property
    def is_moment(self):
        """One moment in time (an inventory at 0h 01/01), not a data range."""
        from baocao import regimes

        period_type = regimes.current().period_types.get(self.kind)
        return bool(period_type and period_type.moment)

    def is_open(self, now=None):
        """Open for entry by everyone whose report has not passed its due moment."""
        return self.status == PeriodStatus.OPEN and (now or timezone.now()) <= self.due_at


class PeriodForm(models.Model):
    """The form version a period uses, fixed when it opens."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="forms")
    form_code = models.CharField(max_length=60)
    definition = models.ForeignKey("formdefs.FormDefinition", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "form_code"], name="periodform_unique")]


class FormDuty(models.Model):
    """A unit's standing exception to the regime's assignment: a form it files although its
    unit types do not say so, or one it is exempt from. Applied when a period opens."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="form_duties")
    form_code = models.CharField(_("Mã biểu"), max_length=60)
    exempt = models.BooleanField(_("Miễn lập"), default=False)
    reason = models.TextField(_("Lý do"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "form_code"]
        constraints = [models.UniqueConstraint(fields=["unit", "form_code"], name="formduty_unique")]


class Extension(models.Model):
    """Gia hạn: a unit (or its whole subtree) may enter and send until a later day."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị"))
    subtree = models.BooleanField(_("Cả các đơn vị trực thuộc"), default=False)
    until = models.DateField(_("Gia hạn đến ngày"))
    due_at = models.DateTimeField()
    reason = models.TextField(_("Lý do"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-granted_at", "-id"]


class Report(models.Model):
    """What one unit owes on one form for one period, and what it has entered."""

    form = models.ForeignKey("formdefs.FormDefinition", on_delete=models.PROTECT, related_name="reports")
    form_code = models.CharField(max_length=60)
    # No index of their own: (unit, period) and (period, status) below serve both.
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="reports", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports", db_index=False)
    # A state of the regime's workflow (Chưa nhập, Đang nhập, Chờ kiểm tra, …).
    status = models.CharField(_("Trạng thái"), max_length=30)
    # Optimistic locking: every change of content or state increments it.
    version = models.PositiveIntegerField(default=1)
    explanation = models.TextField(_("Thuyết minh"), blank=True)
    # The form's notes under the table (12b: how many practice reports, notaries registered),
    # by footer field code, numbers as text ("12"), never floats.
    notes = models.JSONField(default=dict, blank=True)
    # Notes explaining warnings ("a warning needs a note"), by rule code.
    warning_notes = models.JSONField(default=dict, blank=True)
    # This unit's deadline: the period's, or a later one granted by an extension.
    due_at = models.DateTimeField(_("Hạn của đơn vị"))
    # When the transition that counts (tuphap: approval; kiemke: sending) last happened.
    submitted_at = models.DateTimeField(_("Gửi lúc"), null=True, blank=True)
    exempt = models.BooleanField(_("Được miễn"), default=False)
    exempt_reason = models.TextField(_("Lý do miễn"), blank=True)
    revision = models.PositiveIntegerField(_("Lần gửi"), default=0)  # number of the last Revision
    # The reason of the last return or correction request, shown until the report is sent again.
    pending_reason = models.TextField(_("Lý do trả lại"), blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "unit", "form_code"]
        constraints = [models.UniqueConstraint(fields=["form_code", "unit", "period"], name="report_one_per_form_unit_period")]
        indexes = [
            models.Index(fields=["period", "status"], name="report_period_status"),
            models.Index(fields=["unit", "period"], name="report_unit_period"),
            # The exempted reports of a period, which no counter holds (completeness page).
            models.Index(fields=["period"], condition=models.Q(exempt=True), name="report_period_exempt"),
        ]

    def __str__(self):
        return f"{self.form_code} · {self.unit.code} · {self.period.code}"

    @property
    def state(self):
        from baocao import regimes

        return regimes.current().workflow.states.get(self.status)

    def get_status_display(self):
        state = self.state
        return state.label if state else self.status

    @property
    def timeliness(self):
        return timeliness_of(self.submitted_at, self.period.due_at, self.due_at)


class ReportValue(models.Model):
    """One grid cell: a FormCell, and for rows "one per child unit" the child unit's id
    (`instance`, 0 otherwise). Numbers are Decimal end to end (VND amounts reach 10^13)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    cell = models.ForeignKey("formdefs.FormCell", on_delete=models.PROTECT, related_name="+")
    instance = models.BigIntegerField(default=0)
    number = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "cell", "instance"], name="report_value_unique_cell")]


class ReportRecord(models.Model):
    """One record of a list form (a land parcel, a building, a car…). Field values are kept
    as JSON text exactly as validated ("1234567.50" for money), never as floats."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="records")
    position = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    # The unit that entered it, when a transfer brought it from another unit's report.
    origin_unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "position"]
        constraints = [models.UniqueConstraint(fields=["report", "position"], name="report_record_unique_position")]


class Revision(models.Model):
    """The content of a report as it was sent, frozen: never updated or deleted (on
    PostgreSQL a trigger refuses it). Values are {"row|column": "text"}, records the list
    of record data, exactly as stored."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("Lần gửi"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=dict)
    records = models.JSONField(default=list)
    explanation = models.TextField(blank=True)
    notes = models.JSONField(default=dict)
    warning_notes = models.JSONField(default=dict)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="revision_unique_number")]


class ReportEvent(models.Model):
    """One step in a report's history: a transition (who, when, from, to, why), or an
    administrative event (extension, exemption) with `transition` naming it."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    reason = models.TextField(blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["report", "at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="reportevent_report_at")]


class RollupTotal(models.Model):
    """The sum of one cell over every report of a unit's subtree (the unit's own included)
    for a period, by stage bucket: 1 editing, 2 sent, 3 approved/received. Kept up to date
    in the transaction of each save, transition and exemption (reports.ledger); proved by
    `verify_rollups` (docs/adr/0005)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    cell = models.ForeignKey("formdefs.FormCell", on_delete=models.PROTECT, related_name="+", db_index=False)
    bucket = models.PositiveSmallIntegerField()
    # National sums of VND exceed a report's 18 digits: room for 24.
    number = models.DecimalField(max_digits=30, decimal_places=6, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "cell", "bucket"], name="rolluptotal_key"),
            models.CheckConstraint(condition=models.Q(bucket__in=[1, 2, 3]), name="rolluptotal_bucket_valid"),
        ]


class RollupProgress(models.Model):
    """How many reports of a unit's subtree, for a period and form, are in each state and
    timeliness ("" not sent, on_time, extended, late). The denominator of completeness is
    the period's obligations: exempted reports are not counted (docs/adr/0005)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    form_code = models.CharField(max_length=60)
    status = models.CharField(max_length=30)
    timeliness = models.CharField(max_length=10, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "form_code", "status", "timeliness"], name="rollupprogress_key"),
        ]
        # A count of reports is never negative: a drift fails the change instead of showing.
        # A trigger (migration 0010), not a CHECK: an upsert's proposed row carries the
        # negative delta, which a CHECK refuses before the row it adds into is found.


class PeriodTree(models.Model):
    """The tree a period was closed on: every unit's path at that moment. A closed period's
    totals and counters stay on it whatever is reorganised later (docs/adr/0007)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    parent = models.ForeignKey("units.Unit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    path = models.CharField(max_length=1000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="periodtree_unique")]
        indexes = [models.Index(fields=["period", "path"], name="periodtree_period_path")]

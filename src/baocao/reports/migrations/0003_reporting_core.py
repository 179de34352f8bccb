"""The reporting core (docs/adr/0002–0004): period lifecycle and deadlines, the report as
obligation with its workflow state, values keyed by integer cells, revisions, history,
extensions, standing form duties and the form versions of a period.

Existing data is carried over: an open period stays open, a draft report becomes the
regime's "Đang nhập", and each stored cell gets its FormCell id (rows of a child-unit group
keyed by the child's id instead of its code)."""
import django.db.models.deletion
import django.utils.timezone
from datetime import datetime, time

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def end_of_day(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59, 999999)))


def periods_forward(apps, schema_editor):
    Period = apps.get_model("reports", "Period")
    now = timezone.now()
    for period in Period.objects.all():
        period.deadline = timezone.localtime(period.old_deadline).date()
        period.due_at = period.old_deadline
        if period.opens_at <= now:
            period.status, period.opened_at = "open", period.opens_at
        period.save()


def reports_forward(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    PeriodForm = apps.get_model("reports", "PeriodForm")
    for report in Report.objects.select_related("period"):
        report.due_at = report.period.due_at
        report.status = "dang_nhap" if report.status == "draft" else report.status
        report.save(update_fields=["due_at", "status"])
        PeriodForm.objects.get_or_create(period_id=report.period_id, form_code=report.form_code, defaults={"definition_id": report.form_id})


def values_forward(apps, schema_editor):
    from baocao.formdefs.spec import build_spec

    ReportValue = apps.get_model("reports", "ReportValue")
    FormCell = apps.get_model("formdefs", "FormCell")
    FormDefinition = apps.get_model("formdefs", "FormDefinition")
    Unit = apps.get_model("units", "Unit")
    for definition in FormDefinition.objects.filter(kind="grid"):
        spec = build_spec(definition.spec)
        FormCell.objects.bulk_create(
            [FormCell(regime=definition.regime, form_code=definition.code, row_code=r, column_code=c) for r, c in spec.storage_cells()],
            ignore_conflicts=True,
        )
    cells = {(c.regime, c.form_code, c.row_code, c.column_code): c.pk for c in FormCell.objects.all()}
    unit_ids = {code.lower(): pk for code, pk in Unit.objects.values_list("code", "pk")}
    orphans = []
    for value in ReportValue.objects.select_related("report__form"):
        group, _, key = value.row.partition("/")
        instance = unit_ids.get(key.lower()) if key else 0
        cell = cells.get((value.report.form.regime, value.report.form_code, group, value.column))
        if cell is None or instance is None:
            orphans.append(value.pk)  # a cell no version of the form has: it was never shown
            continue
        value.cell_id, value.instance = cell, instance
        value.save(update_fields=["cell", "instance"])
    ReportValue.objects.filter(pk__in=orphans).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("formdefs", "0003_formcell"),
        ("units", "0002_unit_search_text"),
        ("reports", "0002_report_notes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # --- periods ---
        migrations.AlterField(model_name="period", name="kind", field=models.CharField(max_length=20, verbose_name="Loại kỳ")),
        migrations.RenameField(model_name="period", old_name="deadline", new_name="old_deadline"),
        migrations.AddField(model_name="period", name="deadline", field=models.DateField(null=True, verbose_name="Hạn báo cáo")),
        migrations.AddField(model_name="period", name="due_at", field=models.DateTimeField(null=True, verbose_name="Hết hạn lúc")),
        migrations.AddField(
            model_name="period",
            name="status",
            field=models.CharField(choices=[("draft", "Chưa mở"), ("open", "Đang mở"), ("closed", "Đã đóng"), ("locked", "Đã khóa")], default="draft", max_length=10, verbose_name="Trạng thái"),
        ),
        migrations.AddField(model_name="period", name="opened_at", field=models.DateTimeField(blank=True, null=True, verbose_name="Mở lúc")),
        migrations.AddField(model_name="period", name="closed_at", field=models.DateTimeField(blank=True, null=True, verbose_name="Đóng lúc")),
        migrations.AddField(model_name="period", name="locked_at", field=models.DateTimeField(blank=True, null=True, verbose_name="Khóa lúc")),
        migrations.AddField(model_name="period", name="created_at", field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now), preserve_default=False),
        migrations.RemoveConstraint(model_name="period", name="period_opens_before_deadline"),
        migrations.RunPython(periods_forward, migrations.RunPython.noop),
        migrations.AlterField(model_name="period", name="deadline", field=models.DateField(verbose_name="Hạn báo cáo")),
        migrations.AlterField(model_name="period", name="due_at", field=models.DateTimeField(verbose_name="Hết hạn lúc")),
        migrations.RemoveField(model_name="period", name="old_deadline"),
        migrations.RemoveField(model_name="period", name="opens_at"),
        migrations.AddConstraint(model_name="period", constraint=models.CheckConstraint(condition=models.Q(status__in=["draft", "open", "closed", "locked"]), name="period_status_valid")),
        migrations.AddConstraint(
            model_name="period",
            constraint=models.CheckConstraint(condition=models.Q(status="draft") | models.Q(opened_at__isnull=False), name="period_opened_has_time"),
        ),
        # --- the form versions of a period ---
        migrations.CreateModel(
            name="PeriodForm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("form_code", models.CharField(max_length=60)),
                ("definition", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="formdefs.formdefinition")),
                ("period", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="forms", to="reports.period")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("period", "form_code"), name="periodform_unique")]},
        ),
        # --- reports as obligations, with their workflow state ---
        migrations.AlterField(model_name="report", name="status", field=models.CharField(max_length=30, verbose_name="Trạng thái")),
        migrations.AddField(model_name="report", name="due_at", field=models.DateTimeField(null=True, verbose_name="Hạn của đơn vị")),
        migrations.AddField(model_name="report", name="submitted_at", field=models.DateTimeField(blank=True, null=True, verbose_name="Gửi lúc")),
        migrations.AddField(model_name="report", name="exempt", field=models.BooleanField(default=False, verbose_name="Được miễn")),
        migrations.AddField(model_name="report", name="exempt_reason", field=models.TextField(blank=True, verbose_name="Lý do miễn")),
        migrations.AddField(model_name="report", name="revision", field=models.PositiveIntegerField(default=0, verbose_name="Lần gửi")),
        migrations.AddField(model_name="report", name="pending_reason", field=models.TextField(blank=True, verbose_name="Lý do trả lại")),
        migrations.AddField(model_name="report", name="state_changed_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name="report",
            name="state_changed_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(reports_forward, migrations.RunPython.noop),
        migrations.AlterField(model_name="report", name="due_at", field=models.DateTimeField(verbose_name="Hạn của đơn vị")),
        migrations.AddIndex(model_name="report", index=models.Index(fields=["period", "status"], name="report_period_status")),
        migrations.AddIndex(model_name="report", index=models.Index(fields=["unit", "period"], name="report_unit_period")),
        # --- values keyed by integer cells ---
        migrations.AddField(
            model_name="reportvalue",
            name="cell",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="formdefs.formcell"),
        ),
        migrations.AddField(model_name="reportvalue", name="instance", field=models.BigIntegerField(default=0)),
        migrations.RunPython(values_forward, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="reportvalue", name="report_value_unique_cell"),
        migrations.RemoveField(model_name="reportvalue", name="row"),
        migrations.RemoveField(model_name="reportvalue", name="column"),
        migrations.AlterField(
            model_name="reportvalue",
            name="cell",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="formdefs.formcell"),
        ),
        migrations.AddConstraint(
            model_name="reportvalue",
            constraint=models.UniqueConstraint(fields=("report", "cell", "instance"), name="report_value_unique_cell"),
        ),
        # --- standing duties, extensions, revisions, history ---
        migrations.CreateModel(
            name="FormDuty",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("form_code", models.CharField(max_length=60, verbose_name="Mã biểu")),
                ("exempt", models.BooleanField(default=False, verbose_name="Miễn lập")),
                ("reason", models.TextField(verbose_name="Lý do")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="form_duties", to="units.unit")),
            ],
            options={"ordering": ["unit", "form_code"], "constraints": [models.UniqueConstraint(fields=("unit", "form_code"), name="formduty_unique")]},
        ),
        migrations.CreateModel(
            name="Extension",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subtree", models.BooleanField(default=False, verbose_name="Cả các đơn vị trực thuộc")),
                ("until", models.DateField(verbose_name="Gia hạn đến ngày")),
                ("due_at", models.DateTimeField()),
                ("reason", models.TextField(verbose_name="Lý do")),
                ("granted_at", models.DateTimeField(auto_now_add=True)),
                ("granted_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("period", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="extensions", to="reports.period")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="units.unit", verbose_name="Đơn vị")),
            ],
            options={"ordering": ["-granted_at", "-id"]},
        ),
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="Lần gửi")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("values", models.JSONField(default=dict)),
                ("records", models.JSONField(default=list)),
                ("explanation", models.TextField(blank=True)),
                ("notes", models.JSONField(default=dict)),
                ("warning_notes", models.JSONField(default=dict)),
                ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("report", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="revisions", to="reports.report")),
            ],
            options={"ordering": ["report", "number"], "constraints": [models.UniqueConstraint(fields=("report", "number"), name="revision_unique_number")]},
        ),
        migrations.CreateModel(
            name="ReportEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("transition", models.CharField(max_length=40)),
                ("label", models.CharField(max_length=200)),
                ("from_state", models.CharField(blank=True, max_length=30)),
                ("to_state", models.CharField(blank=True, max_length=30)),
                ("reason", models.TextField(blank=True)),
                ("revision", models.PositiveIntegerField(blank=True, null=True)),
                ("actor", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("report", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events", to="reports.report")),
            ],
            options={"ordering": ["report", "at", "id"], "indexes": [models.Index(fields=["report", "at"], name="reportevent_report_at")]},
        ),
    ]

"""Excel and PDF in and out of a report. Thin views: scope, then the exchange functions."""
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.audit.services import record_read
from baocao.jobs import services as jobs
from baocao.jobs.uploads import UploadRefused, inspect_upload, runs_in_background
from baocao.reports import workflow
from baocao.reports.models import Report
from baocao.units.text import fold

from .forms import ReconcileForm, UploadForm
from .importing import ImportRefused, Problem, import_workbook, success_message, upload_bounds
from .printing import report_pdf
from .reconcile import reconcile_workbook
from .workbook import export_workbook, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request, pk):
    """The report, if the account may view it (else 403, audited)."""
    report = get_object_or_404(Report.objects.select_related("form", "unit", "unit__parent", "period"), pk=pk)
    policy.require(request.user, permissions.REPORT_VIEW, report.unit, note=f"report {report.pk}")
    return report


def _filename(report, suffix):
    """'23c-BTP-DKQGGDBD_bgtvt_pc_NAM_CT_2020.xlsx': ASCII (Đ becomes D, accents dropped), safe in every browser."""
    name = fold(f"{report.form_code}_{report.unit.code}_{report.period.code}", lower=False)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + suffix


def _download(request, report, content, content_type, suffix, action):
    record_read(action, request=request, unit=report.unit, obj=report, after={"form": report.form_code, "version": report.form.version})
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, suffix)}"'
    return response


@login_required
def template_download(request, pk):
    report = _report(request, pk)
    return _download(request, report, template_workbook(report), XLSX, "_mau.xlsx", "exchange.template_downloaded")


@login_required
def export_xlsx(request, pk):
    report = _report(request, pk)
    return _download(request, report, export_workbook(report), XLSX, ".xlsx", "exchange.exported_xlsx")


@login_required
def export_pdf(request, pk):
    report = _report(request, pk)
    try:
        content = report_pdf(report)
    except OSError:  # WeasyPrint cannot load Pango: the server lacks a system library
        messages.error(request, _("Máy chủ chưa cài thư viện tạo PDF (Pango); hãy dùng “Xuất excel” hoặc báo quản trị kỹ thuật."))
        return redirect("reports:report", pk=report.pk)
    return _download(request, report, content, "application/pdf", ".pdf", "exchange.exported_pdf")


@login_required
def upload(request, pk):
    """The upload page; after a refused file, the full list of its problems."""
    report = _report(request, pk)
    decision = workflow.edit_decision(request.user, report)
    if not decision:
        workflow.require_edit_permission(request.user, report)  # 403 (audited) without the permission …
        messages.error(request, decision.reason)  # … otherwise the state or period says why
        return redirect("reports:report", pk=report.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = []
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            inspection = inspect_upload(upload_file, **upload_bounds(report))
        except UploadRefused as refused:
            problems = [Problem(refused.message)]
            record_read("exchange.import_refused", request=request, unit=report.unit, obj=report,
                   after={"file": upload_file.name[:200], "problems": 1}, note=refused.message[:500])
            return render(request, "exchange/upload.html", {
                "active_menu": "entry", "report": report, "form": form, "problems": problems, "next": next_url}, status=400)
        if runs_in_background(inspection):
            # More work than a request may do (docs/adr/0013): read, checked and saved by the task
            # worker; the page shows its progress.
            job = jobs.start(request.user, "baocao.exchange.jobs.import_report", request=request, unit=report.unit,
                             title=_("Nhập số liệu từ Excel: biểu %(form)s, %(unit)s") % {"form": report.form_code, "unit": report.unit.name},
                             params={"report": report.pk, "next": next_url, "menu": "entry"},
                             upload=upload_file.read(), filename=upload_file.name)
            return redirect("jobs:detail", pk=job.pk)
        try:
            result = import_workbook(request.user, report, upload_file, size=upload_file.size, filename=upload_file.name, request=request)
        except ImportRefused as refused:
            problems = refused.problems
        else:
            messages.success(request, success_message(result))
            return redirect(next_url or request.path)
    return render(request, "exchange/upload.html", {
        "active_menu": "entry", "report": report, "form": form, "problems": problems, "next": next_url,
    })


@login_required
def reconcile(request, pk):
    """Đối chiếu: the signed paper report's Excel against the platform's figures; saves nothing.
    A file with more work than a request may do is compared by the task worker (its page
    shows the progress and then the differences)."""
    report = _report(request, pk)
    form = ReconcileForm(request.POST or None, request.FILES or None)
    problems, differences, done = [], [], False
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            inspection = inspect_upload(upload_file, **upload_bounds(report))
        except UploadRefused as refused:
            problems = [Problem(refused.message)]
        else:
            if runs_in_background(inspection):
                job = jobs.start(request.user, "baocao.exchange.jobs.reconcile_report", request=request, unit=report.unit,
                                 title=_("Đối chiếu với tệp Excel: biểu %(form)s, %(unit)s") % {"form": report.form_code, "unit": report.unit.name},
                                 params={"report": report.pk, "menu": "entry"}, upload=upload_file.read(), filename=upload_file.name)
                return redirect("jobs:detail", pk=job.pk)
            try:
                differences = reconcile_workbook(request.user, report, upload_file, size=upload_file.size,
                                                 filename=upload_file.name, request=request)
                done = True
            except ImportRefused as refused:
                problems = refused.problems
    return render(request, "exchange/reconcile.html", {
        "active_menu": "entry", "report": report, "form": form, "problems": problems, "differences": differences, "done": done,
    }, status=400 if problems else 200)

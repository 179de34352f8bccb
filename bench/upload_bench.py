"""Hostile uploads against every upload form (issue 22, docs/adr/0013-upload-work-bounds.md).

    .venv/bin/python bench/upload_bench.py          (or: ./dev bench --only uploads)

For each upload form — Nhập từ Excel of a grid (12a) and of a register (KK-OTO), Đối chiếu,
Nhập danh mục đơn vị, Danh sách sắp xếp từ Excel — each file of the hostile set (bench/hostile.py:
the shared strings renamed `xl/s.xml`, 30/60/120 MB of tiny strings, a part whose zip headers
lie about its size, 1e400 and NaN in a number cell, a sheet of 100,000 rows) is posted through
the whole Django stack as the person would; when the page hands it to the task worker, the job
is run as `baocao db_worker` would. Each is measured twice: once for time, once under
tracemalloc for the peak of Python memory. Printed per form: the worst request and the worst
job (time, peak memory), with what happened to each file, against reading that form's normal
template with openpyxl (read-only) in the same run. Goal (issue 22): no request over 5 s, no
worker over +100 MB.

On its own it runs on a fresh SQLite file, var/upload-bench.sqlite3 (or on DATABASE_URL).
"""
import argparse
import io
import os
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTINEL = 987654
GOAL_SECONDS, GOAL_MB = 5.0, 100.0


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
    if "DATABASE_URL" not in os.environ:
        (ROOT / "var").mkdir(exist_ok=True)
        bench_db = ROOT / "var" / "upload-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{bench_db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{bench_db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(fn):
    """(seconds, peak MiB of Python memory, result): a timed run, then a traced one."""
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def _account(username, unit, roles):
    from baocao.accounts.grants import set_roles
    from baocao.accounts.models import Account

    account = Account.objects.filter(username=username).first()
    if account is None:
        account = Account(username=username, display_name=username, unit=unit, must_change_password=False)
        account.set_unusable_password()
        account.save()
        set_roles(account, roles)
    return account


def _fixtures():
    """Units, accounts, the two regimes' forms, an open period of each and the reports."""
    from django.conf import settings
    from django.utils import timezone

    from baocao.formdefs.services import load_regime_forms
    from baocao.reports import periods
    from baocao.reports.models import Period, PeriodStatus, Report
    from baocao.units.models import Unit, UnitKind

    root = Unit.objects.filter(kind=UnitKind.ROOT).first() or Unit.objects.create(code="BTC", name="Bộ Tài chính", kind=UnitKind.ROOT)
    unit, _created = Unit.objects.get_or_create(code="XUPLOAD01", defaults={"name": "Đơn vị đo tệp tải lên", "kind": UnitKind.REPORTING, "parent": root})
    found = {"admin": _account("xupload_qt", root, ["central_admin"]), "entry": _account("xupload01", unit, ["entry"])}
    today = timezone.localdate()
    for regime, kind, form_code in (("tuphap", "6T", "12a/BTP/BTTP/CC"), ("kiemke", "KIEMKE", "KK-OTO")):
        settings.BAOCAO_REGIME = regime
        load_regime_forms(regime)
        period = Period.objects.filter(regime=regime, code="XUPLOAD").first() or periods.create_period(
            None, kind=kind, year=today.year, code="XUPLOAD", name="Kỳ đo tệp tải lên", deadline=today + timedelta(days=30))
        if period.status == PeriodStatus.DRAFT:
            periods.open_period(None, period)
        report = Report.objects.filter(period=period, unit=unit, form_code=form_code).first()
        if report is None:
            report = periods.add_obligation(None, period, unit, form_code, reason="bench")
        found[form_code] = Report.objects.select_related("form", "unit", "period").get(pk=report.pk)
    return found


def _with_number(content, place):
    """`content` with SENTINEL written where `place(sheet)` says (a cell of a number column)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    place(book.worksheets[0]).value = SENTINEL
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _forms(fixtures):
    """[(name, regime, url name, url args, account key, extra POST fields, normal template, a copy with SENTINEL in a number cell)]."""
    from django.conf import settings

    from baocao.exchange.workbook import template_workbook
    from baocao.reorg import excel as reorg_excel
    from baocao.units import catalogue

    def saved(book):
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    settings.BAOCAO_REGIME = "tuphap"
    grid = fixtures["12a/BTP/BTTP/CC"]
    grid_template = template_workbook(grid)
    settings.BAOCAO_REGIME = "kiemke"
    register = fixtures["KK-OTO"]
    register_template = template_workbook(register)

    def first_input(sheet):  # the first unlocked cell below the column numbers
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
            for cell in row:
                if cell.protection.locked is False:
                    return cell
        raise LookupError("no input cell")

    from baocao.exchange.layout import layout_for
    from baocao.exchange.workbook import NUMERIC_TYPES

    number_column = next(i for i, c in enumerate(layout_for(register).columns, start=1) if i > 1 and c.type in NUMERIC_TYPES)

    def first_row(content):
        from openpyxl import load_workbook

        marker = load_workbook(io.BytesIO(content), read_only=True).defined_names["BAOCAO_BIEU"].attr_text
        return int(marker.strip('="').split("|")[2])

    catalogue_template, list_template = saved(catalogue.template_workbook()), saved(reorg_excel.template_workbook())
    return [
        ("Nhập từ Excel: biểu 12a (bảng)", "tuphap", "exchange:upload", [grid.pk], "entry", {}, grid_template,
         _with_number(grid_template, first_input)),
        ("Nhập từ Excel: KK-OTO (danh sách)", "kiemke", "exchange:upload", [register.pk], "entry", {}, register_template,
         _with_number(register_template, lambda sheet: sheet.cell(first_row(register_template), number_column))),
        ("Đối chiếu: biểu 12a", "tuphap", "exchange:reconcile", [grid.pk], "entry", {}, grid_template,
         _with_number(grid_template, first_input)),
        ("Nhập danh mục đơn vị", "kiemke", "units:import", [], "admin", {}, catalogue_template,
         _with_number(catalogue_template, lambda sheet: sheet.cell(2, 1))),
        ("Danh sách sắp xếp từ Excel", "kiemke", "reorg:list", [], "admin", {"action": "preview"}, list_template,
         _with_number(list_template, lambda sheet: sheet.cell(2, 3))),
    ]


def hostile_set(template, with_number):
    from bench import hostile

    return [
        ("shared strings renamed xl/s.xml (400,000)", lambda: hostile.renamed_strings(template, 400_000)),
        ("30 MB of tiny strings", lambda: hostile.tiny_strings(template, 30)),
        ("60 MB of tiny strings", lambda: hostile.tiny_strings(template, 60)),
        ("120 MB of tiny strings", lambda: hostile.tiny_strings(template, 120)),
        ("a part lying about its size (50 MB)", lambda: hostile.lying_sizes(template, 50)),
        ("1e400 in a number cell", lambda: hostile.numbers(with_number, SENTINEL, b"1e400")),
        ("NaN in a number cell", lambda: hostile.numbers(with_number, SENTINEL, b"NaN")),
        ("100,000-row sheet", lambda: hostile.many_rows(template, 100_000, 8)),
    ]


def _outcome(response):
    """What the page said: the first problem of a refusal, or where it sent the person."""
    import re

    text = response.content.decode("utf-8", "replace")
    if response.status_code == 302:
        return f"→ {response.url}"
    for marker in ('data-testid="import-problems"', 'data-testid="list-errors"', 'data-testid="catalogue-errors"', "alert-danger"):
        if marker in text:
            region = text[text.index(marker) :].split(">", 1)[-1]
            if "<tbody>" in region:  # the import's table of problems: the last cell of the first row
                region = region[region.index("<tbody>") :].split("</tr>")[0].rsplit("<td>", 1)[-1]
            elif "<li>" in region:
                region = region[region.index("<li>") :]
            plain = " ".join(re.sub(r"<[^>]+>", " ", region).split())
            return f"{response.status_code} refused: {plain[:110]}"
    return f"HTTP {response.status_code}"


def run_form(form, accounts):
    """[(file, bytes, request s, request MiB, job s or None, job MiB or None, outcome)] of one form."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from baocao.jobs import services as jobs
    from baocao.jobs.models import Job

    name, regime, url, args, who, extra, template, with_number = form
    settings.BAOCAO_REGIME = regime
    client = Client()
    client.force_login(accounts[who], backend="baocao.accounts.backends.AccountBackend")
    rows = []
    for label, build in hostile_set(template, with_number):
        content = build()
        posted = []

        def post():
            response = client.post(reverse(url, args=args), {"file": SimpleUploadedFile("tep.xlsx", content), **extra})
            job = Job.objects.filter(actor=accounts[who]).order_by("-pk").first()
            fresh = job if job is not None and job.status == Job.Status.QUEUED else None
            posted.append(fresh)
            return response

        request_s, request_mb, response = measure(post)
        job_s = job_mb = None
        outcome = _outcome(response)
        if response.status_code == 302 and all(posted):
            timed_job, traced_job = posted
            start = time.perf_counter()
            jobs.run(timed_job.pk)
            job_s = time.perf_counter() - start
            tracemalloc.start()
            jobs.run(traced_job.pk)
            job_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            traced_job.refresh_from_db()
            message = (traced_job.result or {}).get("problems") or [(traced_job.result or {}).get("message", "")]
            outcome = f"job {traced_job.status}: " + " ".join(str(message[0]).split())[:80]
        rows.append((label, len(content), request_s, request_mb, job_s, job_mb, outcome))
    return rows


def baseline(template):
    """(seconds, MiB) of reading the normal template with openpyxl read-only."""
    from openpyxl import load_workbook

    def read():
        book = load_workbook(io.BytesIO(template), read_only=True)
        cells = sum(len(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
        book.close()
        return cells

    seconds, peak, _cells = measure(read)
    return seconds, peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="forms whose name contains this text (e.g. 'Đối chiếu')")
    args = parser.parse_args(argv)
    from django.apps import apps

    if not apps.ready:
        _setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the refusals' 400s are the point
    fixtures = _fixtures()
    accounts = {"admin": fixtures["admin"], "entry": fixtures["entry"]}
    print(f"database: {connection.vendor}; request scan budget {settings.BAOCAO_UPLOAD_REQUEST_SCAN_MB if hasattr(settings, 'BAOCAO_UPLOAD_REQUEST_SCAN_MB') else 64} MB, "
          f"background above {settings.BAOCAO_BACKGROUND_WORK:,} cells with a value + strings")
    verdicts = []
    for form in _forms(fixtures):
        if args.only and args.only not in form[0]:
            continue
        base_s, base_mb = baseline(form[6])
        rows = run_form(form, accounts)
        print(f"\n== {form[0]} — reading its normal template: {base_s * 1000:.0f} ms, {base_mb:.1f} MiB")
        print(f"   {'file':<42} {'bytes':>9} {'request':>9} {'req MiB':>8} {'job':>8} {'job MiB':>8}  outcome")
        for label, size, request_s, request_mb, job_s, job_mb, outcome in rows:
            job = f"{job_s:.2f} s" if job_s is not None else "—"
            job_memory = f"{job_mb:.1f}" if job_mb is not None else "—"
            print(f"   {label:<42} {size:>9,} {request_s:>7.2f} s {request_mb:>8.1f} {job:>8} {job_memory:>8}  {outcome}")
        worst_request = max(rows, key=lambda r: r[2])
        worst_request_mb = max(r[3] for r in rows)
        jobs = [r for r in rows if r[4] is not None]
        worst_job = max(jobs, key=lambda r: r[4]) if jobs else None
        worst_job_mb = max((r[5] for r in jobs), default=0.0)
        line = (f"   worst request {worst_request[2]:.2f} s ({worst_request[2] / max(base_s, 1e-6):.0f}× reading the template), "
                f"peak {worst_request_mb:.1f} MiB; ")
        line += (f"worst job {worst_job[4]:.2f} s, peak {worst_job_mb:.1f} MiB (+{worst_job_mb - base_mb:.1f} over reading the template)"
                 if worst_job else "no job")
        print(line)
        verdicts.append((form[0], worst_request[2] <= GOAL_SECONDS and worst_request_mb <= GOAL_MB and worst_job_mb <= GOAL_MB))
    print()
    for name, ok in verdicts:
        print(f"{'meets' if ok else 'MISSES'} the goal (request ≤ {GOAL_SECONDS:.0f} s, ≤ +{GOAL_MB:.0f} MiB): {name}")
    return all(ok for _name, ok in verdicts)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

"""Issue 9, items 1–4 on the Excel paths: a stale template never overwrites a colleague's
figures; amounts are bounded on every path; a damaged file is a message, not a 500; what an
upload may expand to is bounded before it is read; large imports run as background jobs
with a progress page; refused uploads are audited."""
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from baocao.audit.models import AuditEvent
from baocao.exchange.importing import ImportRefused, import_workbook
from baocao.exchange.workbook import export_workbook, template_workbook
from baocao.jobs import services as jobs
from baocao.jobs.models import Job
from baocao.reports.services import grid_values, record_values, save_grid

from .conftest import Filled

A12 = "12a/BTP/BTTP/CC"
ROW = "Tổ chức hành nghề công chứng"
CAR = {
    "(1)": "OTO-01", "(2)": "Xe ô tô 7 chỗ", "(3)": "Toyota Fortuner", "(4)": "23A-001.23",
}
CELL = ("to_chuc", "cong_chung_vien")  # 12a, column (1)


def _refused(actor, report, content):
    with pytest.raises(ImportRefused) as refused:
        import_workbook(actor, report, io.BytesIO(content), size=len(content))
    return [str(p) for p in refused.value.problems]


# --- 1. A stale template ---------------------------------------------------------------------


def test_a_template_made_before_a_colleagues_save_is_refused_and_keeps_their_figures(open_report_for, make_account):
    report = open_report_for("tuphap", A12, "T02003002")
    me, colleague = make_account("T02003002", "entry"), make_account("T02003002", "entry", username="dong_nghiep")
    template = template_workbook(report)  # I download the template …
    column = Filled(template).column_of["(1)"]
    row = Filled(template).row_of(ROW)
    save_grid(colleague, report, {CELL: Decimal(7)}, expected_version=report.version)  # … a colleague saves on the web …
    filled = Filled(template).set(ROW, "(1)", 3).save()  # … and I upload my old copy
    problems = _refused(me, report, filled)
    assert "dong_nghiep" in problems[0] and "tải tệp mẫu mới" in problems[0]
    assert any(f"dòng {row}" in p and "Khác với số liệu đang lưu: 7" in p for p in problems[1:]), problems
    assert grid_values(report)[CELL] == 7
    assert column


def test_a_fresh_template_after_the_save_imports(open_report_for, make_account):
    report = open_report_for("tuphap", A12, "T02003002")
    me = make_account("T02003002", "entry")
    save_grid(me, report, {CELL: Decimal(7)}, expected_version=report.version)
    filled = Filled(template_workbook(report)).set(ROW, "(1)", 3).save()
    import_workbook(me, report, io.BytesIO(filled), size=len(filled))
    assert grid_values(report)[CELL] == 3


def test_another_reports_template_and_a_template_without_version_are_refused(open_report_for, make_account):
    report = open_report_for("tuphap", A12, "T02003002")
    other = open_report_for("tuphap", A12, "T02003001")
    me = make_account("T02003002", "entry")
    problems = _refused(me, report, Filled(template_workbook(other)).set(ROW, "(1)", 3).save())
    assert "báo cáo khác" in problems[0]
    from openpyxl.workbook.defined_name import DefinedName

    filled = Filled(template_workbook(report))
    marker = filled.book.defined_names["BAOCAO_BIEU"].attr_text
    filled.book.defined_names["BAOCAO_BIEU"] = DefinedName("BAOCAO_BIEU", attr_text=marker.rsplit("|", 1)[0] + '"')
    assert "không ghi phiên bản" in _refused(me, report, filled.save())[0]


def test_a_grid_page_posted_with_an_old_version_is_refused_and_keeps_what_was_typed(open_report_for, make_account, login):
    report = open_report_for("tuphap", A12, "T02003002")
    me = make_account("T02003002", "entry")
    save_grid(me, report, {CELL: Decimal(7)}, expected_version=report.version)
    response = login(me).post(reverse("reports:save", args=[report.pk]), {"version": "0", "c|to_chuc|cong_chung_vien": "12"})
    assert response.status_code == 409
    assert 'value="12"' in response.content.decode()
    assert grid_values(report)[CELL] == 7


# --- 2. Amounts -------------------------------------------------------------------------------


def test_register_amounts_beyond_the_bound_are_refused_from_excel(open_report_for, make_account):
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    filled = Filled(template_workbook(report))
    money = next(n for n, c in filled.column_of.items() if n != "A" and "Nguyên giá" in str(filled.sheet.cell(filled.first - 2, c).value or ""))
    filled.record(0, {"(1)": "OTO-01", money: "1e400"})
    problems = _refused(make_account("T02003002", "entry"), report, filled.save())
    assert any("Số quá lớn" in p for p in problems), problems
    assert record_values(report) == []


def test_grid_notes_beyond_the_bound_are_refused_and_exports_keep_working(open_report_for, make_account, login):
    report = open_report_for("tuphap", "12b/BTP/BTTP/CC", "T02003")
    spec = report.form.spec_object()
    numeric = [f for f in getattr(spec, "footer_fields", ()) if f.get("type", "text") != "text"]
    if not numeric:
        pytest.skip("this form has no numeric note")
    me = make_account("T02003", "entry")
    response = login(me).post(reverse("reports:save", args=[report.pk]), {"version": str(report.version), f"n|{numeric[0]['code']}": "1e400"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert numeric[0]["code"] not in report.notes
    export_workbook(report)


# --- 3. Damaged files ---------------------------------------------------------------------------


def _garbage(sheet_xml=b"<worksheet><sheetData><row><c>"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types><<<")
        book.writestr("xl/workbook.xml", b"\x00\x01 not xml")
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def test_an_xlsx_whose_inner_xml_is_garbage_is_refused_with_a_message(open_report_for, make_account, login):
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    me = make_account("T02003002", "entry")
    assert "không phải là tệp Excel" in _refused(me, report, _garbage())[0]
    # A real template whose sheet XML was damaged afterwards.
    content = template_workbook(report)
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    problems = _refused(me, report, out.getvalue())
    assert "hỏng" in problems[0] or "không phải là tệp Excel" in problems[0]
    response = login(me).post(reverse("exchange:upload", args=[report.pk]), {"file": SimpleUploadedFile("x.xlsx", _garbage())})
    assert response.status_code in (200, 400) and "không phải là tệp Excel" in response.content.decode()


# --- 4. Upload amplification and background imports --------------------------------------------------


def _bomb(strings_mb):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        item = b"<si><t>" + b"A" * 1000 + b"</t></si>"
        book.writestr("xl/sharedStrings.xml", b"<sst>" + item * (strings_mb * 1024) + b"</sst>")
    return out.getvalue()


def test_shared_strings_beyond_the_bound_are_refused_before_reading_and_audited(open_report_for, make_account, login, settings):
    settings.BAOCAO_UPLOAD_MAX_SHARED_STRINGS_MB = 2
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    bomb = _bomb(3)
    assert len(bomb) < 100_000  # a small file …
    problems = _refused(make_account("T02003002", "entry"), report, bomb)
    assert "vượt giới hạn 2 MB" in problems[0]  # … refused, naming the limit
    response = login(make_account("T02003002", "entry")).post(reverse("exchange:upload", args=[report.pk]), {"file": SimpleUploadedFile("bom.xlsx", bomb)})
    assert response.status_code == 400 and "vượt giới hạn 2 MB" in response.content.decode()
    assert AuditEvent.objects.filter(action="exchange.import_refused", unit=report.unit, note__contains="2 MB").exists()


def test_expanded_size_and_declared_rows_are_bounded(open_report_for, make_account, settings):
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    me = make_account("T02003002", "entry")
    settings.BAOCAO_UPLOAD_MAX_EXPANDED_MB = 1
    assert "vượt giới hạn 1 MB" in _refused(me, report, _bomb(2))[0]
    settings.BAOCAO_UPLOAD_MAX_EXPANDED_MB = 200
    rows = _garbage(b'<worksheet><dimension ref="A1:Q900000"/><sheetData></sheetData></worksheet>')
    assert "900000 dòng, vượt giới hạn 101000 dòng" in _refused(me, report, rows)[0]  # the register's own bound


def test_a_large_register_is_imported_by_a_background_job_with_a_progress_page(open_report_for, make_account, login, settings):
    settings.BAOCAO_BACKGROUND_WORK = 1  # every upload is "large"
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    me = make_account("T02003002", "entry")
    filled = Filled(template_workbook(report))
    for n in range(30):
        filled.record(n, {"(1)": f"OTO-{n:02d}"})
    client = login(me)
    response = client.post(reverse("exchange:upload", args=[report.pk]), {"file": SimpleUploadedFile("xe.xlsx", filled.save())})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED and job.upload
    page = client.get(response.url).content.decode()
    assert 'data-status="queued"' in page and "hx-trigger" in page
    jobs.run(job.pk)  # what the task worker does
    job.refresh_from_db()
    # The records lack required fields: refused as a whole, every problem listed, nothing saved.
    assert job.status == Job.Status.REFUSED and job.result["problems"] and job.upload is None
    assert record_values(report) == []
    assert "Bắt buộc nhập" in client.get(response.url).content.decode()
    # Someone else does not see the job.
    assert login(make_account("T02003001", "entry")).get(response.url).status_code == 404


def test_a_background_job_saves_like_the_request_and_audits_with_its_actor(open_report_for, make_account, login, settings):
    settings.BAOCAO_BACKGROUND_WORK = 1
    report = open_report_for("tuphap", A12, "T02003002")
    me = make_account("T02003002", "entry")
    client = login(me)
    content = Filled(template_workbook(report)).set(ROW, "(1)", 5).save()
    client.post(reverse("exchange:upload", args=[report.pk]), {"file": SimpleUploadedFile("bc.xlsx", content)}, REMOTE_ADDR="10.1.2.3")
    job = Job.objects.get()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "Đã nhập số liệu" in job.result["message"]
    assert grid_values(report)[CELL] == 5
    assert AuditEvent.objects.filter(action="exchange.imported", actor=me, ip="10.1.2.3").exists()

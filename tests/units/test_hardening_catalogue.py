"""Issue 9, items 4 and 5 on the catalogue: a large catalogue is imported by a background job
with a progress page; a refused file is audited; a damaged one is a message."""
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from baocao.audit.models import AuditEvent
from baocao.jobs import services as jobs
from baocao.jobs.models import Job
from baocao.units.models import Unit


def catalogue(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_large_catalogue_runs_as_a_job_with_progress_and_audit(tree, make_account, login, settings):
    settings.BAOCAO_BACKGROUND_WORK = 1
    admin = make_account("BTC", "central_admin")
    client = login(admin)
    content = catalogue([[f"T02003{n:03d}", f"Trường số {n}", "T02003", "reporting"] for n in range(10, 60)])
    response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("dm.xlsx", content)}, REMOTE_ADDR="10.9.8.7")
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "50 đơn vị mới" in job.result["message"]
    assert Unit.objects.filter(name__startswith="Trường số").count() == 50
    assert AuditEvent.objects.filter(action="units.imported", actor=admin, ip="10.9.8.7").exists()
    assert "50 đơn vị mới" in client.get(response.url).content.decode()


def test_a_refused_catalogue_is_audited_in_the_request_and_in_a_job(tree, make_account, login, settings):
    admin = make_account("BTC", "central_admin")
    client = login(admin)
    bad = catalogue([["T02003099", "", "KHONGCO", "reporting"]])
    response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("sai.xlsx", bad)})
    assert response.status_code == 200 and "Thiếu tên đơn vị" in response.content.decode()
    assert AuditEvent.objects.filter(action="units.import_refused", actor=admin, after__file="sai.xlsx").exists()
    settings.BAOCAO_BACKGROUND_WORK = 1
    client.post(reverse("units:import"), {"file": SimpleUploadedFile("sai2.xlsx", bad)})
    job = Job.objects.get()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.REFUSED and any("Thiếu tên đơn vị" in p for p in job.result["problems"])
    assert AuditEvent.objects.filter(action="units.import_refused", after__file="sai2.xlsx").exists()


def test_a_damaged_or_inflated_catalogue_is_a_message(tree, make_account, login, settings):
    client = login(make_account("BTC", "central_admin"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types><<<")
        book.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>" + b"A" * 1000 + b"</t></si>" * 1 + b"x" * 3_000_000 + b"</sst>")
    settings.BAOCAO_UPLOAD_MAX_SHARED_STRINGS_MB = 2
    response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("bom.xlsx", out.getvalue())})
    assert response.status_code == 200 and "vượt giới hạn 2 MB" in response.content.decode()
    settings.BAOCAO_UPLOAD_MAX_SHARED_STRINGS_MB = 32
    response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("hong.xlsx", out.getvalue())})
    assert response.status_code == 200 and "không phải là tệp Excel" in response.content.decode()

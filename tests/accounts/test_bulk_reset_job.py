"""Work on every account matching a search runs in the task worker with a progress page
(issue 13): resetting beyond a thousand, set-based, one batch per transaction; exporting
beyond a few thousand, the file downloaded from the job's page."""
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from baocao.accounts import administration, user_views
from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.audit.models import AuditEvent
from baocao.jobs import services as jobs
from baocao.jobs.models import Job
from baocao.units.models import Unit

RESET = reverse("accounts:users_reset")


@pytest.fixture
def province_admin(tree, login):
    create_missing_accounts(None, Unit.objects.all())
    Account.objects.update(must_change_password=False)
    admin = Account.objects.get(username="T02")
    return login(admin), admin


def test_a_large_select_all_reset_runs_as_a_job_with_progress_and_audit(province_admin, monkeypatch):
    client, admin = province_admin
    monkeypatch.setattr(user_views, "BACKGROUND_RESET", 2)
    response = client.post(RESET, {"all_matching": "1", "q": "", "confirm": "1"}, REMOTE_ADDR="10.1.2.3")
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert not Account.objects.filter(must_change_password=True).exists()  # nothing yet: the worker does it
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    # (The page says it to whoever signs in next: the administrator's own password was reset too.)
    assert job.result["message"] == "Reset mật khẩu thành công 5 tài khoản." and job.result["link"] == reverse("accounts:users")
    # The province's five accounts, and no other.
    assert set(Account.objects.filter(must_change_password=True).values_list("username", flat=True)) == {
        "T02", "T02001", "T02003", "T02003001", "T02003002"}
    events = AuditEvent.objects.filter(action="password.reset", actor=admin, ip="10.1.2.3")
    assert events.count() == 5 and set(events.values_list("unit__code", flat=True)) == {"T02", "T02001", "T02003", "T02003001", "T02003002"}


def test_a_job_for_a_unit_outside_scope_is_refused_and_changes_nothing(province_admin, monkeypatch):
    client, _ = province_admin
    monkeypatch.setattr(user_views, "BACKGROUND_RESET", 0)
    job = jobs.start(Account.objects.get(username="T02"), "baocao.accounts.jobs.reset_matching", title="x",
                     params={"filters": {"unit": "T01"}})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.REFUSED
    assert not Account.objects.filter(must_change_password=True).exists()


def test_the_reset_is_one_update_and_one_insert_per_batch(province_admin):
    _client, admin = province_admin
    accounts = administration.search_accounts(admin)
    with CaptureQueriesContext(connection) as captured:
        done = administration.reset_matching(admin, accounts, batch=2)
    writes = [q["sql"] for q in captured if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert done == 5 and len(writes) == 6  # three batches (2 + 2 + 1): one UPDATE and one INSERT each


EXPORT = reverse("accounts:users_export")


def test_a_large_export_is_written_by_the_worker_and_downloaded_by_its_starter_only(province_admin, monkeypatch, client):
    admin_client, admin = province_admin
    monkeypatch.setattr(user_views, "BACKGROUND_EXPORT", 2)
    # The link asks first (a GET starts nothing), with the number of accounts.
    page = admin_client.get(EXPORT, {"q": ""})
    assert "Danh sách có 5 tài khoản" in page.content.decode() and not Job.objects.exists()
    response = admin_client.post(EXPORT, {"q": ""}, REMOTE_ADDR="10.1.2.3")
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["message"] == "Đã lập tệp Excel danh sách 5 tài khoản."
    assert "Tải tệp về" in admin_client.get(response.url).content.decode()
    download = admin_client.get(reverse("jobs:download", args=[job.pk]))
    assert "attachment" in download["Content-Disposition"] and "danh-sach-tai-khoan-" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert "Phạm vi: T02 - Ủy ban nhân dân tỉnh Hà Giang" in sheet["A1"].value
    assert {row[1].value for row in sheet.iter_rows(min_row=3)} == {"T02", "T02001", "T02003", "T02003001", "T02003002"}
    event = AuditEvent.objects.get(action="accounts.exported")
    assert event.actor == admin and event.ip == "10.1.2.3" and event.after["rows"] == 5
    # Another administrator cannot fetch it, nor see the job.
    other = Account.objects.get(username="T01")
    client.force_login(other)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_an_export_file_is_kept_one_day(province_admin, monkeypatch):
    admin_client, admin = province_admin
    monkeypatch.setattr(user_views, "BACKGROUND_EXPORT", 2)
    admin_client.post(EXPORT, {"q": ""})
    job = Job.objects.get()
    jobs.run(job.pk)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=2))
    jobs.start(admin, "baocao.accounts.jobs.export_matching", title="x", params={"filters": {}})
    assert admin_client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert "Tải tệp về" not in admin_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

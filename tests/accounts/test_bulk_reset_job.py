"""Resetting every account matching a search, beyond a thousand, runs in the task worker
with a progress page, set-based, one batch per transaction (issue 13)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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

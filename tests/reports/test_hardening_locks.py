"""Issue 9, item 6: a save that meets a report row locked by another transaction waits at most
the lock timeout, then answers in Vietnamese with what was typed still on the page."""
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.urls import reverse

from baocao.reports.services import grid_values, save_grid
from tests.helpers import owed_report

A12 = "12a/BTP/BTTP/CC"
CELL = ("to_chuc", "cong_chung_vien")


def test_postgresql_connections_carry_a_lock_timeout():
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL only")
    assert "lock_timeout=" in django_settings.DATABASES["default"]["OPTIONS"]["options"]


@pytest.fixture
def other_transaction():
    """A second PostgreSQL connection, as another request would hold one."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("options", None)
    other = psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})
    yield other
    other.rollback()
    other.close()


@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_a_locked_report_says_try_again_and_keeps_what_was_typed(tuphap, tree, make_account, login, other_transaction):
    report = owed_report(tree["T02003002"], tuphap, A12)
    me = make_account("T02003002", "entry")
    save_grid(me, report, {CELL: Decimal(7)}, expected_version=report.version)
    report.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 300")  # the setting's 5 s, shortened for the test
    other_transaction.execute("SELECT id FROM reports_report WHERE id = %s FOR UPDATE", [report.pk])
    response = login(me).post(reverse("reports:save", args=[report.pk]),
                              {"version": str(report.version), "c|to_chuc|cong_chung_vien": "12", "explanation": "Giải trình"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "hãy chờ vài giây rồi bấm Lưu lại" in page
    assert 'value="12"' in page and "Giải trình" in page
    other_transaction.rollback()
    assert grid_values(report)[CELL] == 7
    # Saved as soon as the lock is gone, against the same version.
    again = login(me).post(reverse("reports:save", args=[report.pk]), {"version": str(report.version), "c|to_chuc|cong_chung_vien": "12"})
    assert again.status_code == 302 and grid_values(report)[CELL] == 12


@pytest.mark.django_db(transaction=True)
def test_any_other_page_meeting_a_lock_gets_the_vietnamese_busy_page(tuphap, tree, make_account, login, other_transaction, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    report = owed_report(tree["T02003002"], tuphap, A12)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 300")
    other_transaction.execute("SELECT id FROM reports_report WHERE id = %s FOR UPDATE", [report.pk])
    me = make_account("T02003002", "entry")
    response = login(me).post(reverse("reports:explanation", args=[report.pk]), {"version": str(report.version), "explanation": "x"})
    assert response.status_code == 503 and "Hệ thống đang bận" in response.content.decode()
    assert isinstance(OperationalError(), Exception)

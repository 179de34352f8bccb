"""The hot pages run a fixed number of queries: as many with a handful of rows, units or
children as with many more (issue 13). A count that grows with the data is an N+1 that a
national database turns into seconds."""
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baocao.audit.services import record_read
from baocao.units.models import Unit, UnitKind
from tests.factories import AccountFactory
from tests.helpers import owed_report

pytestmark = pytest.mark.django_db


def queries(client, method, url, data=None, status=200):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == status, response.status_code
    return len(captured)


def grow(tree, n, parent="T02003"):
    """`n` more units under `parent`, each with an account and an audit event."""
    for i in range(n):
        unit = Unit.objects.create(code=f"{parent}X{Unit.objects.count():04d}", name=f"Đơn vị thêm {i}", kind=UnitKind.REPORTING,
                                   parent=tree[parent])
        account = AccountFactory(unit=unit, must_change_password=bool(i % 2), locked_by_admin=not i % 5)
        record_read("login.success", actor=account, unit=unit)


@pytest.mark.parametrize("url,data", [
    ("accounts:users", {}),
    ("accounts:users", {"unit": "T02", "sort": "display_name"}),
    ("accounts:users", {"q": "them", "status": "locked"}),
    ("audit:list", {}),
    ("audit:list", {"unit": "T02003", "action": "login.success"}),
    ("audit:list", {"account": "USER1"}),
    ("units:list", {}),
    ("shell:home", {}),
])
def test_admin_pages_run_as_many_queries_with_many_rows(tree, make_account, login, url, data):
    client = login(make_account("BTC", "central_admin"))
    grow(tree, 3)
    few = queries(client, "get", reverse(url), data)
    grow(tree, 60)
    assert queries(client, "get", reverse(url), data) == few


def test_the_grid_page_and_its_save_run_as_many_queries_with_many_sub_units(tuphap, tree, make_account, login):
    client = login(make_account("T02003", "entry"))
    report = owed_report(tree["T02003"], tuphap, "12b/BTP/BTTP/CC")
    page, save = reverse("reports:report", args=[report.pk]), reverse("reports:save", args=[report.pk])

    def counts(version):
        first = Unit.objects.filter(parent=tree["T02003"]).order_by("code").first()
        changes = {f"to_chuc/{first.pk}|cong_chung_vien": str(version + 1)}
        return (queries(client, "get", page),
                queries(client, "post", save, {"version": version, "changes": json.dumps(changes)}, status=302))

    counts(1)  # the first save also starts the report (Chưa nhập → Đang nhập): compare later saves
    few = counts(2)
    for n in range(40):
        unit = Unit.objects.create(code=f"T02003V{n:03d}", name=f"Văn phòng công chứng {n}", kind=UnitKind.REPORTING, parent=tree["T02003"])
        unit.unit_types.add("to_chuc_hanh_nghe_cong_chung")
    counts(3)  # writes the zero rows of the new practices' computed cells once (one bulk INSERT)
    assert counts(4) == few

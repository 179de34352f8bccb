"""Versions: a save writes only the cells that changed, with its audit event; a sent revision
never changes; amounts beyond the platform's bound are refused on every path."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baocao.audit.models import AuditEvent
from baocao.reports import services, workflow
from baocao.reports.models import ReportValue, Revision
from tests.helpers import owed_report

B12 = "12b/BTP/BTTP/CC"


def writes(captured, table="reports_reportvalue"):
    """The statements that wrote to `table`: INSERT, UPDATE or DELETE."""
    return [q["sql"].split()[0].upper() for q in captured
            if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE") and table in q["sql"].split("(")[0].split(" WHERE")[0]]


def test_a_save_writes_only_the_changed_cells(tuphap, tree, make_account):
    clerk = make_account("T02003", "entry")
    report = owed_report(tree["T02003"], tuphap, B12)
    first, second = tree["T02003001"].pk, tree["T02003002"].pk
    values = {(f"to_chuc/{unit}", column): Decimal(n + 1) for n, (unit, column) in enumerate(
        (u, c) for u in (first, second) for c in ("cong_chung_vien", "viec_hop_dong", "viec_ban_dich", "ban_sao", "chu_ky"))}
    services.save_grid(clerk, report, values, expected_version=report.version)
    report.refresh_from_db()
    before = dict(ReportValue.objects.filter(report=report).values_list("pk", "number"))
    changed = dict(values)
    changed[(f"to_chuc/{first}", "chu_ky")] = Decimal(50)  # an update
    del changed[(f"to_chuc/{second}", "ban_sao")]  # a deletion
    changed[(f"to_chuc/{second}", "phi_chu_ky")] = Decimal(70000)  # an insertion
    with CaptureQueriesContext(connection) as captured:
        services.save_grid(clerk, report, changed, expected_version=report.version)
    after = dict(ReportValue.objects.filter(report=report).values_list("pk", "number"))
    # Untouched cells keep their rows: only the changed cells (and the totals they feed) were written.
    kept = {pk for pk in before if pk in after and before[pk] == after[pk]}
    assert len(before) - len(kept) <= 6 and len(kept) >= len(before) - 6
    assert sorted(writes(captured)) == ["DELETE", "INSERT", "UPDATE"]  # one statement each, whatever the number of cells
    assert len(writes(captured, "reports_rolluptotal")) == 1  # the totals of the unit and its ancestors, in one upsert
    event = AuditEvent.objects.filter(action="report.saved").latest("id")
    assert event.after["cells"][f"to_chuc/{first}.chu_ky"] == ["5", "50"]
    assert event.after["cells"][f"to_chuc/{second}.ban_sao"] == ["9", ""]
    assert event.after["cells"][f"to_chuc/{second}.phi_chu_ky"] == ["", "70000"]
    assert event.after["cells"]["tong_so.chu_ky"] == ["15", "60"]


def test_an_unchanged_save_writes_no_cell(notary_report, make_account):
    clerk = make_account("T02003002", "entry")
    services.save_grid(clerk, notary_report, {("to_chuc", "chu_ky"): Decimal(3)}, expected_version=1)
    notary_report.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        services.save_grid(clerk, notary_report, {("to_chuc", "chu_ky"): Decimal(3)}, expected_version=notary_report.version)
    assert not any("reports_reportvalue" in q["sql"] for q in captured if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE"))


def test_a_revision_is_unchanged_by_later_edits(notary_report, make_account):
    clerk, checker = make_account("T02003002", "entry"), make_account("T02003002", "reviewer")
    services.save_grid(clerk, notary_report, {("to_chuc", "chu_ky"): Decimal(3)}, expected_version=1, explanation="Lần một")
    notary_report.refresh_from_db()
    workflow.transition(clerk, notary_report, "gui_kiem_tra")
    workflow.transition(checker, notary_report, "tra_lai_kiem_tra", reason="Sai")
    notary_report.refresh_from_db()
    services.save_grid(clerk, notary_report, {("to_chuc", "chu_ky"): Decimal(4)}, expected_version=notary_report.version, explanation="Lần hai")
    revision = Revision.objects.get(report=notary_report, number=1)
    assert revision.values["to_chuc|chu_ky"] == "3" and revision.explanation == "Lần một"
    assert services.grid_values(notary_report)[("to_chuc", "chu_ky")] == Decimal(4)


@pytest.mark.parametrize("typed", ["123456789012345678901", "1e400", "-1e30", "1.000.000.000.000.000"])
def test_amounts_beyond_the_bound_are_refused_with_a_message(notary_report, make_account, login, typed):
    client = login(make_account("T02003002", "entry"))
    response = client.post(reverse("reports:save", args=[notary_report.pk]), {"version": 1, "c|to_chuc|thu_lao": typed})
    text = response.content.decode()
    assert response.status_code == 400 and ("Số quá lớn: phần nguyên tối đa 15 chữ số." in text or "Không được nhỏ hơn 0" in text)
    assert f'value="{typed}"' in text  # nothing lost
    assert not notary_report.values.exists()
    page = client.get(reverse("reports:report", args=[notary_report.pk]))
    assert page.status_code == 200


def test_the_largest_amount_is_stored_exactly(notary_report, make_account, login):
    client = login(make_account("T02003002", "entry"))
    client.post(reverse("reports:save", args=[notary_report.pk]), {"version": 1, "c|to_chuc|thu_lao": "999.999.999.999.999"})
    assert services.grid_values(notary_report)[("to_chuc", "thu_lao")] == Decimal("999999999999999")


def test_a_register_amount_beyond_the_bound_is_refused(kiemke, tree, make_account, login):
    from tests.reports.test_entry import CAR

    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    client = login(make_account("T02003002", "entry"))
    response = client.post(reverse("reports:record_add", args=[report.pk]), {**CAR, "version": report.version, "nguyen_gia": "1e400"})
    assert response.status_code == 400 and "Số quá lớn" in response.content.decode()
    assert not report.records.exists()


@pytest.mark.parametrize("query, status", [("?copy=abc", 400), ("?copy=99", 404)])
def test_malformed_or_missing_records_answer_in_vietnamese(kiemke, tree, make_account, login, query, status):
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    response = login(make_account("T02003002", "entry")).get(reverse("reports:record_add", args=[report.pk]) + query)
    assert response.status_code == status
    assert ("phải là số" if status == 400 else "Không tìm thấy bản ghi số 99") in response.content.decode()


def test_editing_a_missing_record_is_a_404(kiemke, tree, make_account, login):
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    client = login(make_account("T02003002", "entry"))
    assert client.get(reverse("reports:record_edit", args=[report.pk, 7])).status_code == 404
    deleted = client.post(reverse("reports:record_delete", args=[report.pk, 7]), {"version": report.version}, follow=True)
    assert "Không tìm thấy bản ghi số 7" in deleted.content.decode()

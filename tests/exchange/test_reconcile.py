"""Đối chiếu: the signed report's Excel compared cell by cell with the platform; nothing saved."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from baocao.audit.models import AuditEvent
from baocao.exchange.workbook import template_workbook
from baocao.reports.services import grid_values, save_grid

from .conftest import Filled

pytestmark = pytest.mark.django_db
A12 = "12a/BTP/BTTP/CC"
ROW = "Tổ chức hành nghề công chứng"


def _saved(open_report_for, make_account):
    report = open_report_for("tuphap", A12, "T02003002")
    account = make_account("T02003002", "entry")
    save_grid(account, report, {("to_chuc", "cong_chung_vien"): 3, ("to_chuc", "viec_hop_dong"): 1200},
              expected_version=report.version)
    report.refresh_from_db()
    return report, account


def _post(client, report, content):
    return client.post(reverse("exchange:reconcile", args=[report.pk]), {"file": SimpleUploadedFile("bc.xlsx", content)})


def test_the_page_has_its_form(open_report_for, make_account, login):
    report, account = _saved(open_report_for, make_account)
    client = login(account)
    page = client.get(reverse("exchange:reconcile", args=[report.pk])).content.decode()
    assert "Đối chiếu với báo cáo giấy" in page and "Tệp Excel của báo cáo đã ký" in page and '<label class="form-label" for="id_file">' in page
    assert reverse("exchange:reconcile", args=[report.pk]) in client.get(reverse("reports:report", args=[report.pk])).content.decode()


def test_a_matching_file_says_it_matches(open_report_for, make_account, login):
    report, account = _saved(open_report_for, make_account)
    response = _post(login(account), report, template_workbook(report))
    assert response.status_code == 200
    assert "Số liệu trong tệp khớp với số liệu trên phần mềm." in response.content.decode()
    assert AuditEvent.objects.filter(action="exchange.reconciled", unit=report.unit).exists()


def test_two_changed_cells_are_listed_with_both_values_and_nothing_is_saved(open_report_for, make_account, login):
    report, account = _saved(open_report_for, make_account)
    before_values, before_version = grid_values(report), report.version
    filled = Filled(template_workbook(report)).set(ROW, "(1)", 5).set(ROW, "(3)", 1300)
    response = _post(login(account), report, filled.save())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Có 2 ô khác nhau" in page
    differences = response.context["differences"]
    assert len(differences) == 2
    assert {(d.platform, d.file) for d in differences} == {("3", "5"), ("1.200", "1.300")}
    assert all(ROW in d.row for d in differences)
    for header in ("Dòng", "Cột", "Số liệu trên phần mềm", "Số liệu trong tệp"):
        assert f"<th>{header}</th>" in page
    report.refresh_from_db()
    assert report.version == before_version and grid_values(report) == before_values


def test_a_user_of_another_unit_is_refused(open_report_for, make_account, login):
    report, _account = _saved(open_report_for, make_account)
    client = login(make_account("T01017", "entry"))
    assert client.get(reverse("exchange:reconcile", args=[report.pk])).status_code in (403, 404)
    assert _post(client, report, template_workbook(report)).status_code in (403, 404)


def test_a_reviewer_of_the_unit_may_reconcile(open_report_for, make_account, login):
    report, _account = _saved(open_report_for, make_account)
    response = _post(login(make_account("T02003002", "reviewer")), report, template_workbook(report))
    assert response.status_code == 200 and "khớp" in response.content.decode()


def test_a_garbage_file_gives_the_error_message(open_report_for, make_account, login):
    report, account = _saved(open_report_for, make_account)
    response = _post(login(account), report, b"not an excel file at all")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không đọc được tệp để đối chiếu" in page and "không phải là tệp Excel" in page

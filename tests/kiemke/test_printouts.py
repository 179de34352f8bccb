"""The official layouts 04a/04b/04c-ĐK/TSC of a unit and 08a of a subtree, as Excel opened
back and as PDF, in nghìn đồng, refused outside the account's scope."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from baocao.reports import services, workflow
from tests.helpers import owed_report

from .test_registers import CAR, LAND


def cells(content):
    return [[c for c in row if c is not None] for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.fixture
def entered(kiemke, tree, make_account):
    school = make_account("T02003002", "entry", username="T02003002")
    department = make_account("T02003", "receiver", username="T02003")
    for form_code, record in (("KK-OTO", CAR), ("KK-DAT", LAND)):
        report = owed_report(tree["T02003002"], kiemke, form_code)
        services.save_record(school, report, record, expected_version=report.version)
        report.refresh_from_db()
        workflow.transition(school, report, "gui_bao_cao")
        workflow.transition(department, report, "tiep_nhan")
    return school


def test_04b_prints_the_units_cars_in_thousand_dong(kiemke, entered, login):
    client = login(entered)
    response = client.get(reverse("exchange:printout", args=["04b", "xlsx"]), {"ky": kiemke.pk})
    rows = cells(response.content)
    assert ["Mẫu số 04b-ĐK/TSC"] in rows and ["BÁO CÁO KÊ KHAI XE Ô TÔ CỦA CƠ QUAN, TỔ CHỨC, ĐƠN VỊ"] in rows
    car = next(r for r in rows if "23A-001.23" in r)
    assert "1.200.000" in car and "480.000" in car and "Mua sắm" in car and "x" in car  # 1,200,000,000 đồng = 1.200.000 nghìn đồng
    assert any("Thời điểm kiểm kê: 0 giờ ngày 01/01/2026" in str(r) for r in rows)
    pdf = client.get(reverse("exchange:printout", args=["04a", "pdf"]), {"ky": kiemke.pk})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_08a_in_three_parts_for_a_subtree(kiemke, entered, make_account, login, tree):
    client = login(make_account("T02", "admin", username="T02_qt"))
    rows = cells(client.get(reverse("exchange:printout", args=["08a", "xlsx"]), {"ky": kiemke.pk, "don_vi": "T02"}).content)
    titles = [r[0] for r in rows if r and str(r[0]).startswith("Phần")]
    assert titles == ["Phần 1. Tổng hợp chung", "Phần 2. Chi tiết theo loại hình đơn vị", "Phần 3. Chi tiết theo từng đơn vị"]
    land = [r for r in rows if r and r[0] == "- Đất khuôn viên"]
    assert land[0] == ["- Đất khuôn viên", "1", "5.000", "5.000"]  # one campus, 5,000 m², all public service use
    assert any(r == ["Đơn vị sự nghiệp"] for r in rows) and any("T02003 - Sở Giáo dục và Đào tạo" in str(r) for r in rows)


def test_printouts_are_refused_outside_the_scope(kiemke, entered, make_account, login):
    other = login(make_account("T01", "admin", username="T01_qt"))
    assert other.get(reverse("exchange:printout", args=["08a", "xlsx"]), {"ky": kiemke.pk, "don_vi": "T02"}).status_code == 403
    assert other.get(reverse("exchange:printout", args=["04b", "xlsx"]), {"ky": kiemke.pk, "don_vi": "T02003002"}).status_code == 403
    assert other.get(reverse("exchange:printout", args=["xx", "xlsx"]), {"ky": kiemke.pk}).status_code == 404
    assert other.get(reverse("exchange:printout", args=["04b", "xlsx"]), {"ky": "abc"}).status_code == 400


def test_the_entry_page_links_the_printouts(kiemke, entered, login):
    page = login(entered).get(reverse("reports:entry"), {"ky": kiemke.pk}).content.decode()
    assert "Mẫu số 04b-ĐK/TSC" in page and reverse("exchange:printout", args=["04b", "pdf"]) in page
    assert "Mẫu số 08a-ĐK/TSC" not in page  # a school sees no roll-up

"""Scope, audit and the printed PDF."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from baocao.audit.models import AuditEvent
from baocao.exchange.printing import report_html
from baocao.exchange.workbook import template_workbook
from baocao.reports.services import save_grid

from .conftest import Filled

A12 = "12a/BTP/BTTP/CC"


@pytest.mark.parametrize("name", ["template", "upload", "export_xlsx", "export_pdf"])
def test_a_user_of_another_unit_is_refused(open_report_for, make_account, login, name):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T01017", "entry"))
    url = reverse(f"exchange:{name}", args=[report.pk])
    assert client.get(url).status_code == 403
    if name == "upload":
        filled = Filled(template_workbook(report)).set("Tổ chức hành nghề công chứng", "(1)", 9)
        assert client.post(url, {"file": SimpleUploadedFile("bc.xlsx", filled.save())}).status_code == 403
        assert not report.values.exists()
    assert AuditEvent.objects.filter(action="scope.denied", unit=report.unit).exists()


def test_a_reviewer_may_download_but_not_import(open_report_for, make_account, login):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "reviewer"))
    assert client.get(reverse("exchange:template", args=[report.pk])).status_code == 200
    assert client.get(reverse("exchange:upload", args=[report.pk])).status_code == 403


def test_imports_and_exports_are_audited(open_report_for, make_account, login):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "entry"))
    client.get(reverse("exchange:template", args=[report.pk]))
    client.get(reverse("exchange:export_xlsx", args=[report.pk]))
    filled = Filled(template_workbook(report)).set("Tổ chức hành nghề công chứng", "(1)", 9)
    response = client.post(reverse("exchange:upload", args=[report.pk]), {"file": SimpleUploadedFile("bc.xlsx", filled.save())})
    assert response.status_code == 302
    actions = set(AuditEvent.objects.filter(unit=report.unit).values_list("action", flat=True))
    assert {"exchange.template_downloaded", "exchange.exported_xlsx", "exchange.imported", "report.saved"} <= actions


def _filled_12a(open_report_for, make_account):
    report = open_report_for("tuphap", A12, "T02003002")
    account = make_account("T02003002", "entry")
    entered = {("to_chuc", "cong_chung_vien"): 3, ("to_chuc", "viec_hop_dong"): 1200, ("to_chuc", "thu_lao"): 1234567}
    save_grid(account, report, entered, expected_version=report.version, explanation="Số liệu đã đối chiếu với sổ công chứng.")
    report.refresh_from_db()
    return report, account


def test_the_printed_page_is_the_signed_form(open_report_for, make_account):
    report, _account = _filled_12a(open_report_for, make_account)
    html = report_html(report)
    for text in ("Biểu số 12a/BTP/BTTP/CC", "TÌNH HÌNH TỔ CHỨC VÀ HOẠT ĐỘNG CÔNG CHỨNG", "Kỳ báo cáo: 6 tháng năm 2025",
                 "1.234.567", "1.200", "Thuyết minh:", "Số liệu đã đối chiếu với sổ công chứng.", "Hà Giang, ngày",
                 "Người lập biểu", "Người kiểm tra biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên, đóng dấu)", "<th>(11)</th>"):
        assert text in html
    assert "A4 landscape" in html


def test_pdf_is_a_real_pdf(open_report_for, make_account, login, weasyprint):
    report, account = _filled_12a(open_report_for, make_account)
    response = login(account).get(reverse("exchange:export_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "CÔNG CHỨNG" in text and "1.234.567" in text and "Người lập biểu" in text
    assert AuditEvent.objects.filter(action="exchange.exported_pdf", unit=report.unit).exists()


def test_pdf_without_its_system_library_says_so_instead_of_failing(open_report_for, make_account, login, monkeypatch):
    from baocao.exchange import views

    def no_pango(report):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(views, "report_pdf", no_pango)
    report = open_report_for("tuphap", "12a/BTP/BTTP/CC", "T02003002")
    client = login(make_account("T02003002", "entry", username="T02003002_bc"))
    response = client.get(reverse("exchange:export_pdf", args=[report.pk]), follow=True)
    assert response.status_code == 200
    assert "Máy chủ chưa cài thư viện tạo PDF" in response.content.decode()

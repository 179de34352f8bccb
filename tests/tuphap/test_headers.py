"""The printed header of the ministry forms on the page, in Excel and in the PDF: the
receiving unit is the Ministry of Justice, not the unit above; only the receipt date of
the period's type; the form code as written; download names keep Đ as D."""
import io

from django.urls import reverse
from openpyxl import load_workbook

C23 = "23c/BTP/ĐKQGGDBĐ"
RECEIVER = "Đơn vị nhận báo cáo: Bộ Tư pháp (Cục Kế hoạch - Tài chính)"


def _texts(content):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def test_23c_names_the_ministry_of_justice_as_receiver_everywhere(tuphap_report, make_account, login):
    report = tuphap_report(C23, "T02003002")
    client = login(make_account("T02003002", "entry"))
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Bộ Tư pháp (Cục Kế hoạch - Tài chính)" in page
    assert report.unit.parent.name not in page.split('class="bc-form-header')[1].split("</div>\n</div>")[0]
    excel = client.get(reverse("exchange:export_xlsx", args=[report.pk]))
    assert RECEIVER in _texts(excel.content)
    template = client.get(reverse("exchange:template", args=[report.pk]))
    assert RECEIVER in _texts(template.content)
    pdf = client.get(reverse("exchange:export_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_download_names_keep_the_letter_d(tuphap_report, make_account, login):
    report = tuphap_report(C23, "T02003002")
    client = login(make_account("T02003002", "entry"))
    disposition = client.get(reverse("exchange:export_xlsx", args=[report.pk]))["Content-Disposition"]
    assert "23c-BTP-DKQGGDBD_" in disposition and "KQGGDB-" not in disposition


def test_an_annual_report_shows_only_its_receipt_date(tuphap_report, make_account, login):
    report = tuphap_report("12a/BTP/BTTP/CC", "T02003002", kind="NAM_CT", year=2020)
    client = login(make_account("T02003002", "entry"))
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Ngày nhận báo cáo: 20/01 năm sau" in page
    assert "6T:" not in page and "06/6" not in page
    texts = _texts(client.get(reverse("exchange:export_xlsx", args=[report.pk])).content)
    assert "Ngày nhận báo cáo: 20/01 năm sau" in texts and not any("06/6" in t for t in texts)
    # A form with no receipt date for the period's type prints none.
    c23 = tuphap_report(C23, "T02003002", kind="NAM_CT", year=2020)
    assert "Ngày nhận báo cáo" not in client.get(reverse("reports:report", args=[c23.pk])).content.decode()


def test_the_breadcrumb_keeps_the_form_code_as_written(tuphap_report, make_account, login):
    report = tuphap_report(C23, "T02003002")
    client = login(make_account("T02003002", "entry"))
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    crumb = page.split('class="bc-breadcrumb')[1].split("</div>")[0]
    assert f'<span class="bc-code">{C23}</span>' in crumb
    css = open("src/baocao/static/baocao/baocao.css", encoding="utf-8").read()
    assert ".bc-breadcrumb .bc-code { text-transform: none; }" in css


def test_menus_are_translated_in_english(tuphap_report, make_account, login):
    tuphap_report(C23, "T02003002")
    client = login(make_account("T02003002", "entry"))
    page = client.get(reverse("shell:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("shell:home")).content.decode()
    assert "DATA ENTRY" in page and "NHẬP DỮ LIỆU" not in page

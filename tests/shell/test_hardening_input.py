"""Issue 9, items 3 and 8: bad input gets a Vietnamese 400/404 page or form error, never a 500;
the 500 page is the platform's; text is stored NFC; HSTS can be set; plain http with secure
cookies tells the operator what to do instead of Django's English CSRF page."""
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from baocao.accounts.models import Account
from baocao.audit.models import AuditEvent
from baocao.reports.services import record_values
from tests.helpers import owed_report

NFD = unicodedata.normalize("NFD", "Trường THPT Trần Phú")


@pytest.mark.parametrize("url", ["units:list", "accounts:users", "audit:list", "reports:below"])
def test_a_nul_byte_in_a_search_box_or_filter_is_harmless(url, make_account, login):
    client = login(make_account("BTC", "central_admin"))
    response = client.get(reverse(url), {"q": "Tr\x00ần", "unit": "T0\x002", "account": "a\x00", "from": "0\x001/01/2025"})
    assert response.status_code < 500


def test_a_nul_byte_in_the_path_is_a_vietnamese_400(make_account, login):
    response = login(make_account("BTC", "central_admin")).get("/don-vi/T02%00/")
    assert response.status_code == 400 and "ký tự không hợp lệ" in response.content.decode()


def test_a_huge_query_value_is_a_vietnamese_400(make_account, login):
    response = login(make_account("BTC", "central_admin")).get(reverse("units:list"), {"page": "9" * 5000})
    assert response.status_code == 400 and "dài quá" in response.content.decode()


def test_a_year_9999_date_filter_is_a_form_error(make_account, login):
    response = login(make_account("BTC", "central_admin")).get(reverse("audit:list"), {"from": "31/12/9999", "to": "31/12/9999"})
    assert response.status_code == 200 and "dd/mm/yyyy" in response.content.decode()


def test_target_abc_on_an_account_request_is_a_message(tuphap, make_account, login):
    client = login(make_account("T02003002", "approver"))
    response = client.post(reverse("accounts:request_file"), {"kind": "revoke", "target": "abc", "reason": "x"}, follow=True)
    assert response.status_code == 200 and "không hợp lệ" in response.content.decode()


def test_a_nul_byte_in_a_record_field_and_an_explanation_is_stored_without_it(kiemke, tree, make_account, login):
    from tests.reports.test_entry import CAR

    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    client = login(make_account("T02003002", "entry"))
    data = {**CAR, "ten_tai_san": "Xe\x00 ô tô", "version": report.version}
    assert client.post(reverse("reports:record_add", args=[report.pk]), data).status_code == 302
    assert record_values(report)[0]["ten_tai_san"] == "Xe ô tô"
    report.refresh_from_db()
    client.post(reverse("reports:explanation", args=[report.pk]), {"version": report.version, "explanation": "Giải\x00 trình"})
    report.refresh_from_db()
    assert report.explanation == "Giải trình"


def test_a_malformed_grid_field_name_is_ignored(tuphap, tree, make_account, login):
    report = owed_report(tree["T02003002"], tuphap, "12a/BTP/BTTP/CC")
    client = login(make_account("T02003002", "entry"))
    response = client.post(reverse("reports:save", args=[report.pk]), {"version": report.version, "c|": "1", "c|x": "2", "c|||": "3"})
    assert response.status_code in (302, 400)


def test_the_500_page_is_the_platforms_vietnamese_page(settings):
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "tests.shell.boom_urls"  # the platform's URLs, with a home page that raises
    clear_url_caches()
    response = Client(raise_request_exception=False).get("/")
    clear_url_caches()
    assert response.status_code == 500
    page = response.content.decode()
    assert "Lỗi máy chủ" in page and "thử lại" in page and "Server Error" not in page


# --- item 8 --------------------------------------------------------------------------------


def test_text_typed_in_nfd_is_stored_and_compared_in_nfc(kiemke, tree, make_account, login):
    from tests.reports.test_entry import CAR

    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    client = login(make_account("T02003002", "entry"))
    code = "OTO-Đà-Nẵng-01"
    client.post(reverse("reports:record_add", args=[report.pk]), {**CAR, "ma_tai_san": code, "version": report.version})
    report.refresh_from_db()
    second = client.post(reverse("reports:record_add", args=[report.pk]),
                         {**CAR, "ma_tai_san": unicodedata.normalize("NFD", code), "bien_kiem_soat": "99A-999.99", "version": report.version})
    assert second.status_code == 400 and "Trùng với bản ghi số 1" in second.content.decode()
    assert [r["ma_tai_san"] for r in record_values(report)] == [code]


def test_a_catalogue_name_in_nfd_is_stored_in_nfc(tree, make_account, login):
    import io

    from openpyxl import Workbook

    from baocao.units.models import Unit

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị"])
    sheet.append(["T02003009", NFD, "T02003", "reporting"])
    content = io.BytesIO()
    book.save(content)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(make_account("BTC", "central_admin"))
    client.post(reverse("units:import"), {"file": SimpleUploadedFile("dm.xlsx", content.getvalue())})
    assert Unit.objects.get(code="T02003009").name == unicodedata.normalize("NFC", NFD)


def test_a_username_typed_in_nfd_logs_in(client, make_account, password):
    make_account("T02003002", "entry", username="Trần")
    response = client.post(reverse("accounts:login"), {"username": unicodedata.normalize("NFD", "Trần"), "password": password})
    assert response.status_code == 302


def test_hsts_is_a_setting(settings, client, make_account):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_plain_http_with_secure_cookies_tells_the_operator_what_to_do(settings, make_account, password):
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    make_account("T02003002", "entry", username="T02003002")
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    # Over plain http the browser keeps the secure CSRF cookie to itself: the post arrives without it.
    client.cookies.clear()
    response = client.post(reverse("accounts:login"), {"username": "T02003002", "password": password})
    assert response.status_code == 403
    page = response.content.decode()
    assert "SECURE_COOKIES" in page and "https://" in page and "CSRF verification failed" not in page
    assert not AuditEvent.objects.filter(action="login.success").exists()
    assert Account.objects.filter(username="T02003002").exists()

"""NHẬP DỮ LIỆU: grid and list reports entered in the browser, saved safely."""
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from baocao.audit.models import AuditEvent
from baocao.reports import services
from baocao.reports.models import Report
from tests.helpers import owed_report


@pytest.fixture
def clerk(make_account, login):
    account = make_account("T02003002", "entry", username="T02003002_bc")
    return login(account), account


def save_url(report):
    return reverse("reports:save", args=[report.pk])


def test_entry_home_lists_the_units_forms(tuphap, clerk):
    client, _ = clerk
    text = client.get(reverse("reports:entry")).content.decode()
    assert "12a/BTP/BTTP/CC" in text and "Tình hình tổ chức và hoạt động công chứng" in text
    assert "Kỳ báo cáo năm chính thức 2025" in text


def test_grid_page_looks_like_the_printed_form(notary_report, clerk):
    client, _ = clerk
    text = client.get(reverse("reports:report", args=[notary_report.pk])).content.decode()
    for expected in ("Biểu số 12a/BTP/BTTP/CC", "Ban hành theo Thông tư số 03/2019/TT-BTP ngày 20/3/2019",
                     "TÌNH HÌNH TỔ CHỨC VÀ HOẠT ĐỘNG CÔNG CHỨNG".lower(), "Kỳ báo cáo: năm chính thức 2025",
                     "Từ ngày 01/01/2025 đến ngày 31/12/2025", "Đơn vị báo cáo", "Trường THPT Trần Phú",
                     "Số việc công chứng", "Chia ra", "(1)", "(11)", "(việc)", "Thuyết minh"):
        assert expected.lower() in text.lower(), expected


def test_save_accepts_vietnamese_numbers_and_computes_totals(notary_report, clerk):
    client, account = clerk
    response = client.post(save_url(notary_report), {
        "version": 1, "c|to_chuc|cong_chung_vien": "3", "c|to_chuc|viec_hop_dong": "1.234",
        "c|to_chuc|viec_ban_dich": "16", "c|to_chuc|thu_lao": "1.234.567.890", "explanation": "Số liệu cả năm",
    })
    assert response.status_code == 302
    notary_report.refresh_from_db()
    values = services.grid_values(notary_report)
    assert values[("to_chuc", "viec_tong")] == Decimal(1250)
    assert values[("to_chuc", "thu_lao")] == Decimal("1234567890")
    assert notary_report.version == 2 and notary_report.updated_by == account and notary_report.explanation == "Số liệu cả năm"
    page = client.get(reverse("reports:report", args=[notary_report.pk])).content.decode()
    assert 'value="1.234.567.890"' in page and ">1.250<" in page
    event = AuditEvent.objects.get(action="report.saved")
    assert event.after["cells"]["to_chuc.viec_tong"] == ["", "1250"]


def test_bad_values_are_refused_and_kept_on_screen(notary_report, clerk):
    client, _ = clerk
    response = client.post(save_url(notary_report), {"version": 1, "c|to_chuc|viec_hop_dong": "mười", "c|to_chuc|chu_ky": "5"})
    text = response.content.decode()
    assert response.status_code == 400 and "Phải là số" in text
    assert 'value="mười"' in text and 'value="5"' in text  # nothing lost
    negative = client.post(save_url(notary_report), {"version": 1, "c|to_chuc|viec_hop_dong": "-3"})
    assert negative.status_code == 400 and "Không được nhỏ hơn 0" in negative.content.decode()
    fraction = client.post(save_url(notary_report), {"version": 1, "c|to_chuc|viec_hop_dong": "2,5"})
    assert "Phải là số nguyên" in fraction.content.decode()
    notary_report.refresh_from_db()
    assert notary_report.version == 1 and not notary_report.values.exists()


def test_a_stale_save_is_refused_saying_who_and_when(notary_report, clerk, make_account):
    client, _ = clerk
    colleague = make_account("T02003002", "entry", username="T02003002_bc2")
    services.save_grid(colleague, notary_report, {("to_chuc", "chu_ky"): Decimal(7)}, expected_version=1)
    response = client.post(save_url(notary_report), {"version": 1, "c|to_chuc|chu_ky": "9"})
    text = response.content.decode()
    assert response.status_code == 409
    assert "T02003002_bc2" in text and "Số liệu của bạn chưa được lưu" in text
    assert 'value="9"' in text  # what this user typed is still on the screen
    assert services.grid_values(Report.objects.get(pk=notary_report.pk))[("to_chuc", "chu_ky")] == Decimal(7)
    # Having been told, the user may save again deliberately: the page now carries the new version.
    assert 'name="version" value="2"' in text


def test_rules_are_reported_but_do_not_stop_a_draft_save(tuphap, tree, clerk):
    client, _ = clerk
    report = owed_report(tree["T02003002"], tuphap, "10a/TP/CC")
    response = client.post(save_url(report), {"version": 1, "c|to_chuc|bat_dong_san": "5", "c|to_chuc|bat_dong_san_dien_tu": "8"}, follow=True)
    text = response.content.decode()
    assert "Còn 1 lỗi cần sửa trước khi gửi báo cáo" in text
    assert "Cột (4) giao dịch điện tử không được lớn hơn cột (3)" in text


def test_per_child_rows_and_the_derived_total(tuphap, tree, make_account, login):
    client = login(make_account("T02003", "entry"))
    report = owed_report(tree["T02003"], tuphap, "12b/BTP/BTTP/CC")
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Trường THPT Trần Phú" in page and "Trường THPT Chuyên" in page
    first, second = tree["T02003001"].pk, tree["T02003002"].pk  # rows of sub-units are keyed by their id
    client.post(save_url(report), {"version": 1, f"c|to_chuc/{first}|cong_chung_vien": "2", f"c|to_chuc/{second}|cong_chung_vien": "3"})
    assert services.grid_values(Report.objects.get(pk=report.pk))[("tong_so", "cong_chung_vien")] == Decimal(5)


def test_another_units_report_is_refused(notary_report, make_account, login):
    client = login(make_account("T02003001", "entry", username="T02003001_bc"))
    assert client.get(reverse("reports:report", args=[notary_report.pk])).status_code == 403
    assert client.post(save_url(notary_report), {"version": 1, "c|to_chuc|chu_ky": "1"}).status_code == 403
    assert not notary_report.values.exists()
    assert AuditEvent.objects.filter(action="scope.denied", unit=notary_report.unit).count() == 2


def test_a_reviewer_sees_but_cannot_save(notary_report, make_account, login):
    client = login(make_account("T02003002", "reviewer"))
    page = client.get(reverse("reports:report", args=[notary_report.pk])).content.decode()
    assert "readonly" in page and 'id="save"' not in page
    assert client.post(save_url(notary_report), {"version": 1}).status_code == 403


def test_a_report_past_its_deadline_refuses_saving(notary_report, clerk):
    from django.utils import timezone

    client, _ = clerk
    Report.objects.filter(pk=notary_report.pk).update(due_at=timezone.now() - timezone.timedelta(minutes=1))
    response = client.post(save_url(notary_report), {"version": 1, "c|to_chuc|chu_ky": "1"})
    assert response.status_code == 400 and "Đã hết hạn báo cáo" in response.content.decode()


CAR = {
    "ma_tai_san": "OTO-01", "ten_tai_san": "Xe ô tô 7 chỗ", "nhan_hieu": "Toyota Fortuner", "bien_kiem_soat": "23A-001.23",
    "so_cho_tai_trong": "7", "nuoc_san_xuat": "Việt Nam", "nam_san_xuat": "2019", "ngay_su_dung": "15/03/2019",
    "loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam", "nguyen_gia": "1.200.000.000", "nguon_ns": "1.200.000.000",
    "nguon_khac": "0", "gia_tri_con_lai": "480.000.000", "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "dang_su_dung",
}


def test_list_form_add_edit_duplicate_delete(kiemke, tree, make_account, login):
    client = login(make_account("T02003002", "entry", username="T02003002"))
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    add = reverse("reports:record_add", args=[report.pk])
    form = client.get(add).content.decode()
    assert "Thông tin chung" in form and "Biển kiểm soát" in form and "Xe ô tô phục vụ công tác chung" in form

    response = client.post(add, {**CAR, "version": 1}, follow=True)
    assert "Đã lưu bản ghi." in response.content.decode()
    [car] = services.record_values(Report.objects.get(pk=report.pk))
    assert car["nguyen_gia"] == "1200000000" and car["ngay_su_dung"] == "15/03/2019"
    listing = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "23A-001.23" in listing and "1.200.000.000" in listing

    # Duplicate: the copy opens pre-filled; the same plate number is refused.
    copy = client.get(add, {"copy": 1}).content.decode()
    assert 'value="Toyota Fortuner"' in copy
    twin = client.post(add, {**CAR, "ma_tai_san": "OTO-02", "version": 2})
    assert twin.status_code == 400 and "Trùng với bản ghi số 1" in twin.content.decode()

    # A broken record rule: Nguyên giá ≠ Nguồn NS + Nguồn khác.
    bad = client.post(add, {**CAR, "ma_tai_san": "OTO-02", "bien_kiem_soat": "23A-002.22", "nguon_ns": "1.000.000.000", "version": 2})
    assert bad.status_code == 400
    assert 'value="1.000.000.000"' in bad.content.decode()

    edit = reverse("reports:record_edit", args=[report.pk, 1])
    client.post(edit, {**CAR, "gia_tri_con_lai": "400.000.000", "version": 2})
    assert services.record_values(Report.objects.get(pk=report.pk))[0]["gia_tri_con_lai"] == "400000000"
    client.post(reverse("reports:record_delete", args=[report.pk, 1]), {"version": 3})
    assert not Report.objects.get(pk=report.pk).records.exists()
    assert {"report.record_added", "report.record_changed", "report.record_deleted"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_list_form_search_and_stale_edit(kiemke, tree, make_account, login):
    account = make_account("T02003002", "entry", username="T02003002")
    client = login(account)
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    services.save_record(account, report, CAR, expected_version=1)
    services.save_record(account, report, {**CAR, "ma_tai_san": "OTO-02", "bien_kiem_soat": "23B-999.99", "nhan_hieu": "Ford Everest"}, expected_version=2)
    found = client.get(reverse("reports:report", args=[report.pk]), {"q": "ford"}).content.decode()
    assert "23B-999.99" in found and "23A-001.23" not in found
    stale = client.post(reverse("reports:record_edit", args=[report.pk, 1]), {**CAR, "version": 1})
    assert stale.status_code == 409 and "đã được T02003002 lưu" in stale.content.decode()


def test_a_list_report_has_its_explanation(kiemke, tree, make_account, login):
    client = login(make_account("T02003002", "entry", username="T02003002"))
    report = owed_report(tree["T02003002"], kiemke, "KK-DAT")
    response = client.post(reverse("reports:explanation", args=[report.pk]), {"version": 1, "explanation": "Đơn vị không có đất"}, follow=True)
    assert "Đã lưu thuyết minh." in response.content.decode() and "Đơn vị không có đất" in response.content.decode()
    report.refresh_from_db()
    assert report.explanation == "Đơn vị không có đất" and report.version == 2


def test_report_pages_link_the_excel_and_pdf_exchange(notary_report, clerk, make_account, login):
    client, _ = clerk
    page = client.get(reverse("reports:report", args=[notary_report.pk])).content.decode()
    for name in ("exchange:template", "exchange:upload", "exchange:export_xlsx", "exchange:export_pdf"):
        assert reverse(name, args=[notary_report.pk]) in page, name
    reviewer = login(make_account("T02003002", "reviewer"))
    page = reviewer.get(reverse("reports:report", args=[notary_report.pk])).content.decode()
    assert reverse("exchange:upload", args=[notary_report.pk]) not in page  # may read, not import


def test_12b_notes_under_the_table_are_entered_checked_and_printed(tuphap, tree, make_account, login):
    from baocao.exchange.printing import report_html

    client = login(make_account("T02003", "entry"))
    report = owed_report(tree["T02003"], tuphap, "12b/BTP/BTTP/CC")
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Số công chứng viên đăng ký hành nghề tại Sở Tư pháp" in page
    bad = client.post(save_url(report), {"version": 1, "n|so_bao_cao": "hai"})
    assert bad.status_code == 400 and "phải là số nguyên không âm" in bad.content.decode() and 'value="hai"' in bad.content.decode()
    client.post(save_url(report), {"version": 1, "n|so_bao_cao": "2", "n|so_cong_chung_vien_dang_ky": "1.050"})
    report.refresh_from_db()
    assert report.notes == {"so_bao_cao": "2", "so_cong_chung_vien_dang_ky": "1050"}
    assert "Số công chứng viên đăng ký hành nghề tại Sở Tư pháp: 1.050" in report_html(report)


def test_a_per_unit_form_without_units_below_says_so(tuphap, tree, make_account, login):
    client = login(make_account("T02003002", "entry"))
    report = owed_report(tree["T02003002"], tuphap, "12b/BTP/BTTP/CC")
    text = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "lập theo từng đơn vị trực thuộc, nhưng đơn vị chưa có đơn vị trực thuộc nào" in text


BUILDING = {
    "ma_tai_san": "NHA-01", "ma_dat": "DAT-01", "ten_nha": "Nhà lớp học 3 tầng", "nam_xay_dung": "2010", "ngay_su_dung": "01/09/2010",
    "so_tang": "3", "dt_xay_dung": "400", "dt_san_theo_so": "1.200", "dt_san": "1.200", "nguyen_gia": "6.000.000.000", "nguon_ns": "6.000.000.000",
    "nguon_khac": "0", "gia_tri_con_lai": "3.000.000.000", "dt_co_so_hdsn": "1.200", "tinh_trang_kiem_ke": "dang_su_dung",
}


def test_a_building_must_stand_on_one_of_the_units_parcels(kiemke, tree, make_account, login):
    from baocao.reports.models import ReportRecord

    account = make_account("T02003002", "entry", username="T02003002")
    client = login(account)
    buildings = owed_report(tree["T02003002"], kiemke, "KK-NHA")
    add = reverse("reports:record_add", args=[buildings.pk])
    refused = client.post(add, {**BUILDING, "version": 1})
    assert refused.status_code == 400 and "Không tìm thấy bản ghi được tham chiếu" in refused.content.decode()
    assert "hãy nhập biểu được tham chiếu trước" in client.get(add).content.decode()

    parcels = owed_report(tree["T02003002"], kiemke, "KK-DAT")
    ReportRecord.objects.create(report=parcels, position=1, data={"ma_tai_san": "DAT-01", "ten_tai_san": "Khuôn viên trường"})
    form = client.get(add).content.decode()
    assert '<option value="DAT-01"' in form and "DAT-01 – Khuôn viên trường" in form
    assert client.post(add, {**BUILDING, "version": 1}).status_code == 302
    assert services.record_values(Report.objects.get(pk=buildings.pk))[0]["ma_dat"] == "DAT-01"

    # The parcel cannot be deleted while the building points to it.
    response = client.post(reverse("reports:record_delete", args=[parcels.pk, 1]), {"version": 1}, follow=True)
    assert "Không xóa được: bản ghi DAT-01 đang được tham chiếu bởi KK-NHA #1." in response.content.decode()
    assert parcels.records.count() == 1


def test_home_page_shows_the_open_period_and_the_forms_to_file(tuphap, clerk):
    client, _ = clerk
    text = client.get(reverse("shell:home")).content.decode()
    assert "Kỳ báo cáo đang mở" in text and "Kỳ báo cáo năm chính thức 2025" in text
    assert "1 biểu phải lập" in text  # the notary practice files 12a


def test_in_english_the_explanation_button_still_says_save(kiemke, tree, make_account, login):
    client = login(make_account("T02003002", "entry", username="T02003002"))
    client.cookies["django_language"] = "en"
    report = owed_report(tree["T02003002"], kiemke, "KK-DAT")
    text = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "Save the explanation" in text and "Add a record" in text

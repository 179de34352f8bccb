"""The whole letter (Công văn 14485/BTC-QLCS) in a real browser: the province's administrator
exports the accounts and resets T02003002; the school logs in with kkts@123, must change it,
declares its asset types, enters a land parcel and a building on screen and a car by an
Excel import, and sends; the education department receives; the province's roll-up shows
the school's figures inside its totals; the central administrator sees the national sum."""
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.formdefs.services import load_regime_forms
from baocao.reports.models import Report
from baocao.units.models import Unit
from baocao.units.services import sync_unit_types
from tests.exchange.conftest import Filled
from tests.helpers import open_period

from .steps import log_in

INVALID = re.compile(r"\bis-invalid\b")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAND = {
    "ma_tai_san": "DAT-01", "ten_tai_san": "Khuôn viên Trường THPT Trần Phú", "dia_chi": "Số 15 đường Trần Phú, tổ 3",
    "tinh": "Hà Giang", "xa": "Phường Minh Khai", "muc_dich_su_dung": "Đất xây dựng cơ sở giáo dục", "ngay_tang": "01/09/2005",
    "dt_theo_so": "12.500", "dt_kiem_ke": "12.500", "dt_hdsn_khong_kd": "12.500", "nguyen_gia": "18.750.000.000",
    "nguon_ns": "18.750.000.000", "nguon_khac": "0", "gia_tri_con_lai": "18.750.000.000",
}
BUILDING = {
    "ma_tai_san": "NHA-01", "ten_nha": "Nhà lớp học 3 tầng", "cap_hang": "Cấp III", "nam_xay_dung": "2010", "ngay_su_dung": "01/09/2010",
    "so_tang": "3", "dt_xay_dung": "600", "dt_san_theo_so": "1.800", "dt_san": "1.800", "nguyen_gia": "9.600.000.000",
    "nguon_ns": "9.600.000.000", "nguon_khac": "0", "gia_tri_con_lai": "5.760.000.000", "dt_co_so_hdsn": "1.800",
}


def with_password(username, password):
    account = Account.objects.get(username=username)
    account.set_password(password)
    account.must_change_password = False
    account.save()


def open_own(page, form_code):
    page.get_by_role("link", name="NHẬP DỮ LIỆU KIỂM KÊ", exact=True).click()
    page.locator("#own-reports tr", has_text=form_code).get_by_role("link", name="Mở").click()


def add_record(page, values, choices):
    page.get_by_role("link", name="Thêm bản ghi").click()
    for code, value in values.items():
        page.locator(f"#f-{code}").fill(value)
    for code, value in choices.items():
        page.locator(f"#f-{code}").select_option(value)
    page.get_by_role("button", name="Lưu bản ghi").click()
    expect(page.get_by_text("Đã lưu bản ghi.")).to_be_visible()


def send(page):
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã gửi")


def test_the_letter_from_the_reset_to_the_national_summary(page, tree, tmp_path):
    load_regime_forms("kiemke")
    sync_unit_types()
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    period = open_period("KIEMKE", 2026, code="KK2026")
    create_missing_accounts(None, Unit.objects.all())
    with_password("T02", "HaGiang2025x")
    with_password("T02003", "SoGDHG2025x")
    with_password("BTC", "CucQLCS2025x")
    with_password("T02003002", "Truoc-do-2024")
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The province's administrator: Quản trị hệ thống > 29. Quản lý người dùng.
    log_in(page, "T02", "HaGiang2025x")
    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG").click()
    page.get_by_role("link", name="29. Quản lý người dùng").first.click()
    row = page.locator("tr", has_text="T02003002 - Trường THPT Trần Phú")
    expect(row).to_contain_text("Đơn vị kiểm kê")
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất excel").click()
    path = tmp_path / "tai-khoan.xlsx"
    download.value.save_as(path)
    assert "T02003002" in {c.value for r in load_workbook(path).active.iter_rows() for c in r}
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Reset mật khẩu").click()
    page.get_by_role("button", name="Đồng ý reset mật khẩu").click()
    expect(page.get_by_text("Reset mật khẩu thành công 1 tài khoản.")).to_be_visible()

    # 2. The school: kkts@123, then a password of its own.
    log_in(page, "T02003002", "kkts@123", landed=False)
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.get_by_label("Mật khẩu hiện tại").fill("kkts@123")
    page.get_by_label("Mật khẩu mới", exact=True).fill("TranPhu2025x")
    page.get_by_label("Nhập lại mật khẩu mới").fill("TranPhu2025x")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_text("Đổi mật khẩu thành công.")).to_be_visible()

    # 3. Đăng ký đối tượng kiểm kê: land, buildings and cars; no other fixed assets.
    page.get_by_role("link", name="NHẬP DỮ LIỆU KIỂM KÊ", exact=True).click()
    expect(page.get_by_test_id("period-range")).to_contain_text("Thời điểm kiểm kê: 0 giờ ngày 01/01/2026")
    expect(page.get_by_test_id("period-range")).not_to_contain_text("Số liệu từ ngày")
    page.get_by_test_id("declaration").get_by_role("link", name="Đăng ký đối tượng kiểm kê").click()
    page.get_by_label("Kê khai kiểm kê tài sản cố định khác").uncheck()
    expect(page.get_by_label("Kê khai kiểm kê đất (khuôn viên đất)")).to_be_checked()
    expect(page.get_by_label("Kê khai kiểm kê xe ô tô")).to_be_checked()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_text("Đã đăng ký đối tượng kiểm kê.")).to_be_visible()
    expect(page.locator("#own-reports tr", has_text="KK-TSCD-KHAC")).to_contain_text("Được miễn")

    # 4. The land parcel and the building, on screen; the building names its parcel.
    open_own(page, "KK-DAT")
    add_record(page, LAND, {"ly_do_tang": "dang_ky_lan_dau", "tinh_trang_kiem_ke": "dang_su_dung"})
    send(page)
    open_own(page, "KK-NHA")
    # A rule refusal marks the fields it read.
    page.get_by_role("link", name="Thêm bản ghi").click()
    for code, value in {**BUILDING, "dt_co_so_hdsn": "1.500"}.items():
        page.locator(f"#f-{code}").fill(value)
    page.locator("#f-ma_dat").select_option("DAT-01")
    page.locator("#f-tinh_trang_kiem_ke").select_option("dang_su_dung")
    expect(page.locator("#f-dt_co_so_hdsn")).to_have_class(INVALID)
    expect(page.locator("#record-rules")).to_contain_text("Tổng diện tích theo hiện trạng sử dụng phải bằng tổng diện tích sàn sử dụng theo kiểm kê.")
    page.locator("#f-dt_co_so_hdsn").fill("1.800")
    expect(page.locator("#f-dt_co_so_hdsn")).not_to_have_class(INVALID)
    page.get_by_role("button", name="Lưu bản ghi").click()
    expect(page.get_by_text("Đã lưu bản ghi.")).to_be_visible()
    send(page)

    # 5. The car, by an Excel import of the register's own template.
    open_own(page, "KK-OTO")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải mẫu Excel").click()
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    car = {"(1)": "OTO-01", "(2)": "Xe ô tô 7 chỗ phục vụ công tác chung", "(3)": "Toyota Innova", "(4)": "23A-012.34", "(5)": 7,
           "(6)": "Việt Nam", "(7)": 2019, "(8)": "15/03/2019", "(10)": "Xe ô tô phục vụ công tác chung", "(12)": "Mua sắm",
           "(13)": 850000000, "(14)": 850000000, "(15)": 0, "(16)": 340000000,
           "(17)": "Hoạt động sự nghiệp › Không kinh doanh", "(18)": "Đang sử dụng"}
    filled = tmp_path / "xe.xlsx"
    filled.write_bytes(Filled(template.read_bytes()).record(0, car).save())
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.locator("#id_file").set_input_files(str(filled))
    page.get_by_role("button", name="Nhập tệp").click()
    expect(page.get_by_text("Đã nhập 1 bản ghi từ tệp Excel", exact=False)).to_be_visible()
    expect(page.locator("body")).to_contain_text("23A-012.34")
    send(page)

    # 6. The education department receives the three registers.
    log_in(page, "T02003", "SoGDHG2025x")
    for form_code in ("KK-DAT", "KK-NHA", "KK-OTO"):
        page.get_by_role("link", name="NHẬP DỮ LIỆU KIỂM KÊ", exact=True).click()
        page.locator("#todo tr", has_text=form_code).get_by_role("link", name="Mở").click()
        page.get_by_role("button", name="Tiếp nhận").click()
        expect(page.get_by_test_id("report-state")).to_have_text("Đã tiếp nhận")
    assert set(Report.objects.filter(unit=tree["T02003002"], period=period, status="da_tiep_nhan").values_list("form_code", flat=True)) == {
        "KK-DAT", "KK-NHA", "KK-OTO"}

    # 7. The province's roll-up: the school's figures inside the province's totals.
    summary = reverse("rollup:rollup") + f"?ky={period.pk}&bieu=KK-TH"
    log_in(page, "T02", "HaGiang2025x")
    page.goto(summary)
    expect(page.get_by_test_id("rollup-unit")).to_contain_text("Hà Giang")
    expect(page.locator('#rollup-grid td[data-cell="dat|nguon_ns"]')).to_have_text("18.750.000.000")
    expect(page.locator('#rollup-grid td[data-cell="nha|dien_tich"]')).to_have_text("1.800")
    expect(page.locator('#rollup-grid td[data-cell="oto|ht_khong_kd"]')).to_have_text("1")
    expect(page.locator('#rollup-grid td[data-cell="tong_cong|nguyen_gia"]')).to_have_text("29.200.000.000")

    # 8. The central administrator: the national summary.
    log_in(page, "BTC", "CucQLCS2025x")
    page.goto(summary)
    expect(page.get_by_test_id("rollup-unit")).to_have_text("Bộ Tài chính")
    expect(page.locator('#rollup-grid td[data-cell="tong_cong|nguyen_gia"]')).to_have_text("29.200.000.000")
    expect(page.locator('#rollup-grid td[data-cell="dat|so_luong"]')).to_have_text("1")

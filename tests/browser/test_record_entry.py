"""A register record in the browser: the record rules answer while typing."""
import pytest
from playwright.sync_api import expect

from baocao.formdefs.services import load_regime_forms
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import open_period, owed_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cost_split_rule_answers_while_typing_and_the_record_saves(page, tree):
    load_regime_forms("kiemke")
    period = open_period("KIEMKE", 2026)
    report = owed_report(tree["T02003002"], period, "KK-OTO")
    AccountFactory(username="T02003002", unit=tree["T02003002"], roles=("entry",))

    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("T02003002")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/nhap-du-lieu/bao-cao/{report.pk}/")
    page.get_by_role("link", name="Thêm bản ghi").click()

    fields = {
        "Mã tài sản": "OTO-01", "Tên tài sản": "Xe ô tô 7 chỗ", "Nhãn hiệu": "Toyota Fortuner", "Biển kiểm soát": "23A-001.23",
        "Số chỗ ngồi/Tải trọng": "7", "Nước sản xuất": "Việt Nam", "Năm sản xuất": "2019", "Ngày, tháng, năm sử dụng": "15/03/2019",
    }
    for label, value in fields.items():
        page.get_by_label(label, exact=False).first.fill(value)
    page.locator("#f-loai_xe").select_option("cong_tac_chung")
    page.locator("#f-nguon_goc").select_option("mua_sam")
    page.locator("#f-hien_trang").select_option("hdsn_khong_kd")
    page.locator("#f-tinh_trang_kiem_ke").select_option("dang_su_dung")
    page.locator("#f-nguyen_gia").fill("1.200.000.000")
    page.locator("#f-nguon_ns").fill("1.000.000.000")
    page.locator("#f-nguon_khac").fill("0")
    page.locator("#f-gia_tri_con_lai").fill("480.000.000")
    expect(page.locator("[data-client-rule=nguyen_gia_bang_nguon]")).to_be_visible()

    page.locator("#f-nguon_khac").fill("200.000.000")
    expect(page.locator("[data-client-rule=nguyen_gia_bang_nguon]")).to_have_count(0)
    page.get_by_role("button", name="Lưu bản ghi").click()
    expect(page.get_by_text("Đã lưu bản ghi.")).to_be_visible()
    expect(page.locator("#records")).to_contain_text("23A-001.23")
    expect(page.locator("#records")).to_contain_text("1.200.000.000")

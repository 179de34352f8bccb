"""Entering a grid form with the keyboard, as a clerk does."""
import pytest
from playwright.sync_api import expect

from baocao.formdefs.services import load_regime_forms
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import open_period, owed_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyboard_entry_live_total_rule_message_save_and_reload(page, tree, settings):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    period = open_period("NAM_CT", 2025)
    report = owed_report(tree["T02003002"], period, "10a/TP/CC")
    AccountFactory(username="vpcc_bc", unit=tree["T02003002"])

    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("vpcc_bc")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/nhap-du-lieu/bao-cao/{report.pk}/")

    first = page.locator('input[data-cell="to_chuc|cong_chung_vien"]')
    first.click()
    page.keyboard.type("4")
    page.keyboard.press("ArrowRight")  # (2) is computed: the next input is (3)
    expect(page.locator('input[data-cell="to_chuc|bat_dong_san"]')).to_be_focused()
    page.keyboard.type("1.200")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("1.500")  # (4) electronic > (3): breaks a rule
    page.keyboard.press("ArrowRight")
    page.keyboard.type("35")

    total = page.locator('output[data-cell="to_chuc|giao_dich_tong"]')
    expect(total).to_have_text("1.235")
    expect(page.locator("[data-client-rule=bds_dien_tu]")).to_contain_text("Cột (4) giao dịch điện tử không được lớn hơn cột (3)")

    page.locator('input[data-cell="to_chuc|bat_dong_san_dien_tu"]').fill("150")
    expect(page.locator("[data-client-rule=bds_dien_tu]")).to_have_count(0)
    page.get_by_label("Thuyết minh").fill("Số liệu năm 2025")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()

    page.reload()
    expect(page.locator('input[data-cell="to_chuc|bat_dong_san"]')).to_have_value("1.200")
    expect(page.locator('input[data-cell="to_chuc|bat_dong_san_dien_tu"]')).to_have_value("150")
    expect(total).to_have_text("1.235")
    expect(page.get_by_label("Thuyết minh")).to_have_value("Số liệu năm 2025")

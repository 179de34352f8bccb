"""The letter's appendix, step by step, in a real browser."""
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.units.models import Unit

from .steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_exports_and_resets_then_the_school_must_change_its_password(page, tree, tmp_path):
    create_missing_accounts(None, Unit.objects.all())
    admin = Account.objects.get(username="T02")
    admin.set_password("HaGiang2025x")
    admin.must_change_password = False
    admin.save()
    school = Account.objects.get(username="T02003002")
    school.set_password("TranPhu2025x")
    school.must_change_password = False
    school.save()

    log_in(page, "T02", "HaGiang2025x")
    # Bước 2: Quản trị hệ thống > 29. Quản lý người dùng
    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG").click()
    page.get_by_role("link", name="29. Quản lý người dùng").first.click()
    expect(page.get_by_role("heading", name="Quản lý người dùng")).to_be_visible()
    row = page.locator("tr", has_text="T02003002 - Trường THPT Trần Phú")
    expect(row).to_contain_text("Đơn vị kiểm kê")

    # Xuất excel: the file of every account in the province.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Xuất excel").click()
    path = tmp_path / "tai-khoan.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path).active
    assert {sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)} == {"T02", "T02001", "T02003", "T02003001", "T02003002"}

    # "Chọn tất cả trên trang này" ticks every row, and unticks them.
    page.get_by_label("Chọn tất cả trên trang này").check()
    expect(page.locator("input.row-check:checked")).to_have_count(5)
    page.get_by_label("Chọn tất cả trên trang này").uncheck()
    expect(page.locator("input.row-check:checked")).to_have_count(0)

    # Tick T02003002, Reset mật khẩu, confirm, success.
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Reset mật khẩu").click()
    expect(page.get_by_test_id("reset-count")).to_contain_text("Mật khẩu của 1 tài khoản")
    page.get_by_role("button", name="Đồng ý reset mật khẩu").click()
    expect(page.get_by_text("Reset mật khẩu thành công 1 tài khoản.")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, "T02003002", "kkts@123", landed=False)
    expect(page.get_by_test_id("forced-change")).to_be_visible()

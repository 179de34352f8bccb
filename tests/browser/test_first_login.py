import pytest
from playwright.sync_api import expect

from baocao.accounts.services import create_missing_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_logs_in_with_the_default_password_changes_it_and_lands_home(page, tree):
    create_missing_accounts(None, [tree["T02003002"]])

    page.goto("/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("T02003002")
    page.get_by_label("Mật khẩu").fill("kkts@123")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_test_id("forced-change")).to_be_visible()
    # Nothing else opens before the change.
    page.goto("/nhap-du-lieu/")
    expect(page.get_by_test_id("forced-change")).to_be_visible()

    page.get_by_label("Mật khẩu hiện tại").fill("kkts@123")
    page.get_by_label("Mật khẩu mới", exact=True).fill("abc")
    page.get_by_label("Nhập lại mật khẩu mới").fill("abc")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_text("Mật khẩu phải có ít nhất 8 ký tự.")).to_be_visible()

    page.get_by_label("Mật khẩu hiện tại").fill("kkts@123")
    page.get_by_label("Mật khẩu mới", exact=True).fill("TranPhu2025x")
    page.get_by_label("Nhập lại mật khẩu mới").fill("TranPhu2025x")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()

    expect(page.get_by_text("Đổi mật khẩu thành công.")).to_be_visible()
    expect(page.get_by_test_id("page-title")).to_have_text("Trang chủ")
    expect(page.get_by_role("link", name="TRANG CHỦ")).to_have_class("nav-link active")
    expect(page.get_by_test_id("account-unit")).to_have_text("T02003002 - Trường THPT Trần Phú")

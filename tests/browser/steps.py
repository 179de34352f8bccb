"""Steps every browser test takes the way a user does, by the visible Vietnamese labels."""
from playwright.sync_api import expect

from baocao.accounts.models import Account
from tests.factories import PASSWORD, password_hash


def ready(*usernames):
    """These accounts past their first login, with the password PASSWORD."""
    Account.objects.filter(username__in=usernames).update(password=password_hash(), must_change_password=False)


def log_in(page, username, password=PASSWORD, *, landed=True):
    """Sign in on the login page (signing out whoever is in); `landed`: check that the
    account's own pages opened (not a refusal, nor the forced password change)."""
    page.goto("/tai-khoan/dang-nhap/")
    if page.get_by_role("button", name="Đăng xuất").count():
        page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    if landed:
        expect(page.get_by_test_id("account-username")).to_have_text(username)

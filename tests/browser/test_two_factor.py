"""Issue 22 item 7 in a real browser: a central administrator required to use a second factor
enrols (QR code and secret on the page), signs in with a generated code, is refused a wrong
and a replayed code, and uses a recovery code once."""
import re

import pytest
from playwright.sync_api import expect

from baocao.mfa import services
from baocao.parameters.services import update_parameters
from tests.factories import AccountFactory

from .steps import log_in, ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def other_than(*codes):
    return next(c for c in ("000000", "111111", "222222") if c not in codes)


def type_code(page, code):
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Xác nhận").click()


def test_central_administrator_enrols_signs_in_with_a_code_and_a_recovery_code(page, tree):
    AccountFactory(unit=tree["BTC"], roles=("central_admin",), username="BTC")
    ready("BTC")
    update_parameters(None, {"two_factor_roles": ["central_admin"]})

    # First sign-in after the password: the enrolment page, and nothing else opens.
    log_in(page, "BTC", landed=False)
    expect(page.get_by_role("heading", name="Xác thực hai bước")).to_be_visible()
    expect(page.get_by_test_id("mfa-required")).to_be_visible()
    expect(page.get_by_test_id("mfa-qr").locator("svg")).to_be_visible()
    page.goto("/tai-khoan/quan-ly/")
    expect(page).to_have_url(re.compile(r"/xac-thuc-hai-buoc/dang-ky/"))
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")

    type_code(page, other_than(services.code_at(secret, services.time_step() + d) for d in (-1, 0, 1)))
    expect(page.get_by_test_id("mfa-error")).to_have_text(re.compile("Mã xác thực không đúng"))
    enrolment_code = services.code_at(secret, services.time_step())
    type_code(page, enrolment_code)
    expect(page.get_by_test_id("mfa-recovery-codes").locator("li")).to_have_count(10)  # the page after the code has loaded
    codes = page.get_by_test_id("mfa-recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/quan-ly/$"))  # where it was going

    # Next sign-in: the code. A wrong one and a replayed one are refused.
    log_in(page, "BTC", landed=False)
    expect(page).to_have_url(re.compile(r"/xac-thuc-hai-buoc/xac-thuc/"))
    type_code(page, other_than(enrolment_code, *(services.code_at(secret, services.time_step() + d) for d in (-1, 0, 1))))
    expect(page.get_by_test_id("mfa-error")).to_have_text(re.compile("Mã xác thực không đúng"))
    type_code(page, enrolment_code)
    expect(page.get_by_test_id("mfa-error")).to_have_text(re.compile("Mã xác thực này đã được dùng"))
    page.goto("/thiet-lap-thong-so/")
    expect(page).to_have_url(re.compile(r"/xac-thuc-hai-buoc/xac-thuc/"))
    type_code(page, services.code_at(secret, services.time_step() + 1))
    expect(page.get_by_role("heading", name="Thiết lập thông số")).to_be_visible()

    # Without the phone: a recovery code, once.
    log_in(page, "BTC", landed=False)
    page.get_by_role("link", name="Không có điện thoại? Dùng mã khôi phục").click()
    page.get_by_label("Mã khôi phục").fill(codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã dùng một mã khôi phục; còn 9 mã.")).to_be_visible()
    expect(page.get_by_test_id("account-username")).to_have_text("BTC")

    log_in(page, "BTC", landed=False)
    page.get_by_role("link", name="Không có điện thoại? Dùng mã khôi phục").click()
    page.get_by_label("Mã khôi phục").fill(codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_test_id("mfa-error")).to_have_text("Mã khôi phục không đúng hoặc đã được dùng.")
    page.get_by_label("Mã khôi phục").fill(codes[1])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_test_id("account-username")).to_have_text("BTC")

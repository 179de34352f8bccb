"""The roll-up in a real browser: a ministry's leader approves its report, and the central
administrator at once sees the figure in the national roll-up, drills down to that ministry
and its report, and finds it counted as on time in the completeness page and its chart."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from baocao.formdefs.services import load_regime_forms
from baocao.reports import services, workflow
from baocao.units.models import UnitType
from tests.factories import AccountFactory
from tests.helpers import open_period, owed_report

from .steps import log_in
from .test_workflow import open_from_todo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_approval_shows_at_once_in_the_national_roll_up(page, tree, settings):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    UnitType.objects.get_or_create(code="bo", defaults={"name": "Bộ"})
    tree["046001"].unit_types.add("bo")  # the ministry's legal department files M1–M7
    period = open_period("NAM_CT", 2025)
    preparer = AccountFactory(username="046001_bc", unit=tree["046001"], roles=("entry",))
    checker = AccountFactory(username="046001_kt", unit=tree["046001"], roles=("reviewer",))
    AccountFactory(username="046001_ld", unit=tree["046001"], roles=("approver",))
    AccountFactory(username="btp_qt", unit=tree["BTC"], roles=("central_admin",))
    report = owed_report(tree["046001"], period, "M1")
    services.save_grid(preparer, report, {("luat", "da_ban_hanh"): Decimal(4), ("thong_tu", "da_tham_dinh"): Decimal(17)},
                       expected_version=report.version)
    workflow.transition(preparer, report, "gui_kiem_tra")
    workflow.transition(checker, report, "da_kiem_tra")
    errors = []  # a script refused by the Content-Security-Policy, a missing asset
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" and "404" not in message.text else None)
    page.on("response", lambda response: errors.append(response.url) if response.status == 404 and "favicon" not in response.url else None)
    page.on("dialog", lambda dialog: dialog.accept())

    # Before the approval, the national roll-up of approved reports is empty.
    log_in(page, "btp_qt")
    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    expect(page.get_by_test_id("page-title")).to_have_text("Tổng hợp báo cáo")
    expect(page.get_by_label("Biểu mẫu")).to_have_value("M1")
    expect(page.get_by_label("Chỉ báo cáo đã phê duyệt")).to_be_checked()
    expect(page.get_by_test_id("counted")).to_contain_text("Số liệu tổng hợp từ 0 trên 1 báo cáo phải lập")

    # The ministry's leader approves.
    log_in(page, "046001_ld")
    open_from_todo(page, "NHẬP DỮ LIỆU", "M1")
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã phê duyệt")

    # The central administrator sees it at once, nationally.
    log_in(page, "btp_qt")
    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    expect(page.get_by_test_id("rollup-unit")).to_have_text("Bộ Tài chính")
    expect(page.get_by_test_id("counted")).to_contain_text("Số liệu tổng hợp từ 1 trên 1 báo cáo phải lập")
    figure = page.locator('#rollup-grid td[data-cell="luat|da_ban_hanh"]')
    expect(figure).to_have_text("4")
    expect(page.locator('#rollup-grid td[data-cell="tong_so|da_ban_hanh"]')).to_have_text("4")  # the total line, recomputed
    expect(page.locator('#rollup-grid td[data-cell="luat|da_tham_dinh"]')).to_have_class("bc-disabled")

    # Drill down: the ministries, then that ministry's units, then the report.
    figure.get_by_role("link").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Chi tiết theo đơn vị")
    ministry = page.locator('#breakdown tr[data-unit="046"]')
    expect(ministry).to_contain_text("4")
    expect(ministry).to_contain_text("1/1 (100,0%)")
    ministry.get_by_role("link", name="Bộ Y tế").click()
    expect(page.locator("#unit-trail")).to_contain_text("046")
    office = page.locator('#breakdown tr[data-unit="046001"]')
    expect(office).to_contain_text("4")
    office.get_by_role("link", name="Báo cáo M1").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã phê duyệt")
    page.go_back()

    # Completeness: counted as on time, for the ministry and in the chart.
    page.locator("#rollup-tabs").get_by_role("link", name="Tình hình gửi báo cáo").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Tình hình gửi báo cáo")
    expect(page.get_by_label("Biểu mẫu")).to_have_value("M1")
    expect(page.get_by_test_id("on-time")).to_have_text("1")
    expect(page.get_by_test_id("not-sent")).to_have_text("0")
    expect(page.locator('#by-unit tr[data-unit="046001"]')).to_contain_text("1 (100,0%)")
    expect(page.locator("#completeness-chart")).to_have_attribute("data-drawn", "true")

    # TRANG CHỦ: the progress bar and the chart.
    page.get_by_role("link", name="TRANG CHỦ", exact=True).click()
    expect(page.get_by_test_id("progress-M1")).to_contain_text("1/1 báo cáo (100,0%)")
    expect(page.locator("#home-chart")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#home-activity")).to_contain_text("Phê duyệt")
    assert not errors, errors

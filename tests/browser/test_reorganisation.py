"""Case (b) of the letter in a real browser, by the labels people see: two notary practices
already entered their 12a; the province's administrator merges them into a new practice
(after a preview) and files the transfer request; the central administrator opens it, sees
the plan and executes it. The new practice's report and roll-up then hold the summed
figures, and each old practice's report history says where its data went."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from baocao.formdefs.services import load_regime_forms
from baocao.reports import services, workflow
from baocao.reports.models import Report
from baocao.units.models import UnitType
from tests.factories import AccountFactory
from tests.helpers import open_period

from .steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
A12 = "12a/BTP/BTTP/CC"


def enter(unit, period, approve=False, **cells):
    report = Report.objects.select_related("form", "unit", "period").get(unit=unit, period=period, form_code=A12)
    services.save_grid(None, report, {("to_chuc", column): Decimal(value) for column, value in cells.items()}, expected_version=report.version)
    if approve:
        for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet"):
            workflow.transition(None, report, code)


def open_admin_page(page, label):
    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG", exact=True).click()
    page.locator("main").get_by_role("link", name=label, exact=True).click()


def test_case_b_from_request_to_execution(page, tree, settings):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    for code in ("so_tu_phap", "to_chuc_hanh_nghe_cong_chung"):
        UnitType.objects.get_or_create(code=code, defaults={"name": "Tổ chức hành nghề công chứng" if code != "so_tu_phap" else "Sở Tư pháp"})
    tree["T02003"].unit_types.add("so_tu_phap")
    for code in ("T02003001", "T02003002"):
        tree[code].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    period = open_period("NAM_CT", 2025)
    enter(tree["T02003001"], period, approve=True, cong_chung_vien=3, viec_hop_dong=100, phi_cong_chung=1000000)
    enter(tree["T02003002"], period, cong_chung_vien=2, viec_hop_dong=40, viec_ban_dich=5)
    AccountFactory(username="T02_qt", unit=tree["T02"], roles=("admin",))
    AccountFactory(username="btp_qt", unit=tree["BTC"], roles=("central_admin",))
    errors = []  # a script refused by the Content-Security-Policy, a missing asset
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" and "404" not in message.text else None)
    page.on("response", lambda response: errors.append(response.url) if response.status == 404 and "favicon" not in response.url else None)
    page.on("dialog", lambda dialog: dialog.accept())

    # The province's administrator merges the two practices into a new one, with a preview.
    log_in(page, "T02_qt")
    open_admin_page(page, "Sắp xếp đơn vị")
    page.get_by_role("link", name="Hợp nhất, sáp nhập đơn vị").click()
    page.get_by_label("Mã các đơn vị được hợp nhất, sáp nhập (cách nhau bằng dấu phẩy)").fill("T02003001, T02003002")
    page.get_by_label("Hợp nhất thành đơn vị mới").check()
    page.get_by_label("Mã đơn vị mới", exact=True).fill("T02003009")
    page.get_by_label("Tên đơn vị mới", exact=True).fill("Văn phòng công chứng Hà Giang")
    page.get_by_label("Mã đơn vị cấp trên của đơn vị mới").fill("T02003")
    page.get_by_label("Số quyết định").fill("567/QĐ-UBND")
    page.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill("01/07/2025")
    page.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân tỉnh Hà Giang")
    page.get_by_label("Tra cứu mã đơn vị (mã hoặc tên, không cần dấu)").fill("tran phu")  # the search helper
    expect(page.get_by_test_id("unit-search-results")).to_contain_text("T02003002")
    page.get_by_role("button", name="Xem trước").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("T02003009 - Văn phòng công chứng Hà Giang")
    expect(preview).to_contain_text("T02003001 - ")
    expect(page.get_by_test_id("accounts-created")).to_contain_text("T02003009_bc")
    expect(page.get_by_test_id("reports-kept")).to_contain_text("2")
    page.get_by_role("button", name="Thực hiện", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã thực hiện: Hợp nhất, sáp nhập đơn vị")
    expect(page.locator("#lineage")).to_contain_text("T02003002 - Trường THPT Trần Phú → T02003009 - Văn phòng công chứng Hà Giang")

    # …and files the transfer of what the old practices had entered.
    page.get_by_role("link", name="Lập đề nghị chuyển dữ liệu").click()
    expect(page.get_by_label("Mã đơn vị nhận dòng 1")).to_have_value("T02003009")
    expect(page.get_by_label("Số quyết định")).to_have_value("567/QĐ-UBND")
    expect(page.get_by_label(period.name, exact=False)).to_be_checked()
    page.get_by_label("Ghi chú").fill("Hai tổ chức đã nhập biểu 12a trước khi hợp nhất")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Chờ xử lý")

    # The central administrator opens it, sees the plan and executes it.
    log_in(page, "btp_qt")
    open_admin_page(page, "Đề nghị chuyển dữ liệu")
    row = page.locator("#transfers tbody tr", has_text="T02003009")
    expect(row).to_contain_text("Chờ xử lý")
    row.get_by_role("link", name="Xem").click()
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Cộng vào báo cáo của đơn vị mới")
    expect(plan).to_contain_text("T02003001 - Trường THPT Chuyên")
    expect(page.get_by_test_id("state-after").first).to_have_text("Đang nhập")
    page.get_by_role("button", name="Thực hiện chuyển dữ liệu").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Đã thực hiện")
    expect(page.get_by_role("alert").first).to_contain_text("2 báo cáo cộng vào báo cáo của đơn vị mới")

    # The new practice's report holds the summed figures, back in entry for re-approval.
    page.locator("#transfer-lines").get_by_role("link", name="T02003009 - Văn phòng công chứng Hà Giang").first.click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đang nhập")
    expect(page.locator('[data-cell="to_chuc|cong_chung_vien"]')).to_have_value("5")
    expect(page.locator('[data-cell="to_chuc|viec_tong"]')).to_have_text("145")
    page.go_back()

    # Its roll-up, counting every report (it is being entered again).
    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    page.get_by_label("Mã đơn vị").fill("T02003009")
    page.get_by_label("Biểu mẫu").select_option(A12)
    page.get_by_label("Tất cả báo cáo, kể cả", exact=False).check()
    page.get_by_role("button", name="Xem tổng hợp").click()
    expect(page.locator('#rollup-grid td[data-cell="to_chuc|cong_chung_vien"]')).to_have_text("5")
    expect(page.locator('#rollup-grid td[data-cell="to_chuc|phi_cong_chung"]')).to_have_text("1.000.000")
    page.go_back()
    page.go_back()

    # Each old practice's history says where its data went.
    for code in ("T02003001", "T02003002"):
        page.locator("#transfer-lines").get_by_role("link", name=code, exact=True).click()
        expect(page.locator("#events")).to_contain_text("Chuyển số liệu sang T02003009 - Văn phòng công chứng Hà Giang")
        page.go_back()
    assert not errors, errors

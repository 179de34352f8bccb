"""The workflow in a real browser, by the labels people see: a justice report goes _bc →
_kt (returned with a reason) → _bc fixes and resends → _kt → _ld approves; an inventory
register goes from the school to "Đã tiếp nhận" by the level above."""
import pytest
from playwright.sync_api import expect

from baocao.formdefs.services import load_regime_forms
from baocao.units.models import UnitType
from tests.factories import AccountFactory
from tests.helpers import open_period

from .steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_from_todo(page, menu, form_code):
    page.get_by_role("link", name=menu, exact=True).click()
    row = page.locator("#todo tr", has_text=form_code)
    expect(row).to_be_visible()
    row.get_by_role("link", name="Mở").click()


def test_a_justice_report_is_returned_fixed_checked_and_approved(page, tree, settings):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    UnitType.objects.get_or_create(code="to_chuc_hanh_nghe_cong_chung", defaults={"name": "Tổ chức hành nghề công chứng"})
    tree["T02003002"].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    open_period("NAM_CT", 2025)
    for suffix, role in (("bc", "entry"), ("kt", "reviewer"), ("ld", "approver")):
        AccountFactory(username=f"T02003002_{suffix}", unit=tree["T02003002"], roles=(role,))
    page.on("dialog", lambda dialog: dialog.accept())

    # The preparer enters the figures and sends them for checking.
    log_in(page, "T02003002_bc")
    open_from_todo(page, "NHẬP DỮ LIỆU", "12a/BTP/BTTP/CC")
    expect(page.get_by_test_id("report-state")).to_have_text("Chưa nhập")
    page.locator('input[data-cell="to_chuc|viec_hop_dong"]').fill("120")
    page.locator('input[data-cell="to_chuc|viec_ban_dich"]').fill("30")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    expect(page.get_by_test_id("report-state")).to_have_text("Đang nhập")
    page.get_by_role("button", name="Gửi kiểm tra").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Chờ kiểm tra")
    expect(page.locator('input[data-cell="to_chuc|viec_hop_dong"]')).to_have_attribute("readonly", "")

    # The checker returns it with a reason.
    log_in(page, "T02003002_kt")
    open_from_todo(page, "NHẬP DỮ LIỆU", "12a/BTP/BTTP/CC")
    expect(page.get_by_role("button", name="Phê duyệt")).to_have_count(0)
    page.get_by_label("Lý do trả lại").fill("Số việc công chứng hợp đồng chưa khớp sổ theo dõi")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Bị trả lại")

    # The preparer sees why, fixes and resends.
    log_in(page, "T02003002_bc")
    expect(page.locator("#home-todo")).to_contain_text("Bị trả lại")
    open_from_todo(page, "NHẬP DỮ LIỆU", "12a/BTP/BTTP/CC")
    expect(page.get_by_test_id("pending-reason")).to_contain_text("Số việc công chứng hợp đồng chưa khớp sổ theo dõi")
    page.locator('input[data-cell="to_chuc|viec_hop_dong"]').fill("125")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    page.get_by_role("button", name="Gửi kiểm tra").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Chờ kiểm tra")

    # The checker passes it; the leader approves.
    log_in(page, "T02003002_kt")
    open_from_todo(page, "NHẬP DỮ LIỆU", "12a/BTP/BTTP/CC")
    page.get_by_role("button", name="Đã kiểm tra").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Chờ phê duyệt")
    log_in(page, "T02003002_ld")
    open_from_todo(page, "NHẬP DỮ LIỆU", "12a/BTP/BTTP/CC")
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã phê duyệt")
    expect(page.locator("#workflow")).to_contain_text("Đúng hạn")

    # The history lists every step; the first revision is kept as it was sent.
    page.get_by_role("link", name="Lịch sử báo cáo").click()
    events = page.locator("#events")
    for text in ("Gửi kiểm tra", "Trả lại", "Đã kiểm tra", "Phê duyệt", "Số việc công chứng hợp đồng chưa khớp sổ theo dõi"):
        expect(events).to_contain_text(text)
    page.locator("#revisions tbody tr").last.get_by_role("link", name="Xem").click()  # the oldest: the first sending
    expect(page.get_by_test_id("revision-meta")).to_contain_text("Lần gửi 1")
    expect(page.locator("#revision-grid")).to_contain_text("120")


def test_an_inventory_register_is_sent_and_received(page, tree):
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    open_period("KIEMKE", 2026)
    AccountFactory(username="T02003002", unit=tree["T02003002"], roles=("entry",))
    AccountFactory(username="T02003", unit=tree["T02003"], roles=("receiver",))
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "T02003002")
    open_from_todo(page, "NHẬP DỮ LIỆU KIỂM KÊ", "KK-OTO")
    page.get_by_label("Thuyết minh").fill("Đơn vị có một xe ô tô phục vụ công tác chung")
    page.get_by_role("button", name="Lưu thuyết minh").click()
    expect(page.get_by_text("Đã lưu thuyết minh.")).to_be_visible()
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã gửi")

    log_in(page, "T02003")
    open_from_todo(page, "NHẬP DỮ LIỆU KIỂM KÊ", "KK-OTO")
    expect(page.get_by_role("heading", name="Kê khai kiểm kê xe ô tô", exact=False)).to_be_visible()
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã tiếp nhận")

"""The justice guide (Tài liệu hướng dẫn sử dụng, content/tuphap) walked in a real browser, one
test per section, as that section's account: the legal departments of a few ministries from
the demo's catalogue, their _bc/_kt/_ld accounts, and the official year whose deadline is
still ahead. Every step with a screenshot is reached by the clicks the guide describes, its
**bold** screen texts are on the page, and the screenshot is taken (tests/guide/walk.py)."""
import random
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baocao import regimes
from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.formdefs.services import load_regime_forms
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report
from baocao.shell.demo import tuphap as demo
from baocao.units.catalogue import CatalogueRow, import_catalogue
from baocao.units.models import Unit
from baocao.units.services import sync_unit_types
from tests.guide.walk import VIEWPORT, Walk

from .steps import log_in, ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINISTRIES = ("bkhdt", "byt", "bct", "bnv", "bhxh")  # four ministries and a government agency
RETURNED = "Số liệu cột (2) chưa khớp với báo cáo giấy đã ký; đề nghị rà soát lại."


def official_year():
    """The official year whose deadline (05/02 of the next year) has not passed yet."""
    today = timezone.localdate()
    return today.year - 1 if today < date(today.year, 2, 1) else today.year


@pytest.fixture
def justice(settings, page):
    """The catalogue rows of MINISTRIES (and the ministry of justice), their accounts with the
    default password, the official year's period open."""
    settings.BAOCAO_REGIME = "tuphap"
    kept = [row for row in demo.TREE if row[0] == "btp" or row[0] in MINISTRIES or row[0].removesuffix("_pc") in MINISTRIES]
    rows = [CatalogueRow(row=i, code=c, name=n, parent_code=p, kind=k, unit_types=tuple(t for t in types.split(",") if t))
            for i, (c, n, p, k, types) in enumerate(kept, start=2)]
    sync_unit_types(regimes.current())
    load_regime_forms("tuphap")
    import_catalogue(None, rows)
    create_missing_accounts(None, Unit.objects.all())
    period = periods.create_period(None, kind="NAM_CT", year=official_year())
    periods.open_period(None, period)
    period.refresh_from_db()
    page.set_viewport_size(VIEWPORT)
    page.on("dialog", lambda dialog: dialog.accept())
    return period


def report_of(period, unit_code, form_code):
    return Report.objects.select_related("form", "unit", "period").get(period=period, unit__code=unit_code, form_code=form_code)


def take(period, unit_code, form_code, steps, reason=""):
    """The unit's report entered with plausible figures (the demo's), then taken through
    `steps`: (account suffix, transition) as in the demo's stories."""
    report = report_of(period, unit_code, form_code)
    accounts = {a.username: a for a in Account.objects.filter(unit__code=unit_code)}
    figures = demo._figures(report.form.spec_object(), services.instance_keys(report), random.Random(unit_code + form_code))
    services.save_grid(accounts[f"{unit_code}_bc"], report, figures, expected_version=report.version)
    for suffix, transition in steps:
        workflow.transition(accounts[f"{unit_code}_{suffix}"], Report.objects.get(pk=report.pk), transition,
                            reason=reason if transition.startswith("tra_lai") else "")


def open_from_todo(page, form_code):
    page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
    page.locator("#todo tr", has_text=form_code).get_by_role("link", name="Mở").click()


def test_the_preparer_section(page, justice, tmp_path):
    walk = Walk("tuphap", "chuyen-vien", tmp_path)
    take(justice, "bkhdt_pc", "M2", [demo._SENT, ("kt", "tra_lai_kiem_tra")], reason=RETURNED)
    default = regimes.current().default_password

    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("bkhdt_pc_bc")
    page.get_by_label("Mật khẩu").fill(default)
    walk.step(page, "tuphap/dang-nhap.png")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.get_by_label("Mật khẩu hiện tại").fill(default)
    page.get_by_label("Mật khẩu mới", exact=True).fill("PhapChe2025x")
    page.get_by_label("Nhập lại mật khẩu mới").fill("PhapChe2025x")
    walk.step(page, "tuphap/doi-mat-khau.png")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_text("Đổi mật khẩu thành công.")).to_be_visible()

    page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
    walk.step(page, "tuphap/nhap-du-lieu.png")
    page.locator("#todo tr", has_text="M1").get_by_role("link", name="Mở").click()
    for cell, value in {"luat|da_ban_hanh": "3", "nghi_dinh|da_ban_hanh": "5", "quyet_dinh_ttg|da_ban_hanh": "2",
                        "thong_tu|da_ban_hanh": "14", "thong_tu|da_tham_dinh": "17"}.items():
        page.locator(f'input[data-cell="{cell}"]').fill(value)
    expect(page.locator('[data-cell="tong_so|da_ban_hanh"]')).to_have_text("24")
    walk.step(page, "tuphap/nhap-so-lieu.png")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    walk.step(page, "tuphap/gui-kiem-tra.png")
    page.get_by_role("button", name="Gửi kiểm tra").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Chờ kiểm tra")

    open_from_todo(page, "M2")
    expect(page.get_by_test_id("pending-reason")).to_contain_text(RETURNED)
    walk.step(page, "tuphap/bi-tra-lai.png")
    walk.done()


def test_the_checker_section(page, justice, tmp_path):
    walk = Walk("tuphap", "kiem-tra", tmp_path)
    for form_code in ("M1", "M3", "M5"):
        take(justice, "bkhdt_pc", form_code, [demo._SENT])
    ready("bkhdt_pc_kt")

    log_in(page, "bkhdt_pc_kt")
    page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
    walk.step(page, "tuphap/cho-kiem-tra.png")
    page.locator("#todo tr", has_text="M1").get_by_role("link", name="Mở").click()
    walk.step(page, "tuphap/kiem-tra.png")
    page.get_by_role("button", name="Đã kiểm tra").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Chờ phê duyệt")
    walk.done()


def test_the_approver_section(page, justice, tmp_path):
    walk = Walk("tuphap", "phe-duyet", tmp_path)
    take(justice, "bkhdt_pc", "M1", [demo._SENT, demo._CHECKED])
    ready("bkhdt_pc_ld")

    log_in(page, "bkhdt_pc_ld")
    open_from_todo(page, "M1")
    walk.step(page, "tuphap/phe-duyet.png")
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã phê duyệt")

    page.get_by_role("link", name="TRANG CHỦ", exact=True).click()
    page.get_by_role("link", name="Đề nghị cấp, thu hồi tài khoản").first.click()
    page.get_by_label("Thu hồi tài khoản").check()
    page.get_by_label("Tài khoản cần thu hồi").select_option(label="bkhdt_pc_kt")
    page.get_by_label("Số văn bản đề nghị").fill("125/BKHĐT-PC")
    page.get_by_label("Ngày văn bản đề nghị").fill((timezone.localdate() - timedelta(days=2)).strftime("%d/%m/%Y"))
    page.get_by_label("Lý do").fill("Người kiểm tra báo cáo chuyển công tác; đơn vị đề nghị thu hồi tài khoản.")
    walk.step(page, "tuphap/de-nghi-tai-khoan.png")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_text("Đã gửi đề nghị.", exact=False)).to_be_visible()
    walk.done()


def test_the_central_administrator_section(page, justice, tmp_path):
    walk = Walk("tuphap", "quan-tri-trung-uong", tmp_path)
    approved = [demo._SENT, demo._CHECKED, demo._APPROVED]
    for unit_code, steps in (("bkhdt_pc", approved), ("byt_pc", approved), ("bhxh_pc", approved), ("bct_pc", [demo._SENT, demo._CHECKED])):
        for report in Report.objects.filter(period=justice, unit__code=unit_code).order_by("form_code"):
            take(justice, unit_code, report.form_code, steps)
    ready("btp_qt")

    log_in(page, "btp_qt")
    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG", exact=True).click()
    page.locator("main").get_by_role("link", name="Kỳ báo cáo", exact=True).click()
    walk.step(page, "tuphap/ky-bao-cao.png")

    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG", exact=True).click()
    page.locator("main").get_by_role("link", name="29. Quản lý người dùng", exact=True).click()
    walk.step(page, "tuphap/quan-ly-nguoi-dung.png")

    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    page.get_by_label("Biểu mẫu").select_option("M1")
    page.get_by_role("button", name="Xem tổng hợp").click()
    expect(page.get_by_test_id("counted")).to_contain_text("Số liệu tổng hợp từ 2 trên 4 báo cáo phải lập")
    walk.step(page, "tuphap/tong-hop.png")

    page.locator("#rollup-tabs").get_by_role("link", name="Tình hình gửi báo cáo").click()
    walk.step(page, "tuphap/tinh-hinh-gui.png")
    walk.done()

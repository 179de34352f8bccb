"""The Ministry of Justice's letter (Công văn 268/BTP-KHTC, 29/01/2021) in a real browser, on
the demo's units and accounts: the central administrator opens "Kỳ báo cáo năm chính thức
2020" (deadline 05/02/2021); Bộ Ngoại giao's legal department sees exactly its 7 + 2 forms,
enters 17d with a row for each of several missions, sends it for checking; the checker
returns it with a reason; the preparer sees the reason, fixes and resends; the checker
passes it; the leader approves before 05/02/2021; the Ministry of Justice sees the figures in
its roll-up and the report on time in its completeness page. After the deadline entry is
refused until the central administrator grants an extension. A government agency sees
exactly its 2 forms, Bộ Giao thông vận tải sees 23c.

The platform's clock is set to the letter's days as the demo does when it replays the year
(shell/demo/tuphap.py): the live server runs in this process, so it reads that clock too."""
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baocao import regimes
from baocao.accounts.services import create_missing_accounts
from baocao.formdefs.services import load_regime_forms
from baocao.shell.demo import tuphap as demo
from baocao.units.catalogue import CatalogueRow, import_catalogue
from baocao.units.models import Unit
from baocao.units.services import sync_unit_types

from .steps import log_in, ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

F17D, F22D, F23C = "17d/BTP/HTQTCT/CT", "22d/BTP/CN/NN", "23c/BTP/ĐKQGGDBĐ"
MINISTRY_FORMS = {"M1", "M2", "M3", "M4", "M5", "M6", "M7"}
PERIOD_NAME = "Kỳ báo cáo năm chính thức 2020"
JAPAN, OSAKA, FRANCE, KOREA = ("Đại sứ quán Việt Nam tại Nhật Bản", "Tổng Lãnh sự quán Việt Nam tại Osaka",
                               "Đại sứ quán Việt Nam tại Cộng hòa Pháp", "Đại sứ quán Việt Nam tại Hàn Quốc")
EXTENSION_REASON = "Bộ Ngoại giao đề nghị gia hạn do chưa nhận đủ số liệu của các cơ quan đại diện (Công văn số 15/LPQT ngày 05/02/2021)."
REASON = "Số bản sao chứng thực của Tổng Lãnh sự quán tại Osaka chưa khớp sổ chứng thực; đề nghị rà soát lại."


def moment(day, month, year, hour):
    return timezone.make_aware(datetime(year, month, day, hour))


@contextmanager
def clock_from(start):
    """The platform's clock running from `start` (the demo's _clock, but ticking, so that the
    steps keep their order)."""
    real_now = timezone.now
    began = real_now()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: start + (real_now() - began)):
        yield


def the_letters_units():
    """The demo's catalogue of units and its accounts, by the services `load_demo` uses (the
    demo's replayed reports are left out: this test plays the year itself)."""
    regime = regimes.current()
    sync_unit_types(regime)
    load_regime_forms(regime.key)
    rows = [CatalogueRow(row=i, code=c, name=n, parent_code=p, kind=k, unit_types=tuple(t for t in types.split(",") if t))
            for i, (c, n, p, k, types) in enumerate(demo.TREE, start=2)]
    import_catalogue(None, rows)
    create_missing_accounts(None, Unit.objects.all())
    ready("btp_qt", "bng_pc_bc", "bng_pc_kt", "bng_pc_ld", "bhxh_pc_bc", "bgtvt_pc_bc")


def own_forms(page):
    """NHẬP DỮ LIỆU: the form codes in the table of the unit's own reports."""
    page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
    expect(page.locator("#ky option[selected]")).to_contain_text(PERIOD_NAME)
    expect(page.get_by_test_id("period-range")).to_contain_text("Hạn báo cáo: 05/02/2021")
    expect(page.locator("#own-reports tbody tr").first).to_be_visible()
    return set(page.locator("#own-reports tbody tr td:first-child").all_inner_texts())


def open_own(page, form_code):
    page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
    page.locator("#own-reports tr", has_text=form_code).get_by_role("link", name="Mở").click()
    expect(page.locator("h1, .bc-form-header").first).to_be_visible()


def open_from_todo(page, form_code):
    page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
    row = page.locator("#todo tr", has_text=form_code)
    expect(row).to_be_visible()
    row.get_by_role("link", name="Mở").click()


def mission_cell(page, mission, column):
    return page.locator("#grid tr", has_text=mission).locator(f'input[data-cell$="|{column}"]')


def save(page):
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()


def state(page):
    return page.get_by_test_id("report-state")


def send_for_checking(page):
    page.get_by_role("button", name="Gửi kiểm tra").click()
    expect(state(page)).to_have_text("Chờ kiểm tra")


def check_and_approve(page, form_code):
    """The unit's checker passes the report, then its leader approves it."""
    log_in(page, "bng_pc_kt")
    open_from_todo(page, form_code)
    page.get_by_role("button", name="Đã kiểm tra").click()
    expect(state(page)).to_have_text("Chờ phê duyệt")
    log_in(page, "bng_pc_ld")
    open_from_todo(page, form_code)
    page.get_by_role("button", name="Phê duyệt").click()
    expect(state(page)).to_have_text("Đã phê duyệt")


def open_periods(page):
    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG").click()
    page.get_by_role("link", name="Kỳ báo cáo", exact=True).first.click()


def test_the_official_year_2020_as_the_letter_asks(page, settings):
    settings.BAOCAO_REGIME = "tuphap"
    the_letters_units()
    page.on("dialog", lambda dialog: dialog.accept())

    with clock_from(moment(18, 1, 2021, 8)):
        # 1. The central administrator creates and opens the official year 2020: data of 2020, due 05/02/2021.
        log_in(page, "btp_qt")
        open_periods(page)
        page.get_by_label("Loại kỳ", exact=True).select_option(label="Năm chính thức")
        page.get_by_label("Năm", exact=True).fill("2020")
        page.get_by_role("button", name="Tạo kỳ báo cáo").click()
        expect(page.get_by_text(f"Đã tạo kỳ báo cáo “{PERIOD_NAME}” (chưa mở).")).to_be_visible()
        expect(page.get_by_test_id("period-status")).to_contain_text("01/01/2020")
        expect(page.get_by_test_id("period-status")).to_contain_text("31/12/2020")
        expect(page.get_by_test_id("period-status")).to_contain_text("Hạn báo cáo: 05/02/2021")
        page.get_by_role("button", name="Mở kỳ báo cáo").click()
        expect(page.get_by_text("Đã mở kỳ báo cáo", exact=False)).to_be_visible()

        # 2. Bộ Ngoại giao's preparer: exactly the 7 ministry forms, 17d and 22d.
        log_in(page, "bng_pc_bc")
        assert own_forms(page) == MINISTRY_FORMS | {F17D, F22D}
        open_own(page, F17D)
        expect(state(page)).to_have_text("Chưa nhập")
        for mission in (JAPAN, OSAKA, FRANCE, KOREA):
            expect(page.locator("#grid tr", has_text=mission)).to_be_visible()
        figures = {JAPAN: ("1250", "430", "85"), OSAKA: ("610", "220", "40"), FRANCE: ("380", "150", "22")}
        for mission, values in figures.items():
            for column, value in zip(("ban_sao", "chu_ky", "chu_ky_nguoi_dich"), values):
                mission_cell(page, mission, column).fill(value)
        save(page)
        expect(state(page)).to_have_text("Đang nhập")
        expect(page.locator('output[data-cell="tong_so|ban_sao"]')).to_have_text("2.240")
        send_for_checking(page)
        expect(mission_cell(page, OSAKA, "ban_sao")).to_have_attribute("readonly", "")

        # 3. The checker returns it with a reason.
        log_in(page, "bng_pc_kt")
        open_from_todo(page, F17D)
        expect(page.get_by_role("button", name="Phê duyệt")).to_have_count(0)
        page.get_by_label("Lý do trả lại").fill(REASON)
        page.get_by_role("button", name="Trả lại").click()
        expect(state(page)).to_have_text("Bị trả lại")

        # 4. The preparer sees why, fixes the Osaka row and resends.
        log_in(page, "bng_pc_bc")
        expect(page.locator("#home-todo")).to_contain_text("Bị trả lại")
        open_from_todo(page, F17D)
        expect(page.get_by_test_id("pending-reason")).to_contain_text(REASON)
        expect(page.get_by_test_id("pending-reason")).to_contain_text("bng_pc_kt")
        mission_cell(page, OSAKA, "ban_sao").fill("640")
        save(page)
        expect(page.locator('output[data-cell="tong_so|ban_sao"]')).to_have_text("2.270")
        send_for_checking(page)

        # 5. The checker passes it; the leader approves, before 05/02/2021.
        check_and_approve(page, F17D)
        expect(page.locator("#workflow")).to_contain_text("Gửi lúc: 18/01/2021")
        expect(page.locator("#workflow")).to_contain_text("Đúng hạn")

        # 6. The Ministry of Justice: the figures in its roll-up, the report in its completeness page.
        log_in(page, "btp_qt")
        page.get_by_role("link", name="TỔNG HỢP BÁO CÁO").click()
        page.get_by_label("Biểu mẫu").select_option(F17D)
        page.get_by_role("button", name="Xem tổng hợp").click()
        expect(page.get_by_test_id("rollup-unit")).to_have_text("Bộ Tư pháp (Cục Kế hoạch - Tài chính)")
        expect(page.get_by_test_id("counted")).to_contain_text("Số liệu tổng hợp từ 1 trên 1 báo cáo phải lập")
        for row in ("tong_so", "co_quan_dai_dien"):  # the missions' rows, as one line, and the total
            for column, total in (("ban_sao", "2.270"), ("chu_ky", "800"), ("chu_ky_nguoi_dich", "147")):
                expect(page.locator(f'#rollup-grid td[data-cell="{row}|{column}"]')).to_have_text(total)
        expect(page.locator("#rollup-children tr", has_text="Bộ Ngoại giao")).to_contain_text("1 (100,0%)")
        # A click on a figure: the drill-down by unit, down to the department's report and its missions' rows.
        page.locator('#rollup-grid td[data-cell="co_quan_dai_dien|ban_sao"] a').click()
        expect(page.locator('tr[data-unit="bng"]')).to_contain_text("2.270")
        page.locator('tr[data-unit="bng"]').get_by_role("link", name="Bộ Ngoại giao").click()
        expect(page.locator('tr[data-unit="bng_pc"]')).to_contain_text("2.270")
        page.locator('tr[data-unit="bng_pc"]').get_by_role("link", name="Vụ Luật pháp và Điều ước quốc tế, Bộ Ngoại giao").click()
        own = page.locator('tr[data-unit="bng_pc"]:not(.bc-breakdown-total)')  # the department's own report, then its missions (which file nothing)
        expect(own).to_contain_text("Báo cáo của chính đơn vị")
        expect(own).to_contain_text("2.270")
        own.get_by_role("link", name=f"Báo cáo {F17D}").click()
        expect(state(page)).to_have_text("Đã phê duyệt")
        for mission, figures in {JAPAN: "1.250", OSAKA: "640", FRANCE: "380"}.items():
            expect(mission_cell(page, mission, "ban_sao")).to_have_value(figures)
        page.get_by_role("link", name="TỔNG HỢP BÁO CÁO").click()
        page.get_by_role("link", name="Tình hình gửi báo cáo").first.click()
        page.get_by_label("Biểu mẫu").select_option(F17D)
        page.get_by_role("button", name="Xem", exact=True).click()
        expect(page.get_by_test_id("obligations")).to_contain_text("phải lập 1 báo cáo")
        row = page.locator('#by-unit tr[data-unit="bng"]')
        expect(row.locator("td")).to_have_text(["bng", "Bộ Ngoại giao", "1", "1 (100,0%)", "1", "0", "0", "0"])
        expect(page.get_by_test_id("on-time")).to_have_text("1")
        expect(page.get_by_test_id("not-sent")).to_have_text("0")

    with clock_from(moment(8, 2, 2021, 9)):  # Monday after the deadline (Friday 05/02/2021)
        # 7. Entry is refused: 22d was not entered in time.
        log_in(page, "bng_pc_bc")
        page.get_by_role("link", name="NHẬP DỮ LIỆU", exact=True).click()
        expect(page.get_by_test_id("period-range")).to_contain_text("Đã hết hạn nhập số liệu (trừ đơn vị được gia hạn).")
        open_own(page, F22D)
        expect(state(page)).to_have_text("Chưa nhập")
        expect(page.get_by_test_id("edit-reason")).to_have_text(
            "Không sửa được số liệu: Đã hết hạn báo cáo (05/02/2021). Đề nghị đơn vị cấp trên gia hạn.")
        expect(page.get_by_role("button", name="Lưu", exact=True)).to_have_count(0)
        expect(mission_cell(page, JAPAN, "duoi_1_nu")).to_have_attribute("readonly", "")

        # 8. The central administrator grants Bộ Ngoại giao's department an extension.
        log_in(page, "btp_qt")
        open_periods(page)
        page.locator("#periods tr", has_text=PERIOD_NAME).get_by_role("link", name="Chi tiết").click()
        page.get_by_label("Mã đơn vị").fill("bng_pc")
        page.get_by_label("Gia hạn đến ngày").fill("15/02/2021")
        page.get_by_label("Lý do gia hạn").fill(EXTENSION_REASON)
        page.get_by_role("button", name="Gia hạn", exact=True).click()
        expect(page.get_by_text("Đã gia hạn đến ngày 15/02/2021 cho Vụ Luật pháp và Điều ước quốc tế, Bộ Ngoại giao", exact=False)).to_be_visible()
        expect(page.locator("#extensions")).to_contain_text(EXTENSION_REASON)

        # 9. Now the preparer may enter 22d; it goes through and is approved within the extension.
        log_in(page, "bng_pc_bc")
        open_own(page, F22D)
        expect(page.locator("#workflow")).to_contain_text("Hạn báo cáo: 15/02/2021")
        expect(page.locator("#workflow")).to_contain_text("được gia hạn")
        for column in ("duoi_1_nu", "tu_1_nam", "binh_thuong", "gia_dinh"):
            mission_cell(page, JAPAN, column).fill("1" if column in ("duoi_1_nu", "tu_1_nam") else "2")
        save(page)
        expect(page.locator('output[data-cell="tong_so|tre_tong"]')).to_have_text("2")
        send_for_checking(page)
        check_and_approve(page, F22D)
        expect(page.locator("#workflow")).to_contain_text("Trong gia hạn")

        # 10. A government agency: exactly its 2 forms; no extension, so no entry.
        log_in(page, "bhxh_pc_bc")
        assert own_forms(page) == {"M5", "M6"}
        open_own(page, "M5")
        expect(page.get_by_test_id("edit-reason")).to_contain_text("Đã hết hạn báo cáo (05/02/2021)")
        expect(page.get_by_role("button", name="Lưu", exact=True)).to_have_count(0)

        # 11. Bộ Giao thông vận tải: the 7 and 23c.
        log_in(page, "bgtvt_pc_bc")
        assert own_forms(page) == MINISTRY_FORMS | {F23C}

        # 12. The centre's completeness page, every form: Bộ Ngoại giao's 17d on time, its 22d
        # within the extension, its 7 others not approved; the government agency's 2 not approved.
        log_in(page, "btp_qt")
        page.get_by_role("link", name="TỔNG HỢP BÁO CÁO").click()
        page.get_by_role("link", name="Tình hình gửi báo cáo").first.click()
        expect(page.get_by_test_id("obligations")).to_contain_text("(đã qua hạn)")
        expect(page.locator('#by-unit tr[data-unit="bng"] td')).to_have_text(["bng", "Bộ Ngoại giao", "9", "2 (22,2%)", "1", "1", "0", "7"])
        expect(page.locator('#by-unit tr[data-unit="bhxh"] td')).to_have_text(
            ["bhxh", "Bảo hiểm xã hội Việt Nam", "2", "0 (0,0%)", "0", "0", "0", "2"])
        expect(page.get_by_test_id("on-time")).to_have_text("1")
        expect(page.get_by_test_id("extended")).to_have_text("1")
        expect(page.get_by_test_id("late")).to_have_text("0")

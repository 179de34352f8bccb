"""Grids as a Sở Tư pháp fills them: a 12b of 300 notary organisations saves through the
browser form, and rows copied from Excel spread across the grid."""
import pytest
from playwright.sync_api import expect

from baocao.formdefs.services import load_regime_forms
from baocao.reports import services
from baocao.reports.models import Report
from baocao.units.models import Unit, UnitKind, UnitType
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import open_period, owed_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
B12 = "12b/BTP/BTTP/CC"


def _sign_in_at_12b(page, tree, settings, children=0):
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    UnitType.objects.get_or_create(code="so_tu_phap", defaults={"name": "so_tu_phap"})
    tree["T02003"].unit_types.add("so_tu_phap")
    for n in range(children):
        Unit.objects.create(code=f"T02003N{n:03d}", name=f"Văn phòng công chứng số {n:03d}", kind=UnitKind.REPORTING, parent=tree["T02003"])
    period = open_period("NAM_CT", 2025)
    report = owed_report(tree["T02003"], period, B12)
    AccountFactory(username="stp_bc", unit=tree["T02003"], roles=("entry",))
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("stp_bc")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/nhap-du-lieu/bao-cao/{report.pk}/")
    return report


def _stored(report):
    return services.grid_values(Report.objects.get(pk=report.pk))


def test_a_12b_of_300_sub_units_saves_through_the_form_and_keeps_the_other_cells(page, tree, settings):
    report = _sign_in_at_12b(page, tree, settings, children=298)  # + the two schools of the tree: 300 rows
    first, last = (Unit.objects.get(code=c).pk for c in ("T02003N000", "T02003N297"))
    expect(page.locator("input.bc-cell")).to_have_count(300 * 10, timeout=20_000)  # over Django's 1,000 fields
    page.locator(f'input[data-cell="to_chuc/{first}|cong_chung_vien"]').fill("4")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()

    page.locator(f'input[data-cell="to_chuc/{last}|viec_hop_dong"]').fill("1.200")
    page.locator(f'input[data-cell="to_chuc/{last}|viec_ban_dich"]').fill("35")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    values = _stored(report)
    # The second save sent three cells; the first save's cell is still there, totals follow.
    assert values[(f"to_chuc/{first}", "cong_chung_vien")] == 4
    assert values[(f"to_chuc/{last}", "viec_tong")] == 1235
    assert values[("tong_so", "viec_tong")] == 1235 and values[("tong_so", "cong_chung_vien")] == 4

    # Clearing a cell is a change too.
    page.locator(f'input[data-cell="to_chuc/{first}|cong_chung_vien"]').fill("")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    assert (f"to_chuc/{first}", "cong_chung_vien") not in _stored(report)


def _paste(page, selector, text):
    page.locator(selector).focus()
    page.evaluate(
        """([selector, text]) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.querySelector(selector).dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [selector, text],
    )


def test_rows_copied_from_excel_spread_across_the_grid_and_refused_values_stay_out_of_the_totals(page, tree, settings):
    report = _sign_in_at_12b(page, tree, settings)
    chuyen, tran_phu = tree["T02003001"].pk, tree["T02003002"].pk  # rows in code order: T02003001 first
    # Two rows as laid out in the sheet: (1), (2) the computed total, (3), (4); Excel ends with a newline.
    _paste(page, f'input[data-cell="to_chuc/{chuyen}|cong_chung_vien"]', "2\t99\t10\t5\r\n3\t99\t20\t7\r\n")
    cell = lambda row, column: page.locator(f'[data-cell="{row}|{column}"]')  # noqa: E731
    expect(cell(f"to_chuc/{chuyen}", "viec_hop_dong")).to_have_value("10")
    expect(cell(f"to_chuc/{chuyen}", "viec_ban_dich")).to_have_value("5")
    expect(cell(f"to_chuc/{tran_phu}", "cong_chung_vien")).to_have_value("3")
    expect(cell(f"to_chuc/{tran_phu}", "viec_ban_dich")).to_have_value("7")
    expect(cell(f"to_chuc/{chuyen}", "viec_tong")).to_have_text("15")  # computed, not the pasted 99
    expect(cell("tong_so", "viec_hop_dong")).to_have_text("30")
    expect(cell("tong_so", "cong_chung_vien")).to_have_text("5")

    # A single value pastes into its cell only.
    _paste(page, f'input[data-cell="to_chuc/{tran_phu}|thu_lao"]', "1.000")
    expect(cell(f"to_chuc/{tran_phu}", "thu_lao")).to_have_value("")  # a synthetic event: the browser adds nothing

    # A value the page refuses (a fraction of a notary) is marked and not counted.
    cell(f"to_chuc/{chuyen}", "cong_chung_vien").fill("1,5")
    expect(page.get_by_text("Phải là số nguyên.")).to_be_visible()
    expect(cell("tong_so", "cong_chung_vien")).to_have_text("3")
    cell(f"to_chuc/{chuyen}", "cong_chung_vien").fill("2")
    expect(cell("tong_so", "cong_chung_vien")).to_have_text("5")

    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu báo cáo.")).to_be_visible()
    values = _stored(report)
    assert values[("tong_so", "viec_tong")] == 42 and values[(f"to_chuc/{tran_phu}", "viec_tong")] == 27

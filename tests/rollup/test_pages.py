"""TỔNG HỢP BÁO CÁO: the roll-up at every level for each choice of which reports count, after
real saves and transitions; drill-down one level at a time down to a unit's report; the
breakdown sorted and exported; the consolidation of the inventory registers (KK-TH)."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from baocao.audit.models import AuditEvent
from baocao.reports.models import Report
from tests.helpers import owed_report

from .conftest import A12, B12, CAR, act, approve, fill, notary

ROLLUP = reverse("rollup:rollup")
BREAKDOWN = reverse("rollup:breakdown")


@pytest.fixture
def figures(tuphap, tree, people):
    """Five notary practices in every stage:
    T02003002 approved (10 + 2 cases, 3 notaries), T02003001 sent for checking (20 + 1),
    T02001 being entered (100), 046001 approved (5), T01017 not started."""
    reports = {code: notary(tree, tuphap, code) for code in ("T02003002", "T02003001", "T02001", "046001", "T01017")}
    approve(reports["T02003002"], people, viec_hop_dong=10, viec_ban_dich=2, cong_chung_vien=3)
    fill(reports["T02003001"], people["T02003001_bc"], viec_hop_dong=20, viec_ban_dich=1)
    act(reports["T02003001"], people["T02003001_bc"], "gui_kiem_tra")
    fill(reports["T02001"], people["T02001_bc"], viec_hop_dong=100)
    approve(reports["046001"], people, viec_hop_dong=5)
    return reports


def rollup_values(client, unit, choice, form=A12):
    response = client.get(ROLLUP, {"don_vi": unit, "tinh": choice, "bieu": form})
    assert response.status_code == 200
    return response, response.context["grid"].values


# (hợp đồng, bản dịch, tổng số = computed) at each level, for each choice.
EXPECTED = {
    ("BTC", "approved"): (15, 2, 17), ("BTC", "sent"): (35, 3, 38), ("BTC", "all"): (135, 3, 138),
    ("T02", "approved"): (10, 2, 12), ("T02", "sent"): (30, 3, 33), ("T02", "all"): (130, 3, 133),
    ("T02003", "approved"): (10, 2, 12), ("T02003", "sent"): (30, 3, 33), ("T02003", "all"): (30, 3, 33),
    ("T02003002", "approved"): (10, 2, 12), ("046", "all"): (5, 0, 5), ("T01", "all"): (None, None, None),
}


@pytest.mark.parametrize("unit, choice", list(EXPECTED))
def test_the_figures_at_each_level_for_each_choice(figures, people, login, unit, choice):
    _response, values = rollup_values(login(people["central"]), unit, choice)
    row = "to_chuc"  # 12a: one fixed row
    got = tuple(values.get((row, column)) for column in ("viec_hop_dong", "viec_ban_dich", "viec_tong"))
    assert got == tuple(None if v is None else Decimal(v) for v in EXPECTED[(unit, choice)])


def test_the_page_says_which_reports_counted_and_shows_the_form_as_printed(figures, people, login):
    response, _values = rollup_values(login(people["central"]), "BTC", "approved")
    text = response.content.decode()
    assert "Chỉ báo cáo đã phê duyệt" in text and "Báo cáo đã phê duyệt và báo cáo chờ kiểm tra, chờ phê duyệt" in text
    assert "Tất cả báo cáo, kể cả đang nhập, bị trả lại, yêu cầu chỉnh lý" in text
    assert '<label class="form-check-label small" for="tinh-approved">' in text and '<label class="form-label small mb-0" for="ky">' in text
    assert "Số liệu tổng hợp từ 2 trên 5 báo cáo phải lập" in text
    assert "Số công chứng viên" in text and ">(11)<" in text  # the printed header and column numbers
    assert 'data-cell="to_chuc|viec_tong"' in text and "bc-computed" in text
    grid = response.context["grid"]
    assert grid.counted == 2 and grid.progress.obligations == 5


def test_a_correction_request_takes_a_report_out_of_the_approved_roll_up_at_once(figures, people, login):
    client = login(people["central"])
    act(figures["T02003002"], people["T02003_ld"], "yeu_cau_chinh_ly", reason="Số công chứng viên chưa đúng")
    _r, values = rollup_values(client, "T02", "approved")
    assert values == {}  # nothing approved left in T02: the table is blank
    _r, values = rollup_values(client, "BTC", "approved")
    assert values[("to_chuc", "viec_hop_dong")] == 5
    _r, values = rollup_values(client, "BTC", "all")
    assert values[("to_chuc", "viec_hop_dong")] == 135  # still counted as being edited


def test_a_group_of_one_row_per_child_unit_rolls_up_into_one_line_and_the_total_is_recomputed(figures, tree, people, login, tuphap):
    province = owed_report(tree["T02003"], tuphap, B12)
    entered = {(f"to_chuc/{tree['T02003002'].pk}", "viec_hop_dong"): Decimal(10), (f"to_chuc/{tree['T02003001'].pk}", "viec_hop_dong"): Decimal(20),
               (f"to_chuc/{tree['T02003001'].pk}", "viec_ban_dich"): Decimal(1)}
    from baocao.reports import services

    services.save_grid(people["T02003_bc"], province, entered, expected_version=province.version)
    province.refresh_from_db()
    act(province, people["T02003_bc"], "gui_kiem_tra")
    act(province, people["T02003_kt"], "da_kiem_tra")
    act(province, people["T02003_ld"], "phe_duyet")
    response, values = rollup_values(login(people["central"]), "T02", "approved", form=B12)
    assert values[("to_chuc/tong", "viec_hop_dong")] == 30 and values[("to_chuc/tong", "viec_tong")] == 31
    assert values[("tong_so", "viec_hop_dong")] == 30 and values[("tong_so", "viec_tong")] == 31
    assert "Tổ chức hành nghề công chứng" in response.content.decode()


def test_text_cells_are_hatched_blank_and_not_links(tuphap, tree, people, login):
    from baocao.reports import services

    report = owed_report(tree["T02001"], tuphap, "10a/TP/CC")  # a form with a text column "Ghi chú"
    services.save_grid(people["T02001_bc"], report, {("to_chuc", "cong_chung_vien"): Decimal(2), ("to_chuc", "ghi_chu"): "Mới thành lập"},
                       expected_version=report.version)
    client = login(people["central"])
    response = client.get(ROLLUP, {"bieu": "10a/TP/CC", "tinh": "all"})
    text = response.content.decode()
    assert '<td class="bc-disabled bc-not-rolled" data-cell="to_chuc|ghi_chu"' in text and "Mới thành lập" not in text
    assert response.context["grid"].values[("to_chuc", "cong_chung_vien")] == 2
    assert '<td class="bc-rollup-cell" data-cell="to_chuc|cong_chung_vien"><a href=' in text
    refused = client.get(BREAKDOWN, {"bieu": "10a/TP/CC", "o": "to_chuc|ghi_chu"})
    assert refused.status_code == 400 and "không được tổng hợp" in refused.content.decode()


# --- drill-down ------------------------------------------------------------------------------


def breakdown(client, **params):
    response = client.get(BREAKDOWN, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def rows_of(response):
    return {row["unit"].code + ("*" if row.get("own") else ""): row for row in response.context["page"].object_list}


def test_drill_down_one_level_at_a_time_to_a_units_report(figures, people, login):
    client = login(people["central"])
    top = breakdown(client, don_vi="BTC", tinh="all", o="to_chuc|viec_hop_dong")
    rows = rows_of(top)
    assert [code for code in rows] == ["046", "T01", "T02"]
    assert rows["T02"]["values"] == [Decimal(130)] and rows["046"]["values"] == [Decimal(5)] and rows["T01"]["values"] == [None]
    assert top.context["total"]["values"] == [Decimal(135)]
    assert rows["T02"]["progress"].obligations == 3 and rows["T02"]["progress"].sent == 1  # completeness for the form
    text = top.content.decode()
    assert "?ky=" in text and "don_vi=T02" in text  # one click down
    # T02 → T02003 (has children) and T02001 (no children: its report)
    level = breakdown(client, don_vi="T02", tinh="all", o="to_chuc|viec_hop_dong")
    rows = rows_of(level)
    assert rows["T02003"]["has_children"] and rows["T02003"]["values"] == [Decimal(30)]
    assert rows["T02001"]["reports"] == [(A12, figures["T02001"].pk)]
    assert reverse("reports:report", args=[figures["T02001"].pk]) in level.content.decode()
    leaf = breakdown(client, don_vi="T02003", tinh="all", o="to_chuc|viec_hop_dong")
    rows = rows_of(leaf)
    assert rows["T02003002"]["reports"] == [(A12, figures["T02003002"].pk)] and rows["T02003002"]["values"] == [Decimal(10)]
    assert client.get(reverse("reports:report", args=[figures["T02003002"].pk])).status_code == 200


def test_drill_down_of_a_computed_cell_recomputes_it_for_each_child(figures, people, login):
    rows = rows_of(breakdown(login(people["central"]), don_vi="BTC", tinh="sent", o="to_chuc|viec_tong"))
    assert rows["T02"]["values"] == [Decimal(33)] and rows["046"]["values"] == [Decimal(5)]


def test_the_units_own_report_is_a_line_of_its_own(figures, tree, people, login, tuphap):
    province = owed_report(tree["T02003"], tuphap, B12)
    from baocao.reports import services

    services.save_grid(people["T02003_bc"], province, {(f"to_chuc/{tree['T02003002'].pk}", "chu_ky"): Decimal(4)}, expected_version=province.version)
    rows = rows_of(breakdown(login(people["central"]), don_vi="T02003", tinh="all", bieu=B12, o="tong_so|chu_ky"))
    assert rows["T02003*"]["values"] == [Decimal(4)] and rows["T02003*"]["progress"].obligations == 1
    assert rows["T02003002"]["values"] == [None]  # a notary practice files 12a, not 12b


def test_breakdown_over_every_reporting_unit_sorted_and_exported(figures, people, login):
    client = login(people["central"])
    params = {"don_vi": "BTC", "tinh": "all", "pham_vi": "tat_ca", "o": ["to_chuc|viec_hop_dong", "to_chuc|viec_tong"], "sap_xep": "-0"}
    response = breakdown(client, **params)
    order = [row["unit"].code for row in response.context["page"].object_list]
    assert order == ["T02001", "T02003001", "T02003002", "046001", "T01017"]
    assert response.context["page"].object_list[0]["values"] == [Decimal(100), Decimal(100)]
    by_name = breakdown(client, **{**params, "sap_xep": "ten"})
    assert [row["unit"].code for row in by_name.context["page"].object_list] == ["T02001", "T01017", "T02003001", "T02003002", "046001"]  # Sở Tài chính, Sở Y tế, Trường…, Văn phòng…
    exported = client.get(reverse("rollup:breakdown_xlsx"), params)
    assert exported.status_code == 200 and exported["Content-Disposition"] == 'attachment; filename="ChiTiet_12a-BTP-BTTP-CC_BTC_NAM_CT_2025_all.xlsx"'
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    lines = [row for row in sheet.iter_rows(values_only=True)]
    text = " ".join(str(v) for row in lines for v in row if v is not None)
    assert "CHI TIẾT THEO ĐƠN VỊ" in text and "BTC - Bộ Tài chính" in text and "Kỳ báo cáo: năm chính thức 2025" in text
    assert "Tất cả báo cáo, kể cả đang nhập, bị trả lại, yêu cầu chỉnh lý" in text
    header = next(i for i, row in enumerate(lines) if row[0] == "STT")
    assert lines[header][4] == "Tổ chức hành nghề công chứng — (3) Công chứng hợp đồng, giao dịch"
    body = lines[header + 1 :]
    assert body[0][1:5] == ("BTC", "Tổng cộng", 40, 135)  # 2 of 5 approved
    assert [(r[1], r[4], r[5]) for r in body[1:6]] == [("T02001", 100, 100), ("T02003001", 20, 21), ("T02003002", 10, 12), ("046001", 5, 5), ("T01017", None, None)]
    assert AuditEvent.objects.filter(action="rollup.breakdown_exported", actor=people["central"]).exists()


def test_breakdown_search_and_pagination_keep_the_chosen_cells(figures, people, login):
    client = login(people["central"])
    response = breakdown(client, don_vi="BTC", tinh="all", pham_vi="tat_ca", o=["to_chuc|viec_hop_dong", "to_chuc|chu_ky"], q="truong")
    assert [row["unit"].code for row in response.context["page"].object_list] == ["T02003001", "T02003002"]
    assert "o=to_chuc%7Cviec_hop_dong&amp;o=to_chuc%7Cchu_ky" in response.content.decode()


# --- exports -----------------------------------------------------------------------------------


def test_the_roll_up_in_excel_in_the_official_layout(figures, people, login):
    client = login(people["central"])
    response = client.get(reverse("rollup:rollup_xlsx"), {"don_vi": "T02", "tinh": "sent"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="TongHop_12a-BTP-BTTP-CC_T02_NAM_CT_2025_sent.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    text = " ".join(str(v) for v in cells.values())
    assert "TỔNG HỢP: TÌNH HÌNH TỔ CHỨC VÀ HOẠT ĐỘNG CÔNG CHỨNG" in text
    assert "Tổng hợp của: T02 - Ủy ban nhân dân tỉnh Hà Giang và các đơn vị trực thuộc" in text
    assert "Kỳ báo cáo: năm chính thức 2025" in text and "Kỳ báo cáo: Kỳ báo cáo" not in text
    assert "Báo cáo được tính: Báo cáo đã phê duyệt và báo cáo chờ kiểm tra, chờ phê duyệt — 2/3 báo cáo phải lập." in text
    numbers_row = next(r for (r, c), v in cells.items() if v == "(1)")
    columns = {v: c for (r, c), v in cells.items() if r == numbers_row}
    data_row = numbers_row + 1
    assert cells[(data_row, 1)] == "Tổ chức hành nghề công chứng"
    assert cells[(data_row, columns["(2)"])] == 33 and cells[(data_row, columns["(3)"])] == 30 and cells[(data_row, columns["(4)"])] == 3
    assert AuditEvent.objects.filter(action="rollup.exported_xlsx", unit__code="T02").exists()


def test_the_roll_up_in_pdf(figures, people, login):
    response = login(people["central"]).get(reverse("rollup:rollup_pdf"), {"don_vi": "BTC"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="TongHop_12a-BTP-BTTP-CC_BTC_NAM_CT_2025_approved.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "Bộ Tài chính" in flat and "Chỉ báo cáo đã phê duyệt" in flat and "Kỳ báo cáo: năm chính thức 2025" in flat
    assert AuditEvent.objects.filter(action="rollup.exported_pdf").exists()


# --- the inventory: registers into KK-TH ---------------------------------------------------------------


def test_the_registers_roll_up_into_the_inventory_consolidation(kiemke, tree, make_account, login):
    from baocao.reports import services, workflow

    school = make_account("T02003002", "entry", username="T02003002")
    receiver = make_account("T02003", "receiver", username="T02003")
    province = make_account("T02", "admin", "receiver", username="T02")
    cars = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    services.save_record(school, cars, dict(CAR), expected_version=cars.version)
    cars.refresh_from_db()
    services.save_record(school, cars, {**CAR, "ma_tai_san": "OTO-02", "bien_kiem_soat": "23A-002.34", "nguon_khac": "100.000.000",
                                         "nguyen_gia": "1.300.000.000"}, expected_version=cars.version)
    cars.refresh_from_db()
    client = login(province)
    response = client.get(ROLLUP, {"don_vi": "T02", "tinh": "all"})
    assert [f.code for f in response.context["sel"].forms] == ["KK-TH"]
    values = response.context["grid"].values
    assert values[("oto", "so_luong")] == 2 and values[("oto", "nguon_ns")] == Decimal("2400000000")
    assert values[("oto", "nguyen_gia")] == Decimal("2500000000")  # recomputed: nguồn NS + nguồn khác
    assert values[("tong_cong", "nguyen_gia")] == Decimal("2500000000")
    assert client.get(ROLLUP, {"don_vi": "T02"}).context["grid"].values == {}  # nothing received yet
    workflow.transition(school, cars, "gui_bao_cao")
    assert client.get(ROLLUP, {"don_vi": "T02", "tinh": "sent"}).context["grid"].values[("oto", "so_luong")] == 2
    workflow.transition(receiver, cars, "tiep_nhan")
    received = client.get(ROLLUP, {"don_vi": "T02"})
    assert received.context["grid"].values[("oto", "so_luong")] == 2
    assert "Chỉ báo cáo đã tiếp nhận" in received.content.decode()
    assert "tổng hợp từ KK-DAT, KK-NHA, KK-OTO, KK-TSCD-KHAC" in received.content.decode()
    # The inventory is one moment: its header names the round, then the moment, once.
    header = received.content.decode().split('id="rollup-header"')[1].split("</div>\n</div>")[0]
    assert f"<div>{kiemke.name}</div>" in header and header.count("Thời điểm kiểm kê") == 1
    # The school sees its own figures; not its department's.
    own = login(school).get(ROLLUP)
    assert own.status_code == 200 and own.context["sel"].unit.code == "T02003002" and own.context["grid"].values[("oto", "so_luong")] == 2
    assert login(school).get(ROLLUP, {"don_vi": "T02003"}).status_code == 403
    # Completeness of the registers together.
    done = login(province).get(reverse("rollup:completeness"), {"don_vi": "T02", "bieu": "KK-TH"})
    assert done.context["total"].obligations == 8 and done.context["total"].sent == 1  # two schools × four registers


def test_menu_leads_to_the_roll_up(figures, people, login):
    text = login(people["T02_qt"]).get(reverse("shell:home")).content.decode()
    assert f'href="{ROLLUP}"' in text
    page = login(people["T02_qt"]).get(ROLLUP)
    assert page.status_code == 200 and "Chức năng này chưa có" not in page.content.decode()
    assert page.context["sel"].unit.code == "T02"  # the viewer's own unit by default
    assert Report.objects.count() >= 5


def test_a_closed_period_keeps_the_tree_it_was_closed_on(figures, tree, people, login, tuphap):
    """Closing snapshots the tree; a later move shows in the open period's pages, not in the
    closed one's (its totals stay on the tree they were summed on, docs/adr/0007)."""
    from baocao.reports import periods
    from baocao.units import tree as units_tree

    periods.close_period(None, tuphap)
    tuphap.refresh_from_db()
    units_tree.move(None, tree["T02001"], parent=tree["T01"])  # a notary practice moves province
    client = login(people["central"])
    rows = rows_of(breakdown(client, ky=tuphap.pk, don_vi="T02", tinh="all", o="to_chuc|viec_hop_dong"))
    assert set(rows) == {"T02001", "T02003"} and rows["T02001"]["values"] == [Decimal(100)]
    assert rows_of(breakdown(client, ky=tuphap.pk, don_vi="T01", tinh="all", o="to_chuc|viec_hop_dong")).keys() == {"T01017"}
    _r, values = rollup_values(client, "T02", "all")
    assert values[("to_chuc", "viec_hop_dong")] == 130
    every = breakdown(client, ky=tuphap.pk, don_vi="T02", tinh="all", pham_vi="tat_ca", o="to_chuc|viec_hop_dong")
    assert {row["unit"].code for row in every.context["page"].object_list} == {"T02001", "T02003001", "T02003002"}
    trail = client.get(ROLLUP, {"ky": tuphap.pk, "don_vi": "T02001"}).context["sel"].trail
    assert [u.code for u in trail] == ["BTC", "T02", "T02001"]  # where it was when the period closed

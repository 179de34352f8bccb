"""Grid forms: structure as printed, computed cells, disabled cells, rules."""
from decimal import Decimal as D

import pytest


def codes(results):
    return [r.code for r in results]


def test_12a_columns_as_printed(tuphap):
    spec = tuphap["12a/BTP/BTTP/CC"]
    assert [c.number for c in spec.leaves] == [f"({i})" for i in range(1, 12)]
    assert [c.unit for c in spec.leaves] == ["người", "việc", "việc", "việc", "đồng", "đồng", "bản", "đồng", "việc", "đồng", "đồng"]
    chia_ra = spec.column("viec_hop_dong")
    assert chia_ra.path == ("Số việc công chứng", "Chia ra") and chia_ra.label == "Công chứng hợp đồng, giao dịch"
    assert spec.stub == {"label": "Tên tổ chức hành nghề công chứng", "number": "A"}


def test_header_block_and_signatures(tuphap):
    spec = tuphap["12a/BTP/BTTP/CC"]
    assert spec.header["form_number"] == "Biểu số 12a/BTP/BTTP/CC"
    assert spec.header["issued_by"] == "Ban hành theo Thông tư số 03/2019/TT-BTP ngày 20/3/2019"
    assert spec.header["period_wording"] == "(6 tháng, năm)"
    assert spec.header["receipt_dates"] == {"6T": "06/6", "NAM": "07/11", "NAM_CT": "20/01 năm sau"}
    assert (spec.header["reporting_unit_label"], spec.header["receiving_unit_label"]) == ("Đơn vị báo cáo", "Đơn vị nhận báo cáo")
    # A notary organisation reports to its own Sở Tư pháp: the header names the unit above it.
    assert "receiving_unit" not in spec.header
    assert [s["title"] for s in spec.signatures] == ["Người lập biểu", "Người kiểm tra biểu", "Thủ trưởng đơn vị"]


def test_10a_multi_level_header(tuphap):
    spec = tuphap["10a/TP/CC"]
    rows = spec.header_rows()
    assert len(rows) == 5  # four levels of headings above the deepest leaves
    assert [(c.label, c.colspan, c.rowspan) for c in rows[0]] == [
        ("Số công chứng viên", 1, 5), ("Công chứng", 9, 1), ("Chứng thực", 7, 1),
        ("Tổng số tiền nộp vào ngân sách/thuế", 1, 5), ("Ghi chú", 1, 5),
    ]
    assert len(spec.leaves) == 19 and spec.column("ghi_chu").type == "text"
    assert spec.column("bat_dong_san").path == ("Công chứng", "Số việc công chứng giao dịch", "Chia ra", "Công chứng giao dịch về bất động sản")
    assert sum(c.colspan for c in rows[0]) == len(spec.leaves)


def test_total_of_parts_is_computed(tuphap):
    spec = tuphap["12a/BTP/BTTP/CC"]
    values = spec.compute({("to_chuc", "viec_hop_dong"): D(120), ("to_chuc", "viec_ban_dich"): D(35), ("to_chuc", "viec_tong"): D(1)})
    assert values[("to_chuc", "viec_tong")] == 155
    assert spec.cell("to_chuc", "viec_tong").computed and not spec.cell("to_chuc", "nop_ngan_sach").computed


def test_tong_so_row_is_the_sum_of_one_row_per_child_unit(tuphap):
    spec = tuphap["12b/BTP/BTTP/CC"]
    row = spec.instance_code
    values = {
        (row("to_chuc", "VPCC01"), "viec_hop_dong"): D(100), (row("to_chuc", "VPCC01"), "viec_ban_dich"): D(20),
        (row("to_chuc", "PCC1"), "viec_hop_dong"): D(50), (row("to_chuc", "PCC1"), "thu_lao"): D("1250000"),
        (row("to_chuc", "VPCC01"), "thu_lao"): D("750000.00"),
    }
    computed = spec.compute(values)
    assert computed[("tong_so", "viec_hop_dong")] == 150
    assert computed[("tong_so", "viec_tong")] == 170
    assert computed[("tong_so", "thu_lao")] == D("2000000")
    assert computed[(row("to_chuc", "VPCC01"), "viec_tong")] == 120
    assert spec.cell("tong_so", "thu_lao").computed
    shown = spec.expand_rows({"to_chuc": [("VPCC01", "Văn phòng công chứng Số 1"), ("PCC1", "Phòng công chứng số 1")]})
    assert [r.label for r in shown] == ["Tổng số", "Văn phòng công chứng Số 1", "Phòng công chứng số 1"]


def test_mission_rows_of_17d(tuphap):
    spec = tuphap["17d/BTP/HTQTCT/CT"]
    values = spec.compute({("co_quan_dai_dien/DSQ_PHAP", "ban_sao"): D(30), ("co_quan_dai_dien/TLSQ_OSAKA", "ban_sao"): D(12)})
    assert values[("tong_so", "ban_sao")] == 42 and values[("tong_so", "chu_ky")] == 0


def test_a_cell_that_does_not_apply_is_disabled(tuphap):
    spec = tuphap["M1"]
    assert spec.cell("luat", "da_tham_dinh").disabled
    assert not spec.cell("thong_tu", "da_tham_dinh").disabled
    results = spec.check({("luat", "da_tham_dinh"): D(3)})
    assert codes(results) == ["cell_disabled"] and results[0].cells == (("luat", "da_tham_dinh"),)
    computed = spec.compute({("thong_tu", "da_tham_dinh"): D(4), ("thong_tu_lien_tich", "da_tham_dinh"): D(1), ("luat", "da_ban_hanh"): D(2)})
    assert computed[("tong_so", "da_tham_dinh")] == 5 and computed[("tong_so", "da_ban_hanh")] == 2


def test_entries_must_fit_their_column(tuphap):
    spec = tuphap["12a/BTP/BTTP/CC"]
    results = spec.check({("to_chuc", "cong_chung_vien"): D("2.5"), ("to_chuc", "thu_lao"): D(-1), ("to_chuc", "ban_sao"): "nhiều"})
    assert sorted((r.code, r.cells[0][1]) for r in results) == [("cell_min", "thu_lao"), ("cell_type", "ban_sao"), ("cell_type", "cong_chung_vien")]
    assert all(r.blocking for r in results)
    assert {r.message for r in results} == {"Phải là số nguyên.", "Không được nhỏ hơn 0.", "Phải là số."}


def test_a_rule_that_must_fail_fails(tuphap):
    spec = tuphap["22d/BTP/CN/NN"]
    mission = "co_quan_dai_dien/DSQ_PHAP"
    good = {(mission, "duoi_1_nam"): D(1), (mission, "tu_5_nu"): D(1), (mission, "binh_thuong"): D(2), (mission, "gia_dinh"): D(2)}
    assert spec.check(good) == []
    bad = {**good, (mission, "binh_thuong"): D(1)}
    total, result = spec.check(bad)  # the mission's row, and so the Tổng số row
    assert total.cells[0] == ("tong_so", "tre_tong")
    assert result.code == "suc_khoe_bang_tong" and result.severity == "error"
    assert result.message == "Cột (1) Tổng số phải bằng cột (8) + cột (9) (chia theo tình trạng sức khỏe)."
    assert result.cells == ((mission, "tre_tong"), (mission, "binh_thuong"), (mission, "nhu_cau_dac_biet"))


def test_warning_rules_do_not_block(tuphap):
    spec = tuphap["M4"]
    [result] = spec.check({("ket_qua", "da_ra_soat"): D(10), ("ket_qua", "bai_bo"): D(2), ("ket_qua", "da_xu_ly"): D(3)})
    assert result.code == "xu_ly_trong_kien_nghi" and result.severity == "warning" and not result.blocking


def test_23c_rows_and_columns_add_up(tuphap):
    spec = tuphap["23c/BTP/ĐKQGGDBĐ"]
    values = spec.compute({("tau_bay", "lan_dau"): D(3), ("tau_bay", "xoa_dang_ky"): D(1), ("tau_bien", "thay_doi"): D(4)})
    assert values[("tau_bay", "dang_ky_tong")] == 4
    assert values[("tong_so", "dang_ky_tong")] == 8 and values[("tong_so", "lan_dau")] == 3


def test_unknown_cells_are_reported(tuphap):
    with pytest.raises(KeyError):
        tuphap["12a/BTP/BTTP/CC"].cell("to_chuc", "khong_co")
    assert codes(tuphap["12a/BTP/BTTP/CC"].check({("dong_la", "thu_lao"): D(1)})) == ["cell_unknown"]


def test_every_grid_client_spec_is_json(tuphap, kiemke):
    import json

    for spec in list(tuphap.values()) + [kiemke["KK-TH"]]:
        data = json.loads(json.dumps(spec.to_client_json()))
        assert data["kind"] == "grid" and len(data["columns"]) == len(spec.leaves)

"""List forms: typed fields, enumerations, per-record rules, summary into KK-TH."""
import datetime
from decimal import Decimal as D

import pytest


def land(**changes):
    record = {
        "ma_tai_san": "DAT-001", "ten_tai_san": "Khuôn viên trường", "dia_chi": "Số 1, đường Trần Phú", "tinh": "Hà Giang",
        "xa": "Phường Minh Khai", "muc_dich_su_dung": "Đất trụ sở", "ly_do_tang": "dang_ky_lan_dau", "ngay_tang": "15/08/2001",
        "dt_theo_so": "1.200,5", "dt_kiem_ke": "1.250,5", "dt_tru_so_lam_viec": "1000", "dt_hdsn_khong_kd": "250,5",
        "nguyen_gia": "5.000.000.000", "nguon_ns": "4.500.000.000", "nguon_khac": "500.000.000", "gia_tri_con_lai": "5.000.000.000",
        "tinh_trang_kiem_ke": "dang_su_dung",
    }
    record.update(changes)
    return record


def test_a_good_record_passes(kiemke):
    check = kiemke["KK-DAT"].validate_record(land())
    assert check.ok and check.errors == {} and check.rules == []


def test_values_are_typed(kiemke):
    values, errors = kiemke["KK-DAT"].clean_record(land())
    assert errors == {}
    assert values["dt_kiem_ke"] == D("1250.5") and values["nguyen_gia"] == D(5_000_000_000)
    assert values["ngay_tang"] == datetime.date(2001, 8, 15)


def test_nguyen_gia_must_equal_its_sources(kiemke):
    check = kiemke["KK-DAT"].validate_record(land(nguon_khac="400.000.000"))
    [rule] = check.rules
    assert rule.code == "nguyen_gia_bang_nguon" and rule.blocking and not check.ok
    assert rule.message == "Nguyên giá tổng cộng phải bằng Nguồn NS cộng Nguồn khác."
    assert rule.cells == ("nguyen_gia", "nguon_ns", "nguon_khac")


def test_remaining_value_cannot_exceed_cost(kiemke):
    check = kiemke["KK-DAT"].validate_record(land(gia_tri_con_lai="6.000.000.000"))
    assert [r.code for r in check.rules] == ["con_lai_trong_nguyen_gia"]


def test_area_by_usage_must_sum_to_the_counted_area(kiemke):
    check = kiemke["KK-DAT"].validate_record(land(dt_hdsn_khong_kd="200"))
    assert [r.code for r in check.rules] == ["hien_trang_bang_dien_tich"]


def test_field_errors_in_vietnamese(kiemke):
    check = kiemke["KK-DAT"].validate_record(land(ten_tai_san="", ly_do_tang="mua_tren_troi", dt_kiem_ke="-5", ngay_tang="31/02/2020", nguon_ns="abc"))
    assert check.errors == {
        "ten_tai_san": ["Bắt buộc nhập."],
        "ly_do_tang": ["Giá trị không có trong danh mục."],
        "dt_kiem_ke": ["Không được nhỏ hơn 0."],
        "ngay_tang": ["Ngày không hợp lệ (định dạng dd/mm/yyyy)."],
        "nguon_ns": ["Phải là số."],
    }


def test_enumerations_carry_the_exact_labels(kiemke):
    spec = kiemke["KK-OTO"]
    assert [c.label for c in spec.enumerations["tinh_trang_kiem_ke"]] == ["Đang sử dụng", "Chưa sử dụng", "Hỏng chờ xử lý", "Thiếu", "Thừa"]
    assert spec.choice_label("hien_trang", "hdsn_cho_thue") == "Cho thuê"
    assert {c.group for c in spec.enumerations["hien_trang_tai_san"] if c.key.startswith("hdsn_")} == {"Hoạt động sự nghiệp"}
    assert spec.choice_label("loai_xe", "le_tan") == "Xe ô tô phục vụ lễ tân nhà nước"
    assert [c.label for c in kiemke["KK-DAT"].enumerations["ly_do_tang"]][0] == "Đăng ký lần đầu"


def test_a_building_points_to_its_parcel(kiemke):
    spec = kiemke["KK-NHA"]
    assert spec.field("ma_dat").type == "reference" and spec.field("ma_dat").form == "KK-DAT"
    building = {"ma_tai_san": "NHA-1", "ma_dat": "DAT-404", "ten_nha": "Nhà A", "nam_xay_dung": "2005", "ngay_su_dung": "2005-09-01",
                "so_tang": "3", "dt_xay_dung": "300", "dt_san_theo_so": "900", "dt_san": "900", "nguyen_gia": "100", "nguon_ns": "100", "gia_tri_con_lai": "10",
                "dt_tru_so_lam_viec": "900", "tinh_trang_kiem_ke": "dang_su_dung"}
    assert spec.validate_record(building, {"KK-DAT": {"DAT-001"}}).errors == {"ma_dat": ["Không tìm thấy bản ghi được tham chiếu."]}
    assert spec.validate_record(building, {"KK-DAT": {"DAT-404"}}).ok


def test_conditional_requirement_and_unique_plates(kiemke):
    spec = kiemke["KK-OTO"]
    car = {"ma_tai_san": "XE-1", "ten_tai_san": "Xe con", "nhan_hieu": "Toyota", "bien_kiem_soat": "23A-001.01", "so_cho_tai_trong": "7",
           "nuoc_san_xuat": "Nhật Bản", "nam_san_xuat": "2019", "ngay_su_dung": "01/03/2019", "loai_xe": "chuc_danh",
           "nguon_goc": "mua_sam", "nguyen_gia": "900.000.000", "nguon_ns": "900.000.000", "gia_tri_con_lai": "450.000.000",
           "hien_trang": "quan_ly_nha_nuoc", "tinh_trang_kiem_ke": "dang_su_dung"}
    assert [r.code for r in spec.validate_record(car).rules] == ["chuc_danh_bat_buoc"]
    assert spec.validate_record(dict(car, chuc_danh="Bộ trưởng")).ok
    checks = spec.validate_records([dict(car, chuc_danh="Bộ trưởng"), dict(car, ma_tai_san="XE-2", chuc_danh="Thứ trưởng")])
    assert checks[1].errors == {"bien_kiem_soat": ["Trùng với bản ghi số 1."]}


def test_low_value_asset_is_a_warning(kiemke):
    spec = kiemke["KK-TSCD-KHAC"]
    asset = {"ma_tai_san": "MM-1", "ten_tai_san": "Máy chiếu", "loai_tai_san": "may_moc_thiet_bi", "ngay_su_dung": "01/01/2020",
             "so_luong_theo_so": "1", "so_luong": "1", "don_vi_tinh": "cái", "nguyen_gia": "8.000.000", "nguon_ns": "8.000.000", "gia_tri_con_lai": "0",
             "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "dang_su_dung"}
    check = spec.validate_record(asset)
    assert [(r.code, r.severity) for r in check.rules] == [("nguong_tscd", "warning")] and check.ok


@pytest.fixture
def registers(kiemke):
    cars = [
        {"loai_xe": "cong_tac_chung", "nguyen_gia": "800000000", "nguon_ns": "800000000", "gia_tri_con_lai": "200000000",
         "hien_trang": "quan_ly_nha_nuoc", "tinh_trang_kiem_ke": "dang_su_dung"},
        {"loai_xe": "chuyen_dung", "nguyen_gia": "1200000000", "nguon_ns": "1000000000", "nguon_khac": "200000000",
         "gia_tri_con_lai": "1000000000", "hien_trang": "hdsn_cho_thue", "tinh_trang_kiem_ke": "thua"},
    ]
    assets = [
        {"loai_tai_san": "may_moc_thiet_bi", "so_luong_theo_so": "4", "so_luong": "3", "nguyen_gia": "30000000", "nguon_ns": "30000000", "gia_tri_con_lai": "15000000",
         "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "thieu"},
        {"loai_tai_san": "phan_mem", "so_luong_theo_so": "1", "so_luong": "1", "nguyen_gia": "50000000", "nguon_khac": "50000000", "gia_tri_con_lai": "50000000",
         "hien_trang": "quan_ly_nha_nuoc", "tinh_trang_kiem_ke": "dang_su_dung"},
    ]
    return {"KK-DAT": [land()], "KK-OTO": cars, "KK-TSCD-KHAC": assets}


def test_registers_summarise_into_the_consolidation_grid(kiemke, registers):
    land_cells = kiemke["KK-DAT"].summarise(registers["KK-DAT"])
    assert land_cells[("dat", "so_luong")] == 1 and land_cells[("dat", "dien_tich")] == D("1250.5")
    assert land_cells[("dat", "ht_qlnn")] == 1000 and land_cells[("dat", "ht_khong_kd")] == D("250.5")
    assert land_cells[("dat", "cl_dien_tich")] == 50
    car_cells = kiemke["KK-OTO"].summarise(registers["KK-OTO"])
    assert car_cells[("oto", "so_luong")] == 2 and car_cells[("oto", "nguon_ns")] == D("1800000000")
    assert car_cells[("oto", "ht_qlnn")] == 1 and car_cells[("oto", "ht_cho_thue")] == 1 and car_cells[("oto", "cl_so_luong")] == 1
    other = kiemke["KK-TSCD-KHAC"].summarise(registers["KK-TSCD-KHAC"])
    assert other[("khac_may_moc", "so_luong")] == 3 and other[("khac_may_moc", "cl_so_luong")] == -1
    assert other[("khac_vo_hinh", "ht_qlnn")] == 1 and other[("khac_vo_hinh", "nguon_khac")] == D("50000000")


def test_the_consolidation_grid_totals_the_summaries(kiemke, registers):
    values = {}
    for code, records in registers.items():
        values.update(kiemke[code].summarise(records))
    grid = kiemke["KK-TH"]
    computed = grid.compute(values)
    assert computed[("tscd_khac", "so_luong")] == 4
    assert computed[("tscd_khac", "nguyen_gia")] == D("80000000")
    assert computed[("tong_cong", "nguyen_gia")] == D("5000000000") + D("2000000000") + D("80000000")
    assert computed[("tong_cong", "gia_tri_con_lai")] == D("5000000000") + D("1200000000") + D("65000000")
    assert grid.cell("tong_cong", "so_luong").disabled and grid.cell("oto", "dien_tich").disabled
    assert grid.check(values) == []

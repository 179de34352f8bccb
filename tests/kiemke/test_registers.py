"""The kiemke registers as a user meets them: labels, rules of reference §7 (including the
unit type gating usage statuses), the count outcome, and refusals that mark their fields."""
import re

import pytest
from django.urls import reverse

from baocao.reports import services
from baocao.reports.models import Report
from tests.helpers import owed_report

CAR = {
    "ma_tai_san": "OTO-01", "ten_tai_san": "Xe ô tô 7 chỗ", "nhan_hieu": "Toyota Fortuner", "bien_kiem_soat": "23A-001.23",
    "so_cho_tai_trong": "7", "nuoc_san_xuat": "Việt Nam", "nam_san_xuat": "2019", "ngay_su_dung": "15/03/2019",
    "loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam", "nguyen_gia": "1.200.000.000", "nguon_ns": "1.200.000.000",
    "nguon_khac": "0", "gia_tri_con_lai": "480.000.000", "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "dang_su_dung",
}
LAND = {
    "ma_tai_san": "DAT-01", "ten_tai_san": "Khuôn viên trường", "dia_chi": "Số 1 đường Trần Phú", "tinh": "Hà Giang", "xa": "Phường Minh Khai",
    "muc_dich_su_dung": "Đất cơ sở giáo dục", "ly_do_tang": "dang_ky_lan_dau", "ngay_tang": "01/01/2010", "dt_theo_so": "5.000",
    "dt_kiem_ke": "5.000", "dt_hdsn_khong_kd": "5.000", "nguyen_gia": "20.000.000.000", "nguon_ns": "20.000.000.000", "nguon_khac": "0",
    "gia_tri_con_lai": "20.000.000.000", "tinh_trang_kiem_ke": "dang_su_dung",
}


@pytest.fixture
def school(kiemke, tree, make_account, login):
    return login(make_account("T02003002", "entry", username="T02003002"))


def test_a_building_area_label_shows_its_unit_once(kiemke, tree, school):
    report = owed_report(tree["T02003002"], kiemke, "KK-NHA")
    page = school.get(reverse("reports:record_add", args=[report.pk])).content.decode()
    assert "Diện tích xây dựng <span class=\"text-danger\">*</span> (m²)" in page
    assert "(m²) * (m²)" not in page and "(m²) <span" not in page
    assert page.count("(m²)") == len(re.findall(r"type: area", open("src/baocao/regimes/kiemke/forms/KK-NHA.yaml").read()))


def test_a_rule_refusal_marks_the_fields_it_read(kiemke, tree, school):
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    response = school.post(reverse("reports:record_add", args=[report.pk]), {**CAR, "nguon_ns": "1.000.000.000", "version": 1})
    page = response.content.decode()
    assert response.status_code == 400 and "xem các ô được đánh dấu" in page
    assert 'id="rule-1"' in page and "Nguyên giá tổng cộng phải bằng Nguồn NS cộng Nguồn khác." in page
    for code in ("nguyen_gia", "nguon_ns", "nguon_khac"):
        tag = re.search(rf'<input[^>]*id="f-{code}"[^>]*>', page).group(0)
        assert "is-invalid" in tag and 'aria-describedby="rule-1"' in tag, tag
    untouched = re.search(r'<input[^>]*id="f-nhan_hieu"[^>]*>', page).group(0)
    assert "is-invalid" not in untouched


def test_a_public_service_unit_cannot_use_state_management_statuses(kiemke, tree, school):
    cars = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    page = school.post(reverse("reports:record_add", args=[cars.pk]), {**CAR, "hien_trang": "quan_ly_nha_nuoc", "version": 1})
    assert page.status_code == 400 and "Đơn vị sự nghiệp công lập không dùng hiện trạng Quản lý nhà nước" in page.content.decode()
    tag = re.search(r'<select[^>]*id="f-hien_trang"[^>]*>', page.content.decode()).group(0)
    assert "is-invalid" in tag
    land = owed_report(tree["T02003002"], kiemke, "KK-DAT")
    refused = school.post(reverse("reports:record_add", args=[land.pk]),
                          {**LAND, "dt_hdsn_khong_kd": "4.000", "dt_tru_so_lam_viec": "1.000", "version": 1})
    assert refused.status_code == 400 and "không kê diện tích Trụ sở làm việc" in refused.content.decode()
    assert school.post(reverse("reports:record_add", args=[land.pk]), {**LAND, "version": 1}).status_code == 302


def test_a_state_body_cannot_use_public_service_statuses(kiemke, tree, make_account, login):
    from baocao.units.models import UnitType

    UnitType.objects.get_or_create(code="co_quan_nha_nuoc", defaults={"name": "Cơ quan nhà nước"})
    tree["T02001"].unit_types.add("co_quan_nha_nuoc")
    client = login(make_account("T02001", "entry", username="T02001"))
    report = owed_report(tree["T02001"], kiemke, "KK-OTO")
    refused = client.post(reverse("reports:record_add", args=[report.pk]), {**CAR, "version": 1})
    assert refused.status_code == 400 and "Cơ quan nhà nước, tổ chức không dùng hiện trạng Hoạt động sự nghiệp" in refused.content.decode()
    ok = client.post(reverse("reports:record_add", args=[report.pk]), {**CAR, "hien_trang": "quan_ly_nha_nuoc", "version": 1})
    assert ok.status_code == 302
    # The page's own rules (formula.js) carry the unit's rules, not the other types'.
    page = client.get(reverse("reports:record_add", args=[report.pk])).content.decode()
    assert "cqnn_khong_hdsn" in page and "dvsn_khong_qlnn" not in page


def test_the_count_outcome_agrees_with_book_and_count(kiemke, tree, school):
    others = owed_report(tree["T02003002"], kiemke, "KK-TSCD-KHAC")
    asset = {"ma_tai_san": "MM-01", "ten_tai_san": "Máy chiếu", "loai_tai_san": "may_moc_thiet_bi", "ngay_su_dung": "01/01/2020",
             "so_luong_theo_so": "5", "so_luong": "3", "don_vi_tinh": "cái", "nguyen_gia": "150.000.000", "nguon_ns": "150.000.000",
             "nguon_khac": "0", "gia_tri_con_lai": "50.000.000", "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "thua", "version": 1}
    page = school.post(reverse("reports:record_add", args=[others.pk]), asset).content.decode()
    assert "Tài sản Thừa (chưa theo dõi trên sổ kế toán): Số lượng theo sổ phải bằng 0." in page
    assert school.post(reverse("reports:record_add", args=[others.pk]), {**asset, "tinh_trang_kiem_ke": "thieu"}).status_code == 302
    report = Report.objects.get(pk=others.pk)
    summary = report.form.spec_object().summarise(services.record_values(report))
    assert summary[("khac_may_moc", "so_luong")] == 3 and summary[("khac_may_moc", "cl_so_luong")] == -2


def test_a_usage_status_the_unit_s_type_never_uses_is_disabled_in_the_form_with_why(kiemke, tree, make_account, login):
    """Issue 24.2: a public service unit (đơn vị sự nghiệp) cannot use "Quản lý nhà nước": the
    record form disables that status and says why beside the field, before any save."""
    from django.urls import reverse

    from tests.helpers import owed_report

    client = login(make_account("T02003002", "entry", username="T02003002"))
    report = owed_report(tree["T02003002"], kiemke, "KK-OTO")
    page = client.get(reverse("reports:record_add", args=[report.pk])).content.decode()
    assert 'value="quan_ly_nha_nuoc" disabled title="Đơn vị sự nghiệp công lập không dùng hiện trạng Quản lý nhà nước' in page
    assert 'data-testid="forbidden-hien_trang"' in page and "không dùng cho đơn vị này" in page
    assert 'value="hdsn_khong_kd" disabled' not in page  # what it does use stays offered

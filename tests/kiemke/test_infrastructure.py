"""One register per infrastructure sector (kiemke.md §2.2), owed once declared, with the
sector's own measures, rolled up into the consolidation."""
from decimal import Decimal

from django.urls import reverse

from baocao.formdefs.models import FormDefinition
from baocao.reports import declarations, services
from baocao.reports.models import Report

ROAD = {
    "ma_tai_san": "DB-01", "ten_tai_san": "Đường tỉnh 176", "loai_cong_trinh": "Đường tỉnh", "dia_diem": "Km0 – Km12,5, xã Thuận Hòa",
    "tinh": "Hà Giang", "nam_xay_dung": "2012", "chieu_dai": "12,5", "dien_tich": "87.500", "nguyen_gia": "250.000.000.000",
    "nguon_ns": "250.000.000.000", "nguon_khac": "0", "hao_mon_luy_ke": "100.000.000.000", "gia_tri_con_lai": "150.000.000.000",
    "nguon_goc": "dau_tu_xay_dung", "tinh_trang_ky_thuat": "trung_binh", "tinh_trang_kiem_ke": "dang_su_dung",
}


def test_sixteen_sector_registers_with_their_own_measures(kiemke):
    codes = set(FormDefinition.objects.filter(regime="kiemke", code__startswith="KK-KCHT-").values_list("code", flat=True))
    assert len(codes) == 16
    water = FormDefinition.objects.filter(code="KK-KCHT-CNS").latest("version").spec_object()
    assert water.field("cong_suat").unit == "m³/ngày" and water.title == "Kê khai kiểm kê tài sản kết cấu hạ tầng cấp nước sạch"
    road = FormDefinition.objects.filter(code="KK-KCHT-DB").latest("version").spec_object()
    assert road.field("chieu_dai").unit == "km" and road.field("nguyen_gia").unit == "đồng"


def test_a_declared_road_register_is_owed_entered_and_rolled_up(kiemke, tree, make_account, login):
    account = make_account("T02003002", "entry", username="T02003002")
    unit = tree["T02003002"]
    assert not Report.objects.filter(unit=unit, period=kiemke, form_code="KK-KCHT-DB").exists()
    declarations.declare(account, unit, kiemke, ["KK-DAT", "KK-KCHT-DB"])
    report = Report.objects.get(unit=unit, period=kiemke, form_code="KK-KCHT-DB", exempt=False)
    client = login(account)
    page = client.get(reverse("reports:record_add", args=[report.pk])).content.decode()
    assert "Chiều dài <span class=\"text-danger\">" not in page and "Chiều dài (km)" in page
    bad = client.post(reverse("reports:record_add", args=[report.pk]), {**ROAD, "gia_tri_con_lai": "140.000.000.000", "version": report.version})
    assert bad.status_code == 400 and "nguyên giá trừ giá trị hao mòn lũy kế" in bad.content.decode()
    assert client.post(reverse("reports:record_add", args=[report.pk]), {**ROAD, "version": report.version}).status_code == 302
    [record] = services.record_values(Report.objects.get(pk=report.pk))
    assert Decimal(record["chieu_dai"]) == Decimal("12.5")
    from tests.rollup.test_registers import totals
    assert totals(tree["T02"], kiemke, "kcht_db", "nguon_ns") == {1: Decimal(250_000_000_000)}
    assert totals(tree["BTC"], kiemke, "kcht_db", "so_luong") == {1: Decimal(1)}

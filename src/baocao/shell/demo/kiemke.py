"""The kiemke (public asset inventory) demo: a synthetic catalogue of a few hundred units and
inventory data in every workflow state.

Codes follow the asset-registration grammar (TT 48/2023 Art. 7): 3 characters for a
ministry or province, then 3 digits per level, the parent's code being the code minus its
last 3. T02003002 (Trường THPT Trần Phú under the Sở Giáo dục và Đào tạo of T02) is the
letter's example; every other name, code, address and amount is illustrative.
"""
import random
from decimal import Decimal

ROOT = ("BTC", "Bộ Tài chính (Cục Quản lý công sản)", "", "root", "trung_uong")

PROVINCES = {
    "T02": {
        "name": "Hà Giang",
        "schools": ["Trường THPT Chuyên Hà Giang", "Trường THPT Trần Phú", "Trường THPT Lê Hồng Phong", "Trường THPT Ngọc Hà",
                    "Trường THPT Vị Xuyên", "Trường THPT Bắc Quang", "Trường Phổ thông Dân tộc nội trú tỉnh"],
        "hospitals": ["Bệnh viện Đa khoa tỉnh Hà Giang", "Bệnh viện Y dược cổ truyền tỉnh", "Bệnh viện Phục hồi chức năng tỉnh",
                      "Trung tâm Kiểm soát bệnh tật tỉnh", "Bệnh viện Đa khoa khu vực Bắc Quang"],
        "districts": [
            ("Thành phố Hà Giang", ["Phường Minh Khai", "Phường Trần Phú", "Phường Nguyễn Trãi", "Phường Quang Trung", "Xã Phương Thiện", "Xã Ngọc Đường"]),
            ("Huyện Vị Xuyên", ["Thị trấn Vị Xuyên", "Xã Đạo Đức", "Xã Việt Lâm", "Xã Tùng Bá", "Xã Thuận Hòa", "Xã Phong Quang", "Xã Linh Hồ"]),
            ("Huyện Bắc Quang", ["Thị trấn Việt Quang", "Xã Hùng An", "Xã Kim Ngọc", "Xã Quang Minh", "Xã Tân Quang", "Xã Vĩnh Hảo"]),
            ("Huyện Quản Bạ", ["Thị trấn Tam Sơn", "Xã Quyết Tiến", "Xã Cán Tỷ", "Xã Thái An", "Xã Lùng Tám"]),
            ("Huyện Yên Minh", ["Thị trấn Yên Minh", "Xã Mậu Duệ", "Xã Đông Minh", "Xã Hữu Vinh", "Xã Lao Và Chải", "Xã Na Khê"]),
        ],
        "streets": ["đường Nguyễn Trãi", "đường Trần Phú", "đường Lý Tự Trọng", "đường 19/5", "đường Minh Khai", "Quốc lộ 2"],
    },
    "T01": {
        "name": "Hà Nội",
        "city": True,
        "schools": ["Trường THPT Chu Văn An", "Trường THPT Phan Đình Phùng", "Trường THPT Việt Đức", "Trường THPT Kim Liên",
                    "Trường THPT Yên Hòa", "Trường THPT Nguyễn Gia Thiều", "Trường THPT Cao Bá Quát - Gia Lâm"],
        "hospitals": ["Bệnh viện Đa khoa Xanh Pôn", "Bệnh viện Thanh Nhàn", "Bệnh viện Tim Hà Nội", "Bệnh viện Phụ sản Hà Nội",
                      "Bệnh viện Nhi Hà Nội", "Bệnh viện Đa khoa Đức Giang"],
        "districts": [
            ("Quận Hoàn Kiếm", ["Phường Hàng Bạc", "Phường Hàng Trống", "Phường Tràng Tiền", "Phường Lý Thái Tổ", "Phường Cửa Nam", "Phường Phan Chu Trinh"]),
            ("Quận Ba Đình", ["Phường Phúc Xá", "Phường Trúc Bạch", "Phường Điện Biên", "Phường Kim Mã", "Phường Ngọc Hà", "Phường Cống Vị"]),
            ("Quận Đống Đa", ["Phường Văn Miếu", "Phường Quốc Tử Giám", "Phường Láng Thượng", "Phường Ô Chợ Dừa", "Phường Khâm Thiên", "Phường Trung Liệt"]),
            ("Huyện Gia Lâm", ["Thị trấn Trâu Quỳ", "Xã Bát Tràng", "Xã Đa Tốn", "Xã Kiêu Kỵ", "Xã Phú Thị", "Xã Dương Xá", "Xã Cổ Bi"]),
            ("Huyện Đông Anh", ["Thị trấn Đông Anh", "Xã Cổ Loa", "Xã Uy Nỗ", "Xã Vân Nội", "Xã Kim Chung", "Xã Hải Bối", "Xã Xuân Canh"]),
        ],
        "streets": ["phố Tràng Thi", "phố Lý Thường Kiệt", "đường Giải Phóng", "phố Huế", "đường Nguyễn Văn Cừ", "đường Cao Lỗ"],
    },
}
# The departments of a province (Sở, ngành) by their 3 digits; 002 and 003 aggregate their units.
DEPARTMENTS = [
    ("001", "Sở Tài chính"), ("002", "Sở Y tế"), ("003", "Sở Giáo dục và Đào tạo"), ("004", "Sở Xây dựng"),
    ("005", "Sở Nông nghiệp và Môi trường"), ("006", "Sở Nội vụ"), ("007", "Sở Tư pháp"), ("008", "Sở Văn hóa, Thể thao và Du lịch"),
    ("009", "Văn phòng Ủy ban nhân dân tỉnh"),
]
DISTRICT_OFFICES = ["Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Phòng Tài chính - Kế hoạch", "Phòng Kinh tế, Hạ tầng và Đô thị"]
DISTRICT_SCHOOLS = ["Trường THCS {place}", "Trường Tiểu học {place}", "Trường Mầm non {place}"]

MINISTRY = ("046", "Bộ Y tế", [
    ("001", "Văn phòng Bộ Y tế", "reporting", "co_quan_nha_nuoc", []),
    ("002", "Bệnh viện Bạch Mai", "reporting", "don_vi_su_nghiep", []),
    ("003", "Bệnh viện Chợ Rẫy", "reporting", "don_vi_su_nghiep", []),
    ("004", "Bệnh viện Hữu nghị Việt Đức", "reporting", "don_vi_su_nghiep", []),
    ("005", "Bệnh viện Nhi Trung ương", "reporting", "don_vi_su_nghiep", []),
    ("006", "Cục Quản lý Khám, chữa bệnh", "reporting", "co_quan_nha_nuoc", []),
    ("007", "Cục Y tế dự phòng", "reporting", "co_quan_nha_nuoc", []),
    ("008", "Khối các trường đại học trực thuộc Bộ", "aggregating", "", [
        ("001", "Trường Đại học Y Hà Nội"), ("002", "Trường Đại học Dược Hà Nội"), ("003", "Trường Đại học Y tế công cộng"),
        ("004", "Trường Đại học Điều dưỡng Nam Định")]),
    ("009", "Viện Vệ sinh dịch tễ Trung ương", "reporting", "don_vi_su_nghiep", []),
    ("010", "Ban Quản lý các dự án Bộ Y tế", "reporting", "ban_quan_ly_du_an", []),
])


def _tree():
    rows = [ROOT]
    for code, p in PROVINCES.items():
        province = f"Thành phố {p['name']}" if p.get("city") else f"tỉnh {p['name']}"
        rows.append((code, f"Ủy ban nhân dân {province}", "BTC", "governing", "tinh"))
        for digits, name in DEPARTMENTS:
            kind = "aggregating" if digits in ("002", "003") else "reporting"
            rows.append((code + digits, f"{name} {province}", code, kind, "co_quan_nha_nuoc"))
        for n, name in enumerate(p["hospitals"], start=1):
            rows.append((f"{code}002{n:03d}", name, code + "002", "reporting", "don_vi_su_nghiep"))
        for n, name in enumerate(p["schools"], start=1):
            rows.append((f"{code}003{n:03d}", name, code + "003", "reporting", "don_vi_su_nghiep"))
        for d, (district, places) in enumerate(p["districts"], start=1):
            dcode = f"{code}{100 + d:03d}"
            rows.append((dcode, f"Ủy ban nhân dân {district}", code, "aggregating", "co_quan_nha_nuoc"))
            short = district.split(" ", 1)[1]
            for o, office in enumerate(DISTRICT_OFFICES, start=1):
                rows.append((f"{dcode}{o:03d}", f"{office} {district}", dcode, "reporting", "co_quan_nha_nuoc"))
            education = f"{dcode}004"
            rows.append((education, f"Phòng Giáo dục và Đào tạo {district}", dcode, "aggregating", "co_quan_nha_nuoc"))
            for s, place in enumerate(places[:4], start=1):
                pattern = DISTRICT_SCHOOLS[(s - 1) % len(DISTRICT_SCHOOLS)]
                rows.append((f"{education}{s:03d}", pattern.format(place=place.split(" ", 1)[1]), education, "reporting", "don_vi_su_nghiep"))
            rows.append((f"{dcode}005", f"Trung tâm Y tế {short}", dcode, "reporting", "don_vi_su_nghiep"))
            for c, place in enumerate(places, start=1):
                rows.append((f"{dcode}{100 + c:03d}", f"Ủy ban nhân dân {place}", dcode, "reporting", "co_quan_nha_nuoc"))
    code, name, units = MINISTRY
    rows.append((code, name, "BTC", "governing", "bo"))
    for digits, unit_name, kind, types, children in units:
        rows.append((code + digits, unit_name, code, kind, types))
        for child_digits, child_name in children:
            rows.append((code + digits + child_digits, child_name, code + digits, "reporting", "don_vi_su_nghiep"))
    return rows


TREE = _tree()

# The inventory's second round (reference moment 0h 01/01/2026); its deadline here relative
# to today, so entry is open.
PERIODS = [{"kind": "KIEMKE", "year": 2026, "days_left": 90}]

EXAMPLES = ["T02003002", "T02003", "T02", "046", "BTC"]

# The letter's example walks from the start: it keeps nothing entered.
UNTOUCHED = {"T02003002"}


def _money(rng, low, high, step=1_000_000):
    return Decimal(rng.randrange(low // step, high // step + 1) * step)


def _vn(amount):
    """1234567 -> "1.234.567" (as a user types it)."""
    whole = f"{int(amount):,}".replace(",", ".")
    return whole


def _land(rng, unit, service_unit, street, province, ward):
    area = Decimal(rng.randrange(8, 240) * 50)
    cost = _money(rng, 2_000_000_000, 60_000_000_000, 10_000_000)
    status = {"dt_hdsn_khong_kd" if service_unit else "dt_tru_so_lam_viec": _vn(area)}
    return {
        "ma_tai_san": f"{unit.code}-DAT-01", "ten_tai_san": f"Khuôn viên {unit.name}", "dia_chi": f"Số {rng.randrange(1, 250)} {street}",
        "tinh": province, "xa": ward,
        "muc_dich_su_dung": "Đất xây dựng cơ sở sự nghiệp" if service_unit else "Đất xây dựng trụ sở cơ quan",
        "ly_do_tang": "dang_ky_lan_dau", "ngay_tang": f"01/0{rng.randrange(1, 10)}/{rng.randrange(1995, 2018)}",
        "dt_theo_so": _vn(area), "dt_kiem_ke": _vn(area), **status,
        "nguyen_gia": _vn(cost), "nguon_ns": _vn(cost), "nguon_khac": "0", "gia_tri_con_lai": _vn(cost),
        "gcn_so": f"CT {rng.randrange(10000, 99999)}", "tinh_trang_kiem_ke": "dang_su_dung",
    }


def _building(rng, unit, service_unit, n):
    floors = rng.randrange(1, 6)
    footprint = Decimal(rng.randrange(4, 30) * 25)
    floor_area = footprint * floors
    cost = _money(rng, 1_500_000_000, 25_000_000_000, 10_000_000)
    built = rng.randrange(1998, 2022)
    remaining = (cost * Decimal(rng.randrange(20, 90)) / 100).quantize(Decimal(1_000_000))
    kind = "Nhà lớp học" if "Trường" in unit.name else ("Nhà khám bệnh" if "Bệnh viện" in unit.name or "Trung tâm Y tế" in unit.name else "Nhà làm việc")
    return {
        "ma_tai_san": f"{unit.code}-NHA-{n:02d}", "ma_dat": f"{unit.code}-DAT-01", "ten_nha": f"{kind} {floors} tầng (khu {'ABCD'[n - 1]})",
        "cap_hang": rng.choice(["Cấp II", "Cấp III", "Cấp IV"]), "nam_xay_dung": str(built), "ngay_su_dung": f"01/09/{built + 1}",
        "so_tang": str(floors), "dt_xay_dung": _vn(footprint), "dt_san_theo_so": _vn(floor_area), "dt_san": _vn(floor_area),
        "nguyen_gia": _vn(cost), "nguon_ns": _vn(cost), "nguon_khac": "0", "gia_tri_con_lai": _vn(remaining),
        ("dt_co_so_hdsn" if service_unit else "dt_tru_so_lam_viec"): _vn(floor_area), "tinh_trang_kiem_ke": "dang_su_dung",
    }


def _car(rng, unit, service_unit, n):
    make = rng.choice(["Toyota Innova", "Toyota Fortuner", "Ford Everest", "Mitsubishi Pajero Sport", "Hyundai Solati", "Ford Transit"])
    cost = _money(rng, 700_000_000, 1_500_000_000)
    year = rng.randrange(2010, 2023)
    return {
        "ma_tai_san": f"{unit.code}-OTO-{n:02d}", "ten_tai_san": f"Xe ô tô {make}", "nhan_hieu": make,
        "bien_kiem_soat": f"{rng.choice(['23', '29', '30'])}A-{rng.randrange(100, 999)}.{rng.randrange(10, 99)}",
        "so_cho_tai_trong": str(rng.choice([7, 7, 16])), "nuoc_san_xuat": "Việt Nam", "nam_san_xuat": str(year), "ngay_su_dung": f"15/03/{year}",
        "loai_xe": "chuyen_dung" if "Bệnh viện" in unit.name else "cong_tac_chung", "nguon_goc": "mua_sam",
        "nguyen_gia": _vn(cost), "nguon_ns": _vn(cost), "nguon_khac": "0",
        "gia_tri_con_lai": _vn((cost * Decimal(rng.randrange(10, 80)) / 100).quantize(Decimal(1_000_000))),
        "hien_trang": "hdsn_khong_kd" if service_unit else "quan_ly_nha_nuoc", "tinh_trang_kiem_ke": "dang_su_dung",
    }


OTHER_ASSETS = [("may_moc_thiet_bi", "Máy photocopy Ricoh", "cái", 45_000_000, 90_000_000), ("may_moc_thiet_bi", "Máy tính để bàn", "bộ", 12_000_000, 20_000_000),
                ("may_moc_thiet_bi", "Máy điều hòa nhiệt độ", "bộ", 15_000_000, 30_000_000), ("phan_mem", "Phần mềm kế toán", "bộ", 50_000_000, 200_000_000),
                ("vat_kien_truc", "Tường rào, cổng", "hệ thống", 150_000_000, 900_000_000), ("huu_hinh_khac", "Bàn ghế phòng họp", "bộ", 20_000_000, 60_000_000)]


def _other(rng, unit, service_unit, n):
    kind, name, measure, low, high = OTHER_ASSETS[(n - 1) % len(OTHER_ASSETS)]
    count = rng.randrange(1, 12) if measure in ("bộ", "cái") else 1
    cost = _money(rng, low, high) * count
    return {
        "ma_tai_san": f"{unit.code}-TS-{n:03d}", "ten_tai_san": name, "loai_tai_san": kind, "ngay_su_dung": f"01/0{rng.randrange(1, 10)}/{rng.randrange(2015, 2024)}",
        "so_luong_theo_so": str(count), "so_luong": str(count), "don_vi_tinh": measure, "nguyen_gia": _vn(cost), "nguon_ns": _vn(cost), "nguon_khac": "0",
        "gia_tri_con_lai": _vn((cost * Decimal(rng.randrange(10, 90)) / 100).quantize(Decimal(1000))),
        "hien_trang": "hdsn_khong_kd" if service_unit else "quan_ly_nha_nuoc", "tinh_trang_kiem_ke": "dang_su_dung",
    }


# The state each inventorying unit's registers end in, in turn: every workflow state shows.
STATES = ["da_tiep_nhan", "da_gui", "dang_nhap", "da_tiep_nhan", "chua_nhap", "tra_lai", "da_gui", "chinh_ly", "da_tiep_nhan", "dang_nhap"]


def populate(stdout):
    """Declarations and registers for the inventorying units, in every workflow state. Idempotent:
    a period that already holds records is left as it is."""
    from baocao.accounts.models import Account
    from baocao.reports import declarations, services, workflow
    from baocao.reports.models import Period, Report, ReportRecord
    from baocao.units.models import Unit

    period = Period.objects.filter(regime="kiemke", kind="KIEMKE").order_by("-data_from").first()
    if period is None or ReportRecord.objects.filter(report__period=period).exists():
        return
    accounts = {a.username: a for a in Account.objects.filter(unit__isnull=False).select_related("unit")}
    units = list(Unit.objects.filter(kind="reporting").prefetch_related("unit_types").order_by("code"))
    provinces = PROVINCES
    states = {}
    for index, unit in enumerate(units):
        if unit.code in UNTOUCHED or unit.code not in accounts:
            continue
        state = STATES[index % len(STATES)]
        rng = random.Random(unit.code)
        actor = accounts[unit.code]
        service_unit = any(t.code == "don_vi_su_nghiep" for t in unit.unit_types.all())
        commune = unit.name.startswith("Ủy ban nhân dân Xã") or unit.name.startswith("Ủy ban nhân dân Phường") or unit.name.startswith("Ủy ban nhân dân Thị trấn")
        held = ["KK-DAT", "KK-NHA", "KK-TSCD-KHAC"] + ([] if commune else ["KK-OTO"])
        if unit.code.endswith("004") and unit.code.startswith("T02") and len(unit.code) == 6:  # Sở Xây dựng: roads and markets
            held += ["KK-KCHT-DB", "KK-KCHT-CHO"]
        declarations.declare(actor, unit, period, held)
        states[unit.code] = state
        if state == "chua_nhap":
            continue
        province = provinces.get(unit.code[:3])
        street = rng.choice(province["streets"]) if province else "đường Giải Phóng"
        place = province["name"] if province else "Hà Nội"
        ward = rng.choice(rng.choice(province["districts"])[1]) if province else "Phường Phương Mai"
        if commune:
            ward = unit.name.replace("Ủy ban nhân dân ", "")
        content = {
            "KK-DAT": [_land(rng, unit, service_unit, street, place, ward)],
            "KK-NHA": [_building(rng, unit, service_unit, n) for n in range(1, rng.randrange(2, 4))],
            "KK-TSCD-KHAC": [_other(rng, unit, service_unit, n) for n in range(1, rng.randrange(4, 8))],
        }
        if "KK-OTO" in held:
            content["KK-OTO"] = [_car(rng, unit, service_unit, n) for n in range(1, rng.randrange(2, 3))]
        if "KK-KCHT-DB" in held:
            content["KK-KCHT-DB"] = [{
                "ma_tai_san": f"{unit.code}-DB-01", "ten_tai_san": "Đường tỉnh 176", "loai_cong_trinh": "Đường tỉnh",
                "dia_diem": "Km0 – Km12+500", "tinh": place, "nam_xay_dung": "2012", "chieu_dai": "12,5", "dien_tich": "87.500",
                "nguyen_gia": "250.000.000.000", "nguon_ns": "250.000.000.000", "nguon_khac": "0", "hao_mon_luy_ke": "100.000.000.000",
                "gia_tri_con_lai": "150.000.000.000", "nguon_goc": "dau_tu_xay_dung", "tinh_trang_ky_thuat": "trung_binh",
                "tinh_trang_kiem_ke": "dang_su_dung"}]
        if "KK-KCHT-CHO" in held:
            content["KK-KCHT-CHO"] = [{
                "ma_tai_san": f"{unit.code}-CHO-01", "ten_tai_san": f"Chợ trung tâm {place}", "loai_cong_trinh": "Chợ hạng 1",
                "dia_diem": street, "tinh": place, "nam_xay_dung": "2008", "dien_tich": "6.200", "so_diem_kinh_doanh": "420",
                "nguyen_gia": "38.000.000.000", "nguon_ns": "38.000.000.000", "nguon_khac": "0", "hao_mon_luy_ke": "15.200.000.000",
                "gia_tri_con_lai": "22.800.000.000", "nguon_goc": "dau_tu_xay_dung", "tinh_trang_ky_thuat": "tot", "tinh_trang_kiem_ke": "dang_su_dung"}]
        parent = accounts.get(unit.ancestor_codes()[-2])
        for form_code, records in content.items():
            report = Report.objects.select_related("form", "unit", "period").get(unit=unit, period=period, form_code=form_code)
            services.replace_records(actor, report, records, expected_version=report.version)
            if state == "dang_nhap":
                continue
            report.refresh_from_db()
            workflow.transition(actor, report, "gui_bao_cao")
            if state == "da_gui" or parent is None:
                continue
            if state == "tra_lai":
                workflow.transition(parent, report, "tra_lai", reason="Đề nghị kiểm tra lại diện tích khuôn viên theo giấy chứng nhận quyền sử dụng đất.")
                continue
            workflow.transition(parent, report, "tiep_nhan")
            if state == "chinh_ly":
                workflow.transition(parent, report, "yeu_cau_chinh_ly", reason="Bổ sung hồ sơ pháp lý của tài sản theo kết quả rà soát.")
    counts = {}
    for state in states.values():
        counts[state] = counts.get(state, 0) + 1
    stdout.write("Inventory demo: " + ", ".join(f"{n} units {s}" for s, n in sorted(counts.items())) + ".")

"""The kiemke (public asset inventory) demo."""

# (code, name, parent code, kind, unit types). Codes follow the asset-registration scheme
# (TT 48/2023 Art. 7): 3 characters for a ministry or province, +3 digits per level.
# T02003002 is the example of the official letter; the other codes are illustrative.
TREE = [
    ("BTC", "Bộ Tài chính (Cục Quản lý công sản)", "", "root", "trung_uong"),
    ("T02", "Ủy ban nhân dân tỉnh Hà Giang", "BTC", "governing", "tinh"),
    ("T02001", "Sở Tài chính tỉnh Hà Giang", "T02", "reporting", "co_quan_nha_nuoc"),
    ("T02003", "Sở Giáo dục và Đào tạo tỉnh Hà Giang", "T02", "aggregating", "co_quan_nha_nuoc"),
    ("T02003001", "Trường THPT Chuyên Hà Giang", "T02003", "reporting", "don_vi_su_nghiep"),
    ("T02003002", "Trường THPT Trần Phú", "T02003", "reporting", "don_vi_su_nghiep"),
    ("T02003003", "Trường THPT Lê Hồng Phong", "T02003", "reporting", "don_vi_su_nghiep"),
    ("T01", "Ủy ban nhân dân thành phố Hà Nội", "BTC", "governing", "tinh"),
    ("T01017", "Sở Y tế thành phố Hà Nội", "T01", "aggregating", "co_quan_nha_nuoc"),
    ("T01017001", "Bệnh viện Đa khoa Xanh Pôn", "T01017", "reporting", "don_vi_su_nghiep"),
    ("046", "Bộ Y tế", "BTC", "governing", "bo"),
    ("046001", "Văn phòng Bộ Y tế", "046", "reporting", "co_quan_nha_nuoc"),
    ("046002", "Bệnh viện Bạch Mai", "046", "reporting", "don_vi_su_nghiep"),
    ("046003", "Bệnh viện Chợ Rẫy", "046", "reporting", "don_vi_su_nghiep"),
]

# The inventory's second round (reference moment 0h 01/01/2026); its deadline here relative
# to today, so entry is open.
PERIODS = [{"kind": "KIEMKE", "year": 2026, "days_left": 90}]

EXAMPLES = ["T02003002", "T02003", "T02", "BTC"]


def populate(stdout):
    """Nothing more yet."""

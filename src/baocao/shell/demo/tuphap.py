"""The tuphap (justice-sector statistics) demo."""

# The justice regime: the Ministry of Justice at the top, ministries' legal departments report.
TREE = [
    ("btp", "Bộ Tư pháp (Cục Kế hoạch - Tài chính)", "", "root", ""),
    ("bxd", "Bộ Xây dựng", "btp", "governing", "bo"),
    ("bxd_pc", "Vụ Pháp chế, Bộ Xây dựng", "bxd", "reporting", "bo,to_chuc_phap_che,dang_ky_tau_bay_tau_bien"),
    ("bng", "Bộ Ngoại giao", "btp", "governing", "bo"),
    ("bng_pc", "Vụ Luật pháp và Điều ước quốc tế, Bộ Ngoại giao", "bng", "aggregating", "bo,to_chuc_phap_che,co_quan_dai_dien_nuoc_ngoai"),
    # 17d and 22d have one row per mission: the missions are the units below.
    ("bng_dsq_jp", "Đại sứ quán Việt Nam tại Nhật Bản", "bng_pc", "reporting", ""),
    ("bng_tlsq_osaka", "Tổng Lãnh sự quán Việt Nam tại Osaka", "bng_pc", "reporting", ""),
    ("bhxh", "Bảo hiểm xã hội Việt Nam", "btp", "governing", "co_quan_thuoc_cp"),
    ("bhxh_pc", "Ban Pháp chế, Bảo hiểm xã hội Việt Nam", "bhxh", "reporting", "co_quan_thuoc_cp,to_chuc_phap_che"),
    ("hn", "Ủy ban nhân dân thành phố Hà Nội", "btp", "governing", ""),
    ("stp_hn", "Sở Tư pháp thành phố Hà Nội", "hn", "aggregating", "so_tu_phap"),
    ("vpcc_hn01", "Văn phòng công chứng Hà Thành", "stp_hn", "reporting", "to_chuc_hanh_nghe_cong_chung"),
    ("vpcc_hn02", "Phòng công chứng số 1 thành phố Hà Nội", "stp_hn", "reporting", "to_chuc_hanh_nghe_cong_chung"),
]

# The letter's official year 2020 (deadline 05/02/2021: past, entry needs an extension) and
# this year's annual report (the regime's deadline, 05/12, a Saturday this year: due Monday 07/12).
PERIODS = [{"kind": "NAM_CT", "year": 2020, "days_left": None}, {"kind": "NAM", "year": 2026, "days_left": None}]

EXAMPLES = ["bxd_pc_bc", "bxd_pc_kt", "bxd_pc_ld", "vpcc_hn01_bc", "stp_hn_ld", "btp_qt"]


def populate(stdout):
    """Nothing more yet."""

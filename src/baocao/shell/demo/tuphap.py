"""The tuphap (justice-sector statistics) demo."""
import random
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

# The justice regime: the Ministry of Justice at the top, ministries' legal departments report.
# The ministries, ministerial-level agencies and government agencies as the letter (CV
# 268/BTP-KHTC, 29/01/2021) found them for the official year 2020, each with its legal-affairs
# department as the reporting unit: Bộ Giao thông vận tải files 23c, Bộ Ngoại giao 17d and 22d.
# (Since 2025 Transport is part of Construction and Planning and Investment of Finance: the
# platform's Sắp xếp đơn vị carries such mergers; the demo keeps the letter's year.) Codes
# follow the letter's example `bkhdt_pc` (abbreviation + `_pc`); department names are the
# usual ones [I].
_MINISTRIES = [
    # (code, ministry, unit type, legal department, extra duty tags)
    ("bqp", "Bộ Quốc phòng", "bo", "Vụ Pháp chế, Bộ Quốc phòng", ""),
    ("bca", "Bộ Công an", "bo", "Cục Pháp chế và cải cách hành chính, tư pháp, Bộ Công an", ""),
    ("bng", "Bộ Ngoại giao", "bo", "Vụ Luật pháp và Điều ước quốc tế, Bộ Ngoại giao", "co_quan_dai_dien_nuoc_ngoai"),
    ("bnv", "Bộ Nội vụ", "bo", "Vụ Pháp chế, Bộ Nội vụ", ""),
    ("bkhdt", "Bộ Kế hoạch và Đầu tư", "bo", "Vụ Pháp chế, Bộ Kế hoạch và Đầu tư", ""),
    ("btc", "Bộ Tài chính", "bo", "Vụ Pháp chế, Bộ Tài chính", ""),
    ("bct", "Bộ Công Thương", "bo", "Vụ Pháp chế, Bộ Công Thương", ""),
    ("bnnptnt", "Bộ Nông nghiệp và Phát triển nông thôn", "bo", "Vụ Pháp chế, Bộ Nông nghiệp và Phát triển nông thôn", ""),
    ("bgtvt", "Bộ Giao thông vận tải", "bo", "Vụ Pháp chế, Bộ Giao thông vận tải", "dang_ky_tau_bay_tau_bien"),
    ("bxd", "Bộ Xây dựng", "bo", "Vụ Pháp chế, Bộ Xây dựng", ""),
    ("btnmt", "Bộ Tài nguyên và Môi trường", "bo", "Vụ Pháp chế, Bộ Tài nguyên và Môi trường", ""),
    ("btttt", "Bộ Thông tin và Truyền thông", "bo", "Vụ Pháp chế, Bộ Thông tin và Truyền thông", ""),
    ("bldtbxh", "Bộ Lao động - Thương binh và Xã hội", "bo", "Vụ Pháp chế, Bộ Lao động - Thương binh và Xã hội", ""),
    ("bvhttdl", "Bộ Văn hóa, Thể thao và Du lịch", "bo", "Vụ Pháp chế, Bộ Văn hóa, Thể thao và Du lịch", ""),
    ("bkhcn", "Bộ Khoa học và Công nghệ", "bo", "Vụ Pháp chế, Bộ Khoa học và Công nghệ", ""),
    ("bgddt", "Bộ Giáo dục và Đào tạo", "bo", "Vụ Pháp chế, Bộ Giáo dục và Đào tạo", ""),
    ("byt", "Bộ Y tế", "bo", "Vụ Pháp chế, Bộ Y tế", ""),
    ("nhnn", "Ngân hàng Nhà nước Việt Nam", "co_quan_ngang_bo", "Vụ Pháp chế, Ngân hàng Nhà nước Việt Nam", ""),
    ("ttcp", "Thanh tra Chính phủ", "co_quan_ngang_bo", "Vụ Pháp chế, Thanh tra Chính phủ", ""),
    ("vpcp", "Văn phòng Chính phủ", "co_quan_ngang_bo", "Vụ Pháp luật, Văn phòng Chính phủ", ""),
    ("ubdt", "Ủy ban Dân tộc", "co_quan_ngang_bo", "Vụ Pháp chế, Ủy ban Dân tộc", ""),
    ("bhxh", "Bảo hiểm xã hội Việt Nam", "co_quan_thuoc_cp", "Ban Pháp chế, Bảo hiểm xã hội Việt Nam", ""),
    ("ttxvn", "Thông tấn xã Việt Nam", "co_quan_thuoc_cp", "Ban Tổ chức cán bộ (bộ phận pháp chế), Thông tấn xã Việt Nam", ""),
    ("dthvn", "Đài Truyền hình Việt Nam", "co_quan_thuoc_cp", "Ban Tổ chức cán bộ (bộ phận pháp chế), Đài Truyền hình Việt Nam", ""),
    ("dtnvn", "Đài Tiếng nói Việt Nam", "co_quan_thuoc_cp", "Ban Tổ chức cán bộ (bộ phận pháp chế), Đài Tiếng nói Việt Nam", ""),
    ("hvctqg", "Học viện Chính trị quốc gia Hồ Chí Minh", "co_quan_thuoc_cp", "Vụ Pháp chế, Học viện Chính trị quốc gia Hồ Chí Minh", ""),
    ("vhlkhcn", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam", "co_quan_thuoc_cp", "Ban Tổ chức - Cán bộ (bộ phận pháp chế), Viện Hàn lâm Khoa học và Công nghệ Việt Nam", ""),
    ("vhlkhxh", "Viện Hàn lâm Khoa học xã hội Việt Nam", "co_quan_thuoc_cp", "Ban Tổ chức - Cán bộ (bộ phận pháp chế), Viện Hàn lâm Khoa học xã hội Việt Nam", ""),
    ("bqllang", "Ban Quản lý Lăng Chủ tịch Hồ Chí Minh", "co_quan_thuoc_cp", "Phòng Pháp chế, Ban Quản lý Lăng Chủ tịch Hồ Chí Minh", ""),
    ("cmsc", "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp", "co_quan_thuoc_cp", "Vụ Pháp chế, Ủy ban Quản lý vốn nhà nước tại doanh nghiệp", ""),
]

TREE = [("btp", "Bộ Tư pháp (Cục Kế hoạch - Tài chính)", "", "root", "")]
for _code, _name, _type, _legal, _extra in _MINISTRIES:
    TREE.append((_code, _name, "btp", "governing", _type))
    _tags = ",".join(t for t in (_type, "to_chuc_phap_che", _extra) if t)
    # Bộ Ngoại giao's department aggregates the missions below it (17d, 22d: a row per mission).
    TREE.append((f"{_code}_pc", _legal, _code, "aggregating" if _code == "bng" else "reporting", _tags))
TREE += [
    # 17d and 22d have one row per mission: the missions are the units below.
    ("bng_dsq_jp", "Đại sứ quán Việt Nam tại Nhật Bản", "bng_pc", "reporting", ""),
    ("bng_tlsq_osaka", "Tổng Lãnh sự quán Việt Nam tại Osaka", "bng_pc", "reporting", ""),
    ("bng_dsq_fr", "Đại sứ quán Việt Nam tại Cộng hòa Pháp", "bng_pc", "reporting", ""),
    ("bng_dsq_kr", "Đại sứ quán Việt Nam tại Hàn Quốc", "bng_pc", "reporting", ""),
    # The notarial branch (12a/12b) of one province, for the Sở Tư pháp forms.
    ("hn", "Ủy ban nhân dân thành phố Hà Nội", "btp", "governing", ""),
    ("stp_hn", "Sở Tư pháp thành phố Hà Nội", "hn", "aggregating", "so_tu_phap"),
    ("vpcc_hn01", "Văn phòng công chứng Hà Thành", "stp_hn", "reporting", "to_chuc_hanh_nghe_cong_chung"),
    ("vpcc_hn02", "Phòng công chứng số 1 thành phố Hà Nội", "stp_hn", "reporting", "to_chuc_hanh_nghe_cong_chung"),
]

# The letter's official year 2020 (deadline 05/02/2021: past, entry needs an extension) and
# this year's annual report (the regime's deadline, 05/12, a Saturday this year: due Monday 07/12).
PERIODS = [{"kind": "NAM_CT", "year": 2020, "days_left": None}, {"kind": "NAM", "year": 2026, "days_left": None}]

EXAMPLES = ["bng_pc_bc", "bng_pc_kt", "bng_pc_ld", "bkhdt_pc_bc", "bgtvt_pc_bc", "bhxh_pc_bc", "vpcc_hn01_bc", "stp_hn_ld", "btp_qt"]


# How far each legal department had gone with the official year 2020, in the order of
# _MINISTRIES (cycled): most approved before 05/02/2021, some late under an extension, the
# rest at every other step, so that the central roll-up and completeness tell a story.
STORY = ["on_time", "on_time", "late", "cho_phe_duyet", "on_time", "tra_lai", "cho_kiem_tra", "on_time", "dang_nhap", "chua_nhap"]
# The transitions each story takes after the figures are entered: (account suffix, transition).
_SENT, _CHECKED, _APPROVED = ("bc", "gui_kiem_tra"), ("kt", "da_kiem_tra"), ("ld", "phe_duyet")
STEPS = {
    "dang_nhap": [], "cho_kiem_tra": [_SENT], "tra_lai": [_SENT, ("kt", "tra_lai_kiem_tra")],
    "cho_phe_duyet": [_SENT, _CHECKED], "on_time": [_SENT, _CHECKED, _APPROVED], "late": [_SENT, _CHECKED, _APPROVED],
}
CHECK_REASON = "Số liệu cột (2) chưa khớp với báo cáo giấy đã ký; đề nghị rà soát lại."


def _figures(spec, instances, rng):
    """Entered cells of a grid with plausible counts that pass its rules (a total that is
    entered rather than computed, or an "in which" above its total: the row is set to 0)."""
    entered = {}
    for row in spec.concrete_rows({}, instances):
        if row.kind == "heading":
            continue
        for column in spec.leaves:
            if column.type == "text" or spec.is_disabled(row.code, column.code) or spec.cell(row.code, column.code).computed:
                continue
            entered[(row.code, column.code)] = Decimal(rng.randrange(0, 40))
    for _ in range(5):
        problems = [r for r in spec.check(entered, instances=instances) if r.blocking]
        if not problems:
            break
        rows = {row for problem in problems for row, _column in problem.cells}
        entered.update({cell: Decimal(0) for cell in entered if cell[0] in rows})
    return entered


def _clock(moment):
    """The platform's clock set to `moment` while the demo acts."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def populate(stdout):
    """The official year 2020 replayed as it happened (entered in January 2021, approved
    before or after the 05/02/2021 deadline): the clock is set to those days while the
    platform's own actions record them, so histories, submission times and on-time or late
    read as they would have. Idempotent: a period already holding figures is left alone."""
    from baocao.accounts.models import Account
    from baocao.reports import periods, services, workflow
    from baocao.reports.models import Period, Report
    from baocao.units.models import Unit

    period = Period.objects.filter(regime="tuphap", code="NAM_CT_2020").first()
    if period is None or Report.objects.filter(period=period).exclude(status="chua_nhap").exists():
        return
    accounts = {a.username: a for a in Account.objects.filter(unit__isnull=False)}
    central = accounts.get("btp_qt")
    zone = timezone.get_current_timezone()

    def at(day, hour):
        return timezone.make_aware(datetime.combine(period.due_at.date() + timedelta(days=day), time(hour)), zone)

    counts = Counter()
    for index, (code, *_rest) in enumerate(_MINISTRIES):
        story, unit_code = STORY[index % len(STORY)], f"{code}_pc"
        counts[story] += 1
        entry = accounts.get(f"{unit_code}_bc")
        if story == "chua_nhap" or entry is None:
            continue
        start = -20 + index % 10  # entered from mid-January
        if story == "late" and central is not None:
            with _clock(at(1, 9)):
                periods.grant_extension(central, period, Unit.objects.get(code=unit_code), until=(period.due_at + timedelta(days=10)).date(),
                                        reason="Đơn vị đề nghị gia hạn do sắp xếp lại tổ chức bộ máy (Công văn số 15/PC ngày 05/02/2021).")
            start = 3
        rng = random.Random(unit_code)
        for report in Report.objects.select_related("form", "unit", "period").filter(period=period, unit__code=unit_code).order_by("form_code"):
            with _clock(at(start, 9)):
                figures = _figures(report.form.spec_object(), services.instance_keys(report), rng)
                services.save_grid(entry, report, figures, expected_version=report.version)
            for hour, (suffix, transition) in enumerate(STEPS[story], start=10):
                reason = CHECK_REASON if transition == "tra_lai_kiem_tra" else ""
                with _clock(at(start + 1, hour)):
                    workflow.transition(accounts[f"{unit_code}_{suffix}"], Report.objects.get(pk=report.pk), transition, reason=reason)
    stdout.write("Justice demo, official year 2020: " + ", ".join(f"{n} units {s}" for s, n in sorted(counts.items())) + ".")

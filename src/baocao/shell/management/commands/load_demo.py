"""Demo data: a small, realistic unit tree with accounts following the regime's scheme."""
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from baocao import regimes
from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.formdefs.services import load_regime_forms
from baocao.reports import periods
from baocao.reports.models import Period, PeriodStatus
from baocao.units.catalogue import CatalogueRow, import_catalogue
from baocao.units.models import Unit
from baocao.units.services import sync_unit_types

# (code, name, parent code, kind, unit types). Codes follow the asset-registration scheme
# (TT 48/2023 Art. 7): 3 characters for a ministry or province, +3 digits per level.
# T02003002 is the example of the official letter; the other codes are illustrative.
KIEMKE_TREE = [
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

# The justice regime: the Ministry of Justice at the top, ministries' legal departments report.
TUPHAP_TREE = [
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

# The periods of each demo, opened: the inventory's second round (reference moment 0h
# 01/01/2026; its deadline here relative to today, so entry is open); the justice letter's
# official year 2020 (deadline 05/02/2021: past, entry needs an extension) and this year's
# annual report (the regime's deadline, 05/12, a Saturday this year: due Monday 07/12).
PERIODS = {
    "kiemke": [{"kind": "KIEMKE", "year": 2026, "days_left": 90}],
    "tuphap": [{"kind": "NAM_CT", "year": 2020, "days_left": None}, {"kind": "NAM", "year": 2026, "days_left": None}],
}

TREES = {"kiemke": KIEMKE_TREE, "tuphap": TUPHAP_TREE}


class Command(BaseCommand):
    help = "Load the demo unit tree and its accounts (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, url, **options):
        regime = regimes.current()
        rows = [
            CatalogueRow(row=i, code=c, name=n, parent_code=p, kind=k, unit_types=tuple(t for t in types.split(",") if t))
            for i, (c, n, p, k, types) in enumerate(TREES[regime.key], start=2)
        ]
        with transaction.atomic():
            sync_unit_types(regime)
            forms = load_regime_forms(regime.key)
            summary = import_catalogue(None, rows)
            created = create_missing_accounts(None, Unit.objects.all())
            opened = [self.demo_period(regime, wanted) for wanted in PERIODS[regime.key]]
        self.stdout.write(f"Demo data: {summary.created} units created, {len(created)} accounts created, {forms}.")
        for period in opened:
            self.stdout.write(f"Period open: {period.name} (deadline {timezone.localtime(period.due_at):%d/%m/%Y}).")
        self.stdout.write("")
        self.stdout.write(f"  baocao ({regime.short_title}) is served at {url}")
        self.stdout.write(f"  Every demo account starts with the default password {regime.default_password!r}")
        self.stdout.write("  and must change it at first login:")
        examples = {"kiemke": ["T02003002", "T02003", "T02", "BTC"],
                    "tuphap": ["bxd_pc_bc", "bxd_pc_kt", "bxd_pc_ld", "vpcc_hn01_bc", "stp_hn_ld", "btp_qt"]}[regime.key]
        for account in Account.objects.filter(username__in=examples).select_related("unit"):
            roles = ", ".join(regime.role_labels.get(r, r) for r in account.roles)
            self.stdout.write(f"    {account.username:<12} {account.unit.name} — {roles}")
        self.stdout.write("")

    @staticmethod
    def demo_period(regime, wanted):
        code = f"{wanted['kind']}_{wanted['year']}"
        period = Period.objects.filter(regime=regime.key, code=code).first()
        if period is None:
            deadline = timezone.localdate() + timedelta(days=wanted["days_left"]) if wanted["days_left"] else None
            period = periods.create_period(None, kind=wanted["kind"], year=wanted["year"], deadline=deadline)
        if period.status == PeriodStatus.DRAFT:
            periods.open_period(None, period)
            period.refresh_from_db()
        return period

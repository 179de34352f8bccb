"""Excel import benchmark: a register of 10,000 list records (KK-OTO) imported from its
template with full validation, against merely reading the same workbook with openpyxl in
read-only mode, measured in the same run.

    .venv/bin/python bench/exchange_bench.py [--records N]

On its own it runs on a fresh SQLite file, var/exchange-bench.sqlite3 (or on DATABASE_URL);
bench/run.py may call main() after its own set-up.
"""
import argparse
import io
import os
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
    if "DATABASE_URL" not in os.environ:
        (ROOT / "var").mkdir(exist_ok=True)
        bench_db = ROOT / "var" / "exchange-bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{bench_db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{bench_db}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_memory(fn):
    """Peak Python memory of `fn` in MiB (a separate run: tracemalloc slows code down)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def car(n):
    """One car as the register stores it."""
    return {
        "ma_tai_san": f"XE-{n:06d}", "ten_tai_san": f"Xe ô tô phục vụ công tác chung số {n}", "nhan_hieu": "Toyota",
        "bien_kiem_soat": f"99A-{n:06d}", "so_cho_tai_trong": "7", "nuoc_san_xuat": "Nhật Bản", "nam_san_xuat": "2020",
        "ngay_su_dung": "15/03/2021", "cong_suat": "150.5", "loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam",
        "nguyen_gia": str(900_000_000 + n), "nguon_ns": str(900_000_000 + n), "nguon_khac": "0", "gia_tri_con_lai": "450000000",
        "hien_trang": "quan_ly_nha_nuoc", "tinh_trang_kiem_ke": "dang_su_dung", "ghi_chu": "Đang sử dụng tốt",
    }


def _fixtures():
    """A reporting unit, its entry account, an open inventory period and its KK-OTO report
    (an obligation added to the period, as for a unit created after it opened)."""
    from django.utils import timezone

    from baocao.accounts.grants import set_roles
    from baocao.accounts.models import Account
    from baocao.formdefs.services import load_regime_forms
    from baocao.reports import periods
    from baocao.reports.models import Period, PeriodStatus, Report
    from baocao.units.models import Unit, UnitKind

    load_regime_forms("kiemke")
    root = Unit.objects.filter(kind=UnitKind.ROOT).first() or Unit.objects.create(code="BTC", name="Bộ Tài chính", kind=UnitKind.ROOT)
    unit, _created = Unit.objects.get_or_create(
        code="XBENCH001", defaults={"name": "Đơn vị đo kiểm kê", "kind": UnitKind.REPORTING, "parent": root}
    )
    account = Account.objects.filter(username="xbench001").first()
    if account is None:
        account = Account(username="xbench001", display_name="Đơn vị đo kiểm kê", unit=unit, must_change_password=False)
        account.set_unusable_password()
        account.save()
        set_roles(account, ["entry"])
    today = timezone.localdate()
    period = Period.objects.filter(regime="kiemke", code="XBENCH").first() or periods.create_period(
        None, kind="KIEMKE", year=today.year, code="XBENCH", name="Kỳ đo", deadline=today + timedelta(days=30)
    )
    if period.status == PeriodStatus.DRAFT:
        periods.open_period(None, period)
    report = Report.objects.filter(period=period, unit=unit, form_code="KK-OTO").first()
    if report is None:
        report = periods.add_obligation(None, period, unit, "KK-OTO", reason="bench")
    return account, Report.objects.select_related("form", "unit", "period").get(pk=report.pk)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000, help="records in the register (default 10,000)")
    args = parser.parse_args(argv)
    from django.apps import apps

    if not apps.ready:
        _setup()
    from django.conf import settings

    settings.BAOCAO_REGIME = "kiemke"  # the registers are the inventory's, whatever ran before
    from django.db import connection
    from openpyxl import load_workbook

    from baocao.exchange.importing import import_workbook
    from baocao.exchange.workbook import template_workbook
    from baocao.reports.models import ReportRecord

    account, report = _fixtures()
    report.records.all().delete()
    ReportRecord.objects.bulk_create(
        [ReportRecord(report=report, position=n, data=car(n)) for n in range(1, args.records + 1)], batch_size=1000
    )
    write_seconds, content = timed(lambda: template_workbook(report))
    report.records.all().delete()
    report.refresh_from_db()

    def read_only():
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        cells = sum(len(row) for row in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        return cells

    def import_it():
        return import_workbook(account, report, io.BytesIO(content), size=len(content))

    base_seconds, _cells = timed(read_only)
    seconds, result = timed(import_it)
    assert result.count == args.records == report.records.count()
    base_peak, peak = peak_memory(read_only), peak_memory(import_it)
    print(f"database: {connection.vendor}; {args.records:,} records, {len(content) / 2**20:.1f} MiB workbook "
          f"(its template written in {write_seconds:.1f} s)")
    print(f"{'benchmark':<38} {'figure':<34} {'ratio':>9}  baseline")
    for name, figure, ratio in (
        ("excel import: time", f"{seconds:.2f} s ({args.records / seconds:,.0f} records/s)", seconds / base_seconds),
        ("excel import: peak memory", f"{peak:.0f} MiB", peak / base_peak),
    ):
        print(f"{name:<38} {figure:<34} {ratio:>8.1f}×  vs reading it (openpyxl read-only: {base_seconds:.2f} s, {base_peak:.0f} MiB)")


if __name__ == "__main__":
    main()

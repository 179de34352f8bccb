"""Benchmarks: ./dev bench [--accounts N] [--only NAME].

Each benchmark prints its own figure and a ratio against a baseline measured in the
same run on the same data, so the numbers compare across machines. Runs on a fresh
SQLite file under var/ by default; set DATABASE_URL to run on PostgreSQL (the database
is emptied first: point it at a database kept for benchmarks).
"""
import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
if "DATABASE_URL" not in os.environ:
    bench_db = ROOT / "var" / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{bench_db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{bench_db}"

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from baocao.accounts import administration  # noqa: E402
from baocao.accounts.export import write_accounts_xlsx  # noqa: E402
from baocao.accounts.models import Account  # noqa: E402
from baocao.accounts.services import create_missing_accounts  # noqa: E402
from baocao.units.models import Unit, UnitKind  # noqa: E402
from bench.national import build_accounts, build_tree, insert_units  # noqa: E402

RESULTS = []


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def traced(fn, *args, **kwargs):
    """(seconds, peak Python memory in MiB, result)."""
    tracemalloc.start()
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def report(name, figure, baseline_name, ratio):
    RESULTS.append((name, figure, baseline_name, ratio))
    print(f"{name:<38} {figure:<34} {ratio:>8.1f}×  vs {baseline_name}", flush=True)


def naive_per_account_hash_seconds(sample=20):
    """What hashing the default password once per account costs, per account."""
    seconds, _ = timed(lambda: [make_password("kkts@123") for _ in range(sample)])
    return seconds / sample


def bench_export(total):
    central = Account.objects.get(username="BTC")
    accounts = administration.accounts_in_scope(central)
    count = accounts.count()

    def fetch_only():
        rows = accounts.order_by("unit__path", "username").values_list("username", "unit__code")
        return sum(1 for _ in rows.iterator(chunk_size=2000))

    base_seconds, _ = timed(fetch_only)
    seconds, rows = timed(write_accounts_xlsx, accounts, _sink(), scope_label="Toàn quốc")
    assert rows == count
    report(f"export {count:,} accounts (time)", f"{seconds:.1f} s", "fetching the rows only", seconds / base_seconds)
    # Bounded memory: the peak for all accounts against the peak for a fifth of them.
    _s, peak, _r = traced(write_accounts_xlsx, accounts, _sink(), scope_label="Toàn quốc")
    small = accounts.filter(pk__in=accounts.order_by("pk").values("pk")[: count // 5])
    _s, small_peak, _r = traced(write_accounts_xlsx, small, _sink(), scope_label="Toàn quốc")
    report(f"export {count:,} accounts (peak memory)", f"{peak:.1f} MiB (Python heap)",
           f"export of {count // 5:,}: {small_peak:.1f} MiB", peak / small_peak)


def _sink():
    import tempfile

    return tempfile.TemporaryFile()


def bench_reset(n):
    central = Account.objects.get(username="BTC")
    ids = list(Account.objects.filter(role_entry=True).order_by("pk").values_list("pk", flat=True)[:n])
    seconds, done = timed(administration.reset_passwords, central, Account.objects.filter(pk__in=ids))
    assert done == n
    naive = naive_per_account_hash_seconds() * n
    report(f"reset {n:,} passwords", f"{seconds:.2f} s", f"hashing per account ({naive:.0f} s)", naive / seconds)


def bench_create(n):
    parent = Unit.objects.filter(kind=UnitKind.AGGREGATING).first()
    units = [Unit(code=f"NEW{i:06d}", name=f"Đơn vị mới {i}", kind=UnitKind.REPORTING, parent=parent) for i in range(n)]
    for unit in units:
        unit.path = Unit.path_for(parent, unit.code)
        unit.depth = parent.depth + 1
    Unit.objects.bulk_create(units, batch_size=2000)
    central = Account.objects.get(username="BTC")
    new_units = Unit.objects.filter(code__startswith="NEW")
    seconds, created = timed(create_missing_accounts, central, new_units)
    assert len(created) == n
    naive = naive_per_account_hash_seconds() * n
    report(f"create accounts for {n:,} units", f"{seconds:.2f} s", f"hashing per account ({naive:.0f} s)", naive / seconds)


def _percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def bench_grid(requests=60):
    """Render and save a 209-cell grid (12b: 19 rows × 11 columns) through the whole Django
    stack (middleware, session, templates), against a trivial authenticated page."""
    from datetime import date, timedelta

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from baocao.formdefs.services import load_regime_forms
    from baocao.reports.models import Period
    from baocao.reports.services import open_report

    settings.BAOCAO_REGIME = "tuphap"
    settings.ALLOWED_HOSTS = ["testserver"]
    load_regime_forms("tuphap")
    province = Unit.objects.filter(kind=UnitKind.GOVERNING).first()
    parent = Unit.objects.create(code="STPBENCH", name="Sở Tư pháp", kind=UnitKind.AGGREGATING, parent=province)
    children = [Unit.objects.create(code=f"STPBENCH{n:03d}", name=f"Văn phòng công chứng số {n}", kind=UnitKind.REPORTING,
                                    parent=parent) for n in range(1, 19)]
    build_accounts([parent])
    now = timezone.now()
    period = Period.objects.create(regime="tuphap", code="BENCH", name="Kỳ đo", kind="NAM", data_from=date(2025, 1, 1),
                                   data_to=date(2025, 12, 31), opens_at=now - timedelta(days=1), deadline=now + timedelta(days=1))
    grid_report = open_report(parent, period, "12b/BTP/BTTP/CC")
    clerk = Account.objects.get(username=parent.code)
    clerk.must_change_password = False
    clerk.save()
    client = Client()
    client.force_login(clerk, backend="baocao.accounts.backends.AccountBackend")
    spec = grid_report.form.spec_object()
    entered = [c for c in spec.leaves if not spec.cell("to_chuc/" + children[0].code, c.code).computed]
    cells = len(children) * len(spec.leaves) + len(spec.leaves)

    def measure(fn):
        fn()  # warm up
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            response = fn()
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code in (200, 302), response.status_code
        return _percentiles(samples)

    home = measure(lambda: client.get("/"))
    render = measure(lambda: client.get(f"/nhap-du-lieu/bao-cao/{grid_report.pk}/"))

    def save():
        grid_report.refresh_from_db()
        data = {"version": grid_report.version}
        for n, child in enumerate(children):
            for column in entered:
                data[f"c|to_chuc/{child.code}|{column.code}"] = str(1000 + n)
        return client.post(f"/nhap-du-lieu/bao-cao/{grid_report.pk}/luu/", data)

    saved = measure(save)
    for label, (median, p95) in ((f"render a {cells}-cell grid", render), (f"save a {cells}-cell grid", saved)):
        report_line = f"{median:.0f} ms median, {p95:.0f} ms p95"
        report(label, report_line, f"trivial page ({home[0]:.0f} ms, p95 {home[1]:.0f} ms)", median / home[0])


def bench_catalogue(n):
    """Import a catalogue of `n` new units (a province: departments and their units), then
    the same file again, against inserting the same units without any checking."""
    from baocao.units.catalogue import CatalogueRow, import_catalogue

    def rows_for(top):
        rows = [CatalogueRow(2, top, "Ủy ban nhân dân tỉnh đo", "BTC", "governing")]
        per_department = 50
        for d in range(1, n // per_department + 1):
            department = f"{top}{d:03d}"
            rows.append(CatalogueRow(len(rows) + 2, department, f"Sở số {d}", top, "aggregating"))
            for u in range(1, per_department):
                rows.append(CatalogueRow(len(rows) + 2, f"{department}{u:03d}", f"Trường THPT số {u}", department, "reporting"))
        return rows[:n]

    rows = rows_for("X01")
    first, summary = timed(import_catalogue, None, rows)
    again, unchanged = timed(import_catalogue, None, rows)
    assert summary.created == len(rows) and unchanged.unchanged == len(rows)

    def raw_insert():
        by_code = {"BTC": Unit.objects.get(code="BTC")}
        levels = {}
        for r in rows_for("X02"):
            levels.setdefault(len(r.code), []).append(r)
        for _length, level in sorted(levels.items()):  # parents first, so they have keys
            units = [Unit(code=r.code, name=r.name, kind=r.kind, parent=by_code[r.parent_code]) for r in level]
            insert_units(units)
            by_code.update((u.code, u) for u in units)

    base, _ = timed(raw_insert)
    report(f"import a catalogue of {len(rows):,} units", f"{first:.1f} s", f"bulk insert without checks ({base:.1f} s)", first / base)
    report(f"re-import it unchanged", f"{again:.1f} s", f"bulk insert without checks ({base:.1f} s)", again / base)


BENCHES = ("catalogue", "create", "export", "grid", "import", "reset")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000, help="national accounts to generate (default 100,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="accounts to reset and units to create (default 10,000)")
    parser.add_argument("--only", choices=sorted(BENCHES), action="append", help="run only these benchmarks")
    args = parser.parse_args()
    only = set(args.only or BENCHES)

    print(f"database: {connection.vendor}; generating {args.accounts:,} units and accounts …", flush=True)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    seconds, _ = timed(lambda: (build_tree(args.accounts), build_accounts(Unit.objects.all())))
    central = Account.objects.get(username="BTC")
    central.set_roles(["central_admin"])
    central.save()
    print(f"generated in {seconds:.1f} s\n", flush=True)
    print(f"{'benchmark':<38} {'figure':<34} {'ratio':>9}  baseline")
    if "export" in only:
        bench_export(args.accounts)
    if "reset" in only:
        bench_reset(args.batch)
    if "create" in only:
        bench_create(args.batch)
    if "catalogue" in only:
        bench_catalogue(20_000)
    if "grid" in only:
        bench_grid()
    if "import" in only:
        print()
        from bench import exchange_bench

        exchange_bench.main([])


if __name__ == "__main__":
    main()

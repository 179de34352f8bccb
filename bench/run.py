"""Benchmarks: ./dev bench [--accounts N] [--only NAME].

Each benchmark prints its own figure and a ratio against a baseline measured in the
same run on the same data, so the numbers compare across machines. Runs on a fresh
SQLite file under var/ by default; set DATABASE_URL to run on PostgreSQL (the database
is emptied first: point it at a database kept for benchmarks).
"""
import argparse
import io
import os
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
from bench.national import build_accounts, build_tree  # noqa: E402

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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000, help="national accounts to generate (default 100,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="accounts to reset and units to create (default 10,000)")
    args = parser.parse_args()

    print(f"database: {connection.vendor}; generating {args.accounts:,} units and accounts …", flush=True)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    seconds, _ = timed(lambda: (build_tree(args.accounts), build_accounts(Unit.objects.all())))
    central = Account.objects.get(username="BTC")
    central.set_roles(["central_admin"])
    central.save()
    print(f"generated in {seconds:.1f} s\n", flush=True)
    print(f"{'benchmark':<38} {'figure':<34} {'ratio':>9}  baseline")
    bench_export(args.accounts)
    bench_reset(args.batch)
    bench_create(args.batch)


if __name__ == "__main__":
    main()

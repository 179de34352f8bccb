"""Benchmarks: ./dev bench [--accounts N] [--only NAME[,NAME…]] [--reports N] [--saves N] [--rounds N].

Each benchmark prints its own figure and a ratio against a baseline measured in the
same run on the same data, so the numbers compare across machines. Runs on a fresh
SQLite file under var/ by default; set DATABASE_URL to run on PostgreSQL (the database
is emptied first: point it at a database kept for benchmarks).

The reporting core's benchmarks run in the tuphap regime: `transition` (the review
cycle, request by request), `grid_save` (a 209-cell grid save changing 5 cells) and
`open_period` (a period opened for every filing unit of the national tree). For a
quick run: --accounts 20000 --reports 20 --saves 20 --rounds 1.

`rollup` and `reorg` (issues 8 and 12) run last, on their own national data set
(bench/dataset.py: 83,720 units, ~9 million values, about 5 minutes to build on
PostgreSQL; --national 8000 for a quick run, --reuse-national to keep the last one):
docs/rollup.md and docs/reorganisation.md say what they measure.

`locking` (issue 21) times a save and a transition with the subtree and period locks of
docs/adr/0010 against the same actions without them, alternately (bench/locking_bench.py).

`race` (issue 21) moves a unit back and forth through the Sắp xếp đơn vị page while schools
inside and outside it add records through the record page, for 25 s, and prints the 503s,
the errors and the differences verify_rollups finds afterwards (bench/race_bench.py).

`uploads` (issue 22) posts the hostile uploads to every upload form and runs the jobs they
start (bench/upload_bench.py, which also runs on its own; docs/exchange.md).
"""
import argparse
import os
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from decimal import Decimal
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

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from baocao import regimes  # noqa: E402
from baocao.accounts import administration  # noqa: E402
from baocao.accounts.export import write_accounts_xlsx  # noqa: E402
from baocao.accounts.models import Account  # noqa: E402
from baocao.accounts.services import create_missing_accounts  # noqa: E402
from baocao.units.models import Unit, UnitKind, UnitStatus  # noqa: E402
from bench.national import build_accounts, build_tree, give_unit_types, insert_units  # noqa: E402

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
    ids = list(Account.objects.holding("entry").order_by("pk").values_list("pk", flat=True)[:n])
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
    assert len(created) == n * len(regimes.current().account_templates(UnitKind.REPORTING))
    naive = naive_per_account_hash_seconds() * n
    report(f"create accounts for {n:,} units", f"{seconds:.2f} s", f"hashing per account ({naive:.0f} s)", naive / seconds)


def _percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


# --- the reporting core (tuphap): requests through the whole Django stack ---------------

# The baseline request of every page benchmark, measured in the same rounds: the
# password-change form, an authenticated page that reads nothing for its data (issue 23:
# a clerk's TRANG CHỦ, the earlier baseline, itself cost 1.5–2.2× that, so every ratio
# against it was ~1.5× too kind).
TRIVIAL = "/tai-khoan/doi-mat-khau/"
BASELINE = "password-change form"
SO_TU_PHAP_FORM = "12b/BTP/BTTP/CC"  # a Sở Tư pháp's grid: one row per notary practice below it
NOTARY_FORM = "12a/BTP/BTTP/CC"  # a notary practice's one-row grid
_FIXTURES = {}


@contextmanager
def regime(key):
    """Run under regime `key` (settings.BAOCAO_REGIME is read on every regimes.current())."""
    before = settings.BAOCAO_REGIME
    settings.BAOCAO_REGIME = key
    try:
        yield regimes.current()
    finally:
        settings.BAOCAO_REGIME = before


def tuphap_setup():
    """Once per run (in the tuphap regime): its forms and unit types, and an open NAM_CT
    period with no obligations of its own: the request benchmarks add theirs one by one
    (periods.add_obligation, as for units created after opening)."""
    if "period" not in _FIXTURES:
        from baocao.formdefs.services import load_regime_forms
        from baocao.reports import periods
        from baocao.units.services import sync_unit_types

        load_regime_forms("tuphap")
        sync_unit_types()
        today = timezone.localdate()
        period = periods.create_period(None, kind="NAM_CT", year=today.year - 1, code="BENCH_REQ", name="Kỳ đo (trang)",
                                       deadline=today + timedelta(days=30))
        periods.open_period(None, period)
        period.refresh_from_db()
        _FIXTURES["period"] = period
    return _FIXTURES["period"]


def regime_accounts(units):
    """{username: account} of the regime's accounts of `units` (tuphap: {code}_bc, _kt, _ld),
    made by create_missing_accounts, without the forced first-login password change."""
    created = create_missing_accounts(None, units)
    Account.objects.filter(pk__in=[a.pk for a in created]).update(must_change_password=False)
    return {a.username: a for a in Account.objects.filter(pk__in=[a.pk for a in created])}


def logged_in(account):
    client = Client()
    client.force_login(account, backend="baocao.accounts.backends.AccountBackend")
    return client


def report_row(pk):
    from baocao.reports.models import Report

    return Report.objects.select_related("form", "unit", "period").get(pk=pk)


def notary_province(children=18):
    """A Sở Tư pháp with `children` notary practices below it, its accounts and its 12b
    report: (Sở, practices, report, its _bc account). 18 practices: 19 rows × 11 columns."""
    if "province" not in _FIXTURES:
        from baocao.reports import periods

        period = tuphap_setup()
        province = Unit.objects.filter(kind=UnitKind.GOVERNING).order_by("pk").first()
        parent = Unit.objects.create(code="STPBENCH", name="Sở Tư pháp đo", kind=UnitKind.AGGREGATING, parent=province)
        practices = [Unit(code=f"STPBENCH{n:03d}", name=f"Văn phòng công chứng số {n}", kind=UnitKind.REPORTING, parent=parent)
                     for n in range(1, children + 1)]
        insert_units(practices)
        practices = list(Unit.objects.filter(parent=parent).order_by("code"))
        accounts = regime_accounts([parent])
        report = periods.add_obligation(None, period, parent, SO_TU_PHAP_FORM, reason="bench")
        _FIXTURES["province"] = (parent, practices, report_row(report.pk), accounts[f"{parent.code}_bc"])
    return _FIXTURES["province"]


def measure(fn, check=lambda response: response.status_code in (200, 302)):
    """Milliseconds of one call of `fn` (a request), checked."""
    start = time.perf_counter()
    response = fn()
    elapsed = (time.perf_counter() - start) * 1000
    assert check(response), (response.status_code, getattr(response, "url", ""))
    return elapsed


def secs(seconds):
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def ms_figure(samples):
    median, p95 = _percentiles(samples)
    return f"{median:.0f} ms median, {p95:.0f} ms p95"


def trivial_label(samples):
    median, p95 = _percentiles(samples)
    return f"{BASELINE} ({median:.0f} ms, p95 {p95:.0f} ms)"


def ratio(samples, baseline):
    return _percentiles(samples)[0] / _percentiles(baseline)[0]


def grid_post(report, values, version, practices):
    """What the browser posts from the 12b page: every entered input as the page shows it
    (Vietnamese number format), the footer notes, the explanation and the page's version."""
    from baocao.reports.formatting import vn_number

    data = {"version": str(version), "explanation": "", "n|so_bao_cao": str(len(practices)), "n|so_cong_chung_vien_dang_ky": "40"}
    for (unit_id, column), value in values.items():
        data[f"c|to_chuc/{unit_id}|{column}"] = vn_number(value)
    return data


def entered_columns(report, practices):
    spec = report.form.spec_object()
    return [c for c in spec.leaves if not spec.cell(f"to_chuc/{practices[0].pk}", c.code).computed]


def full_grid(report, practices):
    """{(practice id, column): Decimal} for every entered cell: realistic counts and amounts."""
    values = {}
    for n, practice in enumerate(practices):
        for k, column in enumerate(entered_columns(report, practices)):
            amount = 1_000_000 * (n + 1) + 1000 * k if column.type == "money" else 10 * (n + 1) + k
            values[(practice.pk, column.code)] = Decimal(amount)
    return values


def bench_grid(requests=60):
    """Render and re-save (unchanged) a 209-cell grid (12b: 19 rows × 11 columns) through
    the whole Django stack (middleware, session, templates), against the password-change form."""
    parent, practices, grid_report, clerk = notary_province()
    client = logged_in(clerk)
    values = full_grid(grid_report, practices)
    cells = (len(practices) + 1) * len(grid_report.form.spec_object().leaves)
    url = f"/nhap-du-lieu/bao-cao/{grid_report.pk}/"

    def save():
        return client.post(f"{url}luu/", grid_post(grid_report, values, report_row(grid_report.pk).version, practices))

    home, render, saved = [], [], []
    for fn in (lambda: client.get(TRIVIAL), lambda: client.get(url), save):  # warm up (the first save writes every cell)
        measure(fn)
    for _ in range(requests):
        home.append(measure(lambda: client.get(TRIVIAL)))
        render.append(measure(lambda: client.get(url), check=lambda r: r.status_code == 200))
        saved.append(measure(save, check=lambda r: r.status_code == 302))
    for label, samples in ((f"render a {cells}-cell grid", render), (f"re-save a {cells}-cell grid unchanged", saved)):
        report(label, ms_figure(samples), trivial_label(home), ratio(samples, home))


def _value_rows(report_pk):
    """{ReportValue pk: row signature}. On PostgreSQL the signature includes xmin, which
    changes whenever a row is written, even with the same values: a rewrite counts."""
    from baocao.reports.models import ReportValue

    table = ReportValue._meta.db_table
    version = "xmin::text" if connection.vendor == "postgresql" else "''"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {version}, number, text FROM {table} WHERE report_id = %s", [report_pk])
        return {pk: (xmin, number, text) for pk, xmin, number, text in cursor.fetchall()}


def _rows_written(before, after):
    return sum(1 for pk in set(before) | set(after) if before.get(pk) != after.get(pk))


def five_changes(values, report, practices):
    """`values` with 3 entered cells changed (+1, +1 practitioners in two practices, +1,000,000
    of fees in a third) in columns no formula of the row reads: the stored cells that change
    are those 3 and the 2 totals of the Tổng số row, 5 ReportValue rows, and the roll-up
    totals of the Sở and its ancestors move by non-zero differences."""
    counts, amounts = "cong_chung_vien", "thu_lao"
    codes = {c.code for c in entered_columns(report, practices)}
    assert {counts, amounts} <= codes, codes
    changed = dict(values)
    changed[(practices[0].pk, counts)] += 1
    changed[(practices[1].pk, counts)] += 1
    changed[(practices[2].pk, amounts)] += 1_000_000
    return changed


def bench_grid_save(requests=100):
    """Save a 209-cell 12b grid in which 5 cells changed (3 typed, 2 totals following),
    through the test client (the page posts all 180 entered inputs), against the password-change
    form in the same rounds; checks that each save wrote exactly 5
    ReportValue rows (on PostgreSQL by xmin: a row rewritten unchanged would count)."""
    from baocao.reports.models import ReportValue

    parent, practices, grid_report, clerk = notary_province()
    client = logged_in(clerk)
    spec = grid_report.form.spec_object()
    cells = (len(practices) + 1) * len(spec.leaves)
    states = [full_grid(grid_report, practices)]
    states.append(five_changes(states[0], grid_report, practices))
    url = f"/nhap-du-lieu/bao-cao/{grid_report.pk}/luu/"

    def save(state):
        return client.post(url, grid_post(grid_report, states[state], report_row(grid_report.pk).version, practices))

    measure(lambda: client.get(TRIVIAL))
    measure(lambda: save(0), check=lambda r: r.status_code == 302)  # every cell stored (or unchanged if `grid` ran)
    stored = ReportValue.objects.filter(report=grid_report).count()
    assert stored == cells, (stored, cells)
    data = grid_post(grid_report, states[1], report_row(grid_report.pk).version, practices)
    with CaptureQueriesContext(connection) as queries:
        client.post(url, data)
    statements = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(TRIVIAL)
    trivial_statements = len(queries)
    home, saved, written = [], [], []
    for i in range(requests):
        state = i % 2  # alternately back and forth: each save changes the same 5 stored cells
        home.append(measure(lambda: client.get(TRIVIAL)))
        before, version = _value_rows(grid_report.pk), report_row(grid_report.pk).version
        saved.append(measure(lambda: save(state), check=lambda r: r.status_code == 302))
        after = _value_rows(grid_report.pk)
        assert report_row(grid_report.pk).version == version + 1, "the save was refused"
        written.append(_rows_written(before, after))
    assert set(written) == {5}, f"a 5-cell save wrote {sorted(set(written))} ReportValue rows"
    report(f"save a {cells}-cell grid, 5 cells changed", ms_figure(saved), trivial_label(home), ratio(saved, home))
    print(f"{'':<38} each save wrote 5 of {stored} ReportValue rows; SQL statements: save {statements}, trivial {trivial_statements}",
          flush=True)


CYCLE = (  # (transition, who takes it, state after)
    ("gui_kiem_tra", "_bc", "cho_kiem_tra"),
    ("da_kiem_tra", "_kt", "cho_phe_duyet"),
    ("phe_duyet", "_ld", "da_phe_duyet"),
)


def bench_transition(reports_wanted=100):
    """The whole review cycle (Gửi kiểm tra by _bc, Đã kiểm tra by _kt, Phê duyệt by _ld) on
    `reports_wanted` different notary reports (12a), each a POST to reports:transition with
    the page's version, through the test client; before each POST the same client GETs the
    password-change form (the baseline, in the same rounds)."""
    from baocao.reports import periods, services
    from baocao.reports.models import Report

    period = tuphap_setup()
    units = list(Unit.objects.filter(kind=UnitKind.REPORTING).order_by("pk")[: reports_wanted + 1])  # the first warms up
    accounts = regime_accounts(units)
    clients = {(unit.pk, suffix): logged_in(accounts[f"{unit.code}{suffix}"]) for unit in units for _code, suffix, _state in CYCLE}
    reports = []
    for unit in units:  # owed, filled in (Đang nhập), ready to be sent
        report_obj = report_row(periods.add_obligation(None, period, unit, NOTARY_FORM, reason="bench").pk)
        spec = report_obj.form.spec_object()
        entered = {("to_chuc", c.code): Decimal(10 + k) for k, c in enumerate(spec.leaves) if not spec.cell("to_chuc", c.code).computed}
        services.save_grid(None, report_obj, entered, expected_version=report_obj.version)
        reports.append(report_obj)

    def step(report_obj, code, suffix, target, samples, home, counts=None):
        client = clients[(report_obj.unit_id, suffix)]
        home.append(measure(lambda: client.get(TRIVIAL), check=lambda r: r.status_code == 200))
        version = Report.objects.values_list("version", flat=True).get(pk=report_obj.pk)
        url = f"/nhap-du-lieu/bao-cao/{report_obj.pk}/thao-tac/{code}/"
        with CaptureQueriesContext(connection) if counts is not None else nullcontext() as queries:
            samples.append(measure(lambda: client.post(url, {"version": str(version)}), check=lambda r: r.status_code == 302))
        if counts is not None:
            counts[code] = len(queries)
        state = Report.objects.values_list("status", flat=True).get(pk=report_obj.pk)
        assert state == target, f"{code} on report {report_obj.pk}: {state}, not {target} (refused?)"

    statements = {}
    for code, suffix, target in CYCLE:  # the warm-up report, counting each request's SQL statements
        step(reports[0], code, suffix, target, [], [], statements)
    with CaptureQueriesContext(connection) as queries:
        clients[(reports[0].unit_id, "_bc")].get(TRIVIAL)
    statements["trivial"] = len(queries)
    home, by_code = [], {code: [] for code, _suffix, _target in CYCLE}
    for report_obj in reports[1:]:
        for code, suffix, target in CYCLE:
            step(report_obj, code, suffix, target, by_code[code], home)
    labels = {t.code: t.label for t in regimes.current().workflow.transitions.values()}
    for code, samples in by_code.items():
        report(f"transition {code}", ms_figure(samples), trivial_label(home), ratio(samples, home))
    every = [ms for samples in by_code.values() for ms in samples]
    report(f"transition, {len(every)} on {len(reports) - 1} reports", ms_figure(every), trivial_label(home), ratio(every, home))
    print(f"{'':<38} SQL statements per request: " + ", ".join(f"{labels.get(code, code)} {n}" for code, n in statements.items()),
          flush=True)


def bench_open_period(rounds=2):
    """Open a period for every unit of a filing kind (at least 80,000 with the default tree):
    periods.open_period, against a bare Report.objects.bulk_create of the same rows into a
    fresh period (and, for reference, one INSERT … SELECT of them), each in one transaction,
    in a rotating order, best of `rounds` each."""
    from baocao.formdefs.models import FormDefinition
    from baocao.reports import periods
    from baocao.reports.models import Period, Report

    tuphap_setup()
    current = regimes.current()
    # Every Sở Tư pháp files 12b, every notary practice 12a: one report per filing unit.
    give_unit_types({UnitKind.AGGREGATING: "so_tu_phap", UnitKind.REPORTING: "to_chuc_hanh_nghe_cong_chung"})
    filing = Unit.objects.filter(status=UnitStatus.ACTIVE, kind__in=current.filing_kinds).count()
    if filing < 80_000:
        print(f"(only {filing:,} filing units: the figure of record needs --accounts 100000)", flush=True)
    today = timezone.localdate()
    made = []

    def fresh_period():
        made.append(periods.create_period(None, kind="NAM_CT", year=today.year - 1, code=f"BENCH_OPEN_{len(made)}",
                                          name=f"Kỳ đo mở kỳ {len(made)}", deadline=today + timedelta(days=30)))
        return made[-1]

    def obligations():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(*periods._obligations_sql(made[0]))
            return cursor.fetchall()

    fresh_period()  # the obligations are those of any period of the regime
    planning, pairs = timed(obligations)
    forms = {code: FormDefinition.objects.current(current.key, code) for code in {code for _unit, code in pairs}}

    def bare_insert(period):
        with transaction.atomic():
            rows = [Report(form=forms[code], form_code=code, unit_id=unit_id, period=period, status=current.workflow.initial,
                           due_at=period.due_at) for unit_id, code in pairs]
            Report.objects.bulk_create(rows, batch_size=5000)
        return len(rows)

    def set_based(period):
        return set_based_insert(period, current, [form.pk for form in forms.values()])

    bare, opened, sql = [], [], []
    for n in range(rounds):
        order = (("bare", bare_insert), ("open", lambda p: periods.open_period(None, p).reports), ("sql", set_based))
        for kind, fn in order[n % 3:] + order[: n % 3]:  # each goes first in turn
            period = fresh_period()
            seconds, rows = timed(fn, period)
            assert rows == len(pairs) == Report.objects.filter(period=period).count(), (kind, rows, len(pairs))
            assert Period.objects.get(pk=period.pk).status == ("open" if kind == "open" else "draft")
            {"bare": bare, "open": opened, "sql": sql}[kind].append(seconds)
    best, base = min(opened), min(bare)
    report(f"open a period for {filing:,} units", f"{secs(best)} ({len(pairs) / best:,.0f} reports/s)",
           f"bulk_create of the {len(pairs):,} reports ({secs(base)})", best / base)
    report("the same, against set-based SQL", secs(best), f"one INSERT … SELECT of the same rows ({secs(min(sql))})", best / min(sql))
    print(f"{'':<38} rounds: open_period {', '.join(map(secs, opened))}; bulk_create {', '.join(map(secs, bare))}; "
          f"INSERT … SELECT {', '.join(map(secs, sql))}", flush=True)
    print(f"{'':<38} measured alone: computing the obligations {secs(planning)}", end="", flush=True)
    from baocao.reports import ledger as totals

    if hasattr(totals, "rebuild_progress"):  # the progress counters (docs/adr/0005), recounted on one opened period
        from baocao.reports.models import RollupProgress

        last_open = next(p for p in reversed(made) if Period.objects.get(pk=p.pk).status == "open")

        def rebuild():
            with transaction.atomic():
                totals.rebuild_progress(last_open)

        seconds, _ = timed(rebuild)
        print(f"; rebuilding the progress counters {secs(seconds)} "
              f"({RollupProgress.objects.filter(period=last_open).count():,} RollupProgress rows)", end="", flush=True)
    print(flush=True)


def set_based_insert(period, current, definition_ids):
    """The same obligations as one INSERT … SELECT over the unit types and the regime's
    assignment (no standing duties: the bench tree has none), in one transaction: what
    the database alone needs, without building a Python object per row. A reference only."""
    from baocao.formdefs.models import FormAssignment, FormDefinition
    from baocao.reports.models import Report

    through = Unit.unit_types.through
    table = {model: connection.ops.quote_name(model._meta.db_table) for model in (Report, Unit, through, FormAssignment, FormDefinition)}
    now = timezone.now()
    kinds = list(current.filing_kinds)
    sql = f"""
        INSERT INTO {table[Report]} (form_id, form_code, unit_id, period_id, status, version, explanation, notes, warning_notes,
                                     due_at, exempt, exempt_reason, revision, pending_reason, updated_at, created_at)
        SELECT d.id, a.form_code, u.id, %s, %s, 1, '', %s, %s, %s, %s, '', 0, '', %s, %s
        FROM {table[Unit]} u
        JOIN {table[through]} t ON t.unit_id = u.id
        JOIN {table[FormAssignment]} a ON a.unit_type = t.unittype_id AND a.regime = %s
        JOIN {table[FormDefinition]} d ON d.code = a.form_code AND d.id IN ({", ".join(["%s"] * len(definition_ids))})
        WHERE u.status = %s AND u.kind IN ({", ".join(["%s"] * len(kinds))})
    """
    params = [period.pk, current.workflow.initial, "{}", "{}", period.due_at, False, now, now, current.key, *definition_ids,
              UnitStatus.ACTIVE, *kinds]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


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
    report("re-import it unchanged", f"{again:.1f} s", f"bulk insert without checks ({base:.1f} s)", again / base)


BENCHES = ("catalogue", "create", "export", "grid", "grid_save", "import", "locking", "open_period", "pages", "race", "reorg", "reset",
           "rollup", "transition", "uploads")
# On their own national data set (bench/dataset.py), built once for both, after the others.
NATIONAL = {"reorg", "rollup"}


def bench_names(text):
    """--only catalogue,grid or --only catalogue --only grid."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - set(BENCHES)
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown benchmark {', '.join(sorted(unknown)) or repr(text)}; choose from {', '.join(BENCHES)}")
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000, help="national units and accounts to generate (default 100,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="accounts to reset and units to create (default 10,000)")
    parser.add_argument("--only", type=bench_names, action="append", metavar="NAME[,NAME…]",
                        help=f"run only these benchmarks ({', '.join(BENCHES)}); comma-separated or repeated")
    parser.add_argument("--reports", type=int, default=100,
                        help="transition: reports taken through the review cycle, 3 requests each (default 100)")
    parser.add_argument("--saves", type=int, default=100, help="grid_save: saves of the 5-cell change (default 100)")
    parser.add_argument("--rounds", type=int, default=2, help="open_period: rounds of opening and of the bare insert (default 2)")
    parser.add_argument("--national", type=int, default=80_000,
                        help="rollup, reorg: units of the national data set (default 80,000, ~9 million values; 8000 for a quick run)")
    parser.add_argument("--requests", type=int, default=30, help="rollup: requests per page and approvals measured (default 30)")
    parser.add_argument("--reuse-national", action="store_true",
                        help="rollup, reorg: reuse the national data set an earlier run left in the database (not after reorg: it changes it)")
    parser.add_argument("--no-rebuild", action="store_true", help="rollup: skip verify_rollups --rebuild and its check (~15 minutes)")
    parser.add_argument("--audit-events", type=int, default=1_000_000, help="pages: audit events to generate (default 1,000,000)")
    parser.add_argument("--page-requests", type=int, default=25, help="pages: requests of each page (default 25)")
    parser.add_argument("--grid-children", type=int, default=200, help="pages: notary organisations of the 12b (default 200)")
    args = parser.parse_args()
    only = set().union(*args.only) if args.only else set(BENCHES)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host

    call_command("migrate", verbosity=0)
    if only - NATIONAL:
        print(f"database: {connection.vendor}; generating {args.accounts:,} units and accounts …", flush=True)
        call_command("flush", interactive=False, verbosity=0)
        seconds, _ = timed(lambda: (build_tree(args.accounts), build_accounts(Unit.objects.all())))
        print(f"generated in {seconds:.1f} s\n", flush=True)
    print(f"baseline of the page benchmarks: the {BASELINE} ({TRIVIAL}), a page that reads nothing for its data\n")
    print(f"{'benchmark':<38} {'figure':<34} {'ratio':>9}  baseline")
    if "export" in only:
        bench_export(args.accounts)
    if "reset" in only:
        bench_reset(args.batch)
    if "create" in only:
        bench_create(args.batch)
    if "catalogue" in only:
        bench_catalogue(20_000)
    if "pages" in only:  # bench/pages.py: every administration page at national size
        from bench import pages

        pages.main(audit_events=args.audit_events, requests=args.page_requests, logged_in=logged_in, report=report, trivial_url=TRIVIAL,
                   baseline=BASELINE)
        with regime("tuphap"):
            pages.grid(args.page_requests, children=args.grid_children, logged_in=logged_in, report=report, trivial_url=TRIVIAL, baseline=BASELINE,
                       tuphap_setup=tuphap_setup, regime_accounts=regime_accounts, insert_units=insert_units)
    with regime("tuphap"):  # the reporting core: the justice regime's forms and three-step review
        if "grid" in only:
            bench_grid()
        if "grid_save" in only:
            bench_grid_save(args.saves)
        if "transition" in only:
            bench_transition(args.reports)
        if "locking" in only:  # bench/locking_bench.py: the subtree and period locks of a save and a transition (issue 21)
            from bench import locking_bench

            locking_bench.main(args.reports, tuphap_setup=tuphap_setup, regime_accounts=regime_accounts, report=report,
                               ms_figure=ms_figure, ratio=ratio)
        if "open_period" in only:  # last: it gives every unit of the tree its unit type
            bench_open_period(args.rounds)
    if "race" in only:  # bench/race_bench.py: moves through the page against record saves (issue 21)
        from bench import race_bench

        with regime("kiemke"):
            race_bench.main()
    if "import" in only:
        print()
        from bench import exchange_bench

        exchange_bench.main([])
    if "uploads" in only:  # bench/upload_bench.py: the hostile uploads against every upload form (issue 22)
        print()
        from bench import upload_bench

        upload_bench.main([])
    if only & NATIONAL:  # last: they empty the database and build the national data set (bench/dataset.py)
        print()
        from bench import dataset

        with regime("kiemke"):  # the inventory: KK-TH, the ~100-cell consolidation grid
            dataset.ensure(args.national, reuse=args.reuse_national)
            if "rollup" in only:
                from bench import rollup_bench

                rollup_bench.main(args.national, requests=args.requests, approvals=args.requests, rebuild=not args.no_rebuild)
            if "reorg" in only:  # after rollup: it changes the tree
                from bench import reorg_bench

                reorg_bench.main(args.national)


if __name__ == "__main__":
    main()

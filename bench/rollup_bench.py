"""Issue 8 at national size: the roll-up pages, a transition with its total upkeep, and the
rebuild of every total, on the synthetic national data set (bench/dataset.py, kiemke:
KK-TH, 141 cells of which 115 roll up, filled by four registers per unit).

Every page is requested repeatedly through Django's test client (median, p95), each round
also requesting the password-change form of the same account (a page that reads nothing
for its data; TRANG CHỦ until issue 23) as the baseline of the same run; the national
roll-up is also compared with a hand-written SQL aggregate of the raw values over the same
reports (those the page counts), measured in the same run.
"""
import time
from unittest import mock

from django.core.management import call_command
from django.db import connection

from baocao.accounts.models import Account
from baocao.reports import ancestry, ledger as totals_module
from baocao.reports.models import Report, ReportValue

from . import dataset
from .run import BASELINE, TRIVIAL, _percentiles, logged_in, measure, ms_figure, ratio, report, secs

FORM = dataset.CONSOLIDATION
DEEP_UNIT = "T30101101"  # the first commune of T30's first district: deep into the national lists


class Statements:
    """Counts the SQL statements run inside the block (DEBUG's query log is a bounded deque,
    so CaptureQueriesContext reads 0 once 9,000 queries have been logged)."""

    def __enter__(self):
        self.n = 0
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    def __len__(self):
        return self.n


def _client(username):
    account = Account.objects.get(username=username)
    Account.objects.filter(pk=account.pk).update(must_change_password=False)
    account.refresh_from_db()
    return logged_in(account)


def raw_national_sum(period):
    """The hand-written aggregate a roll-up page replaces: SUM of the raw values by cell over
    every counted report of the period (Đã tiếp nhận, not exempted), the whole country."""
    sql = (f"SELECT v.cell_id, SUM(v.number) FROM {ReportValue._meta.db_table} v "
           f"JOIN {Report._meta.db_table} r ON r.id = v.report_id "
           f"WHERE r.period_id = %s AND r.status = 'da_tiep_nhan' AND NOT r.exempt AND v.number IS NOT NULL GROUP BY v.cell_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.pk])
        return {cell: number for cell, number in cursor.fetchall()}


def _pages(period):
    base = {"ky": str(period.pk), "bieu": FORM}
    drill = [f"{row}|{col}" for row, col in (("dat", "dien_tich"), ("nha", "nguon_ns"), ("oto", "so_luong"), ("khac_may_moc", "gia_tri_con_lai"))]
    return [  # (label, account, url, params)
        (f"national roll-up of {FORM} (141 cells)", "BTC", "/tong-hop-bao-cao/", {**base, "don_vi": "BTC"}),
        ("a province's roll-up (T01)", "T01", "/tong-hop-bao-cao/", {**base, "don_vi": "T01"}),
        ("drill-down: the 64 units below the root", "BTC", "/tong-hop-bao-cao/chi-tiet/", {**base, "don_vi": "BTC", "o": drill}),
        ("drill-down: a province's 50 units", "T01", "/tong-hop-bao-cao/chi-tiet/", {**base, "don_vi": "T01", "o": drill}),
        ("completeness page, national", "BTC", "/tong-hop-bao-cao/tinh-hinh-gui/", {**base, "don_vi": "BTC"}),
        ("completeness page, a province", "T01", "/tong-hop-bao-cao/tinh-hinh-gui/", {**base, "don_vi": "T01"}),
        # What grew with the country (issue 23): every unit owing the form at the root, and a
        # page deep into it (after the first commune of T30); the units not sent, searched and
        # deep (after a report of that commune) — keyset pages (docs/adr/0014).
        ("drill-down: every unit, national", "BTC", "/tong-hop-bao-cao/chi-tiet/",
         {**base, "don_vi": "BTC", "o": drill, "pham_vi": "tat_ca"}),
        ("drill-down: every unit, deep page", "BTC", "/tong-hop-bao-cao/chi-tiet/",
         {**base, "don_vi": "BTC", "o": drill, "pham_vi": "tat_ca", "sau": DEEP_UNIT}),
        ("drill-down: every unit, a province", "T01", "/tong-hop-bao-cao/chi-tiet/",
         {**base, "don_vi": "T01", "o": drill, "pham_vi": "tat_ca"}),
        ("completeness, national, searched", "BTC", "/tong-hop-bao-cao/tinh-hinh-gui/", {**base, "don_vi": "BTC", "q": "xa so 1"}),
        ("completeness, national, deep page", "BTC", "/tong-hop-bao-cao/tinh-hinh-gui/",
         {**base, "don_vi": "BTC", "sau": str(Report.objects.filter(period=period, unit__code=DEEP_UNIT).order_by("pk").values_list("pk", flat=True).first())}),
        ("TRANG CHỦ, central", "BTC", "/", {}),
        ("TRANG CHỦ, a province", "T01", "/", {}),
        # The province whose codes sort last (T34) against the first (T01), and a median one.
        ("TRANG CHỦ, last province T34", "T34", "/", {}),
        ("TRANG CHỦ, median province T17", "T17", "/", {}),
        ("completeness, last province T34", "T34", "/tong-hop-bao-cao/tinh-hinh-gui/", {**base, "don_vi": "T34"}),
        ("drill-down: every unit, T34", "T34", "/tong-hop-bao-cao/chi-tiet/", {**base, "don_vi": "T34", "o": drill, "pham_vi": "tat_ca"}),
    ]


def bench_pages(ds, requests):
    clients = {}
    raw = []
    for label, username, url, params in _pages(ds.period):
        client = clients.setdefault(username, _client(username))
        ok = lambda r: r.status_code == 200  # noqa: E731
        measure(lambda: client.get(url, params), check=ok)  # warm
        with Statements() as queries:
            measure(lambda: client.get(url, params), check=ok)
        home, samples = [], []
        for _ in range(requests):
            home.append(measure(lambda: client.get(TRIVIAL)))
            samples.append(measure(lambda: client.get(url, params), check=ok))
        median, p95 = _percentiles(home)
        report(label, ms_figure(samples), f"{BASELINE} ({median:.0f} ms, p95 {p95:.0f} ms)", ratio(samples, home))
        print(f"{'':<38} {len(queries)} SQL statements per request", flush=True)
        if username == "BTC" and url == "/tong-hop-bao-cao/" and not raw:
            for _ in range(max(3, requests // 4)):
                start = time.perf_counter()
                sums = raw_national_sum(ds.period)
                raw.append((time.perf_counter() - start) * 1000)
            median, p95 = _percentiles(raw)
            page = _percentiles(samples)[0]
            report("  the same against raw SQL", ms_figure(samples), f"SQL SUM of raw values ({median:.0f} ms, p95 {p95:.0f} ms)",
                   median / page)
            print(f"{'':<38} (ratio: how many times faster the page is; {len(sums)} cells summed by the SQL)", flush=True)


def _sent_reports(n):
    """`n` register reports Đã gửi of units of the Sở T02001 … (their receiver: the Sở's account)."""
    return list(Report.objects.filter(status="da_gui", unit__parent__code__regex=r"^T020[0-9]{2}$", exempt=False)
                .select_related("unit__parent").order_by("pk")[:n])


def bench_approval(ds, n):
    """Tiếp nhận (the kiemke approval, Đã gửi → Đã tiếp nhận) by the Sở's receiver, POSTed
    through the test client, alternately with the total upkeep (the real transition) and
    without it (reports.ledger.report_changed replaced by a recorder; the recorded upkeep
    is applied after each measurement, outside it, so the totals stay exact)."""
    reports = _sent_reports(2 * n + 2)
    clients = {}
    deferred = []

    def record(report_obj, **kwargs):
        deferred.append((report_obj.pk, kwargs))

    def post(report_obj):
        client = clients.setdefault(report_obj.unit.parent.code, _client(report_obj.unit.parent.code))
        version = Report.objects.values_list("version", flat=True).get(pk=report_obj.pk)
        return lambda: client.post(f"/nhap-du-lieu/bao-cao/{report_obj.pk}/thao-tac/tiep_nhan/", {"version": str(version)})

    real = totals_module.report_changed
    upkeep, bare = [], []
    statements = {}
    for i, report_obj in enumerate(reports):
        with_upkeep = i % 2 == 0
        request = post(report_obj)
        with Statements() as queries:
            if with_upkeep:
                ms = measure(request, check=lambda r: r.status_code == 302)
            else:
                with mock.patch.object(totals_module, "report_changed", record):
                    ms = measure(request, check=lambda r: r.status_code == 302)
        statements["with" if with_upkeep else "without"] = len(queries)
        assert Report.objects.values_list("status", flat=True).get(pk=report_obj.pk) == "da_tiep_nhan"
        if i >= 2:  # the first two warm up
            (upkeep if with_upkeep else bare).append(ms)
        for pk, kwargs in deferred:
            real(Report.objects.select_related("unit").get(pk=pk), **kwargs)
        deferred.clear()
    median, p95 = _percentiles(bare)
    report("approve a report (Tiếp nhận)", ms_figure(upkeep), f"the same without upkeep ({median:.0f} ms, p95 {p95:.0f} ms)",
           ratio(upkeep, bare))
    print(f"{'':<38} SQL statements: {statements['with']} with the upkeep of "
          f"{len(ancestry.ancestor_ids(reports[0].period, reports[0].unit))} levels of totals, {statements['without']} without", flush=True)


def bench_rebuild(ds):
    """`verify_rollups --rebuild` of the period (the real command: every total and counter
    deleted and recomputed, foreign keys checked), against the recomputing SELECT alone;
    then `verify_rollups`, which must find no difference."""
    from io import StringIO

    sql, params = totals_module.totals_select(ds.period)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql.partition(') SELECT ')[0]}) SELECT {sql.partition(') SELECT ')[2]}) t", params)
        expected = cursor.fetchone()[0]
    select = time.perf_counter() - start
    out = StringIO()
    start = time.perf_counter()
    call_command("verify_rollups", "--rebuild", "--period", ds.period.code, stdout=out)
    seconds = time.perf_counter() - start
    from baocao.reports.models import RollupProgress, RollupTotal

    written = RollupTotal.objects.filter(period=ds.period).count() + RollupProgress.objects.filter(period=ds.period).count()
    assert RollupTotal.objects.filter(period=ds.period).count() == expected
    report("verify_rollups --rebuild", f"{secs(seconds)} ({written / seconds:,.0f} rows/s)",
           f"the recomputing SELECT alone ({secs(select)})", seconds / select)
    print(f"{'':<38} {written:,} rows written ({expected:,} totals); {out.getvalue().strip()}", flush=True)
    out = StringIO()
    start = time.perf_counter()
    call_command("verify_rollups", "--period", ds.period.code, stdout=out)
    check = time.perf_counter() - start
    report("verify_rollups (no difference)", secs(check), f"the recomputing SELECT alone ({secs(select)})", check / select)


def main(units=80_000, requests=30, approvals=30, rebuild=True):
    ds = dataset.ensure(units)
    print(f"{'benchmark (roll-ups, national)':<38} {'figure':<34} {'ratio':>9}  baseline", flush=True)
    bench_pages(ds, requests)
    bench_approval(ds, approvals)
    if rebuild:
        bench_rebuild(ds)

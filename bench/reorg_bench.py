"""Issue 12 at national size, on the national data set (bench/dataset.py): the communes of
a whole province merged three into one through the real operations (reorg.operations.run
→ units.tree.merge: the new commune with its account and its obligations, the old ones
retired with lineage, their accounts revoked, their unstarted reports exempted, every
total and counter kept), then the data they entered transferred into the new communes
(case b: reorg.transfers, filed and executed); and a subtree of 10,000 units moved
(units.tree.move). Each against a bulk UPDATE of the same rows in the same run (inside a
transaction rolled back), then `verify_rollups` must find no difference.
"""
import time
from datetime import date

from django.db import connection, transaction

from baocao.accounts.models import Account
from baocao.reports.models import Report
from baocao.units.models import Unit, UnitStatus

from . import dataset
from .run import report, secs

PROVINCE = dataset.PROVINCE
MINISTRY, INTO = dataset.MINISTRY, "002"
TRANSFERS = 30  # new communes whose predecessors' data are transferred (case b)
DECISION = ("202/NQ-UBTVQH15", date(2025, 6, 12), "Ủy ban Thường vụ Quốc hội")


class _Rollback(Exception):
    pass


def rolled_back(fn):
    """Seconds `fn` takes inside a transaction that is then rolled back."""
    start = time.perf_counter()
    try:
        with transaction.atomic():
            fn()
            seconds = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return seconds


def _actor(username):
    return Account.objects.get(username=username)


def merge_groups(province):
    """Per district of the province, its communes three by three (the last group may hold
    two or four): [(district, [communes], new code)]; new communes are numbered from 201."""
    groups = []
    districts = [u for u in Unit.objects.filter(parent__code=province).order_by("code") if dataset.is_district(u.code)]
    for district in districts:
        communes = [u for u in Unit.objects.filter(parent=district, status=UnitStatus.ACTIVE).order_by("code") if dataset.is_commune(u.code)]
        chunks = [communes[i : i + 3] for i in range(0, len(communes), 3)]
        if len(chunks) > 1 and len(chunks[-1]) == 1:
            chunks[-2] += chunks.pop()
        groups += [(district, chunk, f"{district.code}{200 + n:03d}") for n, chunk in enumerate(chunks, start=1)]
    return groups


def bulk_merge_sql(groups):
    """The same rows changed with plain SQL: the new units inserted, the old ones retired,
    their accounts revoked, their unstarted reports exempted."""
    from baocao.units.models import Unit as U

    units, accounts, reports = U._meta.db_table, Account._meta.db_table, Report._meta.db_table
    old = [u.pk for _d, chunk, _c in groups for u in chunk]
    with connection.cursor() as cursor:
        for district, _chunk, code in groups:
            cursor.execute(f"INSERT INTO {units} (code, name, kind, parent_id, path, depth, status, address, phone, email, search_text, created_at, updated_at) "
                           "VALUES (%s, %s, 'reporting', %s, %s, %s, 'active', '', '', '', %s, now(), now())",
                           [code, f"Xã mới {code}", district.pk, f"{district.path}{code}/", district.depth + 1, code.lower()])
        cursor.execute(f"UPDATE {units} SET status = 'retired' WHERE id = ANY(%s)", [old])
        cursor.execute(f"UPDATE {accounts} SET is_active = false, revoked_at = now() WHERE unit_id = ANY(%s)", [old])
        cursor.execute(f"UPDATE {reports} SET exempt = true, version = version + 1 WHERE unit_id = ANY(%s) AND status = 'chua_nhap'", [old])


def bench_merge(ds):
    from baocao.reorg import operations
    from baocao.units import tree

    actor = _actor(PROVINCE)
    groups = merge_groups(PROVINCE)
    old = [u for _d, chunk, _c in groups for u in chunk]
    reports_before = Report.objects.filter(unit__in=old, period=ds.period).count()
    base = rolled_back(lambda: bulk_merge_sql(groups))
    decision = tree.Decision(*DECISION)

    def merge_all():
        """The wave through reorg.operations.run_wave (units.tree.merge_wave)."""
        merges = [{"sources": chunk, "new": {"code": code, "name": f"Ủy ban nhân dân xã {code}", "parent": district,
                                              "unit_types": ["co_quan_nha_nuoc"]}} for district, chunk, code in groups]
        _result, outcome = operations.run_wave(actor, merges, decision=decision)
        return [outcome]

    start = time.perf_counter()
    outcomes = merge_all()
    seconds = time.perf_counter() - start
    assert Unit.objects.filter(pk__in=[u.pk for u in old], status=UnitStatus.RETIRED).count() == len(old)
    revoked = sum(len(o.accounts_deactivated) for o in outcomes)
    created = sum(len(o.accounts_created) for o in outcomes)
    exempted = sum(o.reports_exempted for o in outcomes)
    kept = sum(o.reports_kept for o in outcomes)
    report(f"merge {len(old):,} communes into {len(groups)}", secs(seconds), f"bulk SQL of the same rows ({secs(base)})", seconds / base)
    print(f"{'':<38} {PROVINCE}: {created} accounts created, {revoked} revoked; of {reports_before:,} reports {exempted} unstarted "
          f"exempted, {kept:,} entered kept for the transfer; {seconds / len(groups) * 1000:.0f} ms per merge", flush=True)
    return groups


def bench_transfer(ds, groups):
    """Case (b): one request per new commune (its three predecessors → it, the period),
    filed by the province's administrator, executed by the central administrator; the
    first TRANSFERS groups only (report by report, it is the slow part)."""
    groups = groups[:TRANSFERS]
    from baocao.reorg import transfers
    from baocao.units import tree

    admin, central = _actor(PROVINCE), _actor("BTC")
    decision = tree.Decision(*DECISION)
    targets = {u.code: u for u in Unit.objects.filter(code__in=[code for _d, _c, code in groups])}
    moved = Report.objects.filter(unit__in=[u for _d, chunk, _c in groups for u in chunk], period=ds.period, exempt=False).count()
    from baocao.reports.models import ReportValue

    value_rows = ReportValue.objects.filter(report__unit__in=[u for _d, chunk, _c in groups for u in chunk], report__period=ds.period).count()

    def bulk():
        with connection.cursor() as cursor:
            for _district, chunk, code in groups:
                cursor.execute(f"UPDATE {Report._meta.db_table} SET exempt = true, version = version + 1 WHERE unit_id = ANY(%s) AND period_id = %s",
                               [[u.pk for u in chunk], ds.period.pk])
                cursor.execute(f"""UPDATE {ReportValue._meta.db_table} t SET number = t.number + s.total
                                   FROM (SELECT tr.id AS report_id, v.cell_id, SUM(v.number) AS total
                                         FROM {ReportValue._meta.db_table} v JOIN {Report._meta.db_table} r ON r.id = v.report_id
                                         JOIN {Report._meta.db_table} tr ON tr.form_code = r.form_code AND tr.period_id = r.period_id AND tr.unit_id = %s
                                         WHERE r.unit_id = ANY(%s) AND r.period_id = %s GROUP BY tr.id, v.cell_id) s
                                   WHERE t.report_id = s.report_id AND t.cell_id = s.cell_id""",
                               [targets[code].pk, [u.pk for u in chunk], ds.period.pk])

    base = rolled_back(bulk)
    start = time.perf_counter()
    with transaction.atomic():
        for _district, chunk, code in groups:
            request = transfers.file_request(admin, sources=chunk, targets=[targets[code]], periods=[ds.period], decision=decision)
            transfers.execute(central, request)
    seconds = time.perf_counter() - start
    report(f"transfer their data into the {len(groups)}", secs(seconds), f"bulk SQL combining the values ({secs(base)})", seconds / base)
    print(f"{'':<38} {len(groups)} requests, {moved:,} reports, {value_rows:,} values combined", flush=True)


def bench_move(ds):
    from baocao.units import tree

    central = _actor("BTC")
    unit, parent = Unit.objects.get(code=MINISTRY), Unit.objects.get(code=INTO)
    size = Unit.objects.subtree(unit).count()
    table = Unit._meta.db_table

    def bulk():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET path = %s || substr(path, %s), depth = depth + 1 WHERE path LIKE %s",
                           [parent.path + unit.code + "/", len(unit.path) + 1, unit.path + "%"])
            cursor.execute(f"UPDATE {table} SET parent_id = %s WHERE id = %s", [parent.pk, unit.pk])

    base = rolled_back(bulk)
    start = time.perf_counter()
    tree.move(central, unit, parent=parent, decision=tree.Decision(*DECISION))
    seconds = time.perf_counter() - start
    assert Unit.objects.subtree(Unit.objects.get(code=INTO)).count() >= size + 1
    report(f"move a subtree of {size:,} units", secs(seconds), f"bulk UPDATE of the same rows ({secs(base)})", seconds / base)


def bench_check(ds):
    from baocao.rollup import verification

    start = time.perf_counter()
    found = verification.differences(ds.period)
    seconds = time.perf_counter() - start
    assert not found, found[:5]
    print(f"{'':<38} verify_rollups after the reorganisations: no difference ({secs(seconds)})", flush=True)


def main(units=80_000, *, transfer=True):
    ds = dataset.ensure(units)
    print(f"{'benchmark (reorganisation)':<38} {'figure':<34} {'ratio':>9}  baseline", flush=True)
    groups = bench_merge(ds)
    if transfer:
        bench_transfer(ds, groups)
    bench_move(ds)
    bench_check(ds)

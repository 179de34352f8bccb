"""A synthetic national data set for the roll-up and reorganisation benchmarks
(issues 8 and 12), in the kiemke regime (public asset inventory), on PostgreSQL.

The tree (`units=80_000` by default, every count below scaled by units / 80,000):

- the root (Bộ Tài chính); 34 provinces and 30 ministries and central bodies at the top;
- under each province: 20 departments (Sở) with 50 reporting units each, and 10 districts,
  each with 6 district units and 27 communes (reporting units); the first province, T01
  (a merged province), has 30 districts of 33 communes: 990 communes;
- under each ministry: 15 departments with 60 units each; the first ministry, 001, has 20
  departments of 500 units: a subtree of 10,021 units;
- codes by the regime's asset-registration grammar (T01, T01001, T01101101, 001001001).

That is about 83,700 units (82,000 of them filing) and one account each (the regime's
scheme, bench.national.build_accounts). One period (Tổng kiểm kê) opened with
`periods.open_period` (the real path: 4 register obligations per filing unit, about
328,000 reports), its deadline ten days past. Then, set-based SQL only:

- reports in every workflow state, by a hash of their id: 5 % Chưa nhập, 10 % Đang nhập,
  3 % Bị trả lại, 2 % Yêu cầu chỉnh lý, 15 % Đã gửi, 65 % Đã tiếp nhận; sent ones with a
  sending time, a fifth of them after the deadline (late);
- every started register report holds its summary into KK-TH (the consolidation grid, 141
  cells of which 115 roll up): KK-DAT the land row (14 cells), KK-NHA the buildings (13),
  KK-OTO the cars (11), KK-TSCD-KHAC the seven other-asset rows (77): about 9 million
  grid values (INSERT … SELECT over the reports and the cells);
- the stored roll-up totals and progress counters rebuilt with the project's own
  set-based rebuild (`verify_rollups --rebuild`: rollup.verification.rebuild), so that
  `verify_rollups` finds no difference.

The registers' records themselves are not generated (only their summaries, which is all a
roll-up reads). Generating the full set takes a few minutes on a 2-core machine; pass
`units=8000` (run.py: --national 8000) for a quick run.
"""
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from baocao.units.models import Unit, UnitKind

from .national import build_accounts, insert_units

REGISTERS = {"KK-DAT": ("dat",), "KK-NHA": ("nha",), "KK-OTO": ("oto",),
             "KK-TSCD-KHAC": ("khac_vat_kien_truc", "khac_phuong_tien", "khac_may_moc", "khac_cay_lau_nam", "khac_huu_hinh",
                              "khac_vo_hinh", "khac_dac_thu")}
CONSOLIDATION = "KK-TH"
PERIOD_CODE = "BENCH_KK"
PROVINCE = "T01"  # 30 districts of 33 communes: 990 communes (issue 12: merged three into one)
MINISTRY = "001"  # 20 departments of 500 units: a subtree of 10,021 units (issue 12: moved)
# (upper bound of hash % 100, state): the share of reports in each workflow state.
STATES = ((5, "chua_nhap"), (15, "dang_nhap"), (18, "tra_lai"), (20, "chinh_ly"), (35, "da_gui"), (100, "da_tiep_nhan"))
SENT = ("da_gui", "da_tiep_nhan")


@dataclass
class Dataset:
    period: object
    units: int
    reports: int
    values: int
    totals: int
    counters: int
    seconds: dict = field(default_factory=dict)  # step -> seconds

    @property
    def root(self):
        return Unit.objects.get(code="BTC")


_BUILT = {}


def ensure(units=80_000, *, reuse=False, log=print):
    """The data set, built once per run (the benchmarks that change it run last).
    reuse=True: take the one an earlier run left in the database, if there is one."""
    if _BUILT.get("units") != units:
        _BUILT.clear()
        found = _existing() if reuse else None
        if found is not None:
            log(f"reusing the national data set in the database: {found.units:,} units, {found.reports:,} reports, {found.values:,} values")
        _BUILT.update(units=units, dataset=found or build(units, log=log))
    return _BUILT["dataset"]


def _existing():
    from baocao.reports.models import Period, Report, ReportValue, RollupProgress, RollupTotal

    period = Period.objects.filter(code=PERIOD_CODE).first()
    if period is None or not Unit.objects.filter(code="T01101101").exists():
        return None
    return Dataset(period=period, units=Unit.objects.count(), reports=Report.objects.filter(period=period).count(),
                   values=ReportValue.objects.filter(report__period=period).count(),
                   totals=RollupTotal.objects.filter(period=period).count(), counters=RollupProgress.objects.filter(period=period).count())


def _scaled(n, scale, least=1):
    return max(least, round(n * scale))


def build_units(units):
    """The tree above, by levels (bulk inserts of whole levels, parents first), with the
    regime's asset-registration codes: 3 characters at the top (T01 … T34, 001 … 030), then
    3 digits per level — Sở 001–020, districts 101–130; under a district its units 001–006
    and its communes 101–133."""
    scale = units / 80_000
    root = Unit.objects.create(code="BTC", name="Bộ Tài chính", kind=UnitKind.ROOT)
    provinces = [Unit(code=f"T{p:02d}", name=f"Ủy ban nhân dân tỉnh số {p}", kind=UnitKind.GOVERNING, parent=root) for p in range(1, 35)]
    ministries = [Unit(code=f"{m:03d}", name=f"Bộ, cơ quan trung ương số {m}", kind=UnitKind.GOVERNING, parent=root) for m in range(1, 31)]
    insert_units(provinces + ministries)
    middle, leaves = [], []  # (unit, [(leaf count, leaf name, first leaf number)])
    for province in provinces:
        big = province.code == PROVINCE
        for s in range(1, 21):
            middle.append((Unit(code=f"{province.code}{s:03d}", name=f"Sở số {s} tỉnh {province.code}", kind=UnitKind.AGGREGATING,
                                parent=province), [(_scaled(50, scale), "Trường trung học phổ thông số {n} – Sở số " + str(s), 1)]))
        for h in range(1, (30 if big else 10) + 1):
            middle.append((Unit(code=f"{province.code}{100 + h:03d}", name=f"Ủy ban nhân dân huyện số {h} tỉnh {province.code}",
                                kind=UnitKind.AGGREGATING, parent=province),
                           [(_scaled(6, scale), "Phòng Giáo dục và Đào tạo số {n} – huyện số " + str(h), 1),
                            (_scaled(33 if big else 27, scale), "Ủy ban nhân dân xã số {n} – huyện số " + str(h), 101)]))
    for ministry in ministries:
        big = ministry.code == MINISTRY
        for d in range(1, (20 if big else 15) + 1):
            middle.append((Unit(code=f"{ministry.code}{d:03d}", name=f"Tổng cục, Cục số {d} – {ministry.name}", kind=UnitKind.AGGREGATING,
                                parent=ministry), [(_scaled(500 if big else 60, scale), "Đơn vị sự nghiệp số {n} – Cục số " + str(d), 1)]))
    insert_units([unit for unit, _specs in middle])
    for unit, specs in middle:
        for count, name, first in specs:
            leaves += [Unit(code=f"{unit.code}{n:03d}", name=name.format(n=n - first + 1), kind=UnitKind.REPORTING, parent=unit)
                       for n in range(first, first + count)]
    insert_units(leaves)
    return 1 + len(provinces) + len(ministries) + len(middle) + len(leaves)


def is_district(code):
    return len(code) == 6 and code[0] == "T" and code[3] == "1"


def is_commune(code):
    return len(code) == 9 and is_district(code[:6]) and code[6] == "1"


def _tag_units():
    """Unit types by SQL: provinces `tinh`, ministries `bo`; communes and departments'
    units `co_quan_nha_nuoc`, schools and public service units `don_vi_su_nghiep`."""
    through = Unit.unit_types.through._meta.db_table
    units = Unit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {through} (unit_id, unittype_id)
            SELECT id, CASE WHEN kind = 'governing' AND code LIKE 'T%%' THEN 'tinh'
                            WHEN kind = 'governing' THEN 'bo'
                            WHEN code ~ '^T[0-9]{2}1[0-9]{2}[0-9]{3}$' THEN 'co_quan_nha_nuoc'
                            ELSE 'don_vi_su_nghiep' END
            FROM {units} WHERE kind IN ('governing', 'reporting')""")


def _open_period():
    from baocao.reports import periods

    today = timezone.localdate()
    period = periods.create_period(None, kind="KIEMKE", year=today.year, code=PERIOD_CODE,
                                   name="Tổng kiểm kê tài sản công — kỳ đo", deadline=today + timedelta(days=30))
    summary = periods.open_period(None, period)
    # The deadline passed ten days ago (so that some reports are late); set directly, as
    # the reports' own deadlines (update_period would also recount: the rebuild does).
    from baocao.reports.models import Period, Report

    due = timezone.now() - timedelta(days=10)
    Period.objects.filter(pk=period.pk).update(deadline=due.date(), due_at=due)
    Report.objects.filter(period=period).update(due_at=due)
    period.refresh_from_db()
    return period, summary.reports


def _states_and_values(period):
    from baocao.formdefs.models import FormCell, RollingCell
    from baocao.reports.models import Report, ReportValue

    reports, values, cells = Report._meta.db_table, ReportValue._meta.db_table, FormCell._meta.db_table
    rolling = RollingCell._meta.db_table
    case = " ".join(f"WHEN (r.id * 2654435761) %% 100 < {bound} THEN '{state}'" for bound, state in STATES)
    mapping = " UNION ALL ".join(f"SELECT '{form}' AS form_code, '{row}' AS row_code" for form, rows in REGISTERS.items() for row in rows)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {reports} r SET status = CASE {case} END FROM (SELECT 1) one WHERE r.period_id = %s""", [period.pk])
        # Sent ones: a sending time in the 30 days before the deadline, or (a fifth) up to 9 days after.
        cursor.execute(f"""
            UPDATE {reports} SET revision = 1, version = 3,
                   submitted_at = due_at + (CASE WHEN id %% 5 = 0 THEN 1 + (id %% 216) ELSE -1 - (id %% 720) END) * INTERVAL '1 hour',
                   state_changed_at = due_at
            WHERE period_id = %s AND status = ANY(%s)""", [period.pk, list(SENT)])
        cursor.execute(f"UPDATE {reports} SET version = 2 WHERE period_id = %s AND status <> ALL(%s) AND status <> 'chua_nhap'",
                       [period.pk, list(SENT)])
        # Each started register report: its summary into KK-TH (counts, areas, amounts in
        # VND, differences that may be negative), by a hash of (report, cell).
        cursor.execute(f"""
            INSERT INTO {values} (report_id, cell_id, instance, number, text)
            SELECT r.id, c.id, 0,
                   CASE WHEN c.column_code LIKE 'cl\\_%%' THEN ((r.id + c.id) %% 5) - 2
                        WHEN c.column_code IN ('nguon_ns', 'nguon_khac', 'gia_tri_con_lai') THEN ((r.id * 31 + c.id * 17) %% 9973 + 1) * 100000
                        ELSE (r.id * 7 + c.id * 13) %% 997 + 1 END,
                   ''
            FROM {reports} r
            JOIN ({mapping}) m ON m.form_code = r.form_code
            JOIN {cells} c ON c.form_code = %s AND c.row_code = m.row_code
            JOIN {rolling} rc ON rc.definition_id = r.form_id AND rc.cell_id = c.id  -- the cells the register version sums
            WHERE r.period_id = %s AND r.status <> 'chua_nhap'""", [CONSOLIDATION, period.pk])
        return cursor.rowcount


def _bulk_session():
    """For this transaction only: no foreign-key triggers (every row inserted here is
    joined from the rows it refers to, so the keys hold by construction) and memory for
    the big hash joins. The figure of record of a rebuild is measured without this
    (bench/rollup_bench.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL work_mem = '128MB'")


def analyze():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def build(units=80_000, *, log=print):
    """Empty the database and build the data set (see the module's docstring)."""
    from baocao.formdefs.services import load_regime_forms
    from baocao.reports.models import Report
    from baocao.rollup import verification
    from baocao.units.services import sync_unit_types

    if connection.vendor != "postgresql":
        log("(the national data set is meant for PostgreSQL: set DATABASE_URL)")
    seconds = {}
    started = time.perf_counter()

    def step(name):
        now = time.perf_counter()
        seconds[name] = now - step.last
        step.last = now

    step.last = started
    call_command("flush", interactive=False, verbosity=0)
    load_regime_forms("kiemke")
    sync_unit_types()
    step("forms")
    with transaction.atomic():
        made = build_units(units)
        _tag_units()
    step("units")
    build_accounts(Unit.objects.all())
    step("accounts")
    analyze()
    period, reports = _open_period()
    step("period opened")
    with transaction.atomic():
        _bulk_session()
        values = _states_and_values(period)
    analyze()
    step("states and values")
    with transaction.atomic():
        _bulk_session()
        totals, counters = verification.rebuild(period)
    analyze()
    step("rebuild")
    assert reports == Report.objects.filter(period=period).count()
    dataset = Dataset(period=period, units=made, reports=reports, values=values, totals=totals, counters=counters, seconds=seconds)
    log(f"national data set: {made:,} units and accounts, {reports:,} reports, {values:,} grid values, {totals:,} roll-up totals, "
        f"{counters:,} counters in {time.perf_counter() - started:.0f} s ("
        + ", ".join(f"{name} {s:.0f} s" for name, s in seconds.items()) + ")", flush=True)
    return dataset

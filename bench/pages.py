"""National-size pages (issues 13 and 23): every administration page of a central
administrator and of two province administrators — the worst-placed province and a median
one — and a 12b of 200 notary organisations, against the password-change form (a page that
reads nothing for its data) measured in the same rounds.

The worst province is the governing unit whose accounts sort last by username: a list
ordered by username and filtered to a subtree by walking the username index would read
every account sorting before its own first (issue 23: 16× for T61, 6× for T00). The median
province is the middle one in that order.

Needs the national tree and accounts bench/run.py generates (--accounts, default 100,000)
and adds --audit-events audit events (default 1,000,000) with one INSERT … SELECT over
generate_series on PostgreSQL (a plain batched insert on SQLite). Each page is requested
--page-requests times (default 25), interleaved with the trivial page; the figure is the
median and p95, the ratio the median over the baseline's median.
"""
import json
import time

from django.db import connection, transaction
from django.utils import timezone

from baocao.accounts.models import Account
from baocao.audit.models import AuditEvent
from baocao.units.models import Unit, UnitKind

ACTIONS = ("login.success", "report.saved", "password.reset", "login.failure", "account.locked")


def add_audit_events(count):
    """`count` events spread over every unit and its account, one per 30 s back from now."""
    table = AuditEvent._meta.db_table
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # Units and their accounts numbered 1..n in a keyed temporary table, so the
            # INSERT … SELECT below is one hash or index join, not a scan per event.
            cursor.execute(
                """CREATE TEMPORARY TABLE bench_actor ON COMMIT DROP AS
                   SELECT row_number() OVER (ORDER BY u.id) AS rn, u.id, u.path, a.id AS account_id, a.username
                   FROM units_unit u JOIN accounts_account a ON a.unit_id = u.id AND a.username = u.code"""
            )
            cursor.execute("ALTER TABLE bench_actor ADD PRIMARY KEY (rn); ANALYZE bench_actor")
            cursor.execute("SELECT count(*) FROM bench_actor")
            actors = cursor.fetchone()[0]
            cursor.execute(
                f"""
                INSERT INTO {table} (at, actor_id, actor_username, ip, action, unit_id, unit_path, object_type, object_id, note)
                SELECT now() - g * interval '30 seconds', u.account_id, u.username, '10.0.0.1',
                       (%s::text[])[1 + g %% {len(ACTIONS)}], u.id, u.path, '', '', ''
                FROM generate_series(1, %s) AS g JOIN bench_actor u ON u.rn = 1 + (g::bigint * 7919) %% {actors}
                """,
                [list(ACTIONS), count],
            )
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("ANALYZE accounts_account; ANALYZE units_unit")
        return
    accounts = list(Account.objects.select_related("unit").order_by("pk")[:10_000])
    now = timezone.now()
    for start in range(0, count, 10_000):
        AuditEvent.objects.bulk_create(
            [AuditEvent(at=now, actor=a, actor_username=a.username, action=ACTIONS[i % len(ACTIONS)], unit=a.unit, unit_path=a.unit.path)
             for i, a in ((i, accounts[i % len(accounts)]) for i in range(start, min(count, start + 10_000)))],
            batch_size=2000,
        )


def _percentiles(samples):
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def run_rounds(pages, trivial, requests):
    """{label: [ms]} for each (label, fn, expected status) of `pages`, plus "trivial"."""
    samples = {label: [] for label, _fn, _status in pages}
    samples["trivial"] = []
    for label, fn, status in pages:  # warm up
        response = fn()
        assert response.status_code == status, (label, response.status_code)
    for _ in range(requests):
        for label, fn, status in [("trivial", trivial, 200), *pages]:
            start = time.perf_counter()
            response = fn()
            samples[label].append((time.perf_counter() - start) * 1000)
            assert response.status_code == status, (label, response.status_code)
    return samples


def provinces():
    """(worst, median): the governing units (provinces, ministries) in the order their
    usernames sort — the last, and the middle one."""
    ordered = sorted(Unit.objects.filter(kind=UnitKind.GOVERNING).values_list("code", flat=True))
    return Unit.objects.get(code=ordered[-1]), Unit.objects.get(code=ordered[len(ordered) // 2])


def province_pages(label, admin, province):
    """A province administrator's pages: TRANG CHỦ, the user list, a search, "select every
    match" (the reset confirmation), its audit log and its unit catalogue."""
    get = lambda url, data=None: (lambda: admin.get(url, data))  # noqa: E731
    return [
        (f"{label}: TRANG CHỦ", get("/"), 200),
        (f"{label}: user list", get("/tai-khoan/quan-ly/"), 200),
        (f"{label}: user list, search", get("/tai-khoan/quan-ly/", {"q": "truong"}), 200),
        (f"{label}: user list, by username", get("/tai-khoan/quan-ly/", {"sort": "username"}), 200),
        (f"{label}: select all matching", lambda: admin.post("/tai-khoan/quan-ly/reset-mat-khau/", {"all_matching": "1", "q": "truong"}), 200),
        (f"{label}: audit log", get("/nhat-ky/"), 200),
        (f"{label}: unit catalogue", get("/don-vi/"), 200),
    ]


def main(*, audit_events, requests, logged_in, report, trivial_url, baseline):
    print(f"\nnational pages: adding {audit_events:,} audit events …", flush=True)
    start = time.perf_counter()
    add_audit_events(audit_events)
    print(f"added in {time.perf_counter() - start:.1f} s ({Unit.objects.count():,} units, {Account.objects.count():,} accounts)", flush=True)

    root = Unit.objects.get(kind=UnitKind.ROOT)
    worst, median = provinces()
    province = worst
    leaf = Unit.objects.filter(kind=UnitKind.REPORTING).order_by("code").first()
    Account.objects.filter(username__in=[u.code for u in (root, worst, median, leaf)]).update(must_change_password=False)
    central, worst_admin, median_admin, clerk = (logged_in(Account.objects.get(username=u.code)) for u in (root, worst, median, leaf))
    print(f"provinces: worst {worst.code} (its usernames sort last), median {median.code}; "
          f"{Account.objects.filter(unit__path__startswith=worst.path).count():,} and "
          f"{Account.objects.filter(unit__path__startswith=median.path).count():,} accounts", flush=True)
    somebody = Account.objects.filter(unit__kind=UnitKind.REPORTING).order_by("-pk").first().username.lower()
    today = timezone.localdate().strftime("%d/%m/%Y")
    get = lambda client, url, data=None: (lambda: client.get(url, data))  # noqa: E731
    pages = [
        ("central: TRANG CHỦ", get(central, "/"), 200),
        ("central: audit log", get(central, "/nhat-ky/"), 200),
        ("central: audit, by account", get(central, "/nhat-ky/", {"account": somebody}), 200),
        ("central: audit, by unit subtree", get(central, "/nhat-ky/", {"unit": province.code}), 200),
        ("central: audit, by one unit", get(central, "/nhat-ky/", {"unit": leaf.code}), 200),
        ("central: audit, by action", get(central, "/nhat-ky/", {"action": "account.locked"}), 200),
        ("central: audit, today", get(central, "/nhat-ky/", {"from": today, "to": today}), 200),
        ("central: audit, last page", get(central, "/nhat-ky/", {"page": "200"}), 200),
        ("central: user list", get(central, "/tai-khoan/quan-ly/"), 200),
        ("central: user list, last page", get(central, "/tai-khoan/quan-ly/", {"page": "200"}), 200),
        ("central: user list, search most", get(central, "/tai-khoan/quan-ly/", {"q": "truong"}), 200),
        ("central: user list, province", get(central, "/tai-khoan/quan-ly/", {"unit": province.code}), 200),
        ("central: user list, locked", get(central, "/tai-khoan/quan-ly/", {"status": "locked"}), 200),
        ("central: user list, by name", get(central, "/tai-khoan/quan-ly/", {"sort": "display_name"}), 200),
        ("central: user list, by status", get(central, "/tai-khoan/quan-ly/", {"sort": "status"}), 200),
        ("central: user list, by status, p.200", get(central, "/tai-khoan/quan-ly/", {"sort": "-status", "page": "200"}), 200),
        ("central: unit catalogue", get(central, "/don-vi/"), 200),
        ("central: unit catalogue, page 100", get(central, "/don-vi/", {"page": "100"}), 200),
        *province_pages(f"worst province {worst.code}", worst_admin, worst),
        *province_pages(f"median province {median.code}", median_admin, median),
    ]
    samples = run_rounds(pages, get(clerk, trivial_url), requests)
    _print(samples, [label for label, _f, _s in pages], report, baseline)


def _print(samples, labels, report, baseline_name):
    base_median, base_p95 = _percentiles(samples["trivial"])
    baseline = f"{baseline_name} ({base_median:.0f} ms, p95 {base_p95:.0f} ms)"
    for label in labels:
        median, p95 = _percentiles(samples[label])
        report(label, f"{median:.0f} ms median, {p95:.0f} ms p95", baseline, median / base_median)


def grid(requests, *, children, logged_in, report, trivial_url, baseline, tuphap_setup, regime_accounts, insert_units):
    """A 12b of `children` notary organisations (run in the tuphap regime): render, and a
    save of 3 changed cells as grid.js posts it (the changed cells as JSON)."""
    from baocao.reports import periods
    from baocao.reports.models import Report

    period = tuphap_setup()
    province = Unit.objects.filter(kind=UnitKind.GOVERNING).order_by("pk").first()
    parent = Unit.objects.create(code="STPPAGES", name="Sở Tư pháp đo (trang)", kind=UnitKind.AGGREGATING, parent=province)
    insert_units([Unit(code=f"STPPAGES{n:03d}", name=f"Văn phòng công chứng số {n}", kind=UnitKind.REPORTING, parent=parent)
                  for n in range(1, children + 1)])
    practices = list(Unit.objects.filter(parent=parent).order_by("code"))
    clerk_account = regime_accounts([parent])[f"{parent.code}_bc"]
    grid_report = Report.objects.select_related("form").get(pk=periods.add_obligation(None, period, parent, "12b/BTP/BTTP/CC", reason="bench").pk)
    client = logged_in(clerk_account)
    url = f"/nhap-du-lieu/bao-cao/{grid_report.pk}/"
    spec = grid_report.form.spec_object()
    columns = [c.code for c in spec.leaves if not spec.cell(f"to_chuc/{practices[0].pk}", c.code).computed and c.type != "text"]
    full = {f"to_chuc/{p.pk}|{c}": str(10 + n) for n, p in enumerate(practices) for c in columns}
    counter = iter(range(10**9))

    def save(changes):
        version = Report.objects.values_list("version", flat=True).get(pk=grid_report.pk)
        return client.post(f"{url}luu/", {"version": str(version), "explanation": "", "changes": json.dumps(changes)})

    assert save(full).status_code == 302  # every cell filled once
    cells = (len(practices) + 1) * len(spec.leaves)

    def save_three():
        n = next(counter)
        return save({f"to_chuc/{practices[k].pk}|{columns[0]}": str(n % 90 + k) for k in (0, len(practices) // 2, len(practices) - 1)})

    def save_every_input():
        """What a browser without JavaScript posts: every input of the page (more fields
        than DATA_UPLOAD_MAX_NUMBER_FIELDS), urlencoded."""
        from urllib.parse import urlencode

        n = next(counter)
        version = Report.objects.values_list("version", flat=True).get(pk=grid_report.pk)
        data = {"version": str(version), "explanation": "", **{f"c|{key}": value for key, value in full.items()},
                f"c|to_chuc/{practices[0].pk}|{columns[0]}": str(n % 90)}
        return client.post(f"{url}luu/", urlencode(data), content_type="application/x-www-form-urlencoded")

    pages = [(f"12b, {len(practices)} sub-units: render ({cells} cells)", lambda: client.get(url), 200),
             (f"12b, {len(practices)} sub-units: save 3 cells", save_three, 302),
             (f"12b, {len(practices)} sub-units: save every input", save_every_input, 302)]
    samples = run_rounds(pages, lambda: client.get(trivial_url), requests)
    _print(samples, [label for label, _f, _s in pages], report, baseline)

"""Load benchmark: N people at once against a local gunicorn (several workers) on PostgreSQL.

    .venv/bin/python bench/load.py [--users 20] [--seconds 60] [--workers 4] [--database-url postgres://…/baocao_load]

It makes a fresh database (the one named is dropped and created again), loads the justice
regime, one Sở Tư pháp per person with 18 notary practices below it and its 12b report (a
209-cell grid), starts gunicorn on 127.0.0.1, then:

1. alone: one person logs in, renders and saves the grid, one request at a time;
2. under load: N people each log in once, then render and save their grid (changing one
   cell each time) for the given seconds;

and prints throughput, errors, p50/p95 per request type, and each p95 under load divided by
the same request's p95 alone. At the end every person's last saved figure is read back from
the database: nothing may be lost. Traffic goes to 127.0.0.1 only, and the run is bounded in
time; gunicorn is stopped at the end.
"""
import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
FORM = "12b/BTP/BTTP/CC"
PASSWORD = "Dolam2026tai"
PRACTICES = 18


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/baocao_load"))
    return parser.parse_args()


def fresh_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = dict(host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres")
    if parts.password:
        admin["password"] = parts.password
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def populate(users):
    """The data, through the platform's own functions: [(username, report id)] of the people."""
    from datetime import timedelta

    import django
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    django.setup()
    call_command("migrate", verbosity=0)
    from baocao.accounts.models import Account
    from baocao.accounts.services import create_missing_accounts
    from baocao.formdefs.services import load_regime_forms
    from baocao.reports import periods
    from baocao.units.models import Unit, UnitKind
    from baocao.units.services import sync_unit_types

    load_regime_forms("tuphap")
    sync_unit_types()
    root = Unit.objects.create(code="BTP", name="Bộ Tư pháp", kind=UnitKind.ROOT)
    province = Unit.objects.create(code="HN", name="Ủy ban nhân dân thành phố Hà Nội", kind=UnitKind.GOVERNING, parent=root)
    today = timezone.localdate()
    period = periods.create_period(None, kind="NAM_CT", year=today.year - 1, code="LOAD", name="Kỳ đo tải",
                                   deadline=today + timedelta(days=30))
    periods.open_period(None, period)
    people = []
    for n in range(users):
        parent = Unit.objects.create(code=f"STP{n:03d}", name=f"Sở Tư pháp đo số {n}", kind=UnitKind.AGGREGATING, parent=province)
        parent.unit_types.add("so_tu_phap")
        for k in range(PRACTICES):
            Unit.objects.create(code=f"STP{n:03d}VP{k:02d}", name=f"Văn phòng công chứng {n}-{k}", kind=UnitKind.REPORTING, parent=parent)
        create_missing_accounts(None, [parent])
        report = periods.add_obligation(None, period, parent, FORM, reason="load")
        people.append((f"{parent.code}_bc", report.pk))
    Account.objects.update(password=make_password(PASSWORD), must_change_password=False)
    return people


class Browser:
    """One person's browser: cookies, the CSRF token, timings by request type."""

    def __init__(self, port, record):
        self.port, self.record, self.cookies = port, record, {}

    def request(self, kind, method, path, form=None):
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            connection.close()
        except OSError as error:
            status, text = 0, str(error)
        self.record(kind, (time.perf_counter() - start) * 1000, status)
        return status, text

    def token(self):
        return self.cookies.get("csrftoken", "")

    def login(self, username):
        self.request("login page", "GET", "/tai-khoan/dang-nhap/")
        status, _ = self.request("login", "POST", "/tai-khoan/dang-nhap/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.token()})
        return status == 302

    def render(self, report):
        status, page = self.request("grid render", "GET", f"/nhap-du-lieu/bao-cao/{report}/")
        return page if status == 200 else None

    def save(self, report, page, value):
        """Post back every input of the page, with one cell changed to `value`."""
        form = {"csrfmiddlewaretoken": self.token()}
        for name, shown in re.findall(r'name="((?:c|n)\|[^"]+)"[^>]*?value="([^"]*)"', page):
            form[name] = shown
        form["version"] = re.search(r'name="version" value="(\d+)"', page).group(1)
        form["explanation"] = ""
        cell = sorted(name for name in form if name.startswith("c|") and name.endswith("|cong_chung_vien"))[0]
        form[cell] = str(value)
        status, _ = self.request("grid save", "POST", f"/nhap-du-lieu/bao-cao/{report}/luu/", form)
        return status == 302, cell


class Stats:
    def __init__(self):
        self.lock, self.samples, self.errors = threading.Lock(), {}, {}

    def __call__(self, kind, ms, status):
        ok = status in (200, 302)
        with self.lock:
            self.samples.setdefault(kind, []).append(ms)
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def start_gunicorn(args, env):
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "baocao.wsgi", "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}",
               "--timeout", "60", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            connection.request("GET", "/tai-khoan/dang-nhap/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main():
    args = parse()
    env = {**os.environ, "DATABASE_URL": args.database_url, "BAOCAO_REGIME": "tuphap", "DEBUG": "off", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "DJANGO_SETTINGS_MODULE": "baocao.settings", "BAOCAO_LOGIN_ADDRESS_LIMIT": "0"}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "BAOCAO_REGIME", "DEBUG", "DJANGO_SETTINGS_MODULE")})
    sys.path.insert(0, str(ROOT / "src"))
    print(f"Preparing {args.users} Sở Tư pháp with {PRACTICES} practices each on {urlsplit(args.database_url).path.lstrip('/')} …", flush=True)
    fresh_database(args.database_url)
    people = populate(args.users)
    server = start_gunicorn(args, env)
    try:
        username, report = people[0]
        warm = Browser(args.port, Stats())  # every worker loads its code and templates once
        for _ in range(args.workers * 2):
            warm.cookies.clear()
            warm.login(username)
            warm.save(report, warm.render(report), 1)
        alone = Stats()
        browser = Browser(args.port, alone)
        for _ in range(5):
            browser.cookies.clear()
            browser.login(username)
        for n in range(30):
            page = browser.render(report)
            browser.save(report, page, 900 + n)

        loaded, last = Stats(), {}
        stop = time.monotonic() + args.seconds
        started = time.monotonic()

        def person(username, report):
            me = Browser(args.port, loaded)
            if not me.login(username):
                return
            n = 0
            while time.monotonic() < stop:
                page = me.render(report)
                if page is None:
                    continue
                n += 1
                ok, cell = me.save(report, page, n)
                if ok:
                    last[report] = (cell, n)

        threads = [threading.Thread(target=person, args=p) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from baocao.reports.models import Report
    from baocao.reports.services import grid_values

    lost = 0
    for report_id, (cell, value) in last.items():
        _prefix, row, column = cell.split("|", 2)
        stored = grid_values(Report.objects.get(pk=report_id)).get((row, column))
        lost += stored is None or int(stored) != value
    total = sum(len(s) for s in loaded.samples.values())
    errors = sum(loaded.errors.values())
    print(f"\n{args.users} users, {args.workers} gunicorn workers, {elapsed:.0f} s: {total} requests, {total / elapsed:.1f} requests/s, "
          f"{errors} errors, {lost} saves lost (of {len(last)} people's last saves checked)")
    print(f"{'request':<14}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'alone p95':>11}{'ratio p95':>11}{'errors':>8}")
    for kind in ("login page", "login", "grid render", "grid save"):
        samples, single = loaded.samples.get(kind, []), alone.samples.get(kind, [])
        p95, alone95 = percentile(samples, 95), percentile(single, 95)
        print(f"{kind:<14}{len(samples):>7}{percentile(samples, 50):>9.0f}{p95:>9.0f}{alone95:>11.0f}{p95 / alone95:>10.1f}×{loaded.errors.get(kind, 0):>8}")
    if alone.errors:
        print(f"errors alone: {alone.errors}")
    return 1 if errors or lost or alone.errors else 0


if __name__ == "__main__":
    sys.exit(main())

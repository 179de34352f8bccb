"""The race of issue 21, as its reporter ran it: a unit moved back and forth through the
Sắp xếp đơn vị page (preview, then Thực hiện) while schools inside and outside the moved
subtree add records through the record page, every request over the test client from its
own thread and database connection, for a fixed time. Prints the moves and saves done, the
"try again" answers (503: a lock timeout or a deadlock) and server errors, and the
differences `verify_rollups` finds afterwards — which must be none. Against: the same
saves with no move running beside them, in the same run (the ratio of saves per second).
Run inside bench/run.py (`./dev bench --only race`), on PostgreSQL to mean anything."""
import itertools
import re
import threading
import time

from django.db import connections
from django.test import Client
from django.urls import reverse

CAR = {
    "ten_tai_san": "Xe ô tô 7 chỗ", "nhan_hieu": "Toyota Fortuner", "so_cho_tai_trong": "7", "nuoc_san_xuat": "Việt Nam",
    "nam_san_xuat": "2019", "ngay_su_dung": "15/03/2019", "loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam",
    "nguyen_gia": "1.200.000.000", "nguon_ns": "1.200.000.000", "nguon_khac": "0", "gia_tri_con_lai": "480.000.000",
    "hien_trang": "hdsn_khong_kd", "tinh_trang_kiem_ke": "dang_su_dung",
}
SCHOOLS = 3


def _setup():
    """A province with two departments; RBM (three schools) under the first moves between
    them; three schools under the second never move. A KIEMKE period open for them."""
    from datetime import timedelta

    from django.utils import timezone

    from baocao.accounts.models import Account
    from baocao.accounts.services import create_missing_accounts
    from baocao.formdefs.services import load_regime_forms
    from baocao.reports import periods
    from baocao.reports.models import Report
    from baocao.units.models import Unit, UnitKind, UnitType

    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    root = Unit.objects.get(kind=UnitKind.ROOT)
    stamp = int(time.time()) % 100000

    def unit(code, kind, parent, name):
        return Unit.objects.create(code=code, name=name, kind=kind, parent=parent)

    province = unit(f"R{stamp}", UnitKind.GOVERNING, root, "Tỉnh đo tranh chấp")
    first, second = (unit(f"R{stamp}{n:03d}", UnitKind.AGGREGATING, province, f"Sở {n}") for n in (1, 2))
    mover = unit(f"R{stamp}001001", UnitKind.AGGREGATING, first, "Phòng được chuyển")
    schools = [unit(f"R{stamp}001001{n:03d}", UnitKind.REPORTING, mover, f"Trường {n}") for n in range(1, SCHOOLS + 1)]
    schools += [unit(f"R{stamp}002{n:03d}", UnitKind.REPORTING, second, f"Trường ngoài {n}") for n in range(1, SCHOOLS + 1)]
    for school in schools:
        school.unit_types.add("don_vi_su_nghiep")
    create_missing_accounts(None, [province, *schools])
    Account.objects.filter(unit__in=[province, *schools]).update(must_change_password=False)
    today = timezone.localdate()
    period = periods.create_period(None, kind="KIEMKE", year=today.year, code=f"RACE{stamp}", name="Kỳ đo tranh chấp",
                                   deadline=today + timedelta(days=30))
    periods.open_period(None, period)
    reports = {s.code: Report.objects.get(unit=s, period=period, form_code="KK-OTO") for s in schools}
    admin = Account.objects.filter(unit=province).first()
    clerks = {s.code: Account.objects.get(unit=s) for s in schools}
    return period, (first, second, mover), reports, admin, clerks


def _client(account):
    client = Client()
    client.force_login(account, backend="baocao.accounts.backends.AccountBackend")
    return client


def main(seconds=25, savers=4):
    from baocao.reports.models import Report
    from baocao.rollup.verification import differences

    period, (first, second, mover), reports, admin, clerks = _setup()
    plates = itertools.count(1)
    lock = threading.Lock()
    outcome = {"moves": 0, "saves": 0, "busy": 0, "errors": 0}

    def note(key):
        with lock:
            outcome[key] += 1

    def save_loop(codes, until):
        clients = {code: _client(clerks[code]) for code in codes}
        try:
            for code in itertools.cycle(codes):
                if time.monotonic() > until:
                    return
                n = next(plates)
                version = Report.objects.values_list("version", flat=True).get(pk=reports[code].pk)
                response = clients[code].post(reverse("reports:record_add", args=[reports[code].pk]),
                                              {**CAR, "ma_tai_san": f"OTO-{n}", "bien_kiem_soat": f"29A-{n:03d}.{n % 100:02d}", "version": version})
                note("saves" if response.status_code == 302 else "busy" if response.status_code == 503 else "errors")
        finally:
            connections.close_all()

    def move_loop(until):
        client = _client(admin)
        url = reverse("reorg:operation", args=["chuyen"])
        try:
            parents = itertools.cycle([second, first])
            while time.monotonic() < until:
                data = {"unit": mover.code, "parent": next(parents).code, "decision_number": "1/QĐ", "decision_date": "01/07/2025",
                        "decision_issuer": "UBND tỉnh"}
                shown = client.post(url, {**data, "action": "preview"})
                if shown.status_code != 200:
                    note("busy" if shown.status_code == 503 else "errors")
                    continue
                fingerprint = re.search(r'name="previewed" value="([0-9a-f]+)"', shown.content.decode()).group(1)
                done = client.post(url, {**data, "action": "execute", "previewed": fingerprint})
                note("moves" if done.status_code == 302 else "busy" if done.status_code == 503 else "errors")
        finally:
            connections.close_all()

    codes = sorted(reports)
    groups = [codes[i::savers] for i in range(savers)]

    def run(with_moves):
        for key in outcome:
            outcome[key] = 0
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=save_loop, args=(group, until)) for group in groups]
        if with_moves:
            threads.append(threading.Thread(target=move_loop, args=(until,)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return dict(outcome)

    alone = run(False)
    raced = run(True)
    found = differences(period)
    rate = raced["saves"] / seconds
    print(f"{'race: saves beside moves':<38} {raced['saves']} saves, {raced['moves']} moves in {seconds} s; "
          f"{raced['busy']} answered 503, {raced['errors']} errors; differences: {len(found)}", flush=True)
    print(f"{'race: the same saves, no move':<38} {alone['saves']} saves in {seconds} s ({alone['busy']} answered 503); "
          f"saves/s ratio {alone['saves'] / max(raced['saves'], 1):.2f}× (without moves / with)", flush=True)
    return raced, found, rate

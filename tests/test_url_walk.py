"""Every URL pattern, walked with hostile input as every kind of account: no answer is a 500.

The list of URLs comes from Django's resolver, so a page added later is walked too. Each
path parameter gets a real value (a report, a record, a unit, a period… that exists) and
hostile ones (NUL, huge, malformed, out of range); each page gets GET with hostile query
parameters and POST with hostile form fields and a garbage upload; as an anonymous
visitor, a unit's entry account, a reviewer (tuphap) or receiver (kiemke), a province
administrator and the central administrator, in both regimes."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from baocao.accounts.models import AccountRequest
from baocao.parameters.models import Holiday
from baocao.reports import services
from baocao.reports.models import Report
from tests.helpers import open_period, owed_report

NUL = "a\x00b"
HUGE = "9" * 5000
MALFORMED = ["31/02/9999", "31/12/9999", "abc", "-1", "1e400", "99999999999999999999999999", "' OR 1=1 --", "%s%s%n", "\u0301\u200b", "0", "1"]
# Every key NUL, every key huge, and twice the malformed values spread over the keys.
HOSTILE = [NUL, HUGE, 0, 3]
QUERY_KEYS = [
    "q", "page", "ky", "sort", "status", "unit", "account", "action", "from", "to", "nam", "copy", "next", "bieu",
    "trang_thai", "group", "target", "kind", "role",
]
POST_KEYS = [
    "version", "reason", "explanation", "kind", "role", "target", "unit", "until", "deadline", "data_from", "data_to",
    "year", "name", "day", "form_code", "ids", "all_matching", "confirm", "decision", "comment", "q", "display_name",
    "roles", "username", "password", "old_password", "new_password1", "new_password2", "subtree", "back", "report",
    "status", "group", "next", "c|1|1", "c|R1|C1", "c|||", "c|", "n|x", "wn|x", "session_idle_minutes", "lockout_threshold",
]
# Path parameter values beyond the real one: by converter.
HOSTILE_PATH = {
    "int": ["0", "99999999999999999999999999", "2147483648"],
    "str": [NUL, "A" * 3000, "..", "%", "Đ"],
    "slug": ["x" * 300, "khong-co"],
    "path": [NUL, "A" * 3000],
}


def _garbage_xlsx():
    """A zip that looks like an .xlsx but whose XML is garbage."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types><<<garbage")
        book.writestr("xl/workbook.xml", "\x00\x01 not xml")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c>")
    return out.getvalue()


GARBAGE_XLSX = _garbage_xlsx()


def walk(patterns=None, prefix="", namespace=""):
    """(name, route, [(parameter, converter)]) of every URL pattern."""
    import re

    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + route, ns)
        elif isinstance(entry, URLPattern):
            full = prefix + route
            params = re.findall(r"<(?:(\w+):)?(\w+)>", full)
            yield f"{namespace}{entry.name}", full, [(name, conv or "str") for conv, name in params]


def build(route, values):
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route).lstrip("^").rstrip("$")


@pytest.fixture
def world(settings, tree, make_account, request):
    """A regime with forms, an open period, a grid and a list report with a record, a
    revision, a holiday, an account request; and one account per kind of role."""
    from baocao.formdefs.services import load_regime_forms
    from baocao.units.models import UnitType

    regime = request.param
    settings.BAOCAO_REGIME = regime
    load_regime_forms(regime)
    accounts = {"anonymous": None}
    if regime == "tuphap":
        for code in ("so_tu_phap", "to_chuc_hanh_nghe_cong_chung"):
            UnitType.objects.get_or_create(code=code, defaults={"name": code})
        tree["T02003002"].unit_types.add("to_chuc_hanh_nghe_cong_chung")
        period = open_period("NAM_CT", 2025)
        grid = owed_report(tree["T02003002"], period, "12a/BTP/BTTP/CC")
        listed = None
        accounts["entry"] = make_account("T02003002", "entry")
        accounts["reviewer"] = make_account("T02003002", "reviewer")
    else:
        UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "x"})
        tree["T02003002"].unit_types.add("don_vi_su_nghiep")
        period = open_period("KIEMKE", 2026, code="KK2026", name="Tổng kiểm kê")
        listed = owed_report(tree["T02003002"], period, "KK-OTO")
        grid = owed_report(tree["T02003002"], period, "KK-TH")
        accounts["entry"] = make_account("T02003002", "entry")
        accounts["reviewer"] = make_account("T02003", "receiver")
    accounts["province_admin"] = make_account("T02", "admin")
    accounts["central_admin"] = make_account("BTC", "central_admin")
    entry = accounts["entry"]
    if listed is not None:
        from tests.reports.test_entry import CAR

        services.save_record(entry, listed, CAR, expected_version=listed.version)
    holiday = Holiday.objects.create(day="2025-09-02", name="Quốc khánh")
    target = make_account("T02003002", "entry")
    account_request = AccountRequest.objects.create(unit=tree["T02003002"], kind="revoke", target=target, reason="x", requested_by=entry)
    report = listed or grid
    real = {
        "pk": str(report.pk), "position": "1", "number": "1", "code": "T02003002", "report_pk": str(grid.pk),
        "action": "open", "id": "1",
    }
    per_name = {
        "periods:": {"pk": str(period.pk)},
        "parameters:holiday_remove": {"pk": str(holiday.pk)},
        "accounts:request_decide": {"pk": str(account_request.pk)},
        "accounts:user": {"pk": str(target.pk)},
    }
    return {"accounts": accounts, "real": real, "per_name": per_name, "grid": grid, "listed": listed}


def _values_for(world, name, params):
    values = dict(world["real"])
    for key, override in world["per_name"].items():
        if name.startswith(key):
            values.update(override)
    return {p: values.get(p, "1") for p, _conv in params}


def _mixed(keys, value):
    """One value for every key, or (value an int) the malformed values in turn."""
    if isinstance(value, int):
        return {key: MALFORMED[(i + value) % len(MALFORMED)] for i, key in enumerate(keys)}
    return {key: value for key in keys}


def _query(value):
    return _mixed(QUERY_KEYS, value)


def _post(value):
    data = _mixed(POST_KEYS, value)
    data["file"] = SimpleUploadedFile("b\x00d.xlsx", GARBAGE_XLSX, content_type="application/octet-stream")
    return data


SKIP = {"accounts:logout", "set_language"}


@pytest.mark.parametrize("world", ["kiemke", "tuphap"], indirect=True)
def test_no_url_answers_500_to_hostile_input(world, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    patterns = [(n, r, p) for n, r, p in walk() if n not in SKIP and not r.startswith("static")]
    assert len(patterns) > 30
    failures = []
    for role, account in world["accounts"].items():
        client = Client(raise_request_exception=True)
        if account is not None:
            client.force_login(account, backend="baocao.accounts.backends.AccountBackend")

        def hit(method, url, **kwargs):
            try:
                response = getattr(client, method)(url, **kwargs)
            except Exception as error:  # noqa: BLE001 - every exception is a finding
                failures.append(f"{role} {method.upper()} {url[:120]!r} {kwargs.get('data', {}) and 'hostile'}: {type(error).__name__}: {str(error)[:200]}")
                return
            if response.status_code >= 500:
                failures.append(f"{role} {method.upper()} {url[:120]!r}: {response.status_code}")

        for name, route, params in patterns:
            real = _values_for(world, name, params)
            url = build(route, real)
            hit("get", url)
            for value in HOSTILE:
                hit("get", url, data=_query(value))
                hit("post", url, data=_post(value))
            for param, conv in params:
                for bad in HOSTILE_PATH.get(conv, HOSTILE_PATH["str"]):
                    hostile = build(route, {**real, param: bad.replace("%", "%25").replace("\x00", "%00")})
                    hit("get", hostile)
                    hit("post", hostile, data=_post(NUL))
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures[:80])

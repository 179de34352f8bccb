import pytest

from baocao.accounts.models import Account
from baocao.units.models import Unit, UnitKind

from baocao.formdefs.services import load_regime_forms
from baocao.units.models import UnitType

from .factories import PASSWORD, AccountFactory
from .helpers import open_period, owed_report


@pytest.fixture
def tree(db):
    """A small tree: root, two provinces, a department with two schools, a ministry.

    root ─┬─ T02 (governing) ─┬─ T02003 (aggregating) ─┬─ T02003002 (reporting)
          │                   │                        └─ T02003001 (reporting)
          │                   └─ T02001 (reporting)
          ├─ T01 (governing) ── T01017 (reporting)
          └─ 046 (governing) ── 046001 (reporting)
    """
    units = {}

    def add(code, kind, parent=None, name=None):
        units[code] = Unit.objects.create(code=code, name=name or f"Đơn vị {code}", kind=kind, parent=units.get(parent))

    add("BTC", UnitKind.ROOT, name="Bộ Tài chính")
    add("T02", UnitKind.GOVERNING, "BTC", "Ủy ban nhân dân tỉnh Hà Giang")
    add("T02003", UnitKind.AGGREGATING, "T02", "Sở Giáo dục và Đào tạo")
    add("T02003002", UnitKind.REPORTING, "T02003", "Trường THPT Trần Phú")
    add("T02003001", UnitKind.REPORTING, "T02003", "Trường THPT Chuyên")
    add("T02001", UnitKind.REPORTING, "T02", "Sở Tài chính")
    add("T01", UnitKind.GOVERNING, "BTC", "Ủy ban nhân dân thành phố Hà Nội")
    add("T01017", UnitKind.REPORTING, "T01", "Sở Y tế")
    add("046", UnitKind.GOVERNING, "BTC", "Bộ Y tế")
    add("046001", UnitKind.REPORTING, "046", "Văn phòng Bộ Y tế")
    return units


@pytest.fixture
def make_account(tree):
    """make_account("T02", "admin") -> an account of that unit with those roles, password PASSWORD."""

    def make(unit_code, *roles, **fields):
        return AccountFactory(unit=tree[unit_code], roles=roles or ("entry",), **fields)

    return make


@pytest.fixture
def login(client):
    def do(account):
        client.force_login(account, backend="baocao.accounts.backends.AccountBackend")
        return client

    return do


@pytest.fixture
def password():
    return PASSWORD


def accounts_named(*usernames):
    return Account.objects.filter(username__in=usernames)


@pytest.fixture(autouse=True)
def rollups_stay_exact(request):
    """After every test that touched the database: the stored roll-ups equal what plain SQL
    recomputes from the reports (docs/adr/0005)."""
    uses_db = {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames) or request.node.get_closest_marker("django_db")
    if uses_db:
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        request.getfixturevalue("settings")  # torn down after this check: the test's regime still holds
    yield
    if uses_db:
        from baocao.rollup.verification import differences

        found = differences()
        assert not found, "\n".join(str(d) for d in found[:20])


# --- regimes with an open period (used across tests/reports, tests/rollup, …) ---


@pytest.fixture
def tuphap(settings, tree):
    """The justice regime's forms, an open annual period, T02003 as a Sở Tư pháp with two
    notary practices below it (T02003001, T02003002)."""
    settings.BAOCAO_REGIME = "tuphap"
    load_regime_forms("tuphap")
    for code in ("so_tu_phap", "to_chuc_hanh_nghe_cong_chung"):
        UnitType.objects.get_or_create(code=code, defaults={"name": code})
    tree["T02003"].unit_types.add("so_tu_phap")
    tree["T02003002"].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    tree["T02003001"].unit_types.add("to_chuc_hanh_nghe_cong_chung")
    return open_period("NAM_CT", 2025)


@pytest.fixture
def kiemke(tree):
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    return open_period("KIEMKE", 2026, code="KK2026", name="Tổng kiểm kê 0h 01/01/2026")


@pytest.fixture
def notary_report(tuphap, tree):
    return owed_report(tree["T02003002"], tuphap, "12a/BTP/BTTP/CC")

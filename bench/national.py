"""Synthetic national data for benchmarks: a unit tree shaped like the 2025 inventory
(63 provinces and 30 ministries, departments under each, units under those) and
accounts following the regime's scheme. Built with bulk inserts, not the import path,
so generating 100,000 accounts takes seconds."""
from django.contrib.auth.hashers import make_password

from baocao import regimes
from baocao.access.models import RoleGrant
from baocao.accounts import grants
from baocao.accounts.models import Account, search_text_for
from baocao.units.models import Unit, UnitKind

ROOT = "BTC"


def build_tree(units_wanted, *, governing=93, departments=10):
    """Root + `governing` ministries/provinces + `departments` aggregating units each + reporting
    units spread under them, `units_wanted` units in all. Returns the reporting units' count."""
    root = Unit.objects.create(code=ROOT, name="Bộ Tài chính", kind=UnitKind.ROOT)
    tops = [
        Unit(code=f"T{g:02d}" if g < 63 else f"{g:03d}", name=f"Ủy ban nhân dân tỉnh số {g}" if g < 63 else f"Bộ số {g}",
             kind=UnitKind.GOVERNING, parent=root)
        for g in range(governing)
    ]
    insert_units(tops)
    middle = [Unit(code=f"{top.code}{d:03d}", name=f"Sở số {d} – {top.name}", kind=UnitKind.AGGREGATING, parent=top)
              for top in tops for d in range(1, departments + 1)]
    insert_units(middle)
    remaining = units_wanted - 1 - len(tops) - len(middle)
    leaves = []
    for i in range(remaining):
        parent = middle[i % len(middle)]
        leaves.append(Unit(code=f"{parent.code}{i // len(middle) + 1:03d}",
                           name=f"Trường THPT số {i} Đắk Lắk – Đơn vị thực hiện kiểm kê", kind=UnitKind.REPORTING, parent=parent))
    insert_units(leaves)
    return len(leaves)


def insert_units(units):
    """Bulk-insert units whose parents are saved, filling their path, depth and search text."""
    for unit in units:
        unit.search_text = Unit.search_text_for(unit.code, unit.name)
        unit.path = Unit.path_for(unit.parent, unit.code)
        unit.depth = unit.path.count("/") - 2
    Unit.objects.bulk_create(units, batch_size=2000)


def build_accounts(units):
    """One account per unit, named by the unit's code, with the same default-password hash
    and the roles the current regime's account template for the unit's kind gives (kiemke:
    exactly what create_missing_accounts makes), its grants inserted in bulk."""
    regime = regimes.current()
    password = make_password("kkts@123")
    accounts, templates = [], []
    for unit in units:
        template = next(iter(regime.account_templates(unit.kind)), None)
        account = Account(username=unit.code, display_name=unit.name, unit=unit, user_group=template.group if template else "",
                          password=password)
        account.search_text = search_text_for(account, unit)
        accounts.append(account)
        templates.append(template)
    created = Account.objects.bulk_create(accounts, batch_size=2000)
    RoleGrant.objects.bulk_create(
        [g for account, template in zip(created, templates) if template for g in grants.planned_grants(account, template.roles, template)],
        batch_size=2000,
    )
    return len(created)


def give_unit_types(by_kind):
    """Tag every unit of each kind in `by_kind` ({kind: unit type code}) with that type, in
    bulk (the many-to-many rows), skipping units that have it already. Returns the rows added."""
    through = Unit.unit_types.through
    added = 0
    for kind, type_code in by_kind.items():
        tagged = through.objects.filter(unittype_id=type_code).values("unit_id")
        ids = Unit.objects.filter(kind=kind).exclude(pk__in=tagged).values_list("pk", flat=True)
        rows = [through(unit_id=pk, unittype_id=type_code) for pk in ids.iterator(chunk_size=5000)]
        through.objects.bulk_create(rows, batch_size=5000)
        added += len(rows)
    return added

"""Reporting regimes: everything regime-specific is data in a package here.

The platform code asks `current()` for the regime of this deployment and
never names a form, a ministry or a password itself.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REGIMES_DIR = Path(__file__).resolve().parent
ROLES = ("entry", "reviewer", "approver", "admin", "central_admin")


@dataclass(frozen=True)
class AccountTemplate:
    """One account every unit of some kind gets: `{code}` or `{code}_bc`, its roles and group."""

    username: str
    roles: tuple
    group: str
    display_name: str = "{name}"

    def username_for(self, unit):
        return self.username.format(code=unit.code)

    def display_name_for(self, unit):
        return self.display_name.format(code=unit.code, name=unit.name)


@dataclass(frozen=True)
class Regime:
    key: str
    title: str
    short_title: str
    default_password: str
    menu_labels: dict
    role_labels: dict
    unit_types: dict
    accounts_by_kind: dict = field(default_factory=dict)
    # Defaults of the support parameters: account_admin_unit, business_support_name, …
    support: dict = field(default_factory=dict)

    def account_templates(self, kind):
        return self.accounts_by_kind.get(kind, ())


def load(key):
    path = REGIMES_DIR / key / "regime.yaml"
    if not path.exists():
        raise ImproperlyConfigured(f"Unknown regime {key!r}: {path} does not exist.")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    accounts = {}
    for kind, templates in (data.get("accounts") or {}).items():
        parsed = []
        for t in templates:
            roles = tuple(t["roles"])
            unknown = set(roles) - set(ROLES)
            if unknown:
                raise ImproperlyConfigured(f"{path}: unknown roles {sorted(unknown)} for kind {kind!r}.")
            parsed.append(AccountTemplate(t["username"], roles, t["group"], t.get("display_name", "{name}")))
        accounts[kind] = tuple(parsed)
    return Regime(
        key=key,
        title=data["title"],
        short_title=data.get("short_title", data["title"]),
        default_password=str(data["default_password"]),
        menu_labels=data.get("menu_labels", {}),
        role_labels=data.get("role_labels", {}),
        unit_types=data.get("unit_types", {}),
        accounts_by_kind=accounts,
        support={k: str(v) for k, v in (data.get("support") or {}).items()},
    )


@lru_cache(maxsize=None)
def _cached(key):
    return load(key)


def current():
    """The regime this deployment runs, from settings.BAOCAO_REGIME."""
    return _cached(settings.BAOCAO_REGIME)

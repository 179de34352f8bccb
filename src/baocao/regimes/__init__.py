"""Reporting regimes: everything regime-specific is data in a package here.

The platform code asks `current()` for the regime of this deployment and never names a
form, a ministry, a role or a password itself. `regime.yaml` declares the roles and what
they may do, the accounts each kind of unit gets, the workflow of a report and the
period types; `load` checks it all and refuses a file with any problem, listing each.
"""
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

REGIMES_DIR = Path(__file__).resolve().parent
REACHES = ("unit", "subtree")
RELATIONS = ("own", "below")
STAGES = ("not_started", "editing", "submitted", "final")
UNIT_KINDS = ("root", "governing", "aggregating", "reporting")


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    reach: str  # the reach of a grant of this role unless an account template says otherwise
    permissions: frozenset


@dataclass(frozen=True)
class AccountTemplate:
    """One account every unit of some kind gets: `{code}` or `{code}_bc`, its roles and group."""

    username: str
    roles: tuple
    group: str
    display_name: str = "{name}"
    reach: str = ""  # overrides every role's default reach when set

    def username_for(self, unit):
        return self.username.format(code=unit.code)

    def display_name_for(self, unit):
        return self.display_name.format(code=unit.code, name=unit.name)


@dataclass(frozen=True)
class State:
    code: str
    label: str
    stage: str

    @property
    def editable(self):
        return self.stage in ("not_started", "editing")


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    sources: tuple
    target: str
    permission: str
    relation: str
    reason_required: bool = False
    validate: bool = False  # error rules block it, warnings need a note
    snapshot: bool = False  # freezes a revision of the content
    counts_as_submitted: bool = False  # its time is what the deadline is measured against
    within_deadline: bool = False  # needs the entry window (period open, deadline or extension)
    style: str = "primary"
    confirm: str = ""


@dataclass(frozen=True)
class Workflow:
    states: dict  # code -> State, in order
    transitions: dict  # code -> Transition, in order
    initial: str
    started: str
    edit_permission: str
    edit_relation: str

    def state(self, code):
        return self.states[code]

    def out_of(self, state_code):
        return [t for t in self.transitions.values() if state_code in t.sources]

    def codes_in_stage(self, *stages):
        return [s.code for s in self.states.values() if s.stage in stages]

    @property
    def editable_states(self):
        return [s.code for s in self.states.values() if s.editable]


@dataclass(frozen=True)
class PeriodType:
    """A kind of reporting period: its name pattern, data range and default deadline,
    as days of the year ("01/01", "31/05"); `deadline_next_year` for the year after."""

    code: str
    label: str
    name: str  # "Kỳ báo cáo năm chính thức {year}"
    data_from: str
    data_to: str
    deadline: str
    deadline_next_year: bool = False
    moment: bool = False  # one moment in time (an inventory), not a range

    def dates_for(self, year):
        """(data_from, data_to, deadline) of this type's period of `year`."""
        def day(text, in_year):
            d, m = (int(x) for x in text.split("/"))
            return date(in_year, m, d)

        return day(self.data_from, year), day(self.data_to, year), day(self.deadline, year + (1 if self.deadline_next_year else 0))

    def name_for(self, year):
        return self.name.format(year=year)


@dataclass(frozen=True)
class Regime:
    key: str
    title: str
    short_title: str
    default_password: str
    menu_labels: dict
    roles: dict  # code -> Role
    unit_types: dict
    accounts_by_kind: dict = field(default_factory=dict)
    workflow: Workflow = None
    period_types: dict = field(default_factory=dict)  # code -> PeriodType
    filing_kinds: tuple = ("aggregating", "reporting")  # unit kinds that owe reports
    # Defaults of the support parameters: account_admin_unit, business_support_name, …
    support: dict = field(default_factory=dict)
    # What users call each unit kind in this regime ({kind: label}); the platform's own
    # labels for the kinds it does not name.
    kind_labels: dict = field(default_factory=dict)
    # The grammar of unit codes, if the regime has one: {pattern, segment, message}
    # (units.codes); a unit's parent is then its code minus the last `segment` characters.
    unit_code: dict = field(default_factory=dict)
    # Forms a reporting unit declares it holds before entering (units owe only those).
    declarable_forms: tuple = ()
    # Roles whose accounts always sign in with a second factor, whatever the parameters say
    # (docs/adr/0015); none by default: the central administrator decides per role.
    two_factor_roles: tuple = ()
    # How many active accounts a unit may hold for one role: the scheme's one by default
    # ("mặc định"), more by request for new users ("cấp mới": {code}_bc2, …).
    accounts_per_role: int = 3
    # Kinds of report the official lists count but no available source names ([U]): shown,
    # never owed, with why (the declaration page).
    unidentified_forms: tuple = ()

    def account_templates(self, kind):
        return self.accounts_by_kind.get(kind, ())

    @property
    def role_labels(self):
        return {code: role.label for code, role in self.roles.items()}

    def grants_for(self, template):
        """[(role, reach)] an account made from `template` holds at its unit."""
        return [(role, template.reach or self.roles[role].reach) for role in template.roles]


class _Problems(list):
    def need(self, condition, message):
        if not condition:
            self.append(message)
        return condition


_DAY = re.compile(r"^\d{2}/\d{2}$")


def _roles(data, problems):
    roles = {}
    for code, spec in (data.get("roles") or {}).items():
        spec = spec or {}
        reach = spec.get("reach", "unit")
        problems.need(reach in REACHES, f"roles.{code}: reach must be one of {REACHES}, not {reach!r}")
        problems.need(spec.get("label"), f"roles.{code}: a label is required")
        roles[code] = Role(code, str(spec.get("label", code)), reach, frozenset(spec.get("may") or ()))
    problems.need(roles, "roles: the regime declares no role")
    return roles


def _accounts(data, roles, problems):
    accounts = {}
    for kind, templates in (data.get("accounts") or {}).items():
        problems.need(kind in UNIT_KINDS, f"accounts.{kind}: unknown unit kind")
        parsed = []
        for t in templates:
            unknown = set(t["roles"]) - set(roles)
            problems.need(not unknown, f"accounts.{kind}: unknown roles {sorted(unknown)}")
            reach = t.get("reach", "")
            problems.need(reach in ("",) + REACHES, f"accounts.{kind}: reach must be one of {REACHES}")
            parsed.append(AccountTemplate(t["username"], tuple(t["roles"]), t["group"], t.get("display_name", "{name}"), reach))
        accounts[kind] = tuple(parsed)
    return accounts


def _workflow(data, roles, problems):
    spec = data.get("workflow")
    if not problems.need(spec, "workflow: missing"):
        return None
    states = {}
    for code, s in (spec.get("states") or {}).items():
        problems.need(s.get("stage") in STAGES, f"workflow.states.{code}: stage must be one of {STAGES}")
        states[code] = State(code, str(s.get("label", code)), s.get("stage"))
    granted = set().union(*(r.permissions for r in roles.values())) if roles else set()
    transitions = {}
    for code, t in (spec.get("transitions") or {}).items():
        sources = tuple(t.get("from") or ())
        for state in sources + (t.get("to"),):
            problems.need(state in states, f"workflow.transitions.{code}: unknown state {state!r}")
        problems.need(t.get("relation") in RELATIONS, f"workflow.transitions.{code}: relation must be one of {RELATIONS}")
        problems.need(t.get("permission") in granted, f"workflow.transitions.{code}: no role carries permission {t.get('permission')!r}")
        transitions[code] = Transition(
            code=code, label=str(t.get("label", code)), sources=sources, target=t.get("to"), permission=t.get("permission"),
            relation=t.get("relation"), reason_required=bool(t.get("reason_required")), validate=bool(t.get("validate")),
            snapshot=bool(t.get("snapshot")), counts_as_submitted=bool(t.get("counts_as_submitted")),
            within_deadline=bool(t.get("within_deadline")), style=t.get("style", "primary"), confirm=str(t.get("confirm", "")),
        )
    initial, started = spec.get("initial"), spec.get("started")
    problems.need(initial in states and states[initial].stage == "not_started", "workflow.initial: must name a state of stage not_started")
    problems.need(started in states and states[started].stage == "editing", "workflow.started: must name a state of stage editing")
    reached = {initial, started} | {t.target for t in transitions.values()}
    for code in states:
        problems.need(code in reached, f"workflow.states.{code}: no transition leads to it")
    problems.need(any(s.stage == "final" for s in states.values()), "workflow: no state of stage final")
    edit = spec.get("edit") or {}
    problems.need(edit.get("permission") in granted, "workflow.edit: no role carries its permission")
    problems.need(edit.get("relation") in RELATIONS, f"workflow.edit: relation must be one of {RELATIONS}")
    return Workflow(states, transitions, initial, started, edit.get("permission"), edit.get("relation"))


def _period_types(data, problems):
    types = {}
    for code, t in (data.get("period_types") or {}).items():
        for key in ("data_from", "data_to", "deadline"):
            problems.need(_DAY.match(str(t.get(key, ""))), f"period_types.{code}.{key}: write the day as dd/mm")
        problems.need("{year}" in str(t.get("name", "")), f"period_types.{code}.name: must contain {{year}}")
        types[code] = PeriodType(
            code=code, label=str(t.get("label", code)), name=str(t.get("name", "")), data_from=str(t.get("data_from", "")),
            data_to=str(t.get("data_to", "")), deadline=str(t.get("deadline", "")),
            deadline_next_year=bool(t.get("deadline_next_year")), moment=bool(t.get("moment")),
        )
        if not problems:
            try:
                types[code].dates_for(2000)
            except ValueError:
                problems.append(f"period_types.{code}: a day does not exist")
    problems.need(types, "period_types: the regime declares none")
    return types


def _kind_labels(data, problems):
    labels = {str(k): str(v) for k, v in (data.get("unit_kinds") or {}).items()}
    for kind in labels:
        problems.need(kind in UNIT_KINDS, f"unit_kinds.{kind}: unknown unit kind")
    return labels


def _unit_code(data, problems):
    spec = data.get("unit_code") or {}
    if not spec:
        return {}
    try:
        re.compile(str(spec.get("pattern", "")))
    except re.error as error:
        problems.append(f"unit_code.pattern: {error}")
    problems.need(spec.get("pattern"), "unit_code.pattern: missing")
    problems.need(isinstance(spec.get("segment"), int) and spec["segment"] > 0, "unit_code.segment: a positive number of characters")
    problems.need(spec.get("message"), "unit_code.message: the message a user reads for a bad code")
    return {"pattern": str(spec.get("pattern", "")), "segment": int(spec.get("segment") or 0), "message": str(spec.get("message", ""))}


def _two_factor_roles(data, roles, problems):
    listed = tuple(data.get("two_factor_roles") or ())
    unknown = sorted(set(listed) - set(roles))
    problems.need(not unknown, f"two_factor_roles: unknown roles {unknown}")
    return listed


def _accounts_per_role(data, problems):
    value = data.get("accounts_per_role", 3)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 20:
        problems.append(f"accounts_per_role: a whole number from 1 to 20, not {value!r}")
        return 3
    return value


def load(key):
    path = REGIMES_DIR / key / "regime.yaml"
    if not path.exists():
        raise ImproperlyConfigured(f"Unknown regime {key!r}: {path} does not exist.")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = _Problems()
    roles = _roles(data, problems)
    regime = Regime(
        key=key,
        title=data["title"],
        short_title=data.get("short_title", data["title"]),
        default_password=str(data["default_password"]),
        menu_labels=data.get("menu_labels", {}),
        roles=roles,
        unit_types=data.get("unit_types", {}),
        accounts_by_kind=_accounts(data, roles, problems),
        workflow=_workflow(data, roles, problems),
        period_types=_period_types(data, problems),
        filing_kinds=tuple(data.get("filing_kinds") or ("aggregating", "reporting")),
        support={k: str(v) for k, v in (data.get("support") or {}).items()},
        kind_labels=_kind_labels(data, problems),
        unit_code=_unit_code(data, problems),
        declarable_forms=tuple(data.get("declarable_forms") or ()),
        two_factor_roles=_two_factor_roles(data, roles, problems),
        accounts_per_role=_accounts_per_role(data, problems),
        unidentified_forms=tuple(str(t) for t in data.get("unidentified_forms") or ()),
    )
    if problems:
        raise ImproperlyConfigured(f"{path}:\n" + "\n".join(f"- {p}" for p in problems))
    return regime


@lru_cache(maxsize=None)
def _cached(key):
    return load(key)


def current():
    """The regime this deployment runs, from settings.BAOCAO_REGIME."""
    return _cached(settings.BAOCAO_REGIME)

"""Reorganisation operations as an administrator takes them (docs/adr/0007): the tree
module's operations, plus the accounts of the units they create (by the regime's scheme),
each with an exact preview: the same operation run in a transaction that is rolled back.
Also the Excel list of operations for national waves of mergers (all or nothing)."""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.dbtext import iexact
from baocao.reports.models import PeriodStatus, Report
from baocao.units import tree
from baocao.units.models import Unit

from . import transfers


@dataclass
class Outcome:
    """What an operation did (or, in a preview, would do)."""

    change: dict = field(default_factory=dict)  # tree.Change as JSON: created, moved, retired, renamed, lineage
    accounts_created: list = field(default_factory=list)  # usernames
    accounts_deactivated: list = field(default_factory=list)  # usernames
    reports_exempted: int = 0  # not started, of retired units, in open periods
    reports_kept: int = 0  # entered or sent by retired units: wait for a transfer
    reports_waiting: list = field(default_factory=list)  # [(unit, form, period, state)] of those, the first 200
    units_affected: int = 0  # units whose path changed (moved subtrees)
    log_id: int | None = None  # the Reorganisation entry (None in a preview: rolled back)


class _Rollback(Exception):
    pass


def _affected(change):
    return {code for key in ("created", "retired") for code in change.get(key, [])} | {m[0] for m in change.get("moved", [])}


def run(actor, operation, *, preview=False, request=None, **arguments):
    """Run `operation` ("create", "rename", "move", "merge", "split", "retire") with the
    tree module's arguments; accounts for every unit it creates. preview=True: everything
    is done and measured, then rolled back."""
    function = {"create": tree.create, "rename": tree.rename, "move": tree.move, "merge": tree.merge,
                "split": tree.split, "retire": tree.retire}[operation]
    outcome = Outcome()
    started = timezone.now()
    result = None
    try:
        with transaction.atomic():
            result, log = function(actor, request=request, **arguments)
            outcome.change = log.details
            _account_for(outcome, actor, started, request)
            if preview:
                raise _Rollback
            outcome.log_id = log.pk
    except _Rollback:
        pass
    return (None if preview else result), outcome


def _account_for(outcome, actor, started, request):
    """Give the units `outcome.change` created their accounts, and count what their retirement did."""
    created = Unit.objects.filter(code__in=outcome.change.get("created", []))
    outcome.accounts_created = [a.username for a in create_missing_accounts(actor, created, request=request)]
    retired = outcome.change.get("retired", [])
    outcome.accounts_deactivated = sorted(Account.objects.filter(unit__code__in=retired, is_active=False, revoked_at__gte=started)
                                          .values_list("username", flat=True))
    open_reports = Report.objects.filter(unit__code__in=retired, period__status=PeriodStatus.OPEN)
    outcome.reports_exempted = open_reports.filter(exempt=True).count()
    outcome.reports_kept = open_reports.filter(exempt=False).count()
    waiting = transfers.waiting_reports(Report.objects.filter(unit__code__in=retired))
    outcome.reports_waiting = [(r.unit.label, r.form_code, r.period.name, r.get_status_display()) for r in waiting[:200]]
    outcome.units_affected = sum(m[3] for m in outcome.change.get("moved", []))


def run_wave(actor, merges, *, decision=tree.NO_DECISION, note="", preview=False, request=None):
    """A wave of mergers into new units (tree.merge_wave: set-based) with the accounts of
    every new unit created at once (one password hash for the wave). Returns
    ([(target, log)], Outcome of the whole wave); preview=True rolls everything back."""
    outcome = Outcome()
    started = timezone.now()
    result = []
    try:
        with transaction.atomic():
            result = tree.merge_wave(actor, merges, decision=decision, note=note, request=request)
            logs = [log for _target, log in result]
            for key in ("created", "retired", "moved", "lineage"):
                values = [v for log in logs for v in log.details.get(key, [])]
                if values:
                    outcome.change[key] = values
            _account_for(outcome, actor, started, request)
            if preview:
                raise _Rollback
            outcome.log_id = logs[0].pk if logs else None
    except _Rollback:
        result = []
    return result, outcome


# --- the Excel list of a wave of mergers ----------------------------------------------------

COLUMNS = (
    ("operation", "Thao tác"), ("old_codes", "Mã đơn vị cũ"), ("new_code", "Mã đơn vị mới"), ("new_name", "Tên đơn vị mới"),
    ("parent_code", "Mã đơn vị cấp trên"), ("decision_number", "Số quyết định"), ("decision_date", "Ngày quyết định"),
    ("decision_issuer", "Cơ quan ban hành"),
)
OPERATION_WORDS = {"hop nhat": "merge", "sap nhap": "merge", "merge": "merge", "chuyen": "move", "move": "move",
                   "doi ten": "rename", "rename": "rename", "giai the": "retire", "retire": "retire",
                   "thanh lap": "create", "create": "create"}


@dataclass(frozen=True)
class ListProblem:
    row: int
    message: str

    def __str__(self):
        return _("Dòng %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class ListRefused(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def apply_list(actor, rows, *, preview=False, request=None):
    """Apply a list of operations ({row, operation, old_codes, new_code, …} each) in one
    transaction: every row is tried; any problem (listed by row, all of them) undoes
    everything. preview=True undoes it anyway, returning what would have happened."""
    from datetime import datetime

    from baocao.units.text import fold

    problems, outcomes = [], []
    try:
        with transaction.atomic():
            for row in rows:
                number = row.get("row", 0)
                operation = OPERATION_WORDS.get(fold(row.get("operation", "")))
                if operation is None:
                    problems.append(ListProblem(number, _("Thao tác “%(op)s” không hợp lệ; dùng: Hợp nhất, Chuyển, Đổi tên, Giải thể, Thành lập.") % {"op": row.get("operation", "")}))
                    continue
                try:
                    date = datetime.strptime(row["decision_date"], "%d/%m/%Y").date() if row.get("decision_date") else None
                except ValueError:
                    problems.append(ListProblem(number, _("Ngày quyết định phải theo dạng dd/mm/yyyy.")))
                    continue
                decision = tree.Decision(row.get("decision_number", ""), date, row.get("decision_issuer", ""))
                try:
                    with transaction.atomic():
                        _result, outcome = run(actor, operation, request=request, decision=decision, **_arguments(operation, row))
                except (ValidationError, Unit.DoesNotExist, KeyError) as error:
                    messages = error.messages if isinstance(error, ValidationError) else [str(error.args[0]) if error.args else str(error)]
                    problems += [ListProblem(number, m) for m in messages]
                    continue
                except Exception as error:  # a refusal of scope names the unit
                    if getattr(error, "reason", None):
                        problems.append(ListProblem(number, error.reason))
                        continue
                    raise
                outcomes.append((number, outcome))
            if problems or preview:
                raise _Rollback
    except _Rollback:
        pass
    if problems:
        raise ListRefused(problems)
    return outcomes


def _unit(code):
    unit = Unit.objects.filter(iexact("code", (code or "").strip())).first()
    if unit is None:
        raise ValidationError(_("Không có đơn vị mã “%(code)s”.") % {"code": (code or "").strip()[:40]})
    return unit


def _arguments(operation, row):
    old = [c.strip() for c in row.get("old_codes", "").replace(";", ",").split(",") if c.strip()]
    if operation == "merge":
        sources = [_unit(c) for c in old]
        existing = Unit.objects.filter(iexact("code", row.get("new_code", "").strip())).first()
        if existing is not None:
            return {"sources": sources, "into": existing}
        if not row.get("new_name"):
            raise ValidationError(_("Cần tên đơn vị mới cho mã %(code)s.") % {"code": row.get("new_code", "")})
        # The list has no column for unit types: the new unit takes its predecessors' (so it owes what they owed).
        types = sorted({code for s in sources for code in s.unit_types.values_list("code", flat=True)})
        return {"sources": sources, "new": {"code": row.get("new_code", ""), "name": row["new_name"], "parent": _unit(row.get("parent_code")),
                                            "unit_types": types}}
    if operation == "move":
        return {"unit": _unit(old[0] if old else ""), "parent": _unit(row.get("parent_code"))}
    if operation == "rename":
        return {"unit": _unit(old[0] if old else ""), "name": row.get("new_name", "")}
    if operation == "retire":
        return {"unit": _unit(old[0] if old else ""), "successors": [_unit(row["new_code"])] if row.get("new_code") else []}
    return {"code": row.get("new_code", ""), "name": row.get("new_name", ""), "kind": row.get("kind") or "reporting",
            "parent": _unit(row.get("parent_code"))}

"""The review-and-approve workflow of a report, defined by the regime (docs/adr/0004).

- `edit_decision(actor, report)`: may this person change the report's content now, and why not;
- `allowed_actions(actor, report)`: every transition out of the report's state, each with
  whether this person may take it now and, if not, why (shown as a disabled button);
- `transition(actor, report, code, …)`: take one, atomically, under the report's row lock,
  writing the new state, a ReportEvent and the audit event in one transaction; a
  submission freezes a Revision first.

Refusals: a missing permission raises access.Refused (403, audited); anything else about
the report (its state, the period, the deadline, its rules, a colleague who acted first)
raises TransitionRefused with a Vietnamese message.
"""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes, textbounds
from baocao.access import policy
from baocao.audit.services import record

from baocao.units import tree

from . import ledger, period_rules, revisions
from .models import Report, ReportEvent


class TransitionRefused(ValidationError):
    """The transition cannot happen now; nothing changed."""


class Conflict(TransitionRefused):
    """Someone acted on the report first; the page showed an older state."""


@dataclass
class Readiness:
    """What stands between a report and its submission: errors block it, warnings each need
    a note ({key: message})."""

    errors: list = field(default_factory=list)
    warnings: dict = field(default_factory=dict)

    def unexplained(self, notes):
        return {key: message for key, message in self.warnings.items() if not (notes or {}).get(key, "").strip()}


@dataclass(frozen=True)
class ActionOption:
    transition: object  # regimes.Transition
    allowed: bool
    reason: str = ""


def workflow():
    return regimes.current().workflow


def _fmt(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _window_problem(report, now, *, entry):
    """Why the period does not allow this now ("" if it does). `entry`: editing or sending,
    which need the unit's deadline; reviews may finish after it while the period is open
    (their time is what counts, and is marked late), and even once it is closed."""
    problem = period_rules.refusal(report.period, period_rules.Change.ENTRY if entry else period_rules.Change.REVIEW)
    if problem:
        return problem
    if entry and now > report.due_at:
        return _("Đã hết hạn báo cáo (%(d)s). Đề nghị đơn vị cấp trên gia hạn.") % {"d": _fmt(report.due_at)}
    return ""


def edit_decision(actor, report, *, now=None):
    """Decision for changing the report's content (values, records, explanation)."""
    flow = workflow()
    decision = policy.check(actor, flow.edit_permission, report.unit, relation=flow.edit_relation)
    if not decision:
        return decision
    if report.exempt:
        return policy.Decision(False, _("Đơn vị được miễn lập báo cáo này."))
    state = flow.states.get(report.status)
    if state is None or not state.editable:
        return policy.Decision(False, _("Báo cáo đang ở trạng thái “%(state)s”, không sửa được.") % {"state": report.get_status_display()})
    problem = _window_problem(report, now or timezone.now(), entry=True)
    return policy.Decision(False, problem) if problem else policy.ALLOWED


def require_edit_permission(actor, report):
    """Raise Refused (403, audited) unless the actor's role may enter this unit's data."""
    flow = workflow()
    policy.require(actor, flow.edit_permission, report.unit, relation=flow.edit_relation, note=f"edit report {report.pk}")


def require_edit(actor, report, *, now=None):
    """Raise Refused (no permission) or TransitionRefused (state, period) unless editable."""
    decision = edit_decision(actor, report, now=now)
    if not decision:
        require_edit_permission(actor, report)
        raise TransitionRefused(decision.reason)


def readiness_of(problems):
    """Readiness from a grid's checked problems (RuleResults)."""
    result = Readiness()
    for problem in problems:
        if problem.blocking:
            result.errors.append(problem.message)
        else:
            result.warnings.setdefault(problem.code, problem.message)
    return result


def readiness(report):
    """Errors and warnings of the report's stored content, for a submission."""
    from . import services  # the entry actions read values and check them

    if report.form.kind == "grid":
        return readiness_of(services.check_grid(report))
    result = Readiness()
    spec = report.form.spec_object()
    rows = list(report.records.order_by("position").values_list("position", "data"))
    checks = spec.validate_records([data for _position, data in rows], services.known_keys(report), services.unit_type_codes(report))
    for (position, _data), check in zip(rows, checks):
        for messages in check.errors.values():
            result.errors += [_("Bản ghi số %(n)d: %(m)s") % {"n": position, "m": m} for m in messages]
        for rule in check.rules:
            text = _("Bản ghi số %(n)d: %(m)s") % {"n": position, "m": rule.message}
            if rule.blocking:
                result.errors.append(text)
            else:
                result.warnings.setdefault(f"{position}.{rule.code}", text)
    return result


def _problem(actor, report, t, now, ready):
    """Why `actor` may not take transition `t` on `report` now ("" if it may)."""
    decision = policy.check(actor, t.permission, report.unit, relation=t.relation, label=t.label)
    if not decision:
        return decision.reason
    if report.exempt:
        return _("Đơn vị được miễn lập báo cáo này.")
    if report.status not in t.sources:
        return _("Báo cáo đang ở trạng thái “%(state)s”.") % {"state": report.get_status_display()}
    entry = t.within_deadline or workflow().states[t.target].editable
    problem = _window_problem(report, now, entry=entry)
    if problem:
        return problem
    if t.validate and ready is not None and ready.errors:
        return _("Còn %(n)d lỗi phải sửa trước khi gửi.") % {"n": len(ready.errors)}
    return ""


def allowed_actions(actor, report, *, ready=None, now=None):
    """[ActionOption] for every transition out of the report's current state. `ready`: the
    report's Readiness, if the page computed it (rules shown beside the buttons)."""
    now = now or timezone.now()
    options = []
    for t in workflow().out_of(report.status):
        problem = _problem(actor, report, t, now, ready)
        options.append(ActionOption(t, not problem, problem))
    return options


def lock(report):
    """Everything a change of `report` stands on, locked until the end of the transaction,
    in the documented order (docs/concurrency.md): the unit's place in the tree (shared),
    the period (shared), then the report row. Returns the report as stored now, with its
    unit and period as stored now. A report that a transfer gave to another unit since the
    page was read is refused (Conflict)."""
    tree.pin(report.unit)
    period_rules.hold(report.period_id)
    # of=("self",): only the report row. Locking the joined form, unit and period rows too
    # would queue every save of a form or period behind one another.
    locked = Report.objects.select_for_update(of=("self",)).select_related("form", "unit", "period").get(pk=report.pk)
    if locked.unit_id != report.unit_id:
        raise Conflict(_("Báo cáo đã được chuyển sang đơn vị %(unit)s theo sắp xếp đơn vị; hãy mở lại trang.") % {"unit": locked.unit.label})
    return locked


def _last_change(report):
    """"who, when" of the report's last state change, for a conflict message."""
    who = report.state_changed_by.username if report.state_changed_by_id else _("(không rõ)")
    when = timezone.localtime(report.state_changed_at).strftime("%d/%m/%Y %H:%M:%S") if report.state_changed_at else ""
    return who, when


def transition(actor, report, code, *, reason="", expected_version=None, warning_notes=None, request=None):
    """Take transition `code` on `report`. Returns the updated report.

    `expected_version`: the version the person's page showed; if the report changed since,
    nothing happens (Conflict). `warning_notes`: {warning key: note} for a submission."""
    flow = workflow()
    t = flow.transitions.get(code)
    if t is None:
        raise TransitionRefused(_("Thao tác không hợp lệ."))
    # The permission first, outside the lock: a refusal is a 403 (and audited), not a wait.
    policy.require(actor, t.permission, report.unit, relation=t.relation, label=t.label, note=f"{code} report {report.pk}")
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do"))
    warning_notes = textbounds.warning_notes(warning_notes or {})
    if t.reason_required and not reason:
        raise TransitionRefused(_("Cần nêu lý do khi %(action)s.") % {"action": t.label.lower()})
    with transaction.atomic():
        locked = lock(report)
        now = timezone.now()
        if locked.status not in t.sources:
            who, when = _last_change(locked)
            raise Conflict(
                _("Báo cáo đã được %(who)s chuyển sang “%(state)s” lúc %(when)s; thao tác “%(action)s” của bạn không được thực hiện.")
                % {"who": who, "state": locked.get_status_display(), "when": when, "action": t.label}
            )
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(_("Báo cáo đã thay đổi sau khi bạn mở trang; hãy xem lại rồi thực hiện lại."))
        problem = _problem(actor, locked, t, now, None)
        if problem:
            raise TransitionRefused(problem)
        if t.validate:
            ready = readiness(locked)
            if warning_notes:  # only the notes of warnings the report raises
                locked.warning_notes = {**locked.warning_notes, **{k: v for k, v in warning_notes.items() if k in ready.warnings}}
            if ready.errors:
                raise TransitionRefused([_("Chưa gửi được: còn lỗi phải sửa.")] + ready.errors[:50])
            missing = ready.unexplained(locked.warning_notes)
            if missing:
                raise TransitionRefused([_("Chưa gửi được: cần ghi chú giải trình cho mỗi cảnh báo.")] + list(missing.values())[:50])
        revision = revisions.freeze(locked, actor) if t.snapshot else None
        before, before_key = locked.status, ledger.progress_key(locked)
        locked.status = t.target
        locked.version += 1
        locked.state_changed_at, locked.state_changed_by = now, actor
        if t.reason_required:
            locked.pending_reason = reason
        elif not flow.states[t.target].editable:
            locked.pending_reason = ""
        if t.counts_as_submitted:
            locked.submitted_at = now
        locked.save()
        ledger.report_changed(locked, old_status=before, old_exempt=locked.exempt, old_key=before_key)
        ReportEvent.objects.create(
            report=locked, at=now, actor=actor, transition=t.code, label=t.label, from_state=before, to_state=t.target, reason=reason,
            revision=revision.number if revision else (locked.revision or None),
        )
        record(
            "report.transition", actor=actor, request=request, unit=locked.unit, obj=locked,
            before={"state": before}, after={"state": t.target, "transition": t.code, "reason": reason, "revision": locked.revision},
        )
    return locked


def start(report):
    """The first saved value moves a report from the initial state to the started one; call
    inside the save's transaction, on the locked row. Returns whether it moved."""
    flow = workflow()
    if report.status != flow.initial:
        return False
    report.status = flow.started
    return True

"""Transferring already-entered data from old units to new ones (letter 000, 2b;
docs/adr/0007).

A ministry's or province's administrator files a request (old units → new unit, or one old
unit → several successors with the share of grid amounts each takes; which periods and
forms; the decision). The central administrator sees the plan (`plan`): per period and
form, which report moves whole, which is combined into a report the new unit already has
(grid cells summed, register records appended with their origin unit kept), how a split
divides, and which state the result takes and why (docs/adr/0011: back to entry for re-approval, or
the state the data had, never a later one). `execute` carries it out in one transaction,
once; `reject` says why.

Periods: what a period accepts is period_rules' (a locked period refuses a transfer, a
closed one takes it on its own tree). Totals: the report's values leave the old unit's
ancestors and join the new one's as the period sees them (reports.ancestry), so the
roll-up at their nearest common ancestor is unchanged.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.audit.services import record
from baocao.reports import exemptions, ledger, period_rules, revisions, services, values
from baocao.reports.models import Period, PeriodStatus, Report, ReportEvent, ReportRecord
from baocao.units import tree
from baocao.units.models import Unit, UnitLineage, UnitStatus

from .models import TransferLine, TransferRequest, TransferTarget


def _require_scope(actor, units, permission, note):
    for unit in units:
        policy.require(actor, permission, unit, note=note)


def file_request(actor, *, sources, targets, periods, form_codes=(), shares=None, decision=tree.NO_DECISION, note="", request=None):
    """Đề nghị chuyển dữ liệu: `sources` → `targets` (several only for a split of one
    source, with `shares`: {unit id: percent} summing to 100)."""
    sources, targets, periods = list(sources), list(targets), list(periods)
    note = textbounds.bounded(note, textbounds.NOTE, _("Ghi chú"))
    decision = tree.bounded_decision(decision)
    errors = []
    if not sources:
        errors.append(_("Chọn đơn vị cũ (đơn vị đã nhập số liệu)."))
    if not targets:
        errors.append(_("Chọn đơn vị mới nhận dữ liệu."))
    if not periods:
        errors.append(_("Chọn kỳ báo cáo."))
    if set(u.pk for u in sources) & set(u.pk for u in targets):
        errors.append(_("Một đơn vị không vừa là đơn vị cũ vừa là đơn vị mới."))
    if len(targets) > 1 and len(sources) != 1:
        errors.append(_("Chia dữ liệu cho nhiều đơn vị kế thừa chỉ áp dụng cho một đơn vị cũ."))
    if len(targets) > 1:
        given = {k: Decimal(str(v)) for k, v in (shares or {}).items()}
        if set(given) != {u.pk for u in targets} or sum(given.values()) != 100 or any(v < 0 for v in given.values()):
            errors.append(_("Tỷ lệ chia của các đơn vị kế thừa phải đủ cho từng đơn vị và cộng lại bằng 100%."))
    for unit in targets:
        if unit.status != "active":
            errors.append(_("Đơn vị nhận %(code)s đã giải thể, sáp nhập.") % {"code": unit.code})
    known = set(Report.objects.filter(period__in=periods).values_list("form_code", flat=True).distinct())
    unknown = [code for code in form_codes if code not in known]
    if unknown:
        errors.append(_("Không có báo cáo nào của biểu %(forms)s trong các kỳ đã chọn.") % {"forms": ", ".join(unknown)})
    if errors:
        raise ValidationError(errors)
    _require_scope(actor, sources + targets, permissions.TRANSFER_REQUEST, "transfer request")
    with transaction.atomic():
        transfer = TransferRequest.objects.create(
            form_codes=sorted(form_codes), decision_number=decision.number[:100], decision_date=decision.date,
            decision_issuer=decision.issuer[:300], note=note.strip(), requested_by=actor,
        )
        transfer.sources.set(sources)
        transfer.periods.set(periods)
        TransferTarget.objects.bulk_create([
            TransferTarget(transfer=transfer, unit=unit, position=n, share=(Decimal(str(shares[unit.pk])) if len(targets) > 1 else None))
            for n, unit in enumerate(targets)
        ])
        record("transfer.filed", actor=actor, request=request, unit=targets[0], obj=transfer,
               after={"sources": [u.code for u in sources], "targets": [u.code for u in targets], "periods": [p.code for p in periods],
                      "forms": sorted(form_codes), "decision": decision.number})
    return transfer


@dataclass
class PlanLine:
    period: Period
    form_code: str
    source: Report
    kind: str  # TransferLine.Kind
    targets: list  # [(unit, existing report or None, share)]
    cells: int = 0
    records: int = 0
    state_after: str = ""  # state code
    state_reason: str = ""  # why that state (the states of the reports it combines)
    conflicts: list = field(default_factory=list)  # messages (duplicate register keys…)
    allocation: list = field(default_factory=list)  # split: [(target unit, {cell label: amount})]


@dataclass
class Plan:
    lines: list
    problems: list  # what stops execution (a locked period without the central administrator…)


STAGES = ("not_started", "editing", "submitted", "final")


def _rank(code):
    """Order of progress of a state: its stage, then its place in the regime's workflow."""
    flow = regimes.current().workflow
    return (STAGES.index(flow.states[code].stage), list(flow.states).index(code))


def _contributes(report):
    """Whether a report's data (and so its state) goes into the result: a report created
    empty for a new unit ("Chưa nhập", or exempted and never entered) does not."""
    return report is not None and not report.exempt and regimes.current().workflow.states[report.status].stage != "not_started"


def _state_after(report, target_reports, keep_state):
    """(state, why) of the report(s) that receive `report`'s data: back to entry for
    re-approval, or — keeping states — the least advanced state among the reports whose data
    they combine, so nothing arrives approved or received that was not (docs/adr/0011)."""
    flow = regimes.current().workflow
    parts = [report] + [r for r in target_reports if _contributes(r)]
    labels = ", ".join(f"{flow.states[r.status].label} ({r.unit.code})" for r in parts)
    states = [r.status for r in parts]
    if not keep_state:  # what was past entry goes back to it; what was being entered stays so
        state = min((s if flow.states[s].editable else flow.started for s in states), key=_rank)
        return (flow.started if flow.states[state].stage == "not_started" else state), _("Trở về Đang nhập để phê duyệt lại.")
    state = min(states, key=_rank)
    if flow.states[state].stage == "not_started":
        state = flow.started
    if len(parts) == 1:
        return state, _("Giữ trạng thái của báo cáo cũ: %(states)s.") % {"states": labels}
    return state, _("Gộp báo cáo ở các trạng thái %(states)s: lấy trạng thái thấp nhất, không báo cáo nào được nâng trạng thái.") % {"states": labels}


def _split_amount(amount, shares, decimals):
    """Split `amount` by percent `shares` at `decimals` places, the remainders to the largest
    fractions, so the parts add up exactly."""
    quantum = Decimal(1).scaleb(-decimals)
    raw = [amount * share / 100 for share in shares]
    parts = [(r / quantum).to_integral_value(rounding=ROUND_FLOOR) * quantum for r in raw]
    left = int(((amount - sum(parts)) / quantum).to_integral_value())
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[:left]:
        parts[i] += quantum
    return parts


def plan(transfer):
    """What executing the request would do, line by line (the preview shows it; execute does it)."""
    targets = [(t.unit, t.share) for t in transfer.targets.select_related("unit")]
    sources = list(transfer.sources.all())
    reports = Report.objects.filter(unit__in=sources, period__in=transfer.periods.all()).select_related("form", "unit", "period").order_by("period__data_to", "form_code", "unit__code")
    if transfer.form_codes:
        reports = reports.filter(form_code__in=transfer.form_codes)
    existing = {(r.unit_id, r.period_id, r.form_code): r for r in
                Report.objects.filter(unit__in=[u for u, _s in targets], period__in=transfer.periods.all()).select_related("form", "unit", "period")}
    lines, problems = [], []
    for report in reports:
        stored = values.read(report) if report.form.kind == "grid" else {}
        records = report.records.count() if report.form.kind == "list" else 0
        if (report.exempt or regimes.current().workflow.states[report.status].stage == "not_started") and not stored and not records:
            continue  # nothing was entered: nothing to move
        spec = report.form.spec_object()
        if len(targets) == 1:
            unit, _share = targets[0]
            mine = existing.get((unit.pk, report.period_id, report.form_code))
            state, why = _state_after(report, [mine], transfer.keep_state)
            line = PlanLine(report.period, report.form_code, report, TransferLine.Kind.COMBINED if mine else TransferLine.Kind.MOVED,
                            [(unit, mine, None)], len(stored), records, state, why)
            if mine is not None and spec.kind == "list" and spec.key:
                theirs = {str(d.get(spec.key)).casefold() for d in mine.records.values_list("data", flat=True) if d.get(spec.key)}
                clashes = [d.get(spec.key) for d in report.records.values_list("data", flat=True) if str(d.get(spec.key)).casefold() in theirs]
                if clashes:
                    line.conflicts.append(_("Mã trùng với bản ghi của đơn vị mới (cần sửa sau khi chuyển): %(keys)s.") % {"keys": ", ".join(map(str, clashes[:10]))})
            # The new unit's report as it will be after this line: a later source of the same
            # form and period is combined into it (never a second report), from this state.
            existing[(unit.pk, report.period_id, report.form_code)] = Report(
                pk=mine.pk if mine else report.pk, form=report.form, form_code=report.form_code, unit=unit, period=report.period, status=state)
        else:
            mine = [existing.get((unit.pk, report.period_id, report.form_code)) for unit, _share in targets]
            state, why = _state_after(report, mine, transfer.keep_state)
            line = PlanLine(report.period, report.form_code, report, TransferLine.Kind.SPLIT,
                            [(unit, theirs, share) for (unit, share), theirs in zip(targets, mine)], len(stored), records, state, why)
            if spec.kind == "grid":
                line.allocation = _allocation(spec, services.entered_cells(spec, stored), [s for _u, s in targets], [u for u, _s in targets])
        refused = period_rules.refusal(report.period, period_rules.Change.TRANSFER)
        if refused:
            problem = _("%(period)s: %(why)s Bỏ kỳ này khỏi đề nghị, hoặc mở khóa kỳ trước.") % {"period": report.period.name, "why": refused}
            if problem not in problems:
                problems.append(problem)
        elif report.period.status != PeriodStatus.OPEN:
            line.conflicts.append(_("Kỳ báo cáo đã đóng: số liệu được ghi trên cây đơn vị của kỳ lúc đóng kỳ (đơn vị mới được bổ sung vào đó)."))
        lines.append(line)
    if not lines:
        problems.append(_("Các đơn vị cũ không có số liệu nào trong các kỳ và biểu đã chọn."))
    return Plan(lines, problems)


def _allocation(spec, entered, shares, units):
    """[(unit, {(row, column): amount})] of a grid's entered numeric cells split by shares."""
    parts = [dict() for _ in units]
    for (row, column), value in entered.items():
        if isinstance(value, str):
            parts[0][(row, column)] = value  # text goes to the first successor
            continue
        for i, amount in enumerate(_split_amount(value, shares, spec.column(column).decimals)):
            if amount:
                parts[i][(row, column)] = amount
    return list(zip(units, parts))


def _event(report, actor, label, reason, state_from="", state_to="", revision=None):
    ReportEvent.objects.create(report=report, actor=actor, transition="transfer", label=label, reason=reason,
                               from_state=state_from, to_state=state_to, revision=revision)


def _locked(pk):
    return exemptions.locked_reports(Report.objects.filter(pk=pk))[0]


def _move_whole(actor, line, target, reason):
    report = _locked(line.source.pk)
    source_unit = report.unit
    report.unit = target
    report.save(update_fields=["unit", "updated_at"])
    ledger.report_reassigned(report, source_unit)
    _restate(actor, report, line.state_after, [], reason, changed=False)
    _event(report, actor, _("Chuyển từ %(old)s sang %(new)s") % {"old": source_unit.label, "new": target.label}, reason)
    return report


def _restate(actor, report, state, sources, reason, *, changed):
    """Put a locked report in `state` with the roll-ups following. `sources`: the reports
    whose data it now holds (their latest sending is its own). Content that arrives in a
    state past entry is frozen as a revision, so the state's figures are the last revision's."""
    flow = regimes.current().workflow
    before = report.status
    if report.status == state and not report.exempt and not changed:
        return
    old = (report.status, report.exempt, ledger.progress_key(report))
    revision = None
    if not flow.states[state].editable:
        sent = [r.submitted_at for r in sources + [report] if r.submitted_at and not flow.states[r.status].editable]
        report.submitted_at = max(sent) if sent else report.submitted_at
        report.due_at = max([report.due_at] + [r.due_at for r in sources])  # a timely part does not turn late
        if changed or before != state:
            revision = revisions.freeze(report, actor)
    report.status, report.exempt, report.exempt_reason = state, False, ""
    report.version += 1
    report.state_changed_at, report.state_changed_by = timezone.now(), actor
    report.save()
    ledger.report_changed(report, old_status=old[0], old_exempt=old[1], old_key=old[2])
    if before != state or revision is not None:
        _event(report, actor, _("Trạng thái sau khi chuyển dữ liệu: %(state)s") % {"state": flow.states[state].label}, reason,
               before, state, revision.number if revision else None)


def _target_report(report, unit):
    """The target's report for the source's form and period, locked; created (as an
    obligation, not yet counted) if it has none."""
    found = exemptions.locked_reports(Report.objects.filter(unit=unit, period=report.period, form_code=report.form_code))
    if found:
        return found[0]
    created = Report.objects.create(form=report.form, form_code=report.form_code, unit=unit, period=report.period,
                                    status=regimes.current().workflow.initial, due_at=report.due_at, exempt=True)
    return _locked(created.pk)


def _add_into(actor, target, entered, records, origin, state, sources, reason):
    """Add grid cells (summed) or records (appended, origin kept) into the locked `target`."""
    spec = target.form.spec_object()
    if spec.kind == "grid":
        mine = services.entered_cells(spec, values.read(target))
        for cell, value in entered.items():
            if isinstance(value, str):
                mine.setdefault(cell, value)
            else:
                mine[cell] = (mine.get(cell) or Decimal(0)) + value
        computed = spec.compute(mine, instances=services.instance_keys(target))
        changes = values.write(target, computed)
    else:
        last = target.records.order_by("-position").values_list("position", flat=True).first() or 0
        ReportRecord.objects.bulk_create([ReportRecord(report=target, position=last + n, data=data, origin_unit=origin)
                                          for n, data in enumerate(records, start=1)], batch_size=1000)
        summary = spec.summarise(list(target.records.order_by("position").values_list("data", flat=True))) if spec.summary_into else {}
        changes = values.write(target, summary, into=spec.summary_into) if spec.summary_into else []
    target.version += 1
    target.save(update_fields=["version", "updated_at"])
    ledger.values_changed(target, changes)
    _restate(actor, target, state, sources, reason, changed=True)


def _retire_source(actor, report, target_label, reason):
    """The source's data now counts in the target's report: it leaves the counts (exempt)
    and keeps its values and history."""
    report = _locked(report.pk)
    exemptions.set_exempt(report, exempt=True, reason=_("Đã chuyển số liệu sang %(unit)s") % {"unit": target_label})
    _event(report, actor, _("Chuyển số liệu sang %(unit)s") % {"unit": target_label}, reason)


def execute(actor, transfer, *, keep_state=None, record_targets=None, request=None):
    """Carry out a pending request in one transaction; a second call changes nothing."""
    policy.require(actor, permissions.TRANSFER_EXECUTE, note=f"transfer {transfer.pk}")
    with transaction.atomic():
        tree.lock()
        transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferRequest.Status.PENDING:
            raise ValidationError(_("Đề nghị #%(n)d đã được xử lý (%(status)s).") % {"n": transfer.pk, "status": transfer.get_status_display()})
        if keep_state is not None:
            transfer.keep_state = keep_state
        if record_targets is not None:
            transfer.record_targets = {str(k): int(v) for k, v in record_targets.items()}
        # The periods (shared: no status change beside it) and every report that may change,
        # before the plan reads them, so it reads what holds until the end.
        periods = list(transfer.periods.order_by("pk"))
        for period in periods:
            period_rules.hold(period.pk)
        units = list(transfer.sources.all()) + [t.unit for t in transfer.targets.select_related("unit")]
        exemptions.locked_reports(Report.objects.filter(unit__in=units, period__in=periods))
        planned = plan(transfer)
        if planned.problems:
            raise ValidationError(planned.problems)
        reason = _("Đề nghị chuyển dữ liệu số %(n)d; quyết định %(d)s") % {"n": transfer.pk, "d": transfer.decision_number or "—"}
        summary = defaultdict(int)
        for line in planned.lines:
            source = line.source
            spec = source.form.spec_object()
            if line.kind == TransferLine.Kind.MOVED:
                unit = line.targets[0][0]
                moved = _move_whole(actor, line, unit, reason)
                TransferLine.objects.create(transfer=transfer, source_report=moved, target_report=moved, kind=line.kind, cells=line.cells, records=line.records,
                                            detail={"from": source.unit.code, "to": unit.code})
                summary["moved"] += 1
                continue
            entered = services.entered_cells(spec, values.read(source)) if spec.kind == "grid" else {}
            records = list(source.records.order_by("position").values_list("pk", "data")) if spec.kind == "list" else []
            if line.kind == TransferLine.Kind.COMBINED:
                unit = line.targets[0][0]
                target = _target_report(source, unit)
                _add_into(actor, target, entered, [d for _pk, d in records], source.unit, line.state_after, [source], reason)
                _retire_source(actor, source, unit.label, reason)
                _event(target, actor, _("Nhận số liệu của %(unit)s") % {"unit": source.unit.label}, reason)
                TransferLine.objects.create(transfer=transfer, source_report=source, target_report=target, kind=line.kind, cells=line.cells,
                                            records=line.records, detail={"from": source.unit.code, "to": unit.code})
                summary["combined"] += 1
                continue
            parts = dict(_allocation(spec, entered, [s for _u, _r, s in line.targets], [u for u, _r, _s in line.targets])) if spec.kind == "grid" else {}
            first = line.targets[0][0]
            for unit, _existing, share in line.targets:
                chosen = [d for pk, d in records if int(transfer.record_targets.get(str(pk), first.pk)) == unit.pk]
                target = _target_report(source, unit)
                _add_into(actor, target, parts.get(unit, {}), chosen, source.unit, line.state_after, [source], reason)
                _event(target, actor, _("Nhận một phần số liệu của %(unit)s (%(share)s%%)") % {"unit": source.unit.label, "share": share}, reason)
                TransferLine.objects.create(transfer=transfer, source_report=source, target_report=target, kind=line.kind,
                                            cells=len(parts.get(unit, {})), records=len(chosen), detail={"from": source.unit.code, "to": unit.code, "share": str(share)})
            _retire_source(actor, source, ", ".join(u.label for u, _r, _s in line.targets), reason)
            summary["split"] += 1
        transfer.status, transfer.decided_by, transfer.decided_at = TransferRequest.Status.EXECUTED, actor, timezone.now()
        transfer.result = dict(summary)
        transfer.save()
        record("transfer.executed", actor=actor, request=request, unit=transfer.targets.first().unit, obj=transfer, after=transfer.result)
    return transfer


def reject(actor, transfer, *, reason, request=None):
    policy.require(actor, permissions.TRANSFER_EXECUTE, note=f"transfer {transfer.pk}")
    reason = textbounds.bounded(reason, textbounds.REASON, _("Lý do từ chối"))
    if not reason:
        raise ValidationError(_("Cần nêu lý do từ chối."))
    with transaction.atomic():
        transfer = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferRequest.Status.PENDING:
            raise ValidationError(_("Đề nghị #%(n)d đã được xử lý (%(status)s).") % {"n": transfer.pk, "status": transfer.get_status_display()})
        transfer.status, transfer.reason = TransferRequest.Status.REJECTED, reason.strip()
        transfer.decided_by, transfer.decided_at = actor, timezone.now()
        transfer.save()
        record("transfer.rejected", actor=actor, request=request, obj=transfer, after={"reason": transfer.reason})
    return transfer


def waiting_reports(reports):
    """Of `reports`, those of retired units that hold entered data in a period that still
    takes a transfer, and that no transfer request (pending or executed) names yet: data left
    behind by a reorganisation, to be flagged until someone files its request."""
    flow = regimes.current().workflow
    named = TransferRequest.objects.exclude(status=TransferRequest.Status.REJECTED).values("sources")
    return (reports.filter(unit__status=UnitStatus.RETIRED, exempt=False, period__status__in=[PeriodStatus.OPEN, PeriodStatus.CLOSED])
            .exclude(status__in=flow.codes_in_stage("not_started")).exclude(unit__in=named)
            .select_related("unit", "period").order_by("unit__code", "period__data_to", "form_code"))


def waiting_in_scope(actor, limit=10):
    """(how many, the first `limit` with their successors' codes) of the reports waiting for
    a transfer in the actor's scope (TRANG CHỦ of a province's or the centre's administrator)."""
    reports = waiting_reports(Report.objects.filter(policy.scope(actor, permissions.TRANSFER_REQUEST).q(path="unit__path", pk="unit_id")))
    shown = list(reports[:limit])
    successors = {}
    for predecessor, code in UnitLineage.objects.filter(predecessor__in={r.unit_id for r in shown}).values_list("predecessor_id", "successor__code"):
        successors.setdefault(predecessor, []).append(code)
    return reports.count(), [(r, sorted(successors.get(r.unit_id, []))) for r in shown]


def visible_to(actor):
    """The requests an administrator sees: those touching units of its scope."""
    units = Unit.objects.filter(policy.scope(actor, permissions.TRANSFER_REQUEST).q())
    return TransferRequest.objects.filter(Q(sources__in=units) | Q(targets__unit__in=units)).distinct()

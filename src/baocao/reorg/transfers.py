"""Transferring already-entered data from old units to new ones (letter 000, 2b;
docs/adr/0007).

A ministry's or province's administrator files a request (old units → new unit, or one old
unit → several successors with the share of grid amounts each takes; which periods and
forms; the decision). The central administrator sees the plan (`plan`): per period and
form, which report moves whole, which is combined into a report the new unit already has
(grid cells summed, register records appended with their origin unit kept), how a split
divides, and which state the result takes (back to entry for re-approval unless the
state is kept). `execute` carries it out in one transaction, once; `reject` says why.

Totals: in an open period the report's values leave the old unit's ancestors and join the
new one's, so the roll-up at their nearest common ancestor is unchanged; a closed or
locked period gets the new unit in its tree snapshot and is recomputed.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access import permissions, policy
from baocao.audit.services import record
from baocao.reports import rollup_sql, services, totals, values
from baocao.reports.models import Period, PeriodStatus, PeriodTree, Report, ReportEvent, ReportRecord
from baocao.units import tree
from baocao.units.models import Unit

from .models import TransferLine, TransferRequest, TransferTarget


def _require_scope(actor, units, permission, note):
    for unit in units:
        policy.require(actor, permission, unit, note=note)


def file_request(actor, *, sources, targets, periods, form_codes=(), shares=None, decision=tree.NO_DECISION, note="", request=None):
    """Đề nghị chuyển dữ liệu: `sources` → `targets` (several only for a split of one
    source, with `shares`: {unit id: percent} summing to 100)."""
    sources, targets, periods = list(sources), list(targets), list(periods)
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
    conflicts: list = field(default_factory=list)  # messages (duplicate register keys…)
    allocation: list = field(default_factory=list)  # split: [(target unit, {cell label: amount})]


@dataclass
class Plan:
    lines: list
    problems: list  # what stops execution (a locked period without the central administrator…)


def _state_after(report, target_report, keep_state):
    """The state the combined or moved report takes: kept, or back to entry unless it was
    still being entered."""
    flow = regimes.current().workflow
    current = target_report.status if target_report is not None else report.status
    if keep_state or flow.states[current].stage in ("not_started", "editing"):
        return current if flow.states[current].stage != "not_started" else flow.started
    return flow.started


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
        if report.exempt and not stored and not records:
            continue  # nothing was entered: nothing to move
        spec = report.form.spec_object()
        if len(targets) == 1:
            unit, _share = targets[0]
            mine = existing.get((unit.pk, report.period_id, report.form_code))
            line = PlanLine(report.period, report.form_code, report, TransferLine.Kind.COMBINED if mine else TransferLine.Kind.MOVED,
                            [(unit, mine, None)], len(stored), records, _state_after(report, mine, transfer.keep_state))
            if mine is not None and spec.kind == "list" and spec.key:
                theirs = {str(d.get(spec.key)).casefold() for d in mine.records.values_list("data", flat=True) if d.get(spec.key)}
                clashes = [d.get(spec.key) for d in report.records.values_list("data", flat=True) if str(d.get(spec.key)).casefold() in theirs]
                if clashes:
                    line.conflicts.append(_("Mã trùng với bản ghi của đơn vị mới (cần sửa sau khi chuyển): %(keys)s.") % {"keys": ", ".join(map(str, clashes[:10]))})
            if mine is None:
                # The report moving here becomes the new unit's report: a later source of the
                # same form and period is combined into it (never a second report).
                existing[(unit.pk, report.period_id, report.form_code)] = Report(
                    pk=report.pk, form=report.form, form_code=report.form_code, unit=unit, period=report.period, status=line.state_after)
        else:
            line = PlanLine(report.period, report.form_code, report, TransferLine.Kind.SPLIT,
                            [(unit, existing.get((unit.pk, report.period_id, report.form_code)), share) for unit, share in targets],
                            len(stored), records, _state_after(report, None, transfer.keep_state))
            if spec.kind == "grid":
                line.allocation = _allocation(spec, services.entered_cells(spec, stored), [s for _u, s in targets], [u for u, _s in targets])
        if report.period.status != PeriodStatus.OPEN:
            line.conflicts.append(_("Kỳ báo cáo %(state)s: số liệu tổng hợp của kỳ được tính lại sau khi chuyển.") % {"state": report.period.get_status_display().lower()})
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


def _event(report, actor, label, reason, state_from="", state_to=""):
    ReportEvent.objects.create(report=report, actor=actor, transition="transfer", label=label, reason=reason,
                               from_state=state_from, to_state=state_to)


class _Upkeep:
    """Totals of an open period kept by deltas; a closed one recomputed at the end."""

    def __init__(self):
        self.recompute = set()

    def open(self, period):
        return period.status == PeriodStatus.OPEN

    def finish(self, targets):
        for period in self.recompute:
            missing = [u for u in targets if not PeriodTree.objects.filter(period=period, unit=u).exists()]
            PeriodTree.objects.bulk_create([PeriodTree(period=period, unit=u, parent_id=u.parent_id, path=u.path) for u in missing])
            rollup_sql.rebuild_totals(period)
            rollup_sql.rebuild_progress(period)


def _move_whole(actor, transfer, line, target, upkeep, reason):
    report = Report.objects.select_for_update(of=("self",)).select_related("form", "unit", "period").get(pk=line.source.pk)
    old_units = totals.ancestor_ids(report.unit)
    sums, bucket, key = totals.report_sums(report), totals.bucket_of(report.status, report.exempt), totals.progress_key(report)
    source_unit = report.unit
    report.unit = target
    report.save(update_fields=["unit", "updated_at"])
    if upkeep.open(report.period):
        new_units = totals.ancestor_ids(target)
        if bucket is not None:
            totals.add_totals(old_units, report.period_id, {(c, bucket): -n for c, n in sums.items()})
            totals.add_totals(new_units, report.period_id, {(c, bucket): n for c, n in sums.items()})
        if key is not None:
            totals.add_progress(old_units, report.period_id, report.form_code, {key: -1})
            totals.add_progress(new_units, report.period_id, report.form_code, {key: 1})
    else:
        upkeep.recompute.add(report.period)
    _restate(actor, report, line.state_after, upkeep)
    _event(report, actor, _("Chuyển từ %(old)s sang %(new)s") % {"old": source_unit.label, "new": target.label}, reason)
    return report


def _restate(actor, report, state, upkeep):
    """Put a report in `state` (back to entry for re-approval) with the roll-ups following."""
    if report.status == state and not report.exempt:
        return
    old = (report.status, report.exempt, totals.progress_key(report))
    report.status, report.exempt, report.exempt_reason = state, False, ""
    report.version += 1
    report.state_changed_at, report.state_changed_by = timezone.now(), actor
    report.save()
    if upkeep.open(report.period):
        totals.report_changed(report, old_status=old[0], old_exempt=old[1], old_key=old[2])


def _target_report(report, unit, state, upkeep):
    """The target's report for the source's form and period, created (as an obligation) if it has none."""
    existing = Report.objects.select_for_update(of=("self",)).select_related("form", "unit", "period").filter(
        unit=unit, period=report.period, form_code=report.form_code).first()
    if existing is not None:
        return existing
    created = Report.objects.create(form=report.form, form_code=report.form_code, unit=unit, period=report.period,
                                    status=regimes.current().workflow.initial, due_at=report.due_at, exempt=True)
    return Report.objects.select_related("form", "unit", "period").get(pk=created.pk)


def _add_into(actor, target, entered, records, origin, state, upkeep):
    """Add grid cells (summed) or records (appended, origin kept) into `target`."""
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
    if upkeep.open(target.period):
        totals.values_changed(target, changes)
    _restate(actor, target, state, upkeep)


def _retire_source(actor, report, target_label, upkeep, reason):
    """The source's data now counts in the target's report: it leaves the counts (exempt)
    and keeps its values and history."""
    report = Report.objects.select_related("form", "unit", "period").get(pk=report.pk)
    if not report.exempt:
        old_key = totals.progress_key(report)
        report.exempt = True
        report.exempt_reason = _("Đã chuyển số liệu sang %(unit)s") % {"unit": target_label}
        report.version += 1
        report.save(update_fields=["exempt", "exempt_reason", "version", "updated_at"])
        if upkeep.open(report.period):
            totals.report_changed(report, old_status=report.status, old_exempt=False, old_key=old_key)
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
        planned = plan(transfer)
        if planned.problems:
            raise ValidationError(planned.problems)
        reason = _("Đề nghị chuyển dữ liệu số %(n)d; quyết định %(d)s") % {"n": transfer.pk, "d": transfer.decision_number or "—"}
        upkeep = _Upkeep()
        summary = defaultdict(int)
        for line in planned.lines:
            source = line.source
            spec = source.form.spec_object()
            if line.kind == TransferLine.Kind.MOVED:
                unit = line.targets[0][0]
                moved = _move_whole(actor, transfer, line, unit, upkeep, reason)
                TransferLine.objects.create(transfer=transfer, source_report=moved, target_report=moved, kind=line.kind, cells=line.cells, records=line.records,
                                            detail={"from": source.unit.code, "to": unit.code})
                summary["moved"] += 1
                continue
            entered = services.entered_cells(spec, values.read(source)) if spec.kind == "grid" else {}
            records = list(source.records.order_by("position").values_list("pk", "data")) if spec.kind == "list" else []
            if line.kind == TransferLine.Kind.COMBINED:
                unit = line.targets[0][0]
                target = _target_report(source, unit, line.state_after, upkeep)
                _add_into(actor, target, entered, [d for _pk, d in records], source.unit, line.state_after, upkeep)
                _retire_source(actor, source, unit.label, upkeep, reason)
                _event(target, actor, _("Nhận số liệu của %(unit)s") % {"unit": source.unit.label}, reason)
                TransferLine.objects.create(transfer=transfer, source_report=source, target_report=target, kind=line.kind, cells=line.cells,
                                            records=line.records, detail={"from": source.unit.code, "to": unit.code})
                summary["combined"] += 1
                continue
            parts = dict(_allocation(spec, entered, [s for _u, _r, s in line.targets], [u for u, _r, _s in line.targets])) if spec.kind == "grid" else {}
            first = line.targets[0][0]
            for unit, _existing, share in line.targets:
                chosen = [d for pk, d in records if int(transfer.record_targets.get(str(pk), first.pk)) == unit.pk]
                target = _target_report(source, unit, line.state_after, upkeep)
                _add_into(actor, target, parts.get(unit, {}), chosen, source.unit, line.state_after, upkeep)
                _event(target, actor, _("Nhận một phần số liệu của %(unit)s (%(share)s%%)") % {"unit": source.unit.label, "share": share}, reason)
                TransferLine.objects.create(transfer=transfer, source_report=source, target_report=target, kind=line.kind,
                                            cells=len(parts.get(unit, {})), records=len(chosen), detail={"from": source.unit.code, "to": unit.code, "share": str(share)})
            _retire_source(actor, source, ", ".join(u.label for u, _r, _s in line.targets), upkeep, reason)
            summary["split"] += 1
        upkeep.finish([u for u, _s in ((t.unit, t.share) for t in transfer.targets.select_related("unit"))])
        transfer.status, transfer.decided_by, transfer.decided_at = TransferRequest.Status.EXECUTED, actor, timezone.now()
        transfer.result = dict(summary)
        transfer.save()
        record("transfer.executed", actor=actor, request=request, unit=transfer.targets.first().unit, obj=transfer, after=transfer.result)
    return transfer


def reject(actor, transfer, *, reason, request=None):
    policy.require(actor, permissions.TRANSFER_EXECUTE, note=f"transfer {transfer.pk}")
    if not reason.strip():
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


def visible_to(actor):
    """The requests an administrator sees: those touching units of its scope."""
    units = Unit.objects.filter(policy.scope(actor, permissions.TRANSFER_REQUEST).q())
    return TransferRequest.objects.filter(Q(sources__in=units) | Q(targets__unit__in=units)).distinct()

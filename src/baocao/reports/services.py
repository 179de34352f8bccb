"""Data entry: reading and saving a report's grid values and list records, its notes and
explanation. Views, the Excel import and tests all call these. Each takes the report's row
lock, checks (under it) that the actor may change the report now (workflow.require_edit)
and that the page's version is current (optimistic locking), then writes only what
changed, with the version bump and the audit event, in one transaction."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes, textbounds
from baocao.audit.services import record
from baocao.formdefs.spec import RuleResult, parse_number, too_large
from baocao.units.models import Unit

from . import ledger, values, workflow
from .models import Report, ReportRecord


# ReportValue.number is DECIMAL(24, 6): 18 digits before the point.
STORABLE = Decimal(10) ** 18


class StaleReport(Exception):
    """Someone saved the report since this copy was read: nothing was saved."""

    def __init__(self, report):
        self.report = report
        who = report.updated_by.username if report.updated_by else _("(không rõ)")
        when = timezone.localtime(report.updated_at).strftime("%d/%m/%Y %H:%M:%S")
        self.message = _(
            "Báo cáo đã được %(who)s lưu lúc %(when)s, sau khi bạn mở nó. Số liệu của bạn chưa được lưu và vẫn còn trên màn hình; "
            "hãy mở lại báo cáo trong cửa sổ khác để đối chiếu rồi nhập lại."
        ) % {"who": who, "when": when}
        super().__init__(self.message)


class InvalidValues(ValidationError):
    """Values refused by their form (type, bounds, a cell that does not apply); `problems`
    are the formdefs RuleResults, nothing was saved."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__([p.message for p in problems])


def report_for(unit, period, form_code):
    """The report `unit` owes on `form_code` in `period` (Report.DoesNotExist if it owes none)."""
    return Report.objects.select_related("form", "unit", "period").get(form_code=form_code, unit=unit, period=period)


def instances_for(report):
    """Rows of "one row per …" groups: for `per: child_unit`, the unit's active children,
    keyed by their id (stable across renames and moves), labelled by their name."""
    spec = report.form.spec_object()
    instances = {}
    for row in getattr(spec, "rows", ()):
        if getattr(row, "per", None) == "child_unit":
            children = Unit.objects.filter(parent=report.unit).active().order_by("code")
            instances[row.code] = [(str(child.pk), child.name) for child in children]
    return instances


def grid_values(report):
    """{(row, column): Decimal or str} as stored (computed cells included)."""
    return values.read(report)


def instance_keys(report):
    return {group: [key for key, _label in rows] for group, rows in instances_for(report).items()}


def entered_cells(spec, values):
    """The cells a person typed: stored values minus the computed ones."""
    entered = {}
    for (row, column), value in values.items():
        try:
            if spec.cell(row, column).computed:
                continue
        except KeyError:
            continue
        entered[(row, column)] = value
    return entered


def check_grid(report, values=None):
    """Every problem of a grid report's values (stored ones by default)."""
    spec = report.form.spec_object()
    values = grid_values(report) if values is None else values
    return spec.check(entered_cells(spec, values), instances=instance_keys(report))


def _claim(actor, report, expected_version, **fields):
    """Inside a transaction: lock the report, check it may be changed and was not changed
    since `expected_version`, move it out of "Chưa nhập", bump its version. Returns the
    locked report (with `fields` set, not yet saved)."""
    locked = workflow.lock(report)
    workflow.require_edit(actor, locked)
    if locked.version != expected_version:
        raise StaleReport(Report.objects.select_related("updated_by").get(pk=report.pk))
    locked._before = (locked.status, ledger.progress_key(locked))
    workflow.start(locked)
    locked.version += 1
    locked.updated_by = actor
    for name, value in fields.items():
        setattr(locked, name, value)
    return locked


def _save(locked, report, changes=(), *, records_changed=True):
    """Save the claimed report, keep the roll-ups exact, and refresh the caller's copy."""
    locked.save()
    if locked.form.kind == "list" and records_changed:
        changes = _refresh_summary(locked)
    old_status, old_key = locked._before
    if old_status != locked.status:
        # Chưa nhập → Đang nhập: the report starts counting, with every value it now has.
        ledger.report_changed(locked, old_status=old_status, old_exempt=locked.exempt, old_key=old_key)
    else:
        ledger.values_changed(locked, changes)
    # The caller's object follows, so a page rendered after the save shows the new state.
    for name in ("status", "version", "updated_by", "updated_by_id", "updated_at", "explanation", "notes"):
        setattr(report, name, getattr(locked, name))


def _refresh_summary(locked):
    """A register's contribution to its consolidation grid (KK-TH), stored as its values."""
    spec = locked.form.spec_object()
    if not spec.summary_into:
        return []
    summary = spec.summarise(list(locked.records.order_by("position").values_list("data", flat=True)))
    return values.write(locked, summary, into=spec.summary_into)


def clean_notes(spec, raw):
    """({code: text} of the form's footer fields, [RuleResult]) from what was typed."""

    notes, problems = {}, []
    for field in getattr(spec, "footer_fields", ()):
        code, value = field["code"], str(raw.get(field["code"], "") or "").strip()
        if not value:
            continue
        if field.get("type", "text") == "text":
            notes[code] = value[:1000]
            continue
        try:
            number = parse_number(value)
        except ValueError:
            number = None
        if number is not None and too_large(number):  # the platform's bound on every amount
            problems.append(RuleResult("cell_max", "error", f"{field['label']}: {too_large(number)}", (("_note", code),)))
            continue
        if number is None or number < 0 or (field.get("type") == "integer" and number != number.to_integral_value()):
            problems.append(RuleResult("cell_note", "error", _("%(label)s: phải là số nguyên không âm.") % {"label": field["label"]}, (("_note", code),)))
            continue
        notes[code] = str(number)
    return notes, problems


def note_lines(report):
    """[(label, shown value)] of the form's footer notes, for printed copies."""
    from .formatting import vn_number

    spec = report.form.spec_object()
    lines = []
    for field in getattr(spec, "footer_fields", ()):
        value = report.notes.get(field["code"], "")
        if value and field.get("type", "text") != "text":
            value = vn_number(Decimal(value))
        lines.append((field["label"], value))
    return lines


def save_grid(actor, report, entered, *, expected_version, explanation=None, notes=None, request=None):
    """Save the entered cells of a grid report ({(row, col): Decimal | str | None}).

    Refuses values the form refuses (InvalidValues), a stale version (StaleReport), an
    account that may not edit (access.Refused) or a report or period that does not accept
    changes (workflow.TransitionRefused). Rule results (totals that do not add up…) do not
    stop a save; they are returned, and sending is what they block."""
    workflow.require_edit(actor, report)  # before any work: a refusal is a 403, audited
    spec = report.form.spec_object()
    entered = {cell: value for cell, value in entered.items() if value is not None and value != ""}
    instances = instance_keys(report)
    results = spec.check(entered, instances=instances)
    cleaned_notes, note_problems = clean_notes(spec, notes or {})
    refused = [r for r in results if r.code.startswith("cell_")] + note_problems
    if refused:
        raise InvalidValues(refused)
    computed = spec.compute(entered, instances=instances)
    overflow = [RuleResult("cell_max", "error", _("Tổng tính ra quá lớn để lưu; kiểm tra lại các ô cộng vào ô này."), (cell,))
                for cell, value in computed.items() if isinstance(value, Decimal) and abs(value) >= STORABLE]
    if overflow:
        raise InvalidValues(overflow)
    fields = {"explanation": textbounds.bounded(explanation, textbounds.EXPLANATION, _("Thuyết minh"))} if explanation is not None else {}
    if notes is not None:
        fields["notes"] = cleaned_notes
    with transaction.atomic():
        locked = _claim(actor, report, expected_version, **fields)
        changes = values.write(locked, computed)
        _save(locked, report, changes)
        record("report.saved", actor=actor, request=request, unit=report.unit, obj=report,
               after={"version": locked.version, "cells": {f"{c.row}.{c.column}": [_text(c.old), _text(c.new)] for c in changes[:200]}})
    return results


def _text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else values.plain(Decimal(value))


def record_values(report):
    """The records of a list report, in order, as stored (JSON text values)."""
    return [r.data for r in report.records.order_by("position")]


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.strftime("%d/%m/%Y")
    return value


def referenced_records(report):
    """{form code: {key: label}} of the records this list report's reference fields may
    point to: the same unit's records of that form in the same period (a building's
    parcel among the unit's land parcels)."""
    spec = report.form.spec_object()
    found = {}
    for field in spec.fields:
        if field.type != "reference" or field.form in found:
            continue
        other = Report.objects.filter(unit=report.unit, period=report.period, form_code=field.form).select_related("form").first()
        options = {}
        if other is not None:
            other_spec = other.form.spec_object()
            key = other_spec.key
            name = next((fl.code for fl in other_spec.fields if fl.type == "text" and fl.code != key), None)
            for data in other.records.order_by("position").values_list("data", flat=True):
                if data.get(key):
                    options[data[key]] = f"{data[key]} – {data.get(name, '')}" if name else data[key]
        found[field.form] = options
    return found


def known_keys(report):
    return {form: set(options) for form, options in referenced_records(report).items()}


def unit_type_codes(report):
    """The unit types of the report's unit: some record rules hold only for some types."""
    return set(report.unit.unit_types.values_list("code", flat=True))


def replace_records(actor, report, records, *, expected_version, request=None):
    """Replace all records of a list report (an Excel import): all or nothing.

    Raises InvalidRecords with every record's problems; returns the rule warnings."""
    workflow.require_edit(actor, report)
    spec = report.form.spec_object()
    checks = spec.validate_records(records, known_keys(report), unit_type_codes(report))
    bad = {n: c for n, c in enumerate(checks, start=1) if c.errors or any(r.blocking for r in c.rules)}
    if bad:
        raise InvalidRecords(bad)
    cleaned = [{code: _json_value(v) for code, v in spec.clean_record(r)[0].items()} for r in records]
    with transaction.atomic():
        locked = _claim(actor, report, expected_version)
        locked.records.all().delete()
        ReportRecord.objects.bulk_create(
            [ReportRecord(report=locked, position=n, data=data) for n, data in enumerate(cleaned, start=1)], batch_size=1000
        )
        _save(locked, report)
        record("report.records_replaced", actor=actor, request=request, unit=report.unit, obj=report, after={"records": len(cleaned)})
    return [r for c in checks for r in c.rules]


class InvalidRecords(ValidationError):
    """Records refused by their form; `checks` maps record number (1-based) to its RecordCheck."""

    def __init__(self, checks):
        self.checks = checks
        messages = [f"{n}: {m}" for n, c in checks.items() for ms in c.errors.values() for m in ms]
        messages += [f"{n}: {r.message}" for n, c in checks.items() for r in c.rules if r.blocking]
        super().__init__(messages)


def save_record(actor, report, data, *, expected_version, position=None, request=None):
    """Add (position None) or replace one record. Raises InvalidRecords({1: check})."""
    workflow.require_edit(actor, report)
    spec = report.form.spec_object()
    check = spec.validate_record(data, known_keys(report), unit_type_codes(report))
    _check_unique(spec, report, data, position, check)
    if check.errors or any(r.blocking for r in check.rules):
        raise InvalidRecords({1: check})
    cleaned = {code: _json_value(v) for code, v in spec.clean_record(data)[0].items()}
    with transaction.atomic():
        locked = _claim(actor, report, expected_version)
        if position is None:
            last = locked.records.order_by("-position").values_list("position", flat=True).first() or 0
            item = ReportRecord.objects.create(report=locked, position=last + 1, data=cleaned)
            action = "report.record_added"
        else:
            item = locked.records.filter(position=position).first()
            if item is None:
                raise ValidationError(_("Không tìm thấy bản ghi số %(n)d.") % {"n": position})
            item.data = cleaned
            item.save()
            action = "report.record_changed"
        _save(locked, report)
        record(action, actor=actor, request=request, unit=report.unit, obj=report, after={"position": item.position, "data": cleaned})
    return item, check.rules


def _check_unique(spec, report, data, position, check):
    """Fields marked unique (asset code, plate number) must differ from every other record."""
    values, _errors = spec.clean_record(data)
    unique = [fl.code for fl in spec.fields if fl.unique and values.get(fl.code) is not None]
    if not unique:
        return
    for other_position, other in report.records.exclude(position=position).values_list("position", "data"):
        for code in unique:
            if str(other.get(code, "")).casefold() == str(_json_value(values[code])).casefold():
                check.add(code, _("Trùng với bản ghi số %(n)d.") % {"n": other_position})


def save_explanation(actor, report, explanation, *, expected_version, request=None):
    """The free-text explanation (thuyết minh) of a report, on its own (list reports)."""
    workflow.require_edit(actor, report)
    with transaction.atomic():
        locked = _claim(actor, report, expected_version, explanation=textbounds.bounded(explanation, textbounds.EXPLANATION, _("Thuyết minh")))
        _save(locked, report, records_changed=False)
        record("report.explanation_saved", actor=actor, request=request, unit=report.unit, obj=report)


def referencing_records(report, key):
    """["KK-NHA #3", …]: records of the unit's other registers in the period that point to `key`."""
    found = []
    for other in Report.objects.filter(unit=report.unit, period=report.period).exclude(pk=report.pk).select_related("form"):
        spec = other.form.spec_object()
        fields = [fl.code for fl in getattr(spec, "fields", ()) if fl.type == "reference" and fl.form == report.form_code]
        for position, data in other.records.order_by("position").values_list("position", "data") if fields else ():
            if any(data.get(code) == key for code in fields):
                found.append(f"{other.form_code} #{position}")
    return found


def delete_record(actor, report, position, *, expected_version, request=None):
    """Delete one record, unless another register of the unit points to it."""
    workflow.require_edit(actor, report)
    key_field = report.form.spec_object().key
    item = report.records.filter(position=position).first()
    if item is not None and key_field and item.data.get(key_field):
        users = referencing_records(report, item.data[key_field])
        if users:
            raise ValidationError(
                _("Không xóa được: bản ghi %(key)s đang được tham chiếu bởi %(users)s.")
                % {"key": item.data[key_field], "users": ", ".join(users[:10])}
            )
    with transaction.atomic():
        locked = _claim(actor, report, expected_version)
        deleted = locked.records.filter(position=position)
        data = list(deleted.values_list("data", flat=True))
        if not data:
            raise ValidationError(_("Không tìm thấy bản ghi số %(n)d.") % {"n": position})
        deleted.delete()
        _save(locked, report)
        record("report.record_deleted", actor=actor, request=request, unit=report.unit, obj=report, before={"position": position, "data": data[:1]})


def prefill_from_below(actor, report, *, expected_version, request=None):
    """Fill the rows "one per child unit" of a grid report from each child's approved report
    on the form the row group names (12b's practice rows from each practice's 12a). Rows of
    children not yet approved are left as they are. Saved like any save (save_grid); returns
    (names filled, names not yet approved)."""
    from baocao.formdefs.spec import RowGroup

    workflow.require_edit(actor, report)
    spec = report.form.spec_object()
    groups = [row for row in getattr(spec, "rows", ()) if isinstance(row, RowGroup) and row.prefill]
    if not groups:
        raise ValidationError(_("Biểu này không lấy số liệu từ báo cáo của đơn vị cấp dưới."))
    entered = entered_cells(spec, grid_values(report))
    final = regimes.current().workflow.codes_in_stage("final")
    filled, waiting = [], []
    for group in groups:
        children = instances_for(report).get(group.code, [])
        sources = {
            r.unit_id: r
            for r in Report.objects.filter(period=report.period, form_code=group.prefill["form"], unit_id__in=[int(k) for k, _n in children],
                                           status__in=final, exempt=False).select_related("form")
        }
        for key, name in children:
            source = sources.get(int(key))
            if source is None:
                waiting.append(name)
                continue
            row = values.instance_row(group.code, key)
            entered = {cell: v for cell, v in entered.items() if cell[0] != row}
            for (source_row, column), value in values.read(source).items():
                if source_row != group.prefill["row"]:
                    continue
                try:
                    if spec.cell(row, column).computed or spec.cell(row, column).disabled:
                        continue
                except KeyError:  # a column the target form does not have
                    continue
                entered[(row, column)] = value
            filled.append(name)
    save_grid(actor, report, entered, expected_version=expected_version, request=request)
    return filled, waiting

"""Revisions: what a report contained each time it was sent, frozen (docs/adr/0003), and
how two revisions differ."""
from dataclasses import dataclass

from . import values
from .models import Revision


def freeze(report, actor):
    """A new Revision of the locked report's content; sets report.revision (the caller saves)."""
    number = report.revision + 1
    revision = Revision.objects.create(
        report=report,
        number=number,
        created_by=actor,
        values=values.as_json(values.read(report)) if report.form.kind == "grid" else {},
        records=list(report.records.order_by("position").values_list("data", flat=True)) if report.form.kind == "list" else [],
        explanation=report.explanation,
        notes=report.notes,
        warning_notes=report.warning_notes,
    )
    report.revision = number
    return revision


@dataclass(frozen=True)
class CellChange:
    row: str
    column: str
    old: object
    new: object


@dataclass(frozen=True)
class RecordChange:
    kind: str  # "added", "removed", "changed"
    key: str  # the record's key field value, or its position
    old: dict
    new: dict
    fields: tuple = ()  # codes of the changed fields


def cell_changes(spec, old, new):
    """[CellChange] between two {"row|column": text} value maps, in printed order."""
    before, after = values.from_json(old, spec), values.from_json(new, spec)
    keys = set(before) | set(after)
    columns = {c.code: i for i, c in enumerate(spec.leaves)}
    rows = {r.code: i for i, r in enumerate(spec.concrete_rows(keys))}

    def position(key):
        row, column = key
        return rows.get(row, len(rows)), columns.get(column, 0)

    return [CellChange(r, c, before.get((r, c)), after.get((r, c))) for r, c in sorted(keys, key=position) if before.get((r, c)) != after.get((r, c))]


def record_changes(spec, old, new):
    """[RecordChange] between two record lists, matched by the form's key field (else by position)."""
    key = spec.key

    def keyed(records):
        return {str(r.get(key) or n): r for n, r in enumerate(records, start=1)} if key else {str(n): r for n, r in enumerate(records, start=1)}

    before, after = keyed(old), keyed(new)
    changes = []
    for k, record in after.items():
        if k not in before:
            changes.append(RecordChange("added", k, {}, record))
        elif record != before[k]:
            changed = tuple(f.code for f in spec.fields if record.get(f.code) != before[k].get(f.code))
            changes.append(RecordChange("changed", k, before[k], record, changed))
    changes += [RecordChange("removed", k, record, {}) for k, record in before.items() if k not in after]
    return changes

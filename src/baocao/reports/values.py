"""Where grid values meet the database (docs/adr/0003).

Forms speak of cells as (row code, column code), an instance row of a "one row per child
unit" group as "group/<unit id>". The database keys a value by an integer FormCell and the
instance (the child unit's id, 0 for fixed rows). This module is the only translation
between the two, and the only writer of ReportValue rows.
"""
from dataclasses import dataclass
from decimal import Decimal

from baocao.formdefs.services import cell_ids

from .models import ReportValue


def instance_row(group, unit_id):
    return f"{group}/{unit_id}"


def _split(row_code):
    """("to_chuc", 42) for "to_chuc/42"; (row, 0) for a fixed row."""
    group, _, key = row_code.partition("/")
    return (group, int(key)) if key else (row_code, 0)


@dataclass(frozen=True)
class Change:
    row: str
    column: str
    cell: int  # FormCell id
    old: object
    new: object


def _cell_map(report, form_code=None):
    """{(row or group code, column code): FormCell id} of the report's form (or of
    `form_code`: the grid a register's summary fills), read once per definition object."""
    definition, code = report.form, form_code or report.form_code
    cache = definition.__dict__.setdefault("_cell_ids", {})
    if code not in cache:
        cache[code] = cell_ids(definition.regime, code)
    return cache[code]


def _stored(report):
    """{(row, column): (pk, cell id, number, text)} as stored."""
    rows = ReportValue.objects.filter(report=report).values_list("pk", "cell_id", "cell__row_code", "cell__column_code", "instance", "number", "text")
    return {
        (instance_row(row, instance) if instance else row, column): (pk, cell, number, text)
        for pk, cell, row, column, instance, number, text in rows
    }


def read(report):
    """{(row, column): Decimal or str} of the report's stored values (computed cells included)."""
    return {key: (number if number is not None else text) for key, (_pk, _cell, number, text) in _stored(report).items()}


def _blank(value):
    return value is None or value == ""


def write(report, values, *, into=None):
    """Make the stored values exactly `values` ({(row, column): Decimal | str | None}),
    writing only the cells that changed: one delete, one insert and one update at most.
    `into`: the grid whose cells these are, if not the report's own form (a register's
    summary). Returns [Change] of the changed cells. Call inside the transaction that holds
    the report's row lock."""
    stored = _stored(report)
    wanted = {key: value for key, value in values.items() if not _blank(value)}
    cells = _cell_map(report, into)
    changes, inserts, updates, deletes = [], [], [], []
    for key, (pk, cell, number, text) in stored.items():
        old = number if number is not None else text
        if key not in wanted:
            deletes.append(pk)
            changes.append(Change(*key, cell, old, None))
        elif wanted[key] != old:
            new = wanted[key]
            updates.append(ReportValue(pk=pk, **_fields(new)))
            changes.append(Change(*key, cell, old, new))
    for key, new in wanted.items():
        if key in stored:
            continue
        row, column = key
        group, instance = _split(row)
        cell = cells[(group, column)]
        inserts.append(ReportValue(report=report, cell_id=cell, instance=instance, **_fields(new)))
        changes.append(Change(row, column, cell, None, new))
    if deletes:
        ReportValue.objects.filter(pk__in=deletes).delete()
    if inserts:
        ReportValue.objects.bulk_create(inserts, batch_size=1000)
    if updates:
        ReportValue.objects.bulk_update(updates, ["number", "text"], batch_size=500)
    return changes


def _fields(value):
    if isinstance(value, str):
        return {"number": None, "text": value}
    return {"number": Decimal(value), "text": ""}


def plain(number):
    """"1250" for Decimal("1250.000000"): a number as text, without exponent or padding."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def as_json(values):
    """{"row|column": text} of a {(row, column): value} mapping: the form of a Revision."""
    return {f"{row}|{column}": (value if isinstance(value, str) else plain(value)) for (row, column), value in values.items()}


def from_json(data, spec):
    """The inverse of as_json: numbers back as Decimal, the values of text columns as text."""
    values = {}
    for key, text in data.items():
        row, _, column = key.partition("|")
        try:
            is_text = spec.column(column).type == "text"
        except KeyError:
            continue
        values[(row, column)] = text if is_text else Decimal(text)
    return values

"""Reconciling a report with its paper copy: the signed report's Excel, read with the
import's reader and limits, compared cell by cell with what the platform holds. Saves nothing."""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from baocao.audit.services import record
from baocao.reports.formatting import vn_number
from baocao.reports.services import grid_values

from .importing import BROKEN_FILE, ImportRefused, Problem, _blank, _Reader, to_text
from .layout import fold_label, row_label


@dataclass(frozen=True)
class Difference:
    row: str  # the row's label as printed
    column: str  # the column's number and label as printed
    platform: str
    file: str


def _shown(value):
    if value is None or value == "":
        return ""
    return vn_number(value) if isinstance(value, Decimal) else str(value)


def _same(a, b):
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return str(a if a is not None else "") == str(b if b is not None else "")


def reconcile_workbook(actor, report, fileobj, *, size=None, filename="", request=None):
    """[Difference] between a grid report's workbook and the saved values, by the form's
    input cells (computed cells are the platform's own). Raises ImportRefused with every
    problem of a file that cannot be read. Nothing is saved; an audit event is written."""
    reader = _Reader(report, fileobj, size)
    try:
        if reader.spec.kind != "grid":
            raise ImportRefused([Problem(_("Chỉ đối chiếu được biểu dạng bảng số liệu."))])
        first = reader.first_data_row()
        try:
            found = _read_grid(reader, first)
        except BROKEN_FILE:
            raise ImportRefused([Problem(_("Tệp Excel bị hỏng: không đọc được nội dung trang tính. Hãy mở tệp bằng Excel, lưu lại rồi tải lên."))]) from None
    finally:
        reader.close()
    saved = grid_values(report)
    differences = []
    for row, column, value in found:
        now = saved.get((row.code, column.code))
        if not _same(now, value):
            differences.append(Difference(row_label(row), f"{column.number} {column.label}".strip(), _shown(now), _shown(value)))
    record("exchange.reconciled", actor=actor, request=request, unit=report.unit, obj=report,
           after={"file": filename[:200], "differences": len(differences), "version": report.version})
    return differences


def _read_grid(reader, first):
    """[(row, column, clean value or None)] of every input cell of the data sheet."""
    layout, spec = reader.layout, reader.spec
    sheet = reader.data_sheet()
    last = first + len(layout.rows) - 1
    reader.check_merges(sheet, first, last)
    cells_of, values = [], {}

    def store(target, row_number, col, column, value):
        if column.type == "text":
            values[target] = to_text(value)
            return
        clean, message = reader.convert(column, value)
        if message:
            reader.problem(message, row_number, col, column, value)
        else:
            values[target] = clean

    for offset, cells in enumerate(sheet.iter_rows(min_row=first, max_row=last, max_col=len(layout.columns))):
        row_number, row = first + offset, layout.rows[offset]
        cells = list(cells)
        label = cells[0].value if cells else None
        if fold_label(label) != fold_label(row_label(row)):
            reader.problem(_("Dòng không khớp với biểu: cần “%(label)s”.") % {"label": row_label(row)}, row_number, 1, layout.columns[0], label)
            continue
        for col, column in enumerate(layout.columns[1:], start=2):
            form_cell = spec.cell(row.code, column.code)
            if form_cell.disabled or form_cell.computed:
                continue
            cells_of.append((row, column))
            cell = cells[col - 1] if col - 1 < len(cells) else None
            value = reader.cell_value(cell, (row.code, column.code), row_number, col, column)
            if not _blank(value):
                store((row.code, column.code), row_number, col, column, value)
    reader.resolve_formulas(store)
    if reader.problems:
        raise ImportRefused(reader.problems)
    return [(row, column, values.get((row.code, column.code))) for row, column in cells_of]

"""Reconciling a report with its paper copy: the signed report's Excel, read with the
import's reader and limits, compared cell by cell with what the platform holds. Saves nothing."""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from baocao.audit.services import record_read
from baocao.reports.formatting import vn_number
from baocao.reports.services import grid_values

from .importing import BROKEN_FILE, ImportRefused, Problem, _Reader, read_grid, same_value
from .layout import row_label


@dataclass(frozen=True)
class Difference:
    row: str  # the row's label as printed
    column: str  # the column's number and label as printed
    platform: str
    file: str

    def __str__(self):
        return _("Dòng “%(row)s”, cột %(column)s: trên phần mềm “%(platform)s”, trong tệp “%(file)s”.") % {
            "row": self.row, "column": self.column, "platform": self.platform, "file": self.file}


def differences_message(differences):
    if not differences:
        return _("Số liệu trong tệp khớp với số liệu trên phần mềm.")
    return _("Có %(n)d ô khác nhau giữa tệp và số liệu trên phần mềm.") % {"n": len(differences)}


def _shown(value):
    return vn_number(value) if isinstance(value, Decimal) else ("" if value is None else str(value))


def reconcile_workbook(actor, report, fileobj, *, size=None, filename="", request=None):
    """[Difference] between a grid report's workbook and the saved values, by the form's
    input cells (computed cells are the platform's own). Raises ImportRefused with every
    problem of a file that cannot be read. Nothing is saved; an audit event is written."""
    reader = _Reader(report, fileobj, size)
    try:
        if reader.spec.kind != "grid":
            raise ImportRefused([Problem(_("Chỉ đối chiếu được biểu dạng bảng số liệu."))])
        try:
            found, _where = read_grid(reader, reader.first_data_row())
        except BROKEN_FILE:
            raise ImportRefused([Problem(_("Tệp Excel bị hỏng: không đọc được nội dung trang tính. Hãy mở tệp bằng Excel, lưu lại rồi tải lên."))]) from None
        if reader.problems:
            raise ImportRefused(reader.problems)
    finally:
        reader.close()
    saved, spec = grid_values(report), reader.spec
    differences = []
    for row in reader.layout.rows:
        for column in reader.layout.columns[1:]:
            cell = spec.cell(row.code, column.code)
            if cell.disabled or cell.computed:
                continue
            now, typed = saved.get((row.code, column.code)), found.get((row.code, column.code))
            if not same_value(now, typed):
                differences.append(Difference(row_label(row), f"{column.number} {column.label}".strip(), _shown(now), _shown(typed)))
    record_read("exchange.reconciled", actor=actor, request=request, unit=report.unit, obj=report,
           after={"file": filename[:200], "differences": len(differences), "version": report.version})
    return differences

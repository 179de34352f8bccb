"""Importing a filled template back into its report: all or nothing, every problem at once.

The file must be this platform's template of the report's form, in the form's current
version (the marker defined name written by `workbook.template_workbook`). The data sheet
is read with openpyxl in read-only mode, so a register of 10,000 records streams through;
every cell is converted (Vietnamese numbers typed as text, dd/mm/yyyy dates, drop-down
labels), everything is checked against the form, and only a file without a single
problem is saved, through `reports.services` (`save_grid` / `replace_records`) against
the report's current version.
"""
import datetime
import re
import zipfile
import zlib
from xml.etree.ElementTree import ParseError
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from baocao.audit.services import record, record_read
from baocao.jobs.uploads import UploadRefused, inspect_xlsx, limit
from baocao.units.text import clean_text
from baocao.formdefs.spec import not_a_number, parse_number, too_large
from baocao.reports.models import Report
from baocao.reports.services import (
    InvalidRecords, InvalidValues, StaleReport, grid_values, instance_keys, known_keys, record_values, replace_records, save_grid,
    unit_type_codes,
)

from .layout import choice_lookup, fold_label, layout_for, row_label, sheet_title
from .workbook import MARKER, NUMERIC_TYPES

MAX_RECORDS = 100_000
MAX_PROBLEMS = 1_000  # problems listed before a file is refused without reading on
# What an upload into a form may hold (jobs.uploads.inspect_xlsx): a grid's template is a few
# hundred rows with little text; a register has a row per record and text in many columns.
GRID_BOUNDS = {"max_rows": 20_000, "max_strings": 50_000}
LIST_BOUNDS = {"max_rows": MAX_RECORDS + 1_000, "max_strings": 300_000}


def upload_bounds(report):
    """The rows and shared strings an upload into `report` may have (keywords of inspect_xlsx)."""
    return GRID_BOUNDS if report.form.kind == "grid" else LIST_BOUNDS
_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_NOT_FINITE = re.compile(r"^[-+]?(s?nan\d*|inf|infinity)$", re.IGNORECASE)
# What a damaged or hand-made file raises inside openpyxl while it is opened or read.
BROKEN_FILE = (zipfile.BadZipFile, zlib.error, InvalidFileException, ParseError, KeyError, IndexError, EOFError, OSError, ValueError, TypeError)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def NOT_XLSX():
    return _("Tệp không phải là tệp Excel (.xlsx) hợp lệ. Tệp .xls cũ hãy mở bằng Excel và lưu lại dạng .xlsx.")


@dataclass(frozen=True)
class Problem:
    """One reason the file was refused, where the user finds it in Excel."""

    message: str
    sheet: str = ""
    row: int = 0
    column: str = ""  # Excel letter(s)
    number: str = ""  # the form's printed column number(s), "(3)"
    label: str = ""  # the column's header
    value: str = ""

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_("trang “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            where.append(_("dòng %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("cột %(col)s") % {"col": f"{self.column} {self.number}".strip()})
        where = ", ".join(where) or _("tệp")
        value = f" “{self.value}”" if self.value else ""
        return f"{where[0].upper()}{where[1:]}{value}: {self.message}"


class ImportRefused(Exception):
    """The file was refused and nothing was saved; `problems` lists every reason."""

    def __init__(self, problems):
        self.problems = sorted(problems, key=lambda p: (p.row, len(p.column), p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ImportResult:
    kind: str  # "grid" or "list"
    count: int  # cells or records saved
    warnings: list = field(default_factory=list)  # rule results that do not block a save


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value):
    """A cell's value as the user typed it, for the list of problems."""
    if value is None:
        return ""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def to_number(value):
    """(Decimal, None) or (None, message): a number cell, or a number typed as text the
    Vietnamese way (1.234.567 or 1.234,5)."""
    if isinstance(value, (bool, datetime.date, datetime.time, datetime.timedelta)):
        return None, _("Phải là số.")
    try:
        amount = parse_number(value)  # refuses NaN and infinities (a 1e400 number cell reads as inf)
    except ValueError:
        if isinstance(value, float) or _NOT_FINITE.match(str(value).strip()):
            return None, not_a_number()
        return None, _("Phải là số (ví dụ 1.234.567 hoặc 1.234,5).")
    message = too_large(amount)  # 15 digits before the point ("1e400" typed as text is finite, and too large)
    return (None, message) if message else (amount, None)


def to_date(value):
    """(date, None) or (None, message): a real Excel date, or text dd/mm/yyyy."""
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return datetime.datetime.strptime(value.strip(), "%d/%m/%Y").date(), None
        except ValueError:
            return None, _("Ngày không có thật.")
    return None, _("Ngày phải theo định dạng dd/mm/yyyy (ví dụ 31/12/2024).")


def to_text(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_text(str(value)).strip()


class _Reader:
    """One upload: the workbook, its data sheet, and the problems found so far."""

    def __init__(self, report, fileobj, size, progress=None):
        self.report, self.fileobj = report, fileobj
        self.layout = layout_for(report)
        self.spec = self.layout.spec
        self.title = sheet_title(self.spec.code)
        self.problems = []
        self.pending = []  # formula cells: (target, row, col, column), resolved from cached values
        self.progress = progress or (lambda done, total=None, stage=None, **kw: None)
        self.file_version = None  # the report version the template was made from
        try:
            # Bounds first: nothing is parsed beyond them (docs/adr/0013).
            self.inspection = inspect_xlsx(fileobj, size, **upload_bounds(report))
        except UploadRefused as refused:
            raise ImportRefused([Problem(refused.message)]) from None
        self.book = self._open(data_only=False)

    def _open(self, data_only):
        self.fileobj.seek(0)
        try:
            return load_workbook(self.fileobj, read_only=True, data_only=data_only)
        except BROKEN_FILE:
            raise ImportRefused([Problem(NOT_XLSX())]) from None

    def close(self):
        self.book.close()

    def problem(self, message, row=0, col=0, column=None, value=None):
        self.add(Problem(message, self.title, row, get_column_letter(col) if col else "", column.number if column else "",
                         column.label if column else "", shown(value)))

    def add(self, problem):
        """One more problem; past MAX_PROBLEMS the file is refused at once with those found so
        far (a sheet of 100,000 bad rows must not keep a worker and its memory for minutes)."""
        self.problems.append(problem)
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportRefused(self.problems + [Problem(
                _("Đã dừng kiểm tra sau %(n)d lỗi: hãy sửa các lỗi trên rồi tải tệp lên lại.") % {"n": MAX_PROBLEMS}, self.title)])

    def first_data_row(self):
        """The data sheet's first data row, once the marker says the file is our template
        of this form and version; raises ImportRefused otherwise."""
        spec, version = self.spec, self.report.form.version
        name = self.book.defined_names.get(MARKER)
        parts = (name.attr_text or "").strip().lstrip("=").strip('"').split("|") if name is not None else []
        if len(parts) not in (3, 4) or not parts[2].isdigit() or len(parts[2]) > 7:
            raise ImportRefused([Problem(
                _("Tệp không phải tệp mẫu nhập liệu của hệ thống cho biểu %(code)s (không có dấu nhận biết biểu). "
                  "Hãy tải tệp mẫu của biểu và điền số liệu vào đó.") % {"code": spec.code})])
        code, file_version, first = parts[:3]
        if code != spec.code:
            raise ImportRefused([Problem(
                _("Tệp là tệp mẫu của biểu %(found)s, không phải biểu %(code)s.") % {"found": code, "code": spec.code}, value=code)])
        if file_version != str(version):
            raise ImportRefused([Problem(
                _("Tệp mẫu theo phiên bản %(found)s của biểu %(code)s; biểu đang dùng phiên bản %(version)d. Hãy tải tệp mẫu mới.")
                % {"found": file_version, "code": spec.code, "version": version}, value=file_version)])
        made = re.fullmatch(r"r(\d{1,18})v(\d{1,18})", parts[3]) if len(parts) == 4 else None
        if made is None:
            raise ImportRefused([Problem(
                _("Tệp mẫu này không ghi phiên bản của báo cáo (tải về trước khi hệ thống kiểm tra phiên bản), nên không biết "
                  "số liệu trên hệ thống có thay đổi sau đó hay không. Hãy tải tệp mẫu mới, chép số liệu vào rồi tải lên."))])
        if int(made.group(1)) != self.report.pk:
            raise ImportRefused([Problem(
                _("Tệp là tệp mẫu của một báo cáo khác (đơn vị hoặc kỳ báo cáo khác). Hãy tải tệp mẫu của chính báo cáo này."))])
        self.file_version = int(made.group(2))
        return int(first)

    def stale_problems(self, differences):
        """ImportRefused if the report was saved after the template was made: the file would
        overwrite those figures. `differences` lists what differs between the file and what
        is saved now, to reconcile."""
        if self.file_version == self.report.version:
            return
        saved = Report.objects.select_related("updated_by").get(pk=self.report.pk)
        who = saved.updated_by.username if saved.updated_by else _("(không rõ)")
        when = timezone.localtime(saved.updated_at).strftime("%d/%m/%Y %H:%M:%S")
        problems = [Problem(_(
            "Báo cáo đã được %(who)s lưu lúc %(when)s, sau khi tệp mẫu này được tải về (tệp theo lần lưu thứ %(old)d, báo cáo nay "
            "là lần lưu thứ %(new)d). Tệp không được nhập để không ghi đè số liệu đó. Hãy tải tệp mẫu mới, chép số liệu của bạn "
            "vào rồi tải lên; các ô dưới đây là nơi tệp khác với số liệu đang lưu.")
            % {"who": who, "when": when, "old": self.file_version, "new": saved.version})]
        raise ImportRefused(problems + list(differences)[:200])

    def data_sheet(self):
        sheet = next((ws for ws in self.book.worksheets if ws.title == self.title and ws.sheet_state == "visible"), None)
        if sheet is None:
            raise ImportRefused([Problem(
                _("Không tìm thấy trang tính “%(title)s” đang hiển thị (trang tính bị ẩn không được đọc).") % {"title": self.title})])
        return sheet

    def check_merges(self, sheet, first_row, last_row):
        """Merged cells in the data area are refused: which cell holds the value is a guess."""
        # openpyxl's read-only sheets do not parse merges; scan the sheet's XML for them.
        source, tail = sheet._get_source(), b""
        try:
            while chunk := source.read(1 << 20):
                data, end = tail + chunk, 0
                for match in _MERGE.finditer(data):
                    end = match.end()
                    ref = match.group(1).decode()
                    min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
                    if max_row >= first_row and (last_row is None or min_row <= last_row) and min_col <= len(self.layout.columns):
                        self.problem(_("Ô gộp trong vùng số liệu (%(ref)s): hãy bỏ gộp ô, mỗi ô một giá trị.") % {"ref": ref}, min_row, min_col)
                tail = data[max(end, len(data) - 200) :]
        finally:
            source.close()

    def convert(self, column, value, lookup=None):
        """(clean value, message or None) of one non-blank cell."""
        if column.type in NUMERIC_TYPES:
            return to_number(value)
        if column.type == "date":
            return to_date(value)
        if column.type == "choice":
            key = lookup.get(fold_label(value))
            if key is None:
                labels = "; ".join(label for _key, label in column.choices)
                return None, (_("Không có trong danh mục; chọn một trong: %(labels)s.") % {"labels": labels})[:500]
            return key, None
        if column.type == "tick":
            return value, None  # the form says what a tick accepts
        return to_text(value), None

    def cell_value(self, cell, target, row, col, column):
        """The value of a read-only cell, or None after deferring a formula to its cached value."""
        if cell is not None and cell.data_type == "f":
            self.pending.append((target, row, col, column))
            return None
        return None if cell is None else cell.value

    def cached_values(self):
        """{(row, col): cached value} of the formula cells: what Excel last computed."""
        if not self.pending:
            return {}
        wanted = {(row, col) for _target, row, col, _column in self.pending}
        rows = [row for row, _col in wanted]
        book = self._open(data_only=True)
        try:
            sheet = next(ws for ws in book.worksheets if ws.title == self.title and ws.sheet_state == "visible")
            found = {}
            for row, values in enumerate(sheet.iter_rows(min_row=min(rows), max_row=max(rows), max_col=len(self.layout.columns), values_only=True), start=min(rows)):
                for col, value in enumerate(values, start=1):
                    if (row, col) in wanted:
                        found[(row, col)] = value
            return found
        finally:
            book.close()

    def resolve_formulas(self, store):
        """Formula cells take their cached value; one without (never computed) is refused."""
        cached = self.cached_values()
        for target, row, col, column in self.pending:
            value = cached.get((row, col))
            if _blank(value):
                self.problem(_("Ô chứa công thức (=…) mà tệp không lưu sẵn kết quả; hãy nhập trực tiếp số liệu."), row, col, column, "=…")
                continue
            store(target, row, col, column, value)


def read_grid(reader, first):
    """The entered cells of a grid workbook's data sheet: ({(row, column): clean value},
    {(row, column): (sheet row, sheet column, column, typed value)}). Computed cells are the
    platform's to fill and are skipped; every problem is left on `reader.problems`."""
    layout, spec = reader.layout, reader.spec
    sheet = reader.data_sheet()
    last = first + len(layout.rows) - 1
    reader.check_merges(sheet, first, last)
    entered, where = {}, {}

    def store(target, row, col, column, value):
        if column.type == "text":
            entered[target] = to_text(value)
        else:
            clean, message = reader.convert(column, value)
            if message:
                reader.problem(message, row, col, column, value)
                return
            entered[target] = clean
        where[target] = (row, col, column, value)

    stub = layout.columns[0]
    for offset, cells in enumerate(sheet.iter_rows(min_row=first, max_row=last, max_col=len(layout.columns))):
        row_number, row = first + offset, layout.rows[offset]
        cells = list(cells)
        label = cells[0].value if cells else None
        if fold_label(label) != fold_label(row_label(row)):
            reader.problem(_("Dòng không khớp với biểu: cần “%(label)s”. Hãy tải tệp mẫu mới.") % {"label": row_label(row)},
                           row_number, 1, stub, label)
            continue
        for col, column in enumerate(layout.columns[1:], start=2):
            cell = cells[col - 1] if col - 1 < len(cells) else None
            value = reader.cell_value(cell, (row.code, column.code), row_number, col, column)
            if _blank(value):
                continue
            form_cell = spec.cell(row.code, column.code)
            if form_cell.disabled:
                reader.problem(_("Ô này không áp dụng cho dòng này; không được nhập số liệu."), row_number, col, column, value)
            elif not form_cell.computed:  # computed cells are the platform's to fill
                store((row.code, column.code), row_number, col, column, value)
    reader.resolve_formulas(store)
    return entered, where


def _import_grid(actor, reader, first, request):
    spec, size = reader.spec, len(reader.layout.rows)
    entered, where = read_grid(reader, first)
    instances = instance_keys(reader.report)

    def refused(results):
        for result in results:
            if result.code.startswith("cell_"):
                row, col, column, value = where[result.cells[0]]
                reader.problem(result.message, row, col, column, value)

    refused(spec.check(entered, instances=instances))
    if reader.problems:
        raise ImportRefused(reader.problems)
    reader.stale_problems(_grid_differences(reader, entered, where))
    reader.progress(size, size, _("Đang lưu số liệu…"), force=True)
    try:
        results = save_grid(actor, reader.report, entered, expected_version=reader.file_version, request=request)
    except InvalidValues as error:
        refused(error.problems)
        raise ImportRefused(reader.problems) from None
    return ImportResult("grid", len(entered), [r for r in results if not r.code.startswith("cell_")])


def _import_list(actor, reader, first, request):
    layout, spec = reader.layout, reader.spec
    sheet = reader.data_sheet()
    reader.check_merges(sheet, first, None)
    columns = layout.columns[1:]
    lookups = {c.code: choice_lookup(spec, spec.field(c.code).enumeration) for c in columns if c.type == "choice"}
    records, row_numbers, bad = [], [], set()
    position = {column.code: (col, column) for col, column in enumerate(columns, start=2)}

    def report_check(index, check):
        """The problems of record `index`'s check (fields already refused at reading left out)."""
        row = row_numbers[index]
        for code, messages in check.errors.items():
            if (index, code) not in bad:
                col, column = position[code]
                for message in messages:
                    reader.problem(message, row, col, column, _shown_clean(column, records[index].get(code)))
        for result in check.rules:
            if result.blocking and not any((index, code) in bad for code in result.cells):
                cols = [position[code] for code in result.cells if code in position]
                reader.add(Problem(
                    result.message, reader.title, row, ", ".join(get_column_letter(c) for c, _col in cols),
                    ", ".join(column.number for _c, column in cols), "; ".join(column.label for _c, column in cols),
                    "; ".join(_shown_clean(column, records[index].get(column.code)) for _c, column in cols)[:200],
                ))

    def store(target, row, col, column, value):
        index, code = target
        clean, message = reader.convert(column, value, lookups.get(code))
        if message:
            reader.problem(message, row, col, column, value)
            bad.add(target)
        records[index][code] = clean

    max_rows = limit("MAX_ROWS", 200_000)
    declared = max(reader.inspection.rows - first + 1, 0) or None
    # Each record is checked as soon as it is read (references too), so a sheet of bad rows is
    # refused at MAX_PROBLEMS without holding every record and every check in memory.
    keys, types = known_keys(reader.report), unit_type_codes(reader.report)
    checked = 0

    def check_read(resolved=False):
        nonlocal checked
        if reader.pending and not resolved:
            return  # a formula cell takes its cached value at the end: those records are checked then
        for index in range(checked, len(records)):
            report_check(index, spec.validate_record(records[index], keys, types))
        checked = len(records)

    for row_number, cells in enumerate(sheet.iter_rows(min_row=first, max_col=len(layout.columns)), start=first):
        if row_number - first >= max_rows:  # a sheet whose declared size lied: stop reading
            raise ImportRefused([Problem(_("Trang tính có quá %(n)d dòng. Hãy chia số liệu thành nhiều tệp.") % {"n": max_rows},
                                         reader.title, row_number)])
        reader.progress(row_number - first, declared, _("Đang đọc tệp…"))
        if all(_blank(cell.value) for cell in cells[1:]):
            continue
        if len(records) >= MAX_RECORDS:
            raise ImportRefused([Problem(_("Tệp có quá %(n)d bản ghi.") % {"n": MAX_RECORDS}, reader.title, row_number)])
        check_read()
        index = len(records)
        records.append({})
        row_numbers.append(row_number)
        for col, column in enumerate(columns, start=2):
            cell = cells[col - 1] if col - 1 < len(cells) else None
            value = reader.cell_value(cell, (index, column.code), row_number, col, column)
            if _blank(value):
                records[index][column.code] = None
            else:
                store((index, column.code), row_number, col, column, value)
    reader.resolve_formulas(store)
    check_read(resolved=True)
    if not records and not reader.problems:
        raise ImportRefused([Problem(_("Tệp không có bản ghi nào."), reader.title, first)])

    def refused(checks):
        for number, check in checks:
            report_check(number - 1, check)

    if reader.problems:
        raise ImportRefused(reader.problems)
    reader.stale_problems(_list_differences(reader, records))
    reader.progress(len(records), len(records), _("Đang kiểm tra và lưu %(n)d bản ghi…") % {"n": len(records)}, force=True)
    try:
        warnings = replace_records(actor, reader.report, records, expected_version=reader.file_version, request=request)
    except InvalidRecords as error:
        refused(sorted(error.checks.items()))
        raise ImportRefused(reader.problems) from None
    return ImportResult("list", len(records), warnings)


def _grid_differences(reader, entered, where):
    """Problems naming each cell whose value in the file differs from the one saved now."""
    saved = grid_values(reader.report)
    found = []
    for (row, code), value in sorted(entered.items()):
        now = saved.get((row, code))
        if not same_value(now, value):
            sheet_row, col, column, typed = where[(row, code)]
            found.append(Problem(_("Khác với số liệu đang lưu: %(now)s.") % {"now": shown(now) or _("(trống)")},
                                 reader.title, sheet_row, get_column_letter(col), column.number, column.label, shown(typed)))
    typed_cells = set(entered)
    for (row, code), now in sorted(saved.items(), key=lambda item: item[0]):
        if (row, code) not in typed_cells and now not in (None, "") and not _computed(reader.spec, row, code):
            found.append(Problem(_("Ô để trống trong tệp nhưng đang lưu: %(now)s.") % {"now": shown(now)}, reader.title))
    return found


def same_value(a, b):
    """Whether a saved value and one read from a file are the same figure (1,0 is 1; blank is blank)."""
    if _blank(a) and _blank(b):
        return True
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return str(a if a is not None else "") == str(b if b is not None else "")


def _computed(spec, row, code):
    try:
        return spec.cell(row, code).computed
    except KeyError:
        return True


def _list_differences(reader, records):
    saved = record_values(reader.report)
    return [Problem(_("Tệp có %(file)d bản ghi; báo cáo đang lưu %(saved)d bản ghi.") % {"file": len(records), "saved": len(saved)}, reader.title)]


def _shown_clean(column, value):
    if column.type == "choice":
        return dict(column.choices).get(value, shown(value))
    if column.type == "tick":
        return "x" if value is True else shown(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return shown(value)


def import_workbook(actor, report, fileobj, *, size=None, filename="", request=None, progress=None):
    """Read a filled template into `report`, replacing its values or records.

    All or nothing: raises ImportRefused listing every problem (by sheet, row, column,
    value and what was expected) and saves nothing. PermissionDenied if `actor` may not
    enter the report's data. Returns an ImportResult."""
    try:
        reader = _Reader(report, fileobj, size, progress)
    except ImportRefused as refused:
        _audit_refusal(actor, request, report, filename, refused)
        raise
    try:
        first = reader.first_data_row()
        importer = _import_grid if reader.spec.kind == "grid" else _import_list
        try:
            with transaction.atomic():  # the import and its audit event: one transaction
                result = importer(actor, reader, first, request)
                record("exchange.imported", actor=actor, request=request, unit=report.unit, obj=report,
                       after={"file": filename[:200], "kind": result.kind, "count": result.count, "version": report.version})
        except (StaleReport, ValidationError) as error:
            message = error.message if isinstance(error, StaleReport) else " ".join(error.messages)
            raise ImportRefused([Problem(message)]) from None
        except BROKEN_FILE:  # a sheet whose XML is damaged, met while reading it
            raise ImportRefused([Problem(_("Tệp Excel bị hỏng: không đọc được nội dung trang tính. Hãy mở tệp bằng Excel, lưu lại rồi tải lên."))]) from None
    except ImportRefused as refused:
        _audit_refusal(actor, request, report, filename, refused)
        raise
    finally:
        reader.close()
    return result


def success_message(result):
    """What the person is told after a successful import."""
    if result.kind == "grid":
        text = _("Đã nhập số liệu từ tệp Excel: %(n)d ô, lúc %(when)s.")
    else:
        text = _("Đã nhập %(n)d bản ghi từ tệp Excel, lúc %(when)s.")
    text %= {"n": result.count, "when": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
    if result.warnings:
        text += " " + _("Có %(n)d điều kiện kiểm tra chưa đạt; xem lại báo cáo.") % {"n": len(result.warnings)}
    return text


def _audit_refusal(actor, request, report, filename, refused):
    record_read("exchange.import_refused", actor=actor, request=request, unit=report.unit, obj=report,
           after={"file": filename[:200], "problems": len(refused.problems)}, note="; ".join(str(p) for p in refused.problems[:5])[:500])

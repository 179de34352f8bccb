"""Writing a report as an Excel workbook in the official layout (XlsxWriter).

`template_workbook` is what a unit fills in offline and uploads back: input cells
unlocked, computed and heading cells locked and shaded (sheet protection without a
password), drop-down lists with the exact labels of enumerations, input hints (type,
unit, bounds), and the hidden marker (a defined name) by which the import recognises its
own template and form version. It carries what is already saved, so downloading,
editing and uploading never loses data. Computed cells stay blank there: the platform
computes them on upload.

`export_workbook` is the filled report as the paper form is signed: computed values,
the explanation (thuyết minh), the date line and the signature blocks.
"""
import datetime
import io
import math
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from baocao.reports.services import note_lines

from .layout import choice_options, date_line, layout_for, place_name, row_label, sheet_title

MARKER = "BAOCAO_BIEU"  # defined name: "form code|form version|first data row|r<report id>v<report version>"
LISTS_SHEET = "DanhMuc"
EXCEL_LAST_ROW = 1_048_575
NUMERIC_TYPES = {"integer", "decimal", "money", "area", "year"}
SHADE_COMPUTED = "#E7E6E6"
SHADE_DISABLED = "#BFBFBF"
SHADE_HEAD = "#F2F2F2"
# Excel holds numbers as doubles: up to 15 significant digits they come back exactly;
# a longer Decimal is written as text, which the import reads exactly too.
EXACT_DIGITS = 15


class _Formats:
    """One XlsxWriter format per distinct set of properties (Excel caps their number)."""

    BASE = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter", "text_wrap": True}

    def __init__(self, book):
        self.book, self.cache = book, {}

    def __call__(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format({**self.BASE, **props})
        return self.cache[key]


def number_format(column):
    if column.type == "date":
        return "dd/mm/yyyy"
    if column.type == "year":
        return "0"
    if column.type in NUMERIC_TYPES:
        return "#,##0" + ("." + "0" * column.decimals if column.decimals else "")
    return "@"


def _hint(column):
    """(title, message) of the input hint Excel shows on a cell of this column."""
    kinds = {
        "integer": _("số nguyên"), "year": _("năm (4 chữ số)"), "date": _("ngày, định dạng dd/mm/yyyy"),
        "choice": _("chọn trong danh sách"), "tick": _("đánh dấu x hoặc để trống"), "text": _("văn bản"),
        "reference": _("văn bản"),
    }
    kind = kinds.get(column.type)
    if kind is None:
        kind = _("số, tối đa %(n)d chữ số thập phân") % {"n": column.decimals} if column.decimals else _("số nguyên")
    lines = [_("Kiểu: %(kind)s.") % {"kind": kind}]
    if column.unit:
        lines.append(_("Đơn vị tính: %(unit)s.") % {"unit": column.unit})
    if column.min is not None and column.max is not None:
        lines.append(_("Từ %(min)s đến %(max)s.") % {"min": column.min, "max": column.max})
    elif column.min is not None:
        lines.append(_("Không nhỏ hơn %(min)s.") % {"min": column.min})
    elif column.max is not None:
        lines.append(_("Không lớn hơn %(max)s.") % {"max": column.max})
    if column.type in NUMERIC_TYPES - {"year"}:
        lines.append(_("Có thể gõ 1.234.567 hoặc 1.234,5."))
    if column.required:
        lines.append(_("Bắt buộc nhập."))
    return column.label[:32], " ".join(lines)[:255]


def _lines(text, width):
    """Lines `text` takes in a merged cell `width` characters wide (for row heights)."""
    return max(1, sum(math.ceil(max(len(part), 1) / max(width, 1)) for part in str(text).split("\n")))


def _ranges(cells):
    """'B5:B9 B11' for the cells [(row, col)…] of one column (rows ascending)."""
    runs = []
    for row, col in cells:
        if runs and runs[-1][1] == row - 1 and runs[-1][2] == col:
            runs[-1][1] = row
        else:
            runs.append([row, row, col])
    return " ".join(
        xl_rowcol_to_cell(a, c) if a == b else f"{xl_rowcol_to_cell(a, c)}:{xl_rowcol_to_cell(b, c)}" for a, b, c in runs
    )


class _Writer:
    def __init__(self, report, printable):
        self.layout = layout_for(report)
        self.spec = self.layout.spec
        self.printable = printable
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
        self.fmt = _Formats(self.book)
        self.sheet = self.book.add_worksheet(sheet_title(self.spec.code))
        self.width = self.layout.width
        self.char_widths = [c.width for c in self.layout.columns] + [14] * (self.width - len(self.layout.columns))

    def merge(self, row, first, last, value, fmt):
        if first == last:
            self.sheet.write(row, first, value, fmt)
        else:
            self.sheet.merge_range(row, first, row, last, value, fmt)

    def span_chars(self, first, last):
        return sum(self.char_widths[first : last + 1])

    # -- header block --

    def header(self):
        block, sheet = self.layout.header, self.sheet
        split = max(1, self.width // 2)
        row = 0
        for i in range(max(len(block["left"]), len(block["right"]))):
            left = block["left"][i] if i < len(block["left"]) else ""
            right = block["right"][i] if i < len(block["right"]) else ""
            self.merge(row, 0, split - 1, left, self.fmt(bold=i == 0, italic=i > 0, align="left"))
            self.merge(row, split, self.width - 1, right, self.fmt(align="left", bold=i < 2))
            lines = max(_lines(left, self.span_chars(0, split - 1)), _lines(right, self.span_chars(split, self.width - 1)))
            sheet.set_row(row, 15 * lines)
            row += 1
        row += 1
        self.merge(row, 0, self.width - 1, block["title"], self.fmt(bold=True, font_size=13, align="center"))
        sheet.set_row(row, 18 * _lines(block["title"], self.span_chars(0, self.width - 1)))
        row += 1
        for line in block["centre"]:
            self.merge(row, 0, self.width - 1, line, self.fmt(align="center", italic=line.startswith("(")))
            row += 1
        return row + 1

    # -- table --

    def table_head(self, top):
        layout, sheet = self.layout, self.sheet
        head = self.fmt(bold=True, align="center", border=1, bg_color=SHADE_HEAD)
        heights = [1] * layout.head_height
        for cell in layout.head:
            first_row, first_col = top + cell.row, cell.col
            last_row, last_col = first_row + cell.rowspan - 1, first_col + cell.colspan - 1
            if (first_row, first_col) == (last_row, last_col):
                sheet.write(first_row, first_col, cell.label, head)
            else:
                sheet.merge_range(first_row, first_col, last_row, last_col, cell.label, head)
            lines = _lines(cell.label, self.span_chars(first_col, last_col))
            heights[cell.row + cell.rowspan - 1] = max(heights[cell.row + cell.rowspan - 1], lines - (cell.rowspan - 1))
        for level, lines in enumerate(heights):
            sheet.set_row(top + level, 15 * lines)
        numbers_row = top + layout.head_height
        number = self.fmt(italic=True, align="center", border=1, bg_color=SHADE_HEAD)
        for col, column in enumerate(layout.columns):
            sheet.write(numbers_row, col, column.number, number)
        for col, column in enumerate(layout.columns):
            sheet.set_column(col, col, column.width)
        return numbers_row + 1

    def cell_format(self, column, state):
        """state: "input", "computed", "disabled" or "plain" (a printed value)."""
        props = {"border": 1, "num_format": number_format(column)}
        if column.type in NUMERIC_TYPES or column.type == "date":
            props["align"] = "right"
        elif column.type == "tick":
            props["align"] = "center"
        if state == "input" and not self.printable:
            props["locked"] = False
        elif state == "computed":
            props["bg_color"] = SHADE_COMPUTED
        elif state == "disabled":
            props["bg_color"] = SHADE_DISABLED
        return self.fmt(**props)

    def write_value(self, row, col, column, value, fmt):
        sheet = self.sheet
        if value is None or value == "" or value is False:
            sheet.write_blank(row, col, None, fmt)
        elif column.type in NUMERIC_TYPES:
            amount = Decimal(value).normalize()  # stored with 6 decimals: 12.000000 is 12
            if len(amount.as_tuple().digits) <= EXACT_DIGITS:
                sheet.write_number(row, col, float(amount), fmt)
            else:
                sheet.write_string(row, col, f"{amount:f}", fmt)
        elif column.type == "date":
            day = value if isinstance(value, datetime.date) else datetime.datetime.strptime(value, "%d/%m/%Y").date()
            sheet.write_datetime(row, col, datetime.datetime.combine(day, datetime.time()), fmt)
        elif column.type == "choice":
            sheet.write_string(row, col, dict(column.choices).get(value, str(value)), fmt)
        elif column.type == "tick":
            sheet.write_string(row, col, "x", fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def grid_rows(self, first):
        layout, spec, sheet = self.layout, self.spec, self.sheet
        values = layout.values()
        hints = {}  # column index -> {"input": [cells], "computed": [cells]}
        for offset, row in enumerate(layout.rows):
            r = first + offset
            strong = row.kind in ("heading", "total")
            stub = self.fmt(border=1, bold=strong, indent=row.indent, align="left", bg_color=SHADE_HEAD if row.kind == "heading" else "#FFFFFF")
            sheet.write_string(r, 0, row_label(row), stub)
            for col, column in enumerate(layout.columns[1:], start=1):
                cell = spec.cell(row.code, column.code)
                state = "disabled" if cell.disabled else "computed" if cell.computed else "input"
                value = values.get((row.code, column.code))
                if state == "computed" and not self.printable:
                    value = None
                if state == "disabled":
                    value = None
                fmt = self.cell_format(column, state)
                self.write_value(r, col, column, value, fmt)
                if state != "disabled":
                    hints.setdefault(col, {}).setdefault(state, []).append((r, col))
        if not self.printable:
            for col, states in hints.items():
                column = layout.columns[col]
                if states.get("input"):
                    title, message = _hint(column)
                    self.validate(states["input"], {"validate": "any", "input_title": title, "input_message": message})
                if states.get("computed"):
                    self.validate(states["computed"], {
                        "validate": "any", "input_title": column.label[:32],
                        "input_message": _("Ô tự tính: hệ thống tính lại khi nhập tệp, không cần điền."),
                    })
        return first + len(layout.rows)

    def validate(self, cells, options):
        (first_row, first_col), (last_row, last_col) = cells[0], cells[-1]
        self.sheet.data_validation(first_row, first_col, last_row, last_col, {**options, "multi_range": _ranges(cells)})

    def list_rows(self, first):
        layout, sheet = self.layout, self.sheet
        records = layout.values()
        index = self.fmt(border=1, align="center")
        formats = [self.cell_format(column, "input") for column in layout.columns]
        if not self.printable:
            for col, column in enumerate(layout.columns[1:], start=1):
                sheet.set_column(col, col, column.width, formats[col])
        for offset, record in enumerate(records):
            r = first + offset
            sheet.write_number(r, 0, offset + 1, index)
            for col, column in enumerate(layout.columns[1:], start=1):
                self.write_value(r, col, column, record.get(column.code), formats[col])
        if not self.printable:
            self.list_validations(first)
        return first + len(records)

    def list_validations(self, first):
        lists, list_col = None, 0
        for col, column in enumerate(self.layout.columns[1:], start=1):
            title, message = _hint(column)
            options = {"input_title": title, "input_message": message}
            if column.type == "choice":
                if lists is None:
                    lists = self.book.add_worksheet(LISTS_SHEET)
                    lists.hide()
                for i, (_key, label) in enumerate(column.choices):
                    lists.write_string(i, list_col, label)
                letter = xl_col_to_name(list_col)
                source = f"={LISTS_SHEET}!${letter}$1:${letter}${len(column.choices)}"
                list_col += 1
                options |= {"validate": "list", "source": source, "error_title": _("Giá trị không hợp lệ"),
                            "error_message": _("Hãy chọn một giá trị trong danh sách.")}
            elif column.type == "tick":
                options |= {"validate": "list", "source": ["x"], "error_title": _("Giá trị không hợp lệ"),
                            "error_message": _("Chỉ được đánh dấu x hoặc để trống.")}
            else:
                options["validate"] = "any"
            self.sheet.data_validation(first, col, EXCEL_LAST_ROW, col, options)

    # -- footer of the printed copy --

    def footer(self, row):
        layout, sheet = self.layout, self.sheet
        last = self.width - 1
        row += 1
        for label, value in note_lines(layout.report):
            self.merge(row, 0, last, f"{label}: {value or '……'}", self.fmt(align="left"))
            row += 1
        self.merge(row, 0, last, _("Thuyết minh:"), self.fmt(bold=True, align="left"))
        row += 1
        explanation = layout.report.explanation or ""
        self.merge(row, 0, last, explanation, self.fmt(align="left", valign="top"))
        sheet.set_row(row, 15 * _lines(explanation, self.span_chars(0, last)))
        row += 2
        blocks = len(layout.signatures)
        spans = [(i * self.width // blocks, (i + 1) * self.width // blocks - 1) for i in range(blocks)]
        first, final = spans[-1]
        self.merge(row, first, final, date_line(place_name(layout.report.unit)), self.fmt(italic=True, align="center"))
        row += 1
        for (first, final), signature in zip(spans, layout.signatures):
            self.merge(row, first, final, signature["title"], self.fmt(bold=True, align="center"))
            self.merge(row + 1, first, final, signature.get("hint", ""), self.fmt(italic=True, align="center"))
        return row + 6

    # -- the whole sheet --

    def write(self):
        sheet = self.sheet
        top = self.header()
        first = self.table_head(top)
        end = self.grid_rows(first) if self.spec.kind == "grid" else self.list_rows(first)
        if self.printable:
            self.footer(end)
        else:
            sheet.protect("", {"format_columns": True, "format_rows": True, "insert_rows": self.spec.kind == "list",
                               "delete_rows": self.spec.kind == "list"})
            sheet.freeze_panes(first, 1)
            report = self.layout.report
            # The report and its version as they were: an upload of this file after someone
            # saved the report since is refused instead of overwriting their figures.
            self.book.define_name(MARKER, f'="{self.spec.code}|{report.form.version}|{first + 1}|r{report.pk}v{report.version}"')
        sheet.set_paper(9)  # A4
        if self.width > 8:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(top, first - 1)
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        self.book.close()
        return self.buffer.getvalue()


def template_workbook(report):
    """The .xlsx to fill in offline and upload back (bytes)."""
    return _Writer(report, printable=False).write()


def export_workbook(report):
    """The filled report as printed and signed (bytes)."""
    return _Writer(report, printable=True).write()

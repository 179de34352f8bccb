"""Roll-ups out to Excel and PDF, in the official layout.

A roll-up is written as "a report" by the exchange writers: the same header block, the
column header with its spans and "(1)"…"(n)", the rows as printed, the date line and the
signature blocks; its values are the subtree's totals, and its header says the unit, the
period and which reports counted. The breakdown and the list of units that have not sent
are plain tables under the same kind of heading.
"""
import io

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.exchange import workbook
from baocao.exchange.layout import DEFAULT_SIGNATURES, Layout, _grid_table, date_line, place_name, row_label
from baocao.exchange.printing import PORTRAIT_MAX_COLUMNS
from baocao.reports.formatting import vn_number

from . import selectors


def header_block(grid):
    """The header of a roll-up: the form, the period, and whose subtree with which reports."""
    spec, period, unit = grid.spec, grid.period, grid.unit
    header = spec.header or {}
    left = [header.get("form_number") or _("Biểu số %(code)s") % {"code": spec.code}]
    if header.get("issued_by"):
        left.append(header["issued_by"])
    centre = [_("Tổng hợp của: %(unit)s và các đơn vị trực thuộc") % {"unit": unit.label}]
    if period.is_moment:
        centre.append(period.name)
        centre.append(_("(Thời điểm kiểm kê: 0 giờ ngày %(day)s)") % {"day": period.data_from.strftime("%d/%m/%Y")})
    else:
        centre.append(f"{header.get('period_label') or _('Kỳ báo cáo')}: {period.header_name}")
        centre.append(_("(Từ ngày %(start)s đến ngày %(end)s)") % {"start": period.data_from.strftime("%d/%m/%Y"), "end": period.data_to.strftime("%d/%m/%Y")})
    centre.append(_("Báo cáo được tính: %(choice)s — %(n)d/%(of)d báo cáo phải lập.") % {
        "choice": grid.choice_label, "n": grid.counted, "of": grid.progress.obligations})
    right = [
        _("Đơn vị tổng hợp: %(unit)s") % {"unit": unit.name},
        _("Số liệu lúc: %(when)s") % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
    ]
    if header.get("value_unit"):
        right.append(header["value_unit"])
    return {"left": left, "title": (_("Tổng hợp: %(title)s") % {"title": spec.title}).upper(), "centre": centre, "right": right}


def layout_of(grid):
    spec = grid.spec
    head, height, columns = _grid_table(spec)
    return Layout(grid, spec, header_block(grid), head, height, columns, list(spec.signatures) or list(DEFAULT_SIGNATURES), grid.rows)


class _RollupWriter(workbook._Writer):
    """exchange's writer, fed a roll-up instead of a report."""

    def __init__(self, grid):  # noqa: the parent's reads a report; the layout here is the roll-up's
        self.grid = grid
        self.layout = layout_of(grid)
        self.spec = grid.spec
        self.printable = True
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
        self.fmt = workbook._Formats(self.book)
        self.sheet = self.book.add_worksheet(workbook.sheet_title(self.spec.code))
        self.width = self.layout.width
        self.char_widths = [c.width for c in self.layout.columns] + [14] * (self.width - len(self.layout.columns))

    def grid_rows(self, first):
        grid, sheet = self.grid, self.sheet
        for offset, row in enumerate(self.layout.rows):
            r = first + offset
            strong = row.kind in ("heading", "total")
            stub = self.fmt(border=1, bold=strong, indent=row.indent, align="left", bg_color=workbook.SHADE_HEAD if row.kind == "heading" else "#FFFFFF")
            sheet.write_string(r, 0, row_label(row), stub)
            for col, column in enumerate(self.layout.columns[1:], start=1):
                leaf = self.spec.column(column.code)
                state = "disabled" if row.kind == "heading" else grid.state(row, leaf)
                if state in ("disabled", "none"):
                    self.write_value(r, col, column, None, self.cell_format(column, "disabled"))
                    continue
                fmt = self.cell_format(column, "computed" if state == "computed" else "plain")
                self.write_value(r, col, column, grid.value(row, leaf), fmt)
        return first + len(self.layout.rows)

    def footer(self, row):
        last = self.width - 1
        row += 1
        self.merge(row, 0, last, self.grid.counted_line(), self.fmt(italic=True, align="left"))
        row += 2
        blocks = len(self.layout.signatures)
        spans = [(i * self.width // blocks, (i + 1) * self.width // blocks - 1) for i in range(blocks)]
        first, final = spans[-1]
        self.merge(row, first, final, date_line(place_name(self.grid.unit)), self.fmt(italic=True, align="center"))
        row += 1
        for (first, final), signature in zip(spans, self.layout.signatures):
            self.merge(row, first, final, signature["title"], self.fmt(bold=True, align="center"))
            self.merge(row + 1, first, final, signature.get("hint", ""), self.fmt(italic=True, align="center"))
        return row + 6


def rollup_workbook(grid):
    """The roll-up as an .xlsx in the form's printed layout (bytes)."""
    return _RollupWriter(grid).write()


def rollup_html(grid, today=None):
    layout = layout_of(grid)
    head = [[] for _ in range(layout.head_height)]
    for cell in sorted(layout.head, key=lambda c: (c.row, c.col)):
        head[cell.row].append(cell)
    rows = []
    for row in layout.rows:
        cells = []
        for column in grid.spec.leaves:
            state = "disabled" if row.kind == "heading" else grid.state(row, column)
            if state in ("disabled", "none"):
                cells.append(("", "disabled"))
            else:
                cells.append((vn_number(grid.value(row, column), column.decimals), "num computed" if state == "computed" else "num"))
        rows.append({"label": row_label(row), "indent": row.indent, "kind": row.kind, "cells": cells})
    return render_to_string("rollup/print.html", {
        "layout": layout, "header": layout.header, "head": head, "numbers": [c.number for c in layout.columns], "rows": rows,
        "counted_line": grid.counted_line(), "date_line": date_line(place_name(grid.unit), today), "signatures": layout.signatures,
        "landscape": len(layout.columns) > PORTRAIT_MAX_COLUMNS,
    })


def rollup_pdf(grid):
    """The PDF (bytes); WeasyPrint is imported here, as in exchange.printing."""
    from weasyprint import HTML

    return HTML(string=rollup_html(grid)).write_pdf()


# --- tables ---------------------------------------------------------------------------------


class _Table:
    """A titled table in one sheet: heading lines, column headers, rows."""

    def __init__(self, sheet_name, widths):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
        self.fmt = workbook._Formats(self.book)
        self.sheet = self.book.add_worksheet(sheet_name)
        self.widths = widths
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width)
        self.row = 0

    def line(self, text, **props):
        last = len(self.widths) - 1
        fmt = self.fmt(**{"align": "left", **props})
        if last:
            self.sheet.merge_range(self.row, 0, self.row, last, text, fmt)
        else:
            self.sheet.write(self.row, 0, text, fmt)
        self.row += 1

    def head(self, labels):
        fmt = self.fmt(bold=True, align="center", border=1, bg_color=workbook.SHADE_HEAD)
        for col, label in enumerate(labels):
            self.sheet.write_string(self.row, col, label, fmt)
        self.sheet.set_row(self.row, 15 * max(1, max(len(str(label)) // max(int(self.widths[i]), 1) + 1 for i, label in enumerate(labels))))
        self.sheet.freeze_panes(self.row + 1, 0)
        self.row += 1

    def cells(self, values, numeric=(), decimals=None, bold=False):
        decimals = decimals or {}
        for col, value in enumerate(values):
            if col in numeric:
                places = decimals.get(col, 0)
                fmt = self.fmt(border=1, align="right", bold=bold, num_format="#,##0" + ("." + "0" * places if places else ""))
                if value is None or value == "":
                    self.sheet.write_blank(self.row, col, None, fmt)
                else:
                    self.sheet.write_number(self.row, col, float(value), fmt)
            else:
                self.sheet.write_string(self.row, col, "" if value is None else str(value), self.fmt(border=1, align="left", bold=bold))
        self.row += 1

    def close(self):
        self.sheet.set_paper(9)
        if len(self.widths) > 8:
            self.sheet.set_landscape()
        self.sheet.fit_to_pages(1, 0)
        self.book.close()
        return self.buffer.getvalue()


def _period_line(period):
    if period.is_moment:
        return _("Kỳ báo cáo: %(name)s (thời điểm 0 giờ ngày %(day)s)") % {"name": period.header_name, "day": period.data_from.strftime("%d/%m/%Y")}
    return _("Kỳ báo cáo: %(name)s (từ ngày %(start)s đến ngày %(end)s)") % {
        "name": period.header_name, "start": period.data_from.strftime("%d/%m/%Y"), "end": period.data_to.strftime("%d/%m/%Y")}


def breakdown_workbook(selection, cells, total, rows, scope):
    """Chi tiết theo đơn vị: one row per unit, one column per chosen cell (bytes)."""
    table = _Table(workbook.sheet_title(selection.form.code), [6, 16, 40, 14] + [18] * len(cells))
    table.line(_("CHI TIẾT THEO ĐƠN VỊ: %(title)s") % {"title": selection.form.title.upper()}, bold=True, font_size=13, align="center")
    table.line(_("Biểu %(code)s") % {"code": selection.form.code}, align="center")
    table.line(_("Tổng hợp của: %(unit)s và các đơn vị trực thuộc") % {"unit": selection.unit.label}, align="center")
    table.line(_period_line(selection.period), align="center")
    table.line(_("Báo cáo được tính: %(choice)s") % {"choice": selectors.choice_label(selection.choice)}, align="center")
    table.line(_("Đơn vị trực thuộc trực tiếp") if scope == "con" else _("Tất cả các đơn vị phải lập biểu"), italic=True, align="center")
    table.row += 1
    sent = selectors.sent_label()
    table.head([_("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Đã gửi (%)")] + [c.label for c in cells])
    numeric = set(range(3, 4 + len(cells)))
    decimals = {4 + i: c.column.decimals for i, c in enumerate(cells)}
    decimals[3] = 1
    table.cells(["", total["unit"].code, _("Tổng cộng"), total["sent_percent"]] + list(total["values"]), numeric, decimals, bold=True)
    for number, row in enumerate(rows, start=1):
        name = _("Báo cáo của chính đơn vị") if row.get("own") else row["unit"].name
        table.cells([number, row["unit"].code, name, row["sent_percent"]] + list(row["values"]), numeric, decimals)
    table.row += 1
    table.line(_("Cột “Đã gửi (%%)”: số báo cáo %(sent)s trên số báo cáo phải lập.") % {"sent": sent}, italic=True)
    table.line(_("Xuất lúc %(when)s") % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M")}, italic=True)
    return table.close()


def not_sent_workbook(selection, reports, contacts, now):
    """Đơn vị chưa gửi báo cáo, with each unit's contact (bytes)."""
    table = _Table("ChuaGui", [6, 16, 36, 16, 16, 12, 30, 16, 24, 40])
    table.line(_("DANH SÁCH ĐƠN VỊ CHƯA GỬI BÁO CÁO"), bold=True, font_size=13, align="center")
    table.line(_("Tổng hợp của: %(unit)s và các đơn vị trực thuộc") % {"unit": selection.unit.label}, align="center")
    table.line(_period_line(selection.period), align="center")
    table.line(_("Biểu: %(forms)s") % {"forms": selection.form.label if selection.form else _("Tất cả các biểu")}, align="center")
    table.line(_("Tính đến %(when)s: %(n)d báo cáo %(not_sent)s.") % {
        "when": timezone.localtime(now).strftime("%d/%m/%Y %H:%M"), "n": len(reports), "not_sent": selectors.not_sent_label()}, italic=True, align="center")
    table.row += 1
    table.head([_("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Biểu"), _("Trạng thái"), _("Hạn báo cáo"), _("Địa chỉ"),
                _("Điện thoại"), _("Thư điện tử"), _("Tài khoản liên hệ")])
    for number, report in enumerate(reports, start=1):
        unit = report.unit
        due = timezone.localtime(report.due_at).strftime("%d/%m/%Y") + (" " + _("(đã quá hạn)") if report.due_at < now else "")
        people = "; ".join(f"{username} ({name})" for username, name in contacts.get(unit.pk, []))
        table.cells([number, unit.code, unit.name, report.form_code, report.get_status_display(), due, unit.address, unit.phone,
                     unit.email, people], numeric={0})
    return table.close()

"""The filled report as PDF: an HTML page in the paper form's layout, printed by WeasyPrint.

The page is what is signed: the header block, the table with its column numbers, the
explanation (thuyết minh), the date line and the signature blocks. Wide tables go on A4
landscape.
"""
from django.template.loader import render_to_string

from baocao.reports.formatting import vn_number
from baocao.reports.services import note_lines

from .layout import date_line, layout_for, place_name, row_label
from .workbook import NUMERIC_TYPES

# Beyond this many columns a table no longer fits across A4 portrait.
PORTRAIT_MAX_COLUMNS = 8


def _shown(column, value):
    if value is None or value == "" or value is False:
        return ""
    if column.type in NUMERIC_TYPES:
        return str(value) if column.type == "year" else vn_number(value, column.decimals)
    if column.type == "choice":
        return dict(column.choices).get(value, str(value))
    if column.type == "tick":
        return "x"
    return str(value)


def _body(layout):
    """The table's rows as printed: {label, indent, kind, cells: [(text, css class)]}."""
    values, columns = layout.values(), layout.columns[1:]
    rows = []
    if layout.kind == "grid":
        for row in layout.rows:
            cells = []
            for column in columns:
                cell = layout.spec.cell(row.code, column.code)
                css = "disabled" if cell.disabled else "num" if column.type != "text" else ""
                cells.append((_shown(column, None if cell.disabled else values.get((row.code, column.code))), css))
            rows.append({"label": row_label(row), "indent": row.indent, "kind": row.kind, "cells": cells})
    else:
        for number, data in enumerate(values, start=1):
            cells = [(_shown(c, data.get(c.code)), "num" if c.type in NUMERIC_TYPES else "") for c in columns]
            rows.append({"label": str(number), "indent": 0, "kind": "record", "cells": cells})
    return rows


def report_html(report, today=None):
    layout = layout_for(report)
    head = [[] for _ in range(layout.head_height)]
    for cell in sorted(layout.head, key=lambda c: (c.row, c.col)):
        head[cell.row].append(cell)
    return render_to_string("exchange/report_print.html", {
        "layout": layout,
        "header": layout.header,
        "head": head,
        "numbers": [c.number for c in layout.columns],
        "rows": _body(layout),
        "explanation": report.explanation,
        "notes": note_lines(report),
        "date_line": date_line(place_name(report.unit), today),
        "signatures": layout.signatures,
        "landscape": len(layout.columns) > PORTRAIT_MAX_COLUMNS,
    })


def report_pdf(report):
    """The PDF (bytes). WeasyPrint needs Pango; it is imported here so that the rest of
    the platform runs where it is missing."""
    from weasyprint import HTML

    return HTML(string=report_html(report)).write_pdf()

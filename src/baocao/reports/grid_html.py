"""The cells of a grid form as HTML, built in Python: a 200-cell form rendered cell by cell
through the template engine spent most of its time in template lookups, and a 2,211-cell
12b (a Sở Tư pháp with 200 notary organisations) still spent half its time in
`format_html`'s escaping of lazy strings. The row's and column's parts of each cell are
escaped once (`RowCells`), each cell's own value once, with the standard library's escape.
The row and page markup stays in reports/grid.html; this is only the inside of each <td>."""
from functools import lru_cache
from html import escape

from django.utils.html import conditional_escape
from django.utils.translation import gettext as _


def _e(value):
    return escape(str(value), quote=True)


@lru_cache(maxsize=1024)
def _column_parts(code, kind, decimals, label, number):
    """(the column's escaped attributes, its escaped label for aria-label), per column."""
    is_text = kind == "text"
    return (" bc-text" if is_text else "", _e(kind), _e(decimals), "" if is_text else ' inputmode="decimal"', f"{_e(label)} {_e(number)}")


class RowCells:
    """Renders the <td> of every cell of one row."""

    def __init__(self, row, may_edit):
        self.row_code, self.row_label = row.code, _e(row.label)
        self.readonly = "" if may_edit else " readonly"
        self.disabled = f'<td class="bc-disabled" aria-label="{_e(_("không áp dụng"))}"></td>'

    def cell(self, cell):
        """One <td>: hatched if the cell does not apply, an <output> if computed, else an <input>."""
        if cell["disabled"]:
            return self.disabled
        column = cell["column"]
        key = _e(f"{self.row_code}|{column.code}")
        name, value = _e(cell["name"]), _e(cell["value"])
        if cell["computed"]:
            return f'<td class="bc-computed"><output name="{name}" data-cell="{key}" data-decimals="{_e(column.decimals)}">{value}</output></td>'
        text_class, kind, decimals, inputmode, column_label = _column_parts(column.code, column.type, column.decimals, str(column.label),
                                                                            str(column.number))
        messages = "".join(f'<div class="bc-cell-message">{conditional_escape(p.message)}</div>' for p in cell["problems"])
        return (f'<td class="{"bc-invalid" if cell["problems"] else ""}"><input class="bc-cell{text_class}" name="{name}" value="{value}" '
                f'data-cell="{key}" data-type="{kind}" data-decimals="{decimals}"{inputmode} '
                f'aria-label="{self.row_label} – {column_label}"{self.readonly}>{messages}</td>')


def cell_html(row, cell, may_edit):
    """One cell's <td> (RowCells for a whole row)."""
    return RowCells(row, may_edit).cell(cell)

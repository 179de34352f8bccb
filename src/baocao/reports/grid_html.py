"""The cells of a grid form as HTML, built in Python: a 200-cell form rendered cell by cell
through the template engine spent most of its time in template lookups. The row and page
markup stays in reports/grid.html; this is only the inside of each <td>."""
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def cell_html(row, cell, may_edit):
    """One <td>: hatched if the cell does not apply, an <output> if computed, else an <input>."""
    column = cell["column"]
    if cell["disabled"]:
        return format_html('<td class="bc-disabled" aria-label="{}"></td>', _("không áp dụng"))
    key = f"{row.code}|{column.code}"
    if cell["computed"]:
        return format_html(
            '<td class="bc-computed"><output name="{}" data-cell="{}" data-decimals="{}">{}</output></td>',
            cell["name"], key, column.decimals, cell["value"],
        )
    is_text = column.type == "text"
    messages = format_html_join("", '<div class="bc-cell-message">{}</div>', ((p.message,) for p in cell["problems"]))
    return format_html(
        '<td class="{}"><input class="bc-cell{}" name="{}" value="{}" data-cell="{}" data-type="{}" data-decimals="{}"{} '
        'aria-label="{} – {} {}"{}>{}</td>',
        "bc-invalid" if cell["problems"] else "",
        " bc-text" if is_text else "",
        cell["name"], cell["value"], key, column.type, column.decimals,
        "" if is_text else mark_safe(' inputmode="decimal"'),
        row.label, column.label, column.number,
        "" if may_edit else mark_safe(" readonly"),
        messages,
    )

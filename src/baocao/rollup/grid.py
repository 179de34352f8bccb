"""A form's roll-up for one unit, period and choice of which reports count: what the page,
the Excel and the PDF show (the form laid out as printed, every cell the subtree's total)."""
from dataclasses import dataclass, field
from urllib.parse import quote

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from baocao.reports.formatting import vn_number

from . import selectors


@dataclass
class RollupGrid:
    form: selectors.RollupForm
    unit: object
    period: object
    choice: str
    values: dict  # {(shown row code, column code): Decimal or None}
    progress: selectors.Progress
    rows: list = field(default_factory=list)  # the rows as printed (groups as one line)

    @property
    def spec(self):
        return self.form.spec

    @property
    def counted(self):
        return self.progress.counted(self.choice)

    @property
    def choice_label(self):
        return selectors.choice_label(self.choice)

    def state(self, row, column):
        return selectors.cell_state(self.spec, row, column)

    def value(self, row, column):
        return self.values.get((row.code, column.code))

    def counted_line(self):
        """"Số liệu tổng hợp từ 3/5 báo cáo phải lập (Chỉ báo cáo đã phê duyệt)."""
        return _("Số liệu tổng hợp từ %(n)d/%(of)d báo cáo phải lập của đơn vị và các đơn vị trực thuộc — %(choice)s.") % {
            "n": self.counted, "of": self.progress.obligations, "choice": self.choice_label,
        }


def build(form, unit, period, choice):
    """The roll-up (three queries: the cells, the totals, the counters)."""
    keys, _by_id = selectors.cell_keys(form)
    totals = selectors.unit_totals([unit.pk], period, keys.values(), choice).get(unit.pk, {})
    progress = selectors.progress(unit, period, form.sources)
    values = selectors.grid_values(form, totals, keys, progress.counted(choice))
    return RollupGrid(form, unit, period, choice, values, progress, selectors.shown_rows(form.spec))


def cells_html(grid, row, link):
    """The <td>s of one printed row: hatched where the cell does not apply or is not
    aggregated, shaded where recomputed, every figure a link to its drill-down."""
    parts = []
    for column in grid.spec.leaves:
        if row.kind == "heading":
            parts.append(format_html('<td class="bc-disabled" aria-label="{}"></td>', _("không áp dụng")))
            continue
        state = grid.state(row, column)
        key = f"{selectors.storage_row(row)}|{column.code}"
        if state == "disabled":
            parts.append(format_html('<td class="bc-disabled" data-cell="{}" aria-label="{}"></td>', key, _("không áp dụng")))
            continue
        if state == "none":
            parts.append(format_html('<td class="bc-disabled bc-not-rolled" data-cell="{0}" title="{1}" aria-label="{1}"></td>', key, _("không tổng hợp")))
            continue
        value = grid.value(row, column)
        shown = vn_number(value, column.decimals)
        css = "bc-rollup-cell" + (" bc-computed" if state == "computed" else "")
        if shown and link:
            parts.append(format_html('<td class="{}" data-cell="{}"><a href="{}&amp;o={}" title="{}">{}</a></td>', css, key, link,
                                     quote(key, safe=""), _("Xem số liệu của từng đơn vị"), shown))
        else:
            parts.append(format_html('<td class="{}" data-cell="{}">{}</td>', css, key, shown))
    return mark_safe("".join(parts))

"""A form's roll-up for one unit, period and choice of which reports count: what the page,
the Excel and the PDF show (the form laid out as printed, every cell the subtree's total)."""
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from baocao.reports.formatting import vn_number

from baocao.units.models import Unit

from . import selectors


@dataclass
class RollupGrid:
    form: selectors.RollupForm
    unit: object
    period: object
    choice: str
    values: dict  # {(shown row code, column code): Decimal or None}
    progress: selectors.Progress
    rows: list = field(default_factory=list)  # the rows as printed (groups as one line, unless expanded)
    expanded: tuple = ()  # the groups shown with one line per instance too

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


def build(form, unit, period, choice, expand=()):
    """The roll-up (three queries: the cells, the totals, the counters; two more per group
    of `expand`, shown with one line per instance under its total: 17d's missions)."""
    keys, _by_id = selectors.cell_keys(form)
    totals = selectors.unit_totals([unit.pk], period, keys.values(), choice).get(unit.pk, {})
    progress = selectors.progress(unit, period, form.sources)
    groups = {row.code for row in form.spec.rows if getattr(row, "per", None) == "child_unit"}
    expanded, labels = {}, {}
    for group in [g for g in expand if g in groups]:
        cells = [cell for (row, _column), cell in keys.items() if row == group]
        expanded[group] = selectors.instance_totals(unit, period, form, group, cells, choice)
        names = dict(Unit.objects.filter(pk__in=[int(k) for k in expanded[group]]).values_list("pk", "name"))
        labels[group] = sorted(((key, names.get(int(key), key)) for key in expanded[group]), key=lambda item: item[1])
    values = selectors.grid_values(form, totals, keys, progress.counted(choice), expanded)
    return RollupGrid(form, unit, period, choice, values, progress, selectors.shown_rows(form.spec, labels), tuple(expanded))


def cells_html(grid, row, link):
    """The <td>s of one printed row: hatched where the cell does not apply or is not
    aggregated, shaded where recomputed, every figure a link to its drill-down. Built with
    the standard library's escape, the row's parts once (a 141-cell national roll-up spent a
    third of its time in format_html's escaping of lazy strings)."""
    not_applicable = _e(_("không áp dụng"))
    if row.kind == "heading":
        return mark_safe(f'<td class="bc-disabled" aria-label="{not_applicable}"></td>' * len(grid.spec.leaves))
    not_rolled, drill = _e(_("không tổng hợp")), _e(_("Xem số liệu của từng đơn vị"))
    link = _e(link) if link else ""
    storage = selectors.storage_row(row)
    parts = []
    for column in grid.spec.leaves:
        state = grid.state(row, column)
        key = _e(f"{storage}|{column.code}")
        if state == "disabled":
            parts.append(f'<td class="bc-disabled" data-cell="{key}" aria-label="{not_applicable}"></td>')
            continue
        if state == "none":
            parts.append(f'<td class="bc-disabled bc-not-rolled" data-cell="{key}" title="{not_rolled}" aria-label="{not_rolled}"></td>')
            continue
        shown = _e(vn_number(grid.value(row, column), column.decimals))
        css = "bc-rollup-cell" + (" bc-computed" if state == "computed" else "")
        if shown and link:
            parts.append(f'<td class="{css}" data-cell="{key}"><a href="{link}&amp;o={_e(quote(f"{storage}|{column.code}", safe=""))}" '
                         f'title="{drill}">{shown}</a></td>')
        else:
            parts.append(f'<td class="{css}" data-cell="{key}">{shown}</td>')
    return mark_safe("".join(parts))


def _e(value):
    return escape(str(value), quote=True)

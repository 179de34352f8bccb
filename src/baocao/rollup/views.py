"""TỔNG HỢP BÁO CÁO: the roll-up of a form over a unit's subtree, the per-unit breakdown
(drill-down) of chosen cells, completeness and timeliness, and their exports. Thin views
over rollup.selectors; the access policy decides who sees which unit (docs/rollup.md)."""
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access import permissions, policy
from baocao.audit.services import record_read
from baocao.jobs import services as jobs
from baocao.paging import KeysetPage, capped_count
from baocao.reports import selectors as report_selectors
from baocao.reports.formatting import vn_number
from baocao.reports.models import Report, timeliness_of
from baocao.units.text import fold

from . import dashboard, exports, grid as grids, selectors

PAGE_SIZE = 50
MAX_CELLS = 12
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPES = ("con", "tat_ca")  # the children (default), or every unit of the subtree that owes the form
# The list of every unit that owes the form is read whole, and sorts by any column, up to
# this many owed reports in the subtree (the stored counters say how many); beyond, it is
# read page by page in tree order (keyset) and its Excel is written by the task worker.
EVERY_UNIT_IN_REQUEST = 500
# An export of the units not sent beyond this many reports is written by the task worker.
BACKGROUND_EXPORT = 5_000


def _shorten(text, n=60):
    text = str(text)
    return text if len(text) <= n else text[:n] + "…"


@dataclass
class Selection:
    """What a roll-up page is about: the period, the form, the unit, which reports count."""

    periods: list
    period: object
    forms: list
    form: object
    unit: object
    choice: str
    trail: list  # the unit's ancestors and itself, root first
    used: dict  # {form code: FormDefinition} of every form the period uses

    def params(self, **changes):
        values = {"ky": self.period.pk if self.period else "", "bieu": self.form.code if self.form else "",
                  "don_vi": self.unit.code, "tinh": self.choice}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def query(self, **changes):
        return urlencode(self.params(**changes))


def _period(request, periods):
    wanted = request.GET.get("ky", "").strip()
    if not wanted:
        return report_selectors.default_period(periods)
    if not wanted.isdigit():
        raise BadRequest(_("Kỳ báo cáo không hợp lệ: “%(value)s”. Hãy chọn kỳ báo cáo trong danh sách.") % {"value": _shorten(wanted)})
    found = next((p for p in periods if p.pk == int(wanted)), None)
    if found is None:
        raise Http404(_("Không có kỳ báo cáo số %(value)s, hoặc kỳ này chưa được mở.") % {"value": wanted})
    return found


def _unit(request):
    account = request.user
    code = request.GET.get("don_vi", "").strip()
    if not code:
        unit = selectors.default_unit(account)
        if unit is None:  # holds the permission, but over no unit (a grant left on a retired unit)
            raise policy.Refused(_("Tài khoản không có đơn vị nào trong phạm vi xem tổng hợp báo cáo."), unit=account.unit,
                                 permission=permissions.ROLLUP_VIEW, note="rollup: no unit in reach")
        return unit
    unit = selectors.unit_by_code(code[:40])
    if unit is None:
        raise Http404(_("Không có đơn vị mã “%(code)s”. Hãy kiểm tra lại mã đơn vị.") % {"code": _shorten(code, 40)})
    selectors.require_view(account, unit, note=f"rollup of {unit.code}")
    return unit


def _choice(request):
    choice = request.GET.get("tinh", "").strip() or selectors.DEFAULT_CHOICE
    if choice not in selectors.CHOICES:
        raise BadRequest(_("Lựa chọn báo cáo được tính không hợp lệ: “%(value)s”. Hãy chọn một trong các lựa chọn trên trang.") % {"value": _shorten(choice)})
    return choice


def _selection(request, *, all_forms=False):
    """Read and check the page's parameters; refuse what is out of reach (403, audited),
    answer 400 or 404 with a Vietnamese reason for what is malformed or unknown."""
    account = request.user
    if not (policy.may_somewhere(account, permissions.ROLLUP_VIEW) or policy.may_somewhere(account, permissions.REPORT_VIEW)):
        policy.require(account, permissions.ROLLUP_VIEW, note="rollup")
    unit = _unit(request)
    choice = _choice(request)
    periods = list(report_selectors.visible_periods())
    period = _period(request, periods)
    forms, form, used = [], None, {}
    if period is not None:
        used = selectors.period_forms(period)
        forms = selectors.rollup_forms(period, used)
        wanted = request.GET.get("bieu", "").strip()
        if all_forms:
            forms = _completeness_forms(forms, used)
            form = next((f for f in forms if f.code == wanted), None) if wanted else None
        else:
            form = next((f for f in forms if f.code == wanted), None) if wanted else (forms[0] if forms else None)
        if wanted and form is None:
            raise Http404(_("Biểu “%(code)s” không có trong kỳ báo cáo “%(period)s”.") % {"code": _shorten(wanted, 60), "period": period.name})
    return Selection(periods, period, forms, form, unit, choice, selectors.ancestors(unit, period), used)


def _completeness_forms(rollup_forms, used):
    """What the completeness page offers: the roll-up grids nobody files (their registers
    together), then every form the period uses."""
    grouped = [f for f in rollup_forms if f.sources != (f.code,)]
    single = [selectors.RollupForm(code, definition, (code,)) for code, definition in used.items()]
    return grouped + single


def _context(request, selection, *, tab_query=None, **more):
    """What every roll-up page shows: the choices, the unit's trail (each step the same
    page at that unit), the tabs to the other two pages."""
    extra = {k: v for k, v in request.GET.lists() if k not in ("ky", "bieu", "don_vi", "tinh", "page", "q")}
    trail = [{"unit": unit, "query": urlencode({**selection.params(don_vi=unit.code), **extra}, doseq=True),
              "may": selectors.may_view(request.user, unit)} for unit in selection.trail]
    return {"active_menu": "rollup", "sel": selection, "choices": selectors.choice_options(), "trail": trail,
            "tab_query": selection.query() if tab_query is None else tab_query, **more}


def _no_data(request, selection, template):
    return render(request, template, _context(request, selection, empty=True))


# --- the roll-up -----------------------------------------------------------------------


@login_required
def rollup(request):
    """TỔNG HỢP BÁO CÁO: the form as printed, every cell the total over the unit's subtree."""
    selection = _selection(request)
    if selection.form is None:
        return _no_data(request, selection, "rollup/rollup.html")
    expand = [code[:120] for code in request.GET.getlist("mo")][:10]  # groups shown one line per instance (17d's missions)
    grid = grids.build(selection.form, selection.unit, selection.period, selection.choice, expand)
    link = "?" + selection.query()
    breakdown_link = reverse("rollup:breakdown") + link
    rows = []
    for row in grid.rows:
        line = {"row": row, "cells": grids.cells_html(grid, row, breakdown_link), "indent": row.indent + 1}
        if row.group and row.code == grid.spec.instance_code(row.group, selectors.GROUP_TOTAL):
            shown = row.group in grid.expanded
            others = [g for g in grid.expanded if g != row.group]
            line["toggle"] = {"open": shown, "query": urlencode([*selection.params().items(), *(("mo", g) for g in (others if shown else [*others, row.group]))])}
        elif row.group:  # one instance of an expanded group, under its total
            line["instance"], line["indent"] = True, row.indent + 2
        rows.append(line)
    below = selectors.children(selection.unit, selection.period)
    below_progress = selectors.child_progress(below, selection.period, selection.form.sources)
    children = []
    for child in below:
        p = below_progress.get(child.pk, selectors.Progress())
        children.append({"unit": child, "progress": p, "counted": p.counted(selection.choice), "query": selection.query(don_vi=child.code)})
    return render(request, "rollup/rollup.html", _context(
        request, selection, grid=grid, spec=grid.spec, header_rows=grid.spec.header_rows(), grid_rows=rows, children=children,
        sent_label=selectors.sent_label(),
    ))


# --- breakdown (drill-down) -----------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A cell chosen for the breakdown: where it is stored, how it is labelled."""

    row: str  # row or group code
    column: object
    row_label: str
    computed: bool
    cell_id: int | None

    @property
    def key(self):
        return f"{self.row}|{self.column.code}"

    @property
    def label(self):
        return f"{self.row_label} — {self.column.number} {self.column.label}".strip()


def _cell(spec, keys, text):
    if "|" not in text:
        raise BadRequest(_("Ô “%(value)s” không hợp lệ: ô được ghi là mã dòng|mã cột.") % {"value": _shorten(text)})
    row_code, column_code = text.split("|", 1)
    try:
        row = spec.row(row_code)
        column = spec.column(column_code)
    except KeyError:
        raise Http404(_("Biểu %(form)s không có ô “%(value)s”.") % {"form": spec.code, "value": _shorten(text)}) from None
    label = row.label
    group = row.code if getattr(row, "per", None) else row.group  # the group itself (its line in the roll-up) or one of its rows
    if group:  # a group: its instances are summed into its own cells
        shown, label = spec.row(spec.instance_code(group, selectors.GROUP_TOTAL)), spec.row(group).label
    else:
        shown = row
    if shown.kind == "heading":
        raise Http404(_("Biểu %(form)s không có ô “%(value)s”.") % {"form": spec.code, "value": _shorten(text)})
    state = selectors.cell_state(spec, shown, column)
    if state in ("disabled", "none"):
        raise BadRequest(_("Ô “%(value)s” không được tổng hợp (ô không áp dụng, hoặc là văn bản).") % {"value": _shorten(text)})
    storage = selectors.storage_row(shown)
    return Cell(storage, column, label, state == "computed", keys.get((storage, column.code)))


def _default_cells(spec, keys):
    """The first line that has figures: a total line if the form has one."""
    rows = selectors.shown_rows(spec)
    ordered = [r for r in rows if r.kind == "total"] + [r for r in rows if r.kind == "data"]
    for row in ordered:
        cells = [c for c in spec.leaves if selectors.cell_state(spec, row, c) in ("sum", "computed")]
        if cells:
            return [_cell(spec, keys, f"{selectors.storage_row(row)}|{c.code}") for c in cells[:6]]
    return []


def _chosen_cells(request, spec, keys):
    wanted = [v for v in request.GET.getlist("o") if v.strip()]
    if len(wanted) > MAX_CELLS:
        raise BadRequest(_("Chọn tối đa %(n)d ô.") % {"n": MAX_CELLS})
    cells = list(dict.fromkeys(_cell(spec, keys, v.strip()) for v in wanted))
    return cells or _default_cells(spec, keys)


def _values_of(form, cells, totals, keys, counted):
    """The chosen cells' values for one unit, from its {cell id: total} (blank if nothing counted)."""
    if not counted:
        return [None] * len(cells)
    if any(c.computed for c in cells):
        computed = selectors.grid_values(form, totals, keys, counted)
        spec = form.spec
        out = []
        for c in cells:
            row = spec.instance_code(c.row, selectors.GROUP_TOTAL) if c.row not in _fixed_rows(spec) else c.row
            out.append(computed.get((row, c.column.code)))
        return out
    return [totals.get(c.cell_id, Decimal(0)) for c in cells]


def _fixed_rows(spec):
    return {r.code for r in spec.rows if not getattr(r, "per", None)}


def _minus(a, b_list):
    out = dict(a)
    for b in b_list:
        for cell, n in b.items():
            out[cell] = out.get(cell, Decimal(0)) - n
    return out


SORTS = ("ma", "ten", "gui")


def _sort_key(text, n_cells):
    text = text.strip()
    bare = text.lstrip("-")
    if not bare:
        return "ma", False
    if bare in SORTS or (bare.isdigit() and int(bare) < n_cells):
        return bare, text.startswith("-")
    raise BadRequest(_("Cách sắp xếp không hợp lệ: “%(value)s”.") % {"value": _shorten(text)})


def _sorted(rows, key, descending):
    def by(row):
        if key == "ma":
            return (0, row["unit"].code.lower())
        if key == "ten":
            return (0, fold(row["unit"].name))
        if key == "gui":
            value = row["sent_percent"]
        else:
            value = row["values"][int(key)]
        return (0, value) if value is not None else (1 if not descending else -1, Decimal(0))

    return sorted(rows, key=by, reverse=descending)


def wanted_cells(cells, keys):
    """The cell ids a breakdown reads: the chosen ones, or every cell if one is computed."""
    return list(keys.values()) if any(c.computed for c in cells) else [c.cell_id for c in cells if c.cell_id]


def breakdown_total(selection, cells):
    """(cell keys, cell ids read, the total row) of a breakdown: the unit's subtree from the
    stored totals and counters (two queries)."""
    form, unit, period, choice = selection.form, selection.unit, selection.period, selection.choice
    keys, _by_id = selectors.cell_keys(form)
    wanted_ids = wanted_cells(cells, keys)
    unit_total = selectors.unit_totals([unit.pk], period, wanted_ids, choice).get(unit.pk, {})
    unit_progress = selectors.progress(unit, period, form.sources)
    return keys, wanted_ids, {"unit": unit, "values": _values_of(form, cells, unit_total, keys, unit_progress.counted(choice)),
                              "progress": unit_progress, "sent_percent": unit_progress.sent_percent, "totals": unit_total}


def every_unit_rows(request, selection, cells, keys, wanted_ids, units):
    """The breakdown's rows of these units (of the subtree, owing the form), each its own
    reports: their states and their counted values (three queries, whatever the units)."""
    period, form, choice = selection.period, selection.form, selection.choice
    ids = [u.pk for u in units]
    reports = selectors.unit_reports(ids, period, form.sources)
    values = selectors.units_own_totals(ids, period, form, wanted_ids, choice)
    rows = []
    for unit in units:
        p = selectors.Progress()
        for report in reports.get(unit.pk, ()):
            p.by_key[(report.status, timeliness_of(report.submitted_at, period.due_at, report.due_at))] += 1
        rows.append({"unit": unit, "own": False, "values": _values_of(form, cells, values.get(unit.pk, {}), keys, p.counted(choice)),
                     "progress": p, "sent_percent": p.sent_percent, "has_children": False,
                     "reports": [(r.form_code, r.pk) for r in reports.get(unit.pk, ())]
                     if policy.may(request.user, permissions.REPORT_VIEW, unit) else []})
    return rows


def breakdown_rows(request, selection, cells, scope, query="", *, after=None, limit=None):
    """(total row, [rows]) of the breakdown: the children (and the unit's own report), or
    every unit of the subtree that owes the form — all of them, or the `limit` + 1 first
    after the unit path `after` (keyset, tree order). A fixed number of queries."""
    form, unit, period, choice = selection.form, selection.unit, selection.period, selection.choice
    keys, wanted_ids, total = breakdown_total(selection, cells)
    unit_total, unit_progress = total["totals"], total["progress"]

    def may_open(u):
        return policy.may(request.user, permissions.REPORT_VIEW, u)

    rows = []
    if scope == "con":
        below = selectors.children(unit, period)
        totals = selectors.child_totals(below, period, wanted_ids, choice)
        progress = selectors.child_progress(below, period, form.sources)
        reports = {}
        for unit_id, form_code, pk in (Report.objects.filter(unit_id__in=[unit.pk] + [c.pk for c in below if not c.has_children], period=period,
                                                             form_code__in=form.sources, exempt=False).values_list("unit_id", "form_code", "pk")):
            reports.setdefault(unit_id, []).append((form_code, pk))
        own_progress = unit_progress.minus(selectors.Progress().add(*progress.values()))
        if own_progress.obligations:
            own_total = _minus(unit_total, [totals.get(c.pk, {}) for c in below])
            rows.append({"unit": unit, "own": True, "values": _values_of(form, cells, own_total, keys, own_progress.counted(choice)),
                         "progress": own_progress, "sent_percent": own_progress.sent_percent,
                         "reports": sorted(reports.get(unit.pk, ())) if may_open(unit) else []})
        words = fold(query).split()
        for child in below:
            if words and not all(w in child.search_text for w in words):
                continue
            p = progress.get(child.pk, selectors.Progress())
            rows.append({"unit": child, "own": False, "values": _values_of(form, cells, totals.get(child.pk, {}), keys, p.counted(choice)),
                         "progress": p, "sent_percent": p.sent_percent, "has_children": bool(child.has_children),
                         "reports": sorted(reports.get(child.pk, ())) if not child.has_children and may_open(child) else []})
    else:
        units = selectors.owing_units(unit, period, form.sources, query, after=after)
        rows = every_unit_rows(request, selection, cells, keys, wanted_ids, list(units[: limit + 1] if limit else units))
    return total, rows


@login_required
def breakdown(request):
    """Chi tiết theo đơn vị: the chosen cells for each child (one click per level down to a
    unit with no children, whose report it links to), or for every unit that owes the form."""
    selection = _selection(request)
    if selection.form is None:
        return _no_data(request, selection, "rollup/breakdown.html")
    spec = selection.form.spec
    keys, _by_id = selectors.cell_keys(selection.form)
    cells = _chosen_cells(request, spec, keys)
    scope = request.GET.get("pham_vi", "").strip() or "con"
    if scope not in SCOPES:
        raise BadRequest(_("Phạm vi không hợp lệ: “%(value)s”.") % {"value": _shorten(scope)})
    sort, descending = _sort_key(request.GET.get("sap_xep", ""), len(cells))
    query = request.GET.get("q", "").strip()[:100]
    paged = _every_unit_paged(selection, scope)
    if paged:  # every unit of a large subtree: page by page, in tree order
        sort, descending = "ma", False
        after = selectors.unit_by_code(request.GET.get("sau", "")[:40]) if request.GET.get("sau", "").strip() else None
        total, rows = breakdown_rows(request, selection, cells, scope, query, after=after.path if after else None, limit=PAGE_SIZE)
        page = KeysetPage(rows, PAGE_SIZE, after=after.code if after else "", key=lambda row: row["unit"].code)
    else:
        total, rows = breakdown_rows(request, selection, cells, scope, query)
        own = [r for r in rows if r.get("own")]
        others = _sorted([r for r in rows if not r.get("own")], sort, descending)
    for row in [total] + (page.object_list if paged else own + others):
        row["shown"] = [vn_number(v, c.column.decimals) for v, c in zip(row["values"], cells)]
    if not paged:
        page = Paginator(own + others, PAGE_SIZE).get_page(request.GET.get("page"))
    base = {**selection.params(), "o": [c.key for c in cells], "pham_vi": scope, "q": query}
    cell_options = [
        (row.label, [(f"{selectors.storage_row(row)}|{c.code}", f"{c.number} {c.label}") for c in spec.leaves
                     if selectors.cell_state(spec, row, c) in ("sum", "computed")])
        for row in selectors.shown_rows(spec) if row.kind != "heading"
    ]

    def header(key, label):
        following = "-" + key if sort == key and not descending else key
        return {"label": label, "key": key, "sorted": sort == key, "descending": sort == key and descending,
                "query": urlencode({**base, "sap_xep": following}, doseq=True)}

    headers = [header(key, label) for key, label in [("ma", _("Mã đơn vị")), ("ten", _("Tên đơn vị")), ("gui", _("Đã gửi"))]
               + [(str(i), c.label) for i, c in enumerate(cells)]]
    return render(request, "rollup/breakdown.html", _context(
        request, selection, cells=cells, chosen=[c.key for c in cells], cell_options=cell_options, scope=scope, query=query, total=total,
        page=page, headers=headers, paged=paged, every_unit_limit=EVERY_UNIT_IN_REQUEST, sort=sort, descending=descending, sent_label=selectors.sent_label(),
        base_query=urlencode(base, doseq=True), sort_query=urlencode({**base, "sap_xep": ("-" if descending else "") + sort}, doseq=True),
        level_query=urlencode({k: v for k, v in base.items() if k not in ("don_vi", "q")}, doseq=True),
    ))


def _every_unit_paged(selection, scope):
    """Whether the list of every unit that owes the form is too long to read in a request:
    more than EVERY_UNIT_IN_REQUEST owed reports in the subtree, by the stored counters."""
    return scope == "tat_ca" and selectors.progress(selection.unit, selection.period, selection.form.sources).obligations > EVERY_UNIT_IN_REQUEST


# --- completeness --------------------------------------------------------------------------


@login_required
def completeness(request):
    """Tình hình gửi báo cáo: the obligations of the subtree by state and timeliness, by
    child unit, and the units that have not sent."""
    selection = _selection(request, all_forms=True)
    if selection.period is None:
        return _no_data(request, selection, "rollup/completeness.html")
    unit, period = selection.unit, selection.period
    codes = selection.form.sources if selection.form else tuple(selection.used)
    total = selectors.progress(unit, period, codes)
    exempted = selectors.exempted_count(unit, period, codes)
    now = timezone.now()
    overdue = selectors.overdue_count(unit, period, codes, now=now, not_sent_total=total.not_sent)
    flow = regimes.current().workflow
    by_state = total.by_state
    states = [{"label": s.label, "count": by_state.get(s.code, 0), "percent": total.percent(by_state.get(s.code, 0))} for s in flow.states.values()]
    timeliness = total.timeliness()
    below = selectors.children(unit, period)
    child_progress = selectors.child_progress(below, period, codes)
    rows = []
    for child in below:
        p = child_progress.get(child.pk, selectors.Progress())
        rows.append({"unit": child, "progress": p, "timeliness": p.timeliness(), "query": selection.query(don_vi=child.code)})
    own = total.minus(selectors.Progress().add(*child_progress.values()))
    own_row = {"unit": unit, "progress": own, "timeliness": own.timeliness(), "own": True} if own.obligations else None
    query = request.GET.get("q", "").strip()[:100]
    # Page by page after a report of the list (keyset: any page costs a page). Without a
    # search, how many are not sent is known from the counters; with one it is not counted.
    after = request.GET.get("sau", "").strip()
    after_key = selectors.report_key(int(after)) if after.isdigit() and len(after) < 19 else None
    rows_after = selectors.not_sent(unit, period, codes, query, after=after_key)
    missing = KeysetPage(list(rows_after[: PAGE_SIZE + 1]), PAGE_SIZE, after=after if after_key else "", key=lambda r: str(r.pk),
                         count=None if query else total.not_sent)
    contacts = selectors.contacts({r.unit_id for r in missing})
    for report in missing:
        report.contacts = contacts.get(report.unit_id, [])
        report.overdue = report.due_at < now
    chart = dashboard.chart_data(rows)
    return render(request, "rollup/completeness.html", _context(
        request, selection, total=total, exempted=exempted, overdue=overdue, states=states, timeliness=timeliness,
        timeliness_percent={k: total.percent(v) for k, v in timeliness.items()}, rows=rows, own_row=own_row, missing=missing,
        query=query, chart=chart, sent_label=selectors.sent_label(), not_sent_label=selectors.not_sent_label(), now=now, codes=codes,
        not_sent_percent=total.percent(total.not_sent), overdue_percent=total.percent(overdue), base_query=selection.query(q=query),
        # The other tabs show grids: keep the form if it is one (a register is not).
        tab_query=selection.query(bieu=None if selection.form is None or selection.form.definition.kind != "grid" and selection.form.sources == (selection.form.code,) else selection.form.code),
    ))


# --- exports --------------------------------------------------------------------------------


def _filename(*parts, suffix):
    """ASCII, safe in every browser: 'TongHop_KK-TH_T02_KK2026_approved.xlsx'."""
    name = fold("_".join(str(p) for p in parts if p), lower=False)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + suffix


def _download(request, selection, content, content_type, filename, action, **after):
    record_read(action, request=request, unit=selection.unit, obj=selection.period,
           after={"form": selection.form.code if selection.form else "", "choice": selection.choice, **after})
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _need_form(selection):
    if selection.form is None:
        raise Http404(_("Chưa có kỳ báo cáo hoặc biểu mẫu nào để tổng hợp."))


@login_required
def rollup_xlsx(request):
    selection = _selection(request)
    _need_form(selection)
    grid = grids.build(selection.form, selection.unit, selection.period, selection.choice)
    name = _filename("TongHop", selection.form.code, selection.unit.code, selection.period.code, selection.choice, suffix=".xlsx")
    return _download(request, selection, exports.rollup_workbook(grid), XLSX, name, "rollup.exported_xlsx")


@login_required
def rollup_pdf(request):
    selection = _selection(request)
    _need_form(selection)
    grid = grids.build(selection.form, selection.unit, selection.period, selection.choice)
    try:
        content = exports.rollup_pdf(grid)
    except OSError:  # WeasyPrint cannot load Pango: the server lacks a system library
        messages.error(request, _("Máy chủ chưa cài thư viện tạo PDF (Pango); hãy dùng “Xuất excel” hoặc báo quản trị kỹ thuật."))
        return redirect(reverse("rollup:rollup") + "?" + selection.query())
    name = _filename("TongHop", selection.form.code, selection.unit.code, selection.period.code, selection.choice, suffix=".pdf")
    return _download(request, selection, content, "application/pdf", name, "rollup.exported_pdf")


def breakdown_choices(request):
    """(selection, cells, scope, sort, descending, query) of a breakdown export."""
    selection = _selection(request)
    _need_form(selection)
    keys, _by_id = selectors.cell_keys(selection.form)
    cells = _chosen_cells(request, selection.form.spec, keys)
    scope = request.GET.get("pham_vi", "").strip() or "con"
    if scope not in SCOPES:
        raise BadRequest(_("Phạm vi không hợp lệ: “%(value)s”.") % {"value": _shorten(scope)})
    sort, descending = _sort_key(request.GET.get("sap_xep", ""), len(cells))
    return selection, cells, scope, sort, descending, request.GET.get("q", "").strip()[:100]


def breakdown_filename(selection):
    return _filename("ChiTiet", selection.form.code, selection.unit.code, selection.period.code, selection.choice, suffix=".xlsx")


def _in_background(request, selection, *, handler, title, count_text, back):
    """A large export: a page that starts it in the task worker (a POST, so no link can
    start work unasked), then the job's progress page with the file."""
    if request.method == "POST":
        job = jobs.start(request.user, handler, title=title, request=request, unit=selection.unit,
                         params={"menu": "rollup", "query": request.GET.urlencode()})
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "rollup/confirm_export.html", {
        "active_menu": "rollup", "title": title, "count_text": count_text, "query": request.GET.urlencode(), "back": back})


@login_required
def breakdown_xlsx(request):
    selection, cells, scope, sort, descending, query = breakdown_choices(request)
    if _every_unit_paged(selection, scope):
        owed = selectors.progress(selection.unit, selection.period, selection.form.sources).obligations
        return _in_background(request, selection, handler="baocao.rollup.jobs.breakdown_export",
                              title=_("Xuất excel chi tiết %(form)s của %(unit)s") % {"form": selection.form.code, "unit": selection.unit.code},
                              count_text=_("%(n)s báo cáo phải lập") % {"n": vn_number(owed)},
                              back=reverse("rollup:breakdown") + "?" + request.GET.urlencode())
    total, rows = breakdown_rows(request, selection, cells, scope, query)
    rows = [r for r in rows if r.get("own")] + _sorted([r for r in rows if not r.get("own")], sort, descending)
    content = exports.breakdown_workbook(selection, cells, total, rows, scope)
    return _download(request, selection, content, XLSX, breakdown_filename(selection), "rollup.breakdown_exported",
                     cells=[c.key for c in cells], scope=scope)


def not_sent_choices(request):
    """(selection, form codes, query) of a not-sent export."""
    selection = _selection(request, all_forms=True)
    if selection.period is None:
        raise Http404(_("Chưa có kỳ báo cáo nào được mở."))
    codes = selection.form.sources if selection.form else tuple(selection.used)
    return selection, codes, request.GET.get("q", "").strip()[:100]


def not_sent_filename(selection):
    return _filename("ChuaGui", selection.form.code if selection.form else "", selection.unit.code, selection.period.code, suffix=".xlsx")


@login_required
def not_sent_xlsx(request):
    selection, codes, query = not_sent_choices(request)
    if query:
        count = capped_count(selectors.not_sent(selection.unit, selection.period, codes, query), BACKGROUND_EXPORT)[0]
    else:
        count = selectors.progress(selection.unit, selection.period, codes).not_sent
    if count >= BACKGROUND_EXPORT:
        return _in_background(request, selection, handler="baocao.rollup.jobs.not_sent_export",
                              title=_("Xuất excel đơn vị chưa gửi báo cáo của %(unit)s") % {"unit": selection.unit.code},
                              count_text=_("%(n)s báo cáo") % {"n": vn_number(count) if count < BACKGROUND_EXPORT or not query
                                                               else _("hơn %(n)s") % {"n": vn_number(BACKGROUND_EXPORT)}},
                              back=reverse("rollup:completeness") + "?" + request.GET.urlencode())
    reports = list(selectors.not_sent(selection.unit, selection.period, codes, query))
    contacts = selectors.contacts({r.unit_id for r in reports})
    content = exports.not_sent_workbook(selection, reports, contacts, timezone.now())
    return _download(request, selection, content, XLSX, not_sent_filename(selection), "rollup.not_sent_exported", reports=len(reports))

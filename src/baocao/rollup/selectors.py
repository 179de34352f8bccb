"""Reads of the roll-up pages (docs/rollup.md).

Every function here runs a fixed number of queries whatever the size of the tree: the
roll-up, the drill-down and the completeness pages read the stored totals and counters
(`reports.RollupTotal`, `RollupProgress`, kept exact in the transaction of each change,
docs/adr/0005), never the reports' values. The one exception is the breakdown over *every*
reporting unit of a subtree, which reads those units' own values (one grouped query).
"""
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access import permissions, policy
from baocao.access.paths import SEPARATOR, prefix_q, prefixes, tree_order, tree_prefix_q
from baocao.accounts.models import Account
from baocao.formdefs.models import FormDefinition, FormKind
from baocao.formdefs.services import cell_ids
from baocao.formdefs.spec import RowGroup
from baocao.reports.models import PeriodForm, PeriodTree, Report, ReportValue, RollupProgress, RollupTotal
from baocao.reports import ancestry
from baocao.reports.ledger import BUCKETS, COUNTING
from baocao.units.models import Unit
from baocao.units.text import fold

CHOICES = tuple(COUNTING)  # approved, sent, all
DEFAULT_CHOICE = "approved"
# The one line a group "one row per child unit" shows in a roll-up: its instances are
# summed into the group's cells (docs/adr/0005), and drill-down gives them back by unit.
GROUP_TOTAL = "tong"
TIMELINESS = ("on_time", "extended", "late")


# --- which reports count ------------------------------------------------------------


def _lower(states):
    return ", ".join(s.label.lower() for s in states)


def _states_of(*stages):
    flow = regimes.current().workflow
    return [s for s in flow.states.values() if s.stage in stages]


def counted_states(choice):
    """The workflow states whose reports a choice counts (their stage's bucket is read)."""
    flow = regimes.current().workflow
    return [s.code for s in flow.states.values() if BUCKETS.get(s.stage) in COUNTING[choice]]


def choice_label(choice):
    """What a choice counts, in the words of the regime's states: "Chỉ báo cáo đã phê
    duyệt", "Báo cáo đã tiếp nhận và báo cáo đã gửi", "Tất cả báo cáo, kể cả đang nhập, …"."""
    final, submitted, editing = _states_of("final"), _states_of("submitted"), _states_of("editing")
    if choice == "approved":
        return _("Chỉ báo cáo %(final)s") % {"final": _lower(final)}
    if choice == "sent":
        return _("Báo cáo %(final)s và báo cáo %(submitted)s") % {"final": _lower(final), "submitted": _lower(submitted)}
    return _("Tất cả báo cáo, kể cả %(editing)s") % {"editing": _lower(editing)}


def choice_options():
    return [(choice, choice_label(choice)) for choice in CHOICES]


def sent_states():
    """States a report is in once "sent" in the sense of the deadline: the target of the
    transition that counts as submitting (kiemke: sending; tuphap: approval) and every
    state reached from it without going back to an editable one. Worked out once per
    workflow (a page asks it for every row's progress)."""
    flow = regimes.current().workflow
    known = _SENT_STATES.get(id(flow))
    if known is None or known[0] is not flow:
        known = _SENT_STATES[id(flow)] = (flow, frozenset(_sent_states(flow)))
    return known[1]


_SENT_STATES = {}


def _sent_states(flow):
    stack = [t.target for t in flow.transitions.values() if t.counts_as_submitted]
    seen = set()
    while stack:
        state = stack.pop()
        if state in seen or flow.states[state].editable:
            continue
        seen.add(state)
        stack.extend(t.target for t in flow.out_of(state))
    return seen


def sent_label():
    """"đã phê duyệt" (tuphap) or "đã gửi" (kiemke): what being sent means here."""
    flow = regimes.current().workflow
    first = next((t.target for t in flow.transitions.values() if t.counts_as_submitted), None)
    return flow.states[first].label.lower() if first else _("đã gửi")


def not_sent_label():
    """"chưa phê duyệt" (tuphap) or "chưa gửi" (kiemke)."""
    label = sent_label()
    return _("chưa %(what)s") % {"what": label[3:] if label.startswith("đã ") else label}


# --- forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupForm:
    """A grid a period's roll-up offers: a grid form the period uses, or the grid its
    registers summarise into (kiemke KK-TH). `sources` are the forms whose reports add
    into it; `definition` is the version shown (the period's, or the current one of a
    consolidation grid nobody files)."""

    code: str
    definition: object
    sources: tuple

    @property
    def spec(self):
        return self.definition.spec_object()

    @property
    def title(self):
        return self.definition.title

    @property
    def label(self):
        if self.sources == (self.code,):
            return f"{self.code} — {self.title}"
        return _("%(code)s — %(title)s (tổng hợp từ %(sources)s)") % {"code": self.code, "title": self.title, "sources": ", ".join(self.sources)}


def period_forms(period):
    """{form code: FormDefinition} of the forms a period uses (fixed when it opened)."""
    rows = PeriodForm.objects.filter(period=period).select_related("definition").order_by("form_code")
    return {row.form_code: row.definition for row in rows}


def rollup_forms(period, used=None):
    """The grids of a period's roll-up, in code order (two queries at most)."""
    used = period_forms(period) if used is None else used
    grids, fed = {}, defaultdict(list)
    for code, definition in used.items():
        if definition.kind == FormKind.GRID:
            grids[code] = definition
        else:
            into = (definition.spec.get("summary") or {}).get("into")
            if into:
                fed[into].append(code)
    missing = [code for code in fed if code not in grids]
    if missing:
        for definition in FormDefinition.objects.filter(regime=period.regime, code__in=missing).order_by("code", "-version"):
            grids.setdefault(definition.code, definition)
    return [RollupForm(code, grids[code], tuple(([code] if code in used else []) + sorted(fed.get(code, ()))))
            for code in sorted(grids)]


# --- units ----------------------------------------------------------------------------


def unit_by_code(code):
    """The unit of this code, whatever its case, on the functional unique index; or None."""
    return Unit.objects.annotate(code_lower=Lower("code")).filter(code_lower=code.strip().lower()).first()


class Tree:
    """The tree a period's roll-ups are on (docs/adr/0007): today's for a period not yet
    closed, the snapshot it was closed on (PeriodTree) otherwise, so that a closed period's
    pages follow the same tree as its stored totals whatever was reorganised since. Access
    is always decided on today's tree."""

    def __init__(self, period):
        self.period = period
        self.snapshot = period is not None and ancestry.uses_snapshot(period)
        self._paths = {}

    def path_of(self, unit):
        """The unit's path in this tree ("" if the unit was not in the snapshot)."""
        if not self.snapshot:
            return unit.path
        if unit.pk not in self._paths:
            self._paths[unit.pk] = ancestry.snapshot_path(self.period, unit)
        return self._paths[unit.pk]

    def _range(self, path, field="path"):
        return {f"{field}__gte": path, f"{field}__lt": path[:-1] + chr(ord(SEPARATOR) + 1)}

    def ancestors(self, unit):
        """The unit's ancestors and itself, root first (one query on the unique paths)."""
        if not self.snapshot:
            return list(Unit.objects.filter(path__in=prefixes(unit.path)).order_by("depth"))
        path = self.path_of(unit)
        if not path:
            return [unit]
        rows = PeriodTree.objects.filter(period=self.period, path__in=prefixes(path)).select_related("unit")
        return [row.unit for row in sorted(rows, key=lambda row: len(row.path))]

    def children(self, unit):
        """The unit's children by code, each with `has_children` (one query; three on a snapshot)."""
        if not self.snapshot:
            return list(Unit.objects.filter(parent=unit).annotate(has_children=Exists(Unit.objects.filter(parent=OuterRef("pk")))).order_by("code"))
        path = self.path_of(unit)
        if not path:
            return []
        inside = PeriodTree.objects.filter(period=self.period, **self._range(path))
        level = "^" + re.escape(path) + "[^/]+/$"
        below = dict(inside.filter(path__regex=level).values_list("unit_id", "path"))
        grandchildren = defaultdict(int)
        for child_path in inside.filter(path__regex="^" + re.escape(path) + "[^/]+/[^/]+/$").values_list("path", flat=True):
            grandchildren[child_path[: child_path.rindex(SEPARATOR, 0, len(child_path) - 1) + 1]] += 1
        units = list(Unit.objects.filter(pk__in=list(below)).order_by("code"))
        for child in units:
            child.has_children = bool(grandchildren.get(below[child.pk]))
        return units

    def units_within(self, unit):
        """The units of `unit`'s subtree in this tree, itself included (a queryset)."""
        if not self.snapshot:
            return Unit.objects.filter(tree_prefix_q("path", unit.path)) if unit.parent_id is not None else Unit.objects.all()
        path = self.path_of(unit)
        ids = PeriodTree.objects.filter(period=self.period, **self._range(path)).values("unit_id") if path else []
        return Unit.objects.filter(pk__in=ids)

    def within(self, unit, field="unit", ordered=False):
        """Q of the rows whose `field` (a unit foreign key) is in the unit's subtree
        (ordered=True: for a list in tree order, paths.tree_prefix_q)."""
        if unit.parent_id is None and not self.snapshot:
            return Q()
        if not self.snapshot:
            return (tree_prefix_q if ordered else prefix_q)(f"{field}__path", unit.path)
        path = self.path_of(unit)
        ids = PeriodTree.objects.filter(period=self.period, **self._range(path)).values("unit_id") if path else []
        return Q(**{f"{field}_id__in": ids})


def ancestors(unit, period=None):
    return Tree(period).ancestors(unit)


def children(unit, period=None):
    return Tree(period).children(unit)


def may_view(actor, unit):
    """Whether the actor may see a unit's roll-up: it holds `rollup.view` over it, or may
    view its reports (a unit sees its own figures; a subtree's roll-up tells no more than
    its reports, which the same person may open one by one)."""
    return bool(policy.check(actor, permissions.ROLLUP_VIEW, unit) or policy.check(actor, permissions.REPORT_VIEW, unit))


def require_view(actor, unit, note=""):
    """Refuse (403, audited by the middleware) a unit outside the actor's reach."""
    if not may_view(actor, unit):
        permission = permissions.ROLLUP_VIEW if policy.may_somewhere(actor, permissions.ROLLUP_VIEW) else permissions.REPORT_VIEW
        policy.require(actor, permission, unit, note=note)


def default_unit(actor):
    """The viewer's own unit, or else the highest unit of its reach."""
    if may_view(actor, actor.unit):
        return actor.unit
    for permission in (permissions.ROLLUP_VIEW, permissions.REPORT_VIEW):
        reach = policy.scope(actor, permission)
        if reach.subtrees:
            return Unit.objects.filter(path=sorted(reach.subtrees, key=len)[0]).first()
        if reach.units:
            return Unit.objects.filter(pk=reach.units[0]).first()
    return None


# --- totals -----------------------------------------------------------------------------


def cell_keys(form):
    """({(row or group code, column code): cell id}, {cell id: key}) of a form's cells."""
    ids = cell_ids(form.definition.regime, form.code)
    return ids, {pk: key for key, pk in ids.items()}


def unit_totals(unit_ids, period, cells, choice):
    """{unit id: {cell id: Decimal}}: the totals of these units' subtrees (one query)."""
    rows = (RollupTotal.objects.filter(unit_id__in=list(unit_ids), period=period, cell_id__in=list(cells), bucket__in=COUNTING[choice])
            .values_list("unit_id", "cell_id").annotate(total=Sum("number")))
    out = defaultdict(dict)
    for unit_id, cell, total in rows:
        out[unit_id][cell] = total
    return out


def child_totals(below, period, cells, choice):
    """{child id: {cell id: Decimal}}: the totals of each child's subtree (one query)."""
    return unit_totals([child.pk for child in below], period, cells, choice)


def owing_units(unit, period, form_codes, query="", after=None):
    """The units of `unit`'s subtree that owe one of the forms (not exempted), in tree order
    (by path): a walk of the path index, each unit checked against its reports' index, so
    that the first rows after any unit cost the same whatever the size of the subtree."""
    owing = Report.objects.filter(unit=OuterRef("pk"), period=period, form_code__in=list(form_codes), exempt=False)
    units = Tree(period).units_within(unit).filter(Exists(owing))
    for word in fold(query).split():
        units = units.filter(search_text__contains=word)
    if after is not None:  # the units after this path (keyset)
        units = units.filter(GreaterThan(tree_order("path"), after))
    return units.order_by(tree_order("path"))


def unit_reports(unit_ids, period, form_codes):
    """{unit id: [Report]} of these units' own reports of the forms, exempted ones left out
    (one query)."""
    out = defaultdict(list)
    reports = (Report.objects.filter(unit_id__in=list(unit_ids), period=period, form_code__in=list(form_codes), exempt=False)
               .only("pk", "unit_id", "form_code", "status", "submitted_at", "due_at").order_by("form_code"))
    for report in reports:
        out[report.unit_id].append(report)
    return out


def units_own_totals(unit_ids, period, form, cells, choice):
    """{unit id: {cell id: Decimal}} of these units' own counted reports (one grouped query
    over their values: the units of one page, not the subtree)."""
    values = ReportValue.objects.filter(report__unit_id__in=list(unit_ids), report__period=period, report__form_code__in=form.sources,
                                        report__exempt=False, report__status__in=counted_states(choice), cell_id__in=list(cells),
                                        number__isnull=False)
    out = defaultdict(dict)
    for unit_id, cell, total in values.values_list("report__unit_id", "cell_id").annotate(total=Sum("number")):
        out[unit_id][cell] = total
    return out


def own_totals(unit, period, form, cells, choice):
    """{unit id: {cell id: Decimal}} of the units of `unit`'s subtree that owe the form,
    from their own counted reports (one grouped query over their values)."""
    values = ReportValue.objects.filter(Tree(period).within(unit, "report__unit"), report__period=period, report__form_code__in=form.sources,
                                        report__exempt=False, report__status__in=counted_states(choice), cell_id__in=list(cells),
                                        number__isnull=False)
    rows = values.values_list("report__unit_id", "cell_id").annotate(total=Sum("number"))
    out = defaultdict(dict)
    for unit_id, cell, total in rows:
        out[unit_id][cell] = total
    return out


def grid_values(form, totals, keys, counted, expanded=None):
    """{(row, column): Decimal or None} of a roll-up as shown: every rolling cell the total
    (0 where no counted report has a value), a group's instances in one line — and, for the
    groups in `expanded` ({group: {instance key: {cell id: Decimal}}}), each instance on its
    own line too — every computed cell recomputed from the summed ones. Blank when no
    report counted."""
    spec = form.spec
    expanded = expanded or {}
    groups = [row.code for row in spec.rows if isinstance(row, RowGroup)]
    instances = {group: [GROUP_TOTAL, *expanded.get(group, {})] for group in groups}
    if not counted:
        return {}
    values = {}
    for row_code, column_code in rolling_cells(spec):
        cell = keys.get((row_code, column_code))
        shown_row = spec.instance_code(row_code, GROUP_TOTAL) if row_code in groups else row_code
        values[(shown_row, column_code)] = totals.get(cell, Decimal(0)) if cell is not None else Decimal(0)
        for key, sums in expanded.get(row_code, {}).items():
            values[(spec.instance_code(row_code, key), column_code)] = sums.get(cell, Decimal(0)) if cell is not None else Decimal(0)
    return spec.compute(values, instances)


def instance_totals(unit, period, form, group, cells, choice):
    """{instance key: {cell id: Decimal}} of a group "one row per child unit" over the unit's
    subtree: each instance (a mission, a practice) summed over the counted reports that name
    it (one grouped query over their values)."""
    values = ReportValue.objects.filter(Tree(period).within(unit, "report__unit"), report__period=period, report__form_code__in=form.sources,
                                        report__exempt=False, report__status__in=counted_states(choice), cell_id__in=list(cells),
                                        number__isnull=False).exclude(instance=0)
    out = defaultdict(dict)
    for instance, cell, total in values.values_list("instance", "cell_id").annotate(total=Sum("number")):
        out[str(instance)][cell] = total
    return out


def rolling_cells(spec):
    """The (row or group code, column code) a roll-up sums, in printed order."""
    cache = spec.__dict__.setdefault("_rolling", None)
    if cache is None:
        cache = spec._rolling = [key for key in spec.storage_cells() if spec.rolls_up(*key)]
    return cache


def shown_rows(spec, expanded_labels=None):
    """The rows of a roll-up as printed: each group of "one row per child unit" as one line,
    followed, for the groups in `expanded_labels` ({group: [(instance key, label)]}), by one
    line per instance."""
    expanded_labels = expanded_labels or {}
    return spec.expand_rows({row.code: [(GROUP_TOTAL, row.label), *expanded_labels.get(row.code, ())]
                             for row in spec.rows if isinstance(row, RowGroup)})


def storage_row(row):
    """The row or group code a shown row's cells are stored under."""
    return row.group or row.code


def cell_state(spec, row, column):
    """How a roll-up shows a cell: "disabled" (does not apply), "none" (not aggregated:
    text, `rollup: none`), "computed" (recomputed) or "sum"."""
    cell = spec.cell(row.code, column.code)
    if cell.disabled:
        return "disabled"
    if cell.computed:
        return "computed"
    return "sum" if spec.rolls_up(storage_row(row), column.code) else "none"


# --- completeness -------------------------------------------------------------------------


class Progress:
    """Counts of a subtree's reports (exempted ones excluded: the denominator is the
    obligations) by state and, among those sent, by timeliness."""

    def __init__(self, rows=()):
        self.by_key = defaultdict(int)
        for status, timeliness, n in rows:
            self.by_key[(status, timeliness)] += n

    def minus(self, other):
        out = Progress()
        for key in set(self.by_key) | set(other.by_key):
            out.by_key[key] = self.by_key.get(key, 0) - other.by_key.get(key, 0)
        return out

    def add(self, *others):
        for other in others:
            for key, n in other.by_key.items():
                self.by_key[key] += n
        return self

    @property
    def obligations(self):
        return sum(self.by_key.values())

    @property
    def by_state(self):
        out = defaultdict(int)
        for (status, _t), n in self.by_key.items():
            out[status] += n
        return out

    @property
    def sent(self):
        sent = sent_states()
        return sum(n for (status, _t), n in self.by_key.items() if status in sent)

    @property
    def not_sent(self):
        return self.obligations - self.sent

    def timeliness(self):
        """{"on_time", "extended", "late": n} among the reports sent."""
        sent = sent_states()
        out = dict.fromkeys(TIMELINESS, 0)
        for (status, timeliness), n in self.by_key.items():
            if status in sent:
                out[timeliness if timeliness in out else "on_time"] += n
        return out

    def counted(self, choice):
        states = set(counted_states(choice))
        return sum(n for (status, _t), n in self.by_key.items() if status in states)

    def percent(self, n):
        return percent(n, self.obligations)

    @property
    def sent_percent(self):
        return self.percent(self.sent)


def percent(n, of):
    return round(Decimal(100) * n / of, 1) if of else None


def progress(unit, period, form_codes):
    """The Progress of a unit's subtree (one query)."""
    rows = RollupProgress.objects.filter(unit=unit, period=period, form_code__in=list(form_codes))
    return Progress(rows.values_list("status", "timeliness", "count"))


def child_progress(below, period, form_codes):
    """{child id: Progress} of each child's subtree (one query)."""
    rows = RollupProgress.objects.filter(unit_id__in=[child.pk for child in below], period=period, form_code__in=list(form_codes))
    out = defaultdict(Progress)
    for unit_id, status, timeliness, n in rows.values_list("unit_id", "status", "timeliness", "count"):
        out[unit_id].by_key[(status, timeliness)] += n
    return out


def subtree_reports(unit, period, form_codes, ordered=False):
    """The subtree's reports of these forms (exempted included), as a queryset (the root's
    in an open period without a join on the units; ordered: for a list in tree order)."""
    return Report.objects.filter(Tree(period).within(unit, ordered=ordered), period=period, form_code__in=list(form_codes))


def exempted_count(unit, period, form_codes):
    return subtree_reports(unit, period, form_codes).filter(exempt=True).count()


def overdue_count(unit, period, form_codes, now=None, not_sent_total=None):
    """Reports not sent whose deadline (the period's, or the unit's extension) has passed.
    None before the period's deadline: no report's own deadline is earlier. After it,
    `not_sent_total` (from the counters) less those whose extension still runs: only the
    units of running extensions are read, never the whole subtree's reports."""
    from baocao.reports.models import Extension

    now = now or timezone.now()
    if now <= period.due_at:
        return 0
    if not_sent_total is None:
        return not_sent(unit, period, form_codes).filter(due_at__lt=now).count()
    running = list(Extension.objects.filter(period=period, due_at__gte=now).select_related("unit"))
    if not running:
        return not_sent_total
    within = Q()
    for extension in running:
        within |= Q(unit__path__startswith=extension.unit.path) if extension.subtree else Q(unit_id=extension.unit_id)
    return not_sent_total - not_sent(unit, period, form_codes).filter(within, due_at__gte=now).count()


class CountedPaginator(Paginator):
    """A Paginator told its count (from the counters) instead of counting the rows."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known = count

    @property
    def count(self):
        return self._known


def not_sent(unit, period, form_codes, query="", after=None):
    """The subtree's owed reports not yet sent, by unit (path, then form code); `after` a
    report of the list: only those after it (keyset: the next page costs a page, however
    deep — docs/adr/0014)."""
    reports = subtree_reports(unit, period, form_codes, ordered=True).filter(exempt=False).exclude(status__in=sent_states())
    for word in fold(query).split():
        reports = reports.filter(unit__search_text__contains=word)
    if after is not None:
        path, code = after
        ordered = tree_order("unit__path")
        # The first condition alone starts the walk of the path index at the key; the second
        # drops the key's own unit's forms up to the key.
        reports = reports.filter(GreaterThanOrEqual(ordered, path)).filter(Q(GreaterThan(ordered, path)) | Q(form_code__gt=code))
    return reports.select_related("unit").order_by(tree_order("unit__path"), "form_code")


def report_key(pk):
    """(unit path, form code) of a report, the position `not_sent(after=…)` reads from; None
    if there is no such report."""
    return Report.objects.filter(pk=pk).values_list("unit__path", "form_code").first() if pk else None


def contacts(unit_ids):
    """{unit id: [(username, display name)]} of the units' active accounts (one query)."""
    out = defaultdict(list)
    accounts = Account.objects.filter(unit_id__in=list(unit_ids), is_active=True).order_by("username")
    for unit_id, username, name in accounts.values_list("unit_id", "username", "display_name"):
        out[unit_id].append((username, name))
    return out

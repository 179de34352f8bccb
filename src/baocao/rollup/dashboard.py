"""What TRANG CHỦ shows an aggregating, governing or central unit about its subtree: progress
per form in the open periods, completeness by child unit (a chart), deadlines ahead, late
units and recent activity. A fixed number of queries (about eight) whatever the tree's size:
the counters are read from RollupProgress, the activity from the audit log's indexes."""
from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.access.paths import prefix_q, tree_order, tree_prefix_q
from baocao.audit.models import AuditEvent
from baocao.reports import selectors as report_selectors
from baocao.reports.models import PeriodStatus, Report, RollupProgress
from baocao.units.models import UnitKind

from . import selectors

LATE_LIMIT = 10
ACTIVITY_LIMIT = 10
CONSOLIDATING = (UnitKind.ROOT, UnitKind.GOVERNING, UnitKind.AGGREGATING)


def _bar(progress, link):
    t = progress.timeliness()
    # CSS widths, written with a point whatever the language's decimal separator.
    widths = {key: f"{float(progress.percent(n) or 0):.1f}" for key, n in t.items()}
    return {"obligations": progress.obligations, "sent": progress.sent, "percent": progress.sent_percent if progress.sent_percent is not None else 0, "counts": t,
            "widths": widths, "link": link}


def chart_data(rows):
    """The completeness chart's JSON (rollup/charts.js): per child unit, % of its obligations
    sent on time, within its extension, late, and not sent."""
    rows = [r for r in rows if r["progress"].obligations]
    series = []
    for key, label in (("on_time", _("Đúng hạn")), ("extended", _("Trong gia hạn")), ("late", _("Quá hạn")), ("not_sent", selectors.not_sent_label().capitalize())):
        data = []
        for r in rows:
            p = r["progress"]
            n = p.not_sent if key == "not_sent" else p.timeliness()[key]
            data.append(float(p.percent(n)))
        series.append({"label": label, "key": key, "data": data})
    return {"labels": [r["unit"].code for r in rows], "names": [r["unit"].name for r in rows], "series": series,
            "axis": _("% số báo cáo phải lập")}


def for_unit(actor, unit, now=None):
    """The dashboard of `unit`'s subtree, or None if the unit does not consolidate or the
    actor may not see its roll-up."""
    if unit.kind not in CONSOLIDATING or not selectors.may_view(actor, unit):
        return None
    now = now or timezone.now()
    periods = list(report_selectors.visible_periods().filter(status=PeriodStatus.OPEN).order_by("due_at", "pk"))
    if not periods:
        return {"periods": [], "unit": unit}
    by_period = defaultdict(lambda: defaultdict(selectors.Progress))
    rows = RollupProgress.objects.filter(unit=unit, period__in=periods).values_list("period_id", "form_code", "status", "timeliness", "count")
    for period_id, form_code, status, timeliness, n in rows:
        by_period[period_id][form_code].by_key[(status, timeliness)] += n
    items = []
    for period in periods:
        forms = by_period.get(period.pk, {})
        total = selectors.Progress().add(*forms.values())
        base = {"ky": period.pk, "don_vi": unit.code}
        items.append({
            "period": period,
            "days_left": (timezone.localtime(period.due_at).date() - timezone.localdate(now)).days,
            "total": _bar(total, "?" + urlencode(base)),
            "forms": [{"code": code, **_bar(p, "?" + urlencode({**base, "bieu": code}))} for code, p in sorted(forms.items())],
        })
    # The chart: the open period due soonest, every form, by child unit.
    first = periods[0]
    codes = list(by_period.get(first.pk, {}))
    below = selectors.children(unit, first)
    progress_below = selectors.child_progress(below, first, codes) if codes else {}
    children = [{"unit": child, "progress": progress_below.get(child.pk, selectors.Progress())} for child in below]
    sent = selectors.sent_states()
    # Late reports, period by period (deadline first), in tree order: one query per open
    # period that walks the subtree by path (from its first unit: the "C"-collated path
    # index, docs/adr/0014) and stops at the first LATE_LIMIT + 1, never sorting every late
    # report of the country.
    late = []
    for period in periods:
        if len(late) > LATE_LIMIT or period.due_at >= now:
            continue
        within = tree_prefix_q("unit__path", unit.path) if unit.parent_id is not None else Q()
        late += list(Report.objects.filter(within, period=period, exempt=False, due_at__lt=now)
                     .exclude(status__in=sent).exclude(unit=unit).select_related("unit", "period")
                     .order_by(tree_order("unit__path"), "form_code")[: LATE_LIMIT + 1 - len(late)])
    return {
        "unit": unit,
        "periods": items,
        "chart_period": first,
        "chart": chart_data(children),
        "late": late[:LATE_LIMIT],
        "late_more": len(late) > LATE_LIMIT,
        "activity": activity(unit),
        "sent_label": selectors.sent_label(),
    }


def activity(unit, limit=ACTIVITY_LIMIT):
    """The last transitions of reports in the subtree, newest first (two queries: the audit
    log by time within the subtree's path prefix, then the reports they name)."""
    flow = regimes.current().workflow
    events = list(AuditEvent.objects.filter(prefix_q("unit_path", unit.path), action="report.transition")
                  .select_related("unit").order_by("-at", "-id")[:limit])
    ids = {int(e.object_id) for e in events if e.object_id.isdigit()}
    forms = dict(Report.objects.filter(pk__in=ids).values_list("pk", "form_code"))
    out = []
    for e in events:
        after = e.after or {}
        transition = flow.transitions.get(after.get("transition", ""))
        state = flow.states.get(after.get("state", ""))
        report_id = int(e.object_id) if e.object_id.isdigit() else None
        out.append({"at": e.at, "who": e.actor_username, "unit": e.unit, "form": forms.get(report_id, ""), "report_id": report_id if report_id in forms else None,
                    "action": transition.label if transition else after.get("transition", ""), "state": state.label if state else "",
                    "reason": after.get("reason", "")})
    return out

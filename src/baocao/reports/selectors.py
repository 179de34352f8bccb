"""Reads for the pages: what each person has to do, a unit's obligations, the reports of
the units below. Every query is bounded by the access policy's scope."""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from baocao import regimes
from baocao.access import permissions, policy

from .models import Period, PeriodStatus, Report

TODO_LIMIT = 200


def visible_periods():
    """The periods a unit sees (opened at least once), newest first."""
    return Period.objects.filter(regime=regimes.current().key).exclude(status=PeriodStatus.DRAFT)


def default_period(periods, now=None):
    """The open period ending soonest, else the newest."""
    periods = list(periods)
    now = now or timezone.now()
    open_ones = sorted((p for p in periods if p.status == PeriodStatus.OPEN), key=lambda p: p.due_at)
    upcoming = [p for p in open_ones if p.due_at >= now]
    return (upcoming or open_ones or periods or [None])[0]


def _waiting_condition(actor):
    """Q of the reports waiting for this person: states a transition it may take leads out
    of, and editable states of units it enters for. A unit above acts on the units right
    below it (the nearest level receives); asking for a correction of an approved report is
    something one may do, not something waiting."""
    flow = regimes.current().workflow
    condition = Q(pk__in=[])
    for t in flow.transitions.values():
        sources = [code for code in t.sources if flow.states[code].stage != "final"]
        reach = policy.scope(actor, t.permission, relation=t.relation)
        if not sources or reach.is_empty:
            continue
        if t.relation == policy.BELOW:
            condition |= Q(status__in=sources, unit__parent__path__in=list(reach.subtrees))
        else:
            condition |= Q(status__in=sources) & reach.q(path="unit__path", pk="unit_id")
    edit = policy.scope(actor, flow.edit_permission, relation=flow.edit_relation)
    if not edit.is_empty:
        condition |= Q(status__in=flow.editable_states) & edit.q(path="unit__path", pk="unit_id")
    return condition


@dataclass(frozen=True)
class TodoItem:
    report: Report
    actions: list  # labels of what this person can do: "Nhập số liệu", "Đã kiểm tra", …
    days_left: int  # to the unit's deadline (negative: overdue)

    @property
    def days_overdue(self):
        return -self.days_left


def todo_for(actor, *, period=None, now=None, limit=TODO_LIMIT):
    """The reports waiting for `actor` in open periods (and closed ones for reviews), soonest
    deadline first, with what it can do on each."""
    from . import workflow

    now = now or timezone.now()
    reports = (
        Report.objects.filter(_waiting_condition(actor), exempt=False, period__regime=regimes.current().key,
                              period__status__in=[PeriodStatus.OPEN, PeriodStatus.CLOSED])
        .select_related("form", "unit", "period", "state_changed_by")
        .order_by("due_at", "unit__code", "form_code")
    )
    if period is not None:
        reports = reports.filter(period=period)
    items = []
    for report in reports[:limit]:
        actions = [o.transition.label for o in workflow.allowed_actions(actor, report, now=now) if o.allowed]
        if workflow.edit_decision(actor, report, now=now):
            actions.insert(0, str(permissions.LABELS[permissions.REPORT_EDIT]).capitalize())
        if actions:
            items.append(TodoItem(report, actions, (timezone.localtime(report.due_at).date() - timezone.localdate(now)).days))
    return items


def obligations_of(unit, period):
    """The reports `unit` owes in `period`, in the regime's form order."""
    return list(Report.objects.filter(unit=unit, period=period).select_related("form", "updated_by", "state_changed_by").order_by("form_code"))


def reports_below(actor, period, *, form_code="", status="", query="", unit=None):
    """Reports of the units within the actor's view scope (below its own unit), filtered."""
    from baocao.units.text import fold

    reach = policy.scope(actor, permissions.REPORT_VIEW)
    reports = Report.objects.filter(reach.q(path="unit__path", pk="unit_id"), period=period).exclude(unit=actor.unit)
    if unit is not None:
        from baocao.access.paths import prefix_q

        reports = reports.filter(prefix_q("unit__path", unit.path))
    if form_code:
        reports = reports.filter(form_code=form_code)
    if status == "exempt":
        reports = reports.filter(exempt=True)
    elif status:
        reports = reports.filter(status=status, exempt=False)
    for word in fold(query).split():
        reports = reports.filter(unit__search_text__contains=word)
    return reports.select_related("unit", "form", "period").order_by("unit__path", "form_code")


def sees_below(actor):
    """Whether the actor may view reports of some unit below its own."""
    return not policy.scope(actor, permissions.REPORT_VIEW, relation=policy.BELOW).is_empty


def due_soon(periods, days=7, now=None):
    now = now or timezone.now()
    return [p for p in periods if p.status == PeriodStatus.OPEN and now <= p.due_at <= now + timedelta(days=days)]

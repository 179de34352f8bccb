from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from baocao.access import permissions, policy
from baocao.access.paths import prefix_q
from baocao.dbtext import iexact
from baocao.paging import CappedPaginator

from .actions import LABELS, label
from .models import AuditEvent

# The unit model through the event's foreign key: audit sits below units in the layers.
Unit = AuditEvent._meta.get_field("unit").related_model

PAGE_SIZE = 50
def _parse_date(text):
    try:
        day = datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None  # 31/12/9999 + 1 day would overflow


def events_visible_to(account):
    """The events on units within the account's audit scope (its subtree, or everything)."""
    reach = policy.scope(account, permissions.AUDIT_VIEW)
    if reach.everywhere:
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(reach.q(path="unit_path", pk="unit_id"))


@login_required
def event_list(request):
    policy.require(request.user, permissions.AUDIT_VIEW)
    events = events_visible_to(request.user).select_related("unit")
    filters = {key: request.GET.get(key, "").strip() for key in ("account", "unit", "action", "from", "to")}
    errors = []
    if filters["account"]:
        events = events.filter(iexact("actor_username", filters["account"]))
    if filters["unit"]:
        # The unit and everything under it, as the tree was when each event happened.
        unit = Unit.objects.filter(iexact("code", filters["unit"])).only("path").first()
        if unit is None:
            errors.append(f"Không có đơn vị mã {filters['unit']}.")
            events = events.none()
        else:
            events = events.filter(prefix_q("unit_path", unit.path))
    if filters["action"]:
        events = events.filter(action=filters["action"])
    for key, op in (("from", "gte"), ("to", "lt")):
        if filters[key]:
            day = _parse_date(filters[key])
            if day is None:
                errors.append(f"Ngày '{filters[key]}' không đúng định dạng dd/mm/yyyy.")
                continue
            if key == "to":
                day += timedelta(days=1)
            events = events.filter(**{f"at__{op}": timezone.make_aware(datetime.combine(day, time.min))})
    # A subtree's events (a province's log, or a unit filter): the page's keys first, so that
    # when the planner sorts the subtree's events by time it sorts them without their units
    # (docs/adr/0014).
    subtree = bool(filters["unit"]) or not policy.scope(request.user, permissions.AUDIT_VIEW).everywhere
    page = CappedPaginator(events, PAGE_SIZE, defer_from=0 if subtree else None).get_page(request.GET.get("page"))
    for event in page:
        event.label = label(event.action)
    return render(
        request,
        "audit/list.html",
        {"active_menu": "admin", "page": page, "filters": filters, "actions": sorted(LABELS.items()), "errors": errors,
         "more_than": page.paginator.cap if page.paginator.capped else None},
    )

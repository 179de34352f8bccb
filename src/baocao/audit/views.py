from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from baocao.access import permissions, policy

from .actions import LABELS, label
from .models import AuditEvent

PAGE_SIZE = 50
# Counting every event of a year-old national log would cost more than the page itself:
# pages are counted up to this many events, and the list says "more than" beyond it.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self):
        return self.object_list[: COUNT_CAP + 1].count()


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
        events = events.filter(actor_username__iexact=filters["account"])
    if filters["unit"]:
        events = events.filter(unit__code__iexact=filters["unit"])
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
    page = CappedPaginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.label = label(event.action)
    return render(
        request,
        "audit/list.html",
        {"active_menu": "admin", "page": page, "filters": filters, "actions": sorted(LABELS.items()), "errors": errors,
         "more_than": COUNT_CAP if page.paginator.count > COUNT_CAP else None},
    )

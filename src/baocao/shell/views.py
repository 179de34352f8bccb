"""TRANG CHỦ and the landing pages of the five menus."""
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from baocao import regimes
from baocao.access import permissions, policy
from baocao.accounts.models import Account
from baocao.paging import capped_count
from baocao.units.models import Unit
from baocao.reports import selectors
from baocao.reports.models import PeriodStatus, Report
from baocao.reorg import transfers
from baocao.rollup import dashboard

from .menus import menu_by_key, menu_label, menus_for, shown_to


@login_required
def home(request):
    account = request.user
    regime = regimes.current()
    context = {
        "active_menu": "home",
        "account": account,
        "unit": account.unit,
        "role_labels": [regime.role_labels.get(role, role) for role in account.roles],
    }
    if policy.may_somewhere(account, permissions.ACCOUNT_ADMINISTER):
        reach = policy.scope(account, permissions.ACCOUNT_ADMINISTER)
        units = Unit.objects.filter(reach.q())
        accounts = Account.objects.filter(reach.q(path="unit_path", pk="unit_id"))
        # Counted up to a cap (baocao.paging): a national scope reads no more than that;
        # a subtree's accounts, locked and not-yet-changed ones are prefix ranges of the
        # (partial) indexes on the account's unit path, never the country's (docs/adr/0014).
        context["scope_counts"] = {
            key: dict(zip(("n", "more"), capped_count(queryset)))
            for key, queryset in (
                ("units", units),
                ("accounts", accounts),
                ("must_change", accounts.filter(must_change_password=True)),
                ("locked", accounts.filter(is_active=True).filter(Q(locked_by_admin=True) | Q(locked_until__gt=timezone.now()))),
            )
        }
    if policy.may_somewhere(account, permissions.REPORT_VIEW):
        context["todo"] = selectors.todo_for(account, limit=10)
        # What the unit owes in each open period, and how far each report has got.
        final = set(regime.workflow.codes_in_stage("final"))
        open_periods = list(selectors.visible_periods().filter(status=PeriodStatus.OPEN).order_by("due_at"))
        owed = defaultdict(list)
        for report in Report.objects.filter(unit=account.unit, period__in=open_periods, exempt=False).select_related("period").order_by("form_code"):
            owed[report.period_id].append(report)
        context["open_periods"] = [
            {"period": period, "forms": len(owed[period.pk]), "done": sum(r.status in final for r in owed[period.pk]), "reports": owed[period.pk]}
            for period in open_periods
        ]
    if policy.may_somewhere(account, permissions.TRANSFER_REQUEST):
        # Data a reorganisation left at old units, flagged until a transfer request names it.
        context["waiting_transfers"] = transfers.waiting_in_scope(account)
    # An aggregating, governing or central unit: how its subtree is doing (TỔNG HỢP BÁO CÁO).
    context["dashboard"] = dashboard.for_unit(account, account.unit)
    return render(request, "shell/home.html", context)


def section(key):
    """A menu's landing page: its title and its items; refused (and audited) for other roles."""
    menu = menu_by_key(key)

    @login_required
    def view(request):
        if not shown_to(request.user, menu.permissions):
            policy.require(request.user, menu.permissions[0], note=f"menu {key}")
        return render(
            request,
            "shell/section.html",
            {"active_menu": key, "section_title": menu_label(menu), "items": next(m["items"] for m in menus_for(request.user) if m["key"] == key)},
        )

    return view

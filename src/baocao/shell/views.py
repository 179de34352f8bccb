"""TRANG CHỦ and the landing pages of the five menus."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from baocao import regimes
from baocao.accounts.models import Account
from baocao.accounts.scope import administrable_units, is_administrator
from baocao.audit.services import record
from baocao.reports.models import Period
from baocao.reports.services import expected_form_codes

from .menus import menu_by_key, menu_label, menus_for


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
    if is_administrator(account):
        units = administrable_units(account)
        accounts = Account.objects.filter(unit__in=units)
        context["scope_counts"] = {
            "units": units.count(),
            "accounts": accounts.count(),
            "must_change": accounts.filter(must_change_password=True).count(),
            "locked": accounts.filter(is_active=True).filter(Q(locked_by_admin=True) | Q(locked_until__gt=timezone.now())).count(),
        }
    if account.has_role("entry", "reviewer", "approver"):
        # What the unit has to do now: the open periods and how many forms it files.
        forms = expected_form_codes(account.unit)
        now = timezone.now()
        context["open_periods"] = [
            {"period": period, "forms": len(forms)}
            for period in Period.objects.filter(regime=regime.key, opens_at__lte=now, deadline__gte=now).order_by("deadline")
        ]
    return render(request, "shell/home.html", context)


def section(key):
    """A menu's landing page: its title and its items; refused (and audited) for other roles."""
    menu = menu_by_key(key)

    @login_required
    def view(request):
        if not request.user.has_role(*menu.roles):
            record("scope.denied", request=request, unit=request.user.unit, note=f"menu {key} {request.path}")
            raise PermissionDenied
        return render(
            request,
            "shell/section.html",
            {"active_menu": key, "section_title": menu_label(menu), "items": next(m["items"] for m in menus_for(request.user) if m["key"] == key)},
        )

    return view

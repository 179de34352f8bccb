"""QUẢN TRỊ HỆ THỐNG > 29. Quản lý người dùng: list, search, reset, export, per-account actions.
Thin views over accounts.administration; every account touched is scope-checked there."""
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import regimes
from baocao.access import permissions, policy
from baocao.access.paths import bytewise
from baocao.audit.services import record_read
from baocao.dbtext import iexact
from baocao.jobs import services as jobs
from baocao.paging import CappedPaginator, Chain
from baocao.units.models import Unit

from . import administration
from .export import export_filename, write_accounts_xlsx
from .forms import AccountEditForm, RevokeForm
from .models import Account
from .services import create_missing_accounts

PAGE_SIZE = 50
MAX_SELECTED = 10_000
# "Select all matching" beyond this many accounts resets in the task worker, with a progress page.
BACKGROUND_RESET = 1_000
# An export beyond this many accounts is written by the task worker (seconds per 10,000 rows):
# the page shows its progress, then the download link.
BACKGROUND_EXPORT = 5_000
FILTER_KEYS = ("q", "unit", "group", "status")
SORTS = {
    "username": ("username",),
    "display_name": ("display_name", "username"),
    # Tree order: a unit's accounts together, below its parent's (Account.unit_path).
    "unit": ("unit_path", "username"),
    "group": ("user_group", "username"),
    "status": (),  # administration.by_status: the statuses in turn, each in the default order
}


def _administrator(request):
    policy.require(request.user, permissions.ACCOUNT_ADMINISTER)
    return request.user


def _filters(data):
    return {key: data.get(key, "").strip() for key in FILTER_KEYS}


def active(filters):
    """The filters that were set (for links back to the list and for the audit)."""
    return {k: v for k, v in filters.items() if v}


def _back_to_list(filters):
    return reverse("accounts:users") + "?" + urlencode(active(filters))


def _filtered_accounts(request, filters):
    """The accounts matching the filters; a unit filter outside scope is refused and audited."""
    unit = None
    if filters["unit"]:
        unit = Unit.objects.filter(iexact("code", filters["unit"])).first()
        if unit is None:
            return Account.objects.none(), _("Không có đơn vị mã %(code)s.") % {"code": filters["unit"]}
        policy.require(request.user, permissions.ACCOUNT_ADMINISTER, unit, note="account filter")
    accounts = administration.search_accounts(
        request.user, query=filters["q"], unit=unit, group=filters["group"], status=filters["status"]
    )
    return accounts, None


def _scope_label(account):
    return _("Toàn quốc") if policy.scope(account, permissions.ACCOUNT_ADMINISTER).everywhere else account.unit.label


def default_sort(actor, filters=None):
    """A national administrator's list is by username; a province's (any subtree), or any
    list filtered to a unit's subtree, in tree order: a walk of the (unit_path, username)
    index within the subtree, whose cost does not depend on where the subtree's usernames
    sort (docs/adr/0014)."""
    national = policy.scope(actor, permissions.ACCOUNT_ADMINISTER).everywhere and not (filters or {}).get("unit")
    return "username" if national else "unit"


def ordered_accounts(actor, accounts, sort, filters=None):
    """The list's rows in the order `sort` names ("-" for descending)."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "status":
        then = SORTS[default_sort(actor, filters)]
        return Chain(part.order_by(*[f"-{f}" if descending else f for f in then])
                     for part in administration.by_status(accounts, timezone.now(), descending=descending))
    if key != "unit" and default_sort(actor, filters) == "unit":
        # A subtree's accounts by name: read the subtree's (its range of the unit_path
        # index) and sort them, never walk the country's name index (docs/adr/0014).
        return accounts.order_by(*[bytewise(field).desc() if descending else bytewise(field).asc() for field in SORTS[key]])
    return accounts.order_by(*[f"-{field}" if descending else field for field in SORTS[key]])


@login_required
def user_list(request):
    actor = _administrator(request)
    filters = _filters(request.GET)
    accounts, problem = _filtered_accounts(request, filters)
    sort = request.GET.get("sort", "") or default_sort(actor, filters)
    if sort.lstrip("-") not in SORTS:
        sort = default_sort(actor, filters)
    rows = ordered_accounts(actor, accounts.select_related("unit"), sort, filters)
    # A subtree sorted by a name: the page's keys first (the sort reads the accounts alone).
    by_name = sort.lstrip("-") not in ("unit", "status") and default_sort(actor, filters) == "unit"
    page = CappedPaginator(rows, PAGE_SIZE, defer_from=0 if by_name else None).get_page(request.GET.get("page"))
    active_filters = active(filters)
    return render(
        request,
        "accounts/users/list.html",
        {
            "active_menu": "admin",
            "page": page,
            "filters": filters,
            "filter_query": urlencode(active_filters),
            "searching": bool(active_filters),
            "problem": problem,
            "groups": administration.user_groups(),
            "more_than": page.paginator.cap if page.paginator.capped else None,
            "statuses": administration.STATUSES,
            "sort": sort,
            "sort_links": {
                k: "?" + urlencode({**active_filters, "sort": k if sort != k else f"-{k}"}) for k in SORTS
            },
        },
    )


def _selected_accounts(request):
    """The ticked accounts, or every account matching the search when "all" was chosen."""
    if request.POST.get("all_matching") == "1":
        accounts, _problem = _filtered_accounts(request, _filters(request.POST))
        return accounts
    try:
        ids = [int(value) for value in request.POST.getlist("ids")][: MAX_SELECTED + 1]
    except ValueError:
        ids = []
    if len(ids) > MAX_SELECTED:
        raise ValidationError(_("Chọn tối đa %(n)d tài khoản mỗi lần.") % {"n": MAX_SELECTED})
    # Deliberately not pre-filtered by scope: a crafted id outside it must be refused, not ignored.
    return Account.objects.filter(pk__in=ids)


@require_POST
@login_required
def reset_passwords(request):
    actor = _administrator(request)
    back = _back_to_list(_filters(request.POST))
    try:
        accounts = _selected_accounts(request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    count = accounts.count()
    if count == 0:
        messages.warning(request, _("Chưa chọn tài khoản nào."))
        return redirect(back)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "accounts/users/confirm_reset.html",
            {
                "active_menu": "admin",
                "count": count,
                "sample": list(accounts.order_by(*SORTS[default_sort(actor, _filters(request.POST))]).values_list("username", flat=True)[:20]),
                "post": request.POST,
                "ids": request.POST.getlist("ids"),
                "filters": _filters(request.POST),
                "back": back,
            },
        )
    if request.POST.get("all_matching") == "1" and count > BACKGROUND_RESET:
        filters = _filters(request.POST)
        job = jobs.start(actor, "baocao.accounts.jobs.reset_matching", title=_("Reset mật khẩu %(n)d tài khoản") % {"n": count},
                         request=request, unit=actor.unit, params={"menu": "admin", "filters": filters})
        return redirect("jobs:detail", pk=job.pk)
    done = administration.reset_passwords(actor, accounts, request=request)
    messages.success(request, _("Reset mật khẩu thành công %(n)d tài khoản.") % {"n": done})
    return redirect(back)


@login_required
def export_xlsx(request):
    """Xuất excel: the accounts of the list's search. Small: the file at once. Large: a page
    that starts the export in the task worker (a POST, so no link can start work unasked)."""
    actor = _administrator(request)
    filters = _filters(request.POST if request.method == "POST" else request.GET)
    accounts, _problem = _filtered_accounts(request, filters)
    count = accounts.count()
    if count > BACKGROUND_EXPORT:
        if request.method == "POST":
            job = jobs.start(actor, "baocao.accounts.jobs.export_matching", title=_("Xuất excel %(n)d tài khoản") % {"n": count},
                             request=request, unit=actor.unit,
                             params={"menu": "admin", "filters": active(filters), "scope_label": str(_scope_label(actor))})
            return redirect("jobs:detail", pk=job.pk)
        return render(request, "accounts/users/confirm_export.html", {
            "active_menu": "admin", "count_text": number_format(count, force_grouping=True), "filters": filters, "back": _back_to_list(filters)})
    # An anonymous temporary file: XlsxWriter spools rows through disk, and FileResponse
    # streams the result in blocks, then closes (and so removes) the file.
    spool = tempfile.TemporaryFile()
    rows = write_accounts_xlsx(accounts, spool, scope_label=_scope_label(actor))
    spool.seek(0)
    record_read("accounts.exported", request=request, unit=actor.unit, after={"rows": rows, "filters": active(filters)})
    return FileResponse(
        spool,
        as_attachment=True,
        filename=export_filename(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_POST
@login_required
def create_accounts(request):
    actor = _administrator(request)
    units = Unit.objects.filter(policy.scope(actor, permissions.ACCOUNT_ADMINISTER).q()).active()
    created = create_missing_accounts(actor, units, request=request)
    if created:
        messages.success(request, _("Đã tạo %(n)d tài khoản mới với mật khẩu mặc định.") % {"n": len(created)})
    else:
        messages.info(request, _("Mọi đơn vị trong phạm vi đã có đủ tài khoản."))
    return redirect("accounts:users")


def _account_in_scope(request, pk):
    _administrator(request)
    account = get_object_or_404(Account.objects.select_related("unit", "unit__parent"), pk=pk)
    administration.refuse_out_of_scope(request.user, [account], action=f"{request.method} {request.path}")
    return account


@login_required
def account_detail(request, pk):
    account = _account_in_scope(request, pk)
    regime = regimes.current()
    form = AccountEditForm(request.POST or None, account=account, regime=regime)
    if request.method == "POST" and form.is_valid():
        try:
            administration.update_account(
                request.user, account, display_name=form.cleaned_data["display_name"], roles=form.cleaned_data["roles"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu tài khoản %(username)s.") % {"username": account.username})
            return redirect("accounts:user_detail", pk=account.pk)
    return render(
        request,
        "accounts/users/detail.html",
        {"active_menu": "admin", "account": account, "form": form, "revoke_form": RevokeForm(),
         "grants": account.grants.select_related("unit").order_by("unit__path", "role"), "role_labels": regime.role_labels},
    )


def _account_action(action, success):
    @require_POST
    @login_required
    def view(request, pk):
        account = _account_in_scope(request, pk)
        try:
            action(request, account)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success % {"username": account.username})
        return redirect("accounts:user_detail", pk=account.pk)

    return view


def _revoke(request, account):
    form = RevokeForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Cần nêu lý do thu hồi."))
    administration.revoke(request.user, account, request=request, **form.cleaned_data)


lock = _account_action(lambda r, a: administration.lock(r.user, a, request=r), _("Đã khóa tài khoản %(username)s."))
unlock = _account_action(lambda r, a: administration.unlock(r.user, a, request=r), _("Đã mở khóa tài khoản %(username)s."))
revoke = _account_action(_revoke, _("Đã thu hồi tài khoản %(username)s."))
reactivate = _account_action(
    lambda r, a: administration.reactivate(r.user, a, request=r), _("Đã khôi phục tài khoản %(username)s.")
)
reset_one = _account_action(
    lambda r, a: administration.reset_passwords(r.user, Account.objects.filter(pk=a.pk), request=r),
    _("Reset mật khẩu thành công tài khoản %(username)s."),
)

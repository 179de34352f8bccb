from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.access.paths import tree_order
from baocao.dbtext import iexact
from baocao.paging import CappedPaginator

from baocao.jobs import services as jobs
from baocao.jobs.uploads import UploadRefused, inspect_upload, runs_in_background

from . import catalogue, codes as unit_codes, tree
from .forms import CatalogueUploadForm
from .models import Unit

PAGE_SIZE = 50


def _require_administrator(request):
    policy.require(request.user, permissions.UNIT_ADMINISTER)


@login_required
def unit_list(request):
    _require_administrator(request)
    # In tree order, each subtree of the scope a range of the "C"-collated path index: a
    # province's first page is one short walk wherever its codes sort (docs/adr/0014).
    scope = policy.scope(request.user, permissions.UNIT_ADMINISTER)
    units = Unit.objects.filter(scope.q(ordered=True)).select_related("parent").order_by(tree_order("path"))
    query = request.GET.get("q", "").strip()
    if query:
        units = units.matching(query)
    page = CappedPaginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "units/list.html", {"active_menu": "admin", "page": page, "query": query})


@login_required
def unit_detail(request, code):
    unit = get_object_or_404(Unit.objects.select_related("parent"), iexact("code", code))
    policy.require(request.user, permissions.UNIT_ADMINISTER, unit)
    accounts = unit.accounts.order_by("username")
    return render(
        request,
        "units/detail.html",
        {"active_menu": "admin", "unit": unit, "accounts": accounts, "children": unit.children.order_by("code"),
         "successors": tree.successors_of(unit), "predecessors": tree.predecessors_of(unit),
         "may_edit_duties": policy.may(request.user, permissions.OBLIGATION_EDIT, unit)},
    )


@login_required
def catalogue_import(request):
    _require_administrator(request)
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            inspection = inspect_upload(upload, **catalogue.BOUNDS)
            if runs_in_background(inspection, work=catalogue.background_work()):
                # More than a few hundred units: read, checked and applied by the task worker, with a progress page.
                job = jobs.start(request.user, "baocao.units.jobs.import_catalogue", title=_("Nhập danh mục đơn vị"),
                                 request=request, unit=request.user.unit, params={"menu": "admin"}, upload=upload.read(), filename=upload.name)
                return redirect("jobs:detail", pk=job.pk)
            rows = catalogue.read_xlsx(upload, size=upload.size)
            summary = catalogue.import_catalogue(request.user, rows, request=request)
        except UploadRefused as refused:
            errors = [catalogue.RowError(0, "", "", refused.message)]
            catalogue.audit_refusal(request.user, request, upload.name, errors)
        except catalogue.CatalogueError as error:
            errors = error.errors
            catalogue.audit_refusal(request.user, request, upload.name, errors)
        else:
            messages.success(request, catalogue.success_message(summary))
            return redirect("units:import")
    return render(request, "units/import.html", {"active_menu": "admin", "form": form, "errors": errors, "columns": catalogue.COLUMNS,
                                                  "kinds": catalogue.allowed_kinds(), "unit_types": catalogue.allowed_types(),
                                                  "code_rule": unit_codes.code_rule()})


@login_required
def catalogue_template(request):
    """An empty catalogue workbook with the expected headers and the allowed values."""
    _require_administrator(request)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="mau-danh-muc-don-vi.xlsx"'
    catalogue.template_workbook().save(response)
    return response

"""The official printouts (printouts.py) of a unit and a period, as Excel or PDF."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.dbtext import iexact
from baocao.reports.models import Period
from baocao.units.models import Unit

from . import printouts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def printout(request, slug, fmt):
    spec = printouts.spec_for(slug)
    if spec is None or fmt not in ("xlsx", "pdf"):
        raise Http404(_("Không có mẫu in này."))
    try:
        period_pk = int(request.GET.get("ky", ""))
    except ValueError:
        raise BadRequest(_("Chọn kỳ báo cáo.")) from None
    if not 0 < period_pk < 2**31:
        raise Http404(_("Không tìm thấy kỳ báo cáo."))
    period = get_object_or_404(Period, pk=period_pk)
    code = request.GET.get("don_vi", "").strip()[:40]
    unit = get_object_or_404(Unit, iexact("code", code)) if code else request.user.unit
    if unit is None:
        raise Http404
    permission = permissions.ROLLUP_VIEW if spec.get("scope") == "subtree" else permissions.REPORT_VIEW
    policy.require(request.user, permission, unit, note=f"printout {slug} {unit.code}")
    sheet = printouts.sheet_for(spec, unit, period)
    name = f"{slug}-{unit.code}"
    if fmt == "xlsx":
        response = HttpResponse(printouts.to_xlsx(sheet), content_type=XLSX)
    else:
        response = HttpResponse(printouts.to_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response

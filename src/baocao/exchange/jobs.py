"""Excel uploads with more work than a request may do, run by the task worker (docs/adr/0006,
docs/adr/0013): imports and reconciliations."""
import io

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from baocao.jobs.services import Refused, as_request
from baocao.reports.models import Report

from .importing import ImportRefused, import_workbook, success_message
from .reconcile import differences_message, reconcile_workbook


def import_report(job, progress):
    """Import the uploaded template into its report, as `import_workbook` does in a request."""
    report = Report.objects.select_related("form", "unit", "unit__parent", "period").get(pk=job.params["report"])
    content = bytes(job.upload or b"")
    try:
        result = import_workbook(job.actor, report, io.BytesIO(content), size=len(content), filename=job.filename,
                                 request=as_request(job), progress=progress)
    except ImportRefused as refused:
        raise Refused(_("Tệp chưa được nhập, không có gì thay đổi: có %(n)d vấn đề cần sửa.") % {"n": len(refused.problems)},
                      refused.problems) from None
    except PermissionDenied as denied:
        raise Refused(str(getattr(denied, "reason", "") or _("Tài khoản không còn được nhập số liệu của báo cáo này."))) from None
    return {"message": success_message(result), "link": job.params.get("next") or reverse("reports:report", args=[report.pk])}


def reconcile_report(job, progress):
    """Compare the uploaded Excel with the report's figures, as the Đối chiếu page does; the
    result lists every differing cell."""
    report = Report.objects.select_related("form", "unit", "unit__parent", "period").get(pk=job.params["report"])
    content = bytes(job.upload or b"")
    progress(0, None, _("Đang đọc tệp…"), force=True)
    try:
        differences = reconcile_workbook(job.actor, report, io.BytesIO(content), size=len(content), filename=job.filename,
                                         request=as_request(job))
    except ImportRefused as refused:
        raise Refused(_("Không đối chiếu được tệp: có %(n)d vấn đề cần sửa.") % {"n": len(refused.problems)}, refused.problems) from None
    return {"message": differences_message(differences), "problems": [str(d) for d in differences],
            "link": reverse("exchange:reconcile", args=[report.pk])}

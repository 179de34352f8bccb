"""A large catalogue import, run by the task worker (docs/adr/0006)."""
import io

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from baocao.jobs.services import Refused, as_request

from . import catalogue


def import_catalogue(job, progress):
    content = bytes(job.upload or b"")
    request = as_request(job)
    try:
        rows = catalogue.read_xlsx(io.BytesIO(content), size=len(content), progress=progress)
        progress(len(rows), len(rows), _("Đang kiểm tra và lưu %(n)d đơn vị…") % {"n": len(rows)}, force=True)
        summary = catalogue.import_catalogue(job.actor, rows, request=request)
    except catalogue.CatalogueError as error:
        catalogue.audit_refusal(job.actor, request, job.filename, error.errors)
        raise Refused(_("Tệp danh mục chưa được nhập, không có gì thay đổi: có %(n)d lỗi cần sửa.") % {"n": len(error.errors)},
                      error.errors) from None
    except PermissionDenied as denied:
        raise Refused(str(getattr(denied, "reason", "") or denied)) from None
    return {"message": catalogue.success_message(summary), "link": reverse("units:list")}

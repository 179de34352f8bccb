"""A long Excel list of reorganisations, read by the task worker (docs/adr/0013); the list
page then previews the rows it read (`?cong_viec=<job>`), as after an upload in the request."""
import io

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from baocao.jobs.services import Refused

from . import excel


def read_list(job, progress):
    content = bytes(job.upload or b"")
    progress(0, None, _("Đang đọc tệp…"), force=True)
    try:
        rows = excel.read_list(io.BytesIO(content), size=len(content))
    except excel.ListFileError as error:
        raise Refused(error.message) from None
    return {"message": _("Đã đọc %(n)d dòng của danh sách. Bấm “Tiếp tục” để xem trước kết quả rồi áp dụng.") % {"n": len(rows)},
            "rows": rows, "link": reverse("reorg:list") + "?" + urlencode({"cong_viec": job.pk})}

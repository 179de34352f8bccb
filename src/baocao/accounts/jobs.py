"""Work on every account matching a search, run by the task worker (docs/adr/0006): a
national "select all" is 100,000 accounts, past a request's time — resetting their
passwords, or exporting them to Excel."""
import tempfile

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.audit.services import record_read
from baocao.dbtext import iexact
from baocao.jobs.services import Output, Refused, as_request
from baocao.units.models import Unit

from . import administration
from .export import export_filename, write_accounts_xlsx


def _matching(job):
    """params: {"filters": {q, unit, group, status}}, those the user list had set; the
    accounts they match in the starter's scope (checked again: rights may have changed)."""
    actor, filters = job.actor, job.params.get("filters", {})
    unit = None
    try:
        policy.require(actor, permissions.ACCOUNT_ADMINISTER)
        if filters.get("unit"):
            unit = Unit.objects.filter(iexact("code", filters["unit"])).first()
            if unit is None:
                raise Refused(_("Không có đơn vị mã %(code)s.") % {"code": filters["unit"]})
            policy.require(actor, permissions.ACCOUNT_ADMINISTER, unit, note="account filter")
    except PermissionDenied as denied:
        raise Refused(str(getattr(denied, "reason", "") or denied)) from None
    return filters, administration.search_accounts(actor, query=filters.get("q", ""), unit=unit, group=filters.get("group", ""),
                                                   status=filters.get("status", ""))


def reset_matching(job, progress):
    _filters, accounts = _matching(job)
    total = accounts.count()
    stage = _("Đang reset mật khẩu…")
    progress(0, total, stage, force=True)
    done = administration.reset_matching(job.actor, accounts, request=as_request(job), progress=lambda n: progress(n, total, stage))
    return {"message": _("Reset mật khẩu thành công %(n)d tài khoản.") % {"n": done}, "link": reverse("accounts:users")}


def export_matching(job, progress):
    filters, accounts = _matching(job)
    total = accounts.count()
    stage = _("Đang lập tệp Excel…")
    progress(0, total, stage, force=True)
    with tempfile.TemporaryFile() as spool:
        rows = write_accounts_xlsx(accounts, spool, scope_label=job.params.get("scope_label", ""),
                                   progress=lambda n: progress(n, total, stage))
        spool.seek(0)
        content = spool.read()
    record_read("accounts.exported", request=as_request(job), unit=job.unit,
           after={"rows": rows, "filters": filters, "background": True})
    return {"message": _("Đã lập tệp Excel danh sách %(n)d tài khoản.") % {"n": rows},
            "output": Output(export_filename(), content)}

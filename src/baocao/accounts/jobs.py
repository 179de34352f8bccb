"""Resetting the passwords of every account matching a search, run by the task worker
(docs/adr/0006): a national "select all" is 100,000 accounts, past a request's time."""
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.dbtext import iexact
from baocao.jobs.services import Refused, as_request
from baocao.units.models import Unit

from . import administration


def reset_matching(job, progress):
    """params: {"filters": {q, unit, group, status}} as the user list had them."""
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
    accounts = administration.search_accounts(actor, query=filters.get("q", ""), unit=unit, group=filters.get("group", ""),
                                              status=filters.get("status", ""))
    total = accounts.count()
    stage = _("Đang reset mật khẩu…")
    progress(0, total, stage, force=True)
    done = administration.reset_matching(actor, accounts, request=as_request(job), progress=lambda n: progress(n, total, stage))
    return {"message": _("Reset mật khẩu thành công %(n)d tài khoản.") % {"n": done}, "link": reverse("accounts:users")}

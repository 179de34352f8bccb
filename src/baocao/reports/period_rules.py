"""What a period accepts (docs/adr/0010): the one predicate every service that changes a
period's reports or totals asks, and the period lock under which it is asked.

| change          | draft | open | closed | locked |
| --------------- | ----- | ---- | ------ | ------ |
| ENTRY           |       | yes  |        |        |
| REVIEW          |       | yes  | yes    |        |
| EXEMPTION       |       | yes  |        |        |
| OBLIGATION      |       | yes  |        |        |
| EXTENSION       |       | yes  |        |        |
| REORGANISATION  |       | yes  |        |        |
| TRANSFER        |       | yes  | yes    |        |
| SCHEDULE        | yes   | yes  | yes    |        |

A locked period accepts nothing but its audited unlocking (periods.unlock_period).
"""
import enum
import zlib

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from .models import PeriodStatus

_PERIOD_LOCKS = zlib.crc32(b"baocao.reports.period") & 0x7FFFFFFF


class Change(enum.Enum):
    ENTRY = "entry"  # values, records, explanation; sending
    REVIEW = "review"  # check, approve, receive, return what was sent
    EXEMPTION = "exemption"  # Miễn, declarations, and their undoing
    OBLIGATION = "obligation"  # a report owed later (Bổ sung)
    EXTENSION = "extension"  # Gia hạn
    REORGANISATION = "reorganisation"  # a retired unit's unstarted reports, a new unit's obligations, moved totals
    TRANSFER = "transfer"  # already-entered data carried to another unit
    SCHEDULE = "schedule"  # name and deadline


ACCEPTS = {
    PeriodStatus.DRAFT: {Change.SCHEDULE},
    PeriodStatus.OPEN: set(Change),
    PeriodStatus.CLOSED: {Change.REVIEW, Change.TRANSFER, Change.SCHEDULE},
    PeriodStatus.LOCKED: set(),
}


class PeriodRefused(ValidationError):
    """The period does not accept this change; nothing changed."""


def accepts(period, change):
    return change in ACCEPTS[PeriodStatus(period.status)]


def refusal(period, change):
    """Why `period` refuses `change` ("" if it accepts it)."""
    if accepts(period, change):
        return ""
    status = PeriodStatus(period.status)
    if status == PeriodStatus.LOCKED:
        return _("Kỳ báo cáo đã khóa: số liệu đã chốt, không thay đổi được nữa.")
    if status == PeriodStatus.DRAFT:
        return _("Kỳ báo cáo chưa mở.")
    if change == Change.ENTRY:
        return _("Kỳ báo cáo đã đóng.")
    return _("Kỳ báo cáo đã đóng: chỉ còn kiểm tra, phê duyệt những báo cáo đã gửi và chuyển dữ liệu theo sắp xếp đơn vị.")


def require(period, change):
    """Raise PeriodRefused unless `period` accepts `change`."""
    problem = refusal(period, change)
    if problem:
        raise PeriodRefused(problem)


def hold(period_id, *, exclusive=False):
    """Lock the period until the transaction ends (PostgreSQL advisory lock): shared for a
    change of its reports, exclusive for a change of its status, deadlines or counts. Read
    the period's status after this: a status change beside it has committed or waits."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s, %s)", [_PERIOD_LOCKS, int(period_id) & 0x7FFFFFFF])


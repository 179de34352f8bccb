"""The "Xuất excel" workbook of accounts, written row by row with XlsxWriter's constant-memory
mode from a server-side cursor, so 100,000 accounts export in bounded memory. A large
export runs in the task worker (accounts.jobs.export_matching), a small one in the request."""
import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import STATUS_LABELS, status_key

HEADERS = (
    ("STT", 7),
    ("Tên đăng nhập", 18),
    ("Tên hiển thị", 40),
    ("Mã đơn vị", 14),
    ("Tên đơn vị", 45),
    ("Đơn vị cấp trên", 45),
    ("Nhóm người dùng", 24),
    ("Trạng thái", 22),
    ("Phải đổi mật khẩu", 18),
)
FIELDS = (
    "username",
    "display_name",
    "unit__code",
    "unit__name",
    "unit__parent__code",
    "unit__parent__name",
    "user_group",
    "is_active",
    "locked_by_admin",
    "locked_until",
    "must_change_password",
)


def write_accounts_xlsx(accounts, target, *, scope_label, progress=None):
    """Write `accounts` (a queryset) as .xlsx to `target` (a path or a binary file object);
    returns the number of accounts written. `progress(rows_written)` is called as it goes."""
    now = timezone.now()
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet(_("Tài khoản"))
        title = workbook.add_format({"bold": True, "font_size": 13})
        header = workbook.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1, "text_wrap": True, "valign": "vcenter"})
        for column, (_label, width) in enumerate(HEADERS):
            sheet.set_column(column, column, width)
        exported_at = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
        sheet.write(0, 0, _("DANH SÁCH TÀI KHOẢN – Phạm vi: %(scope)s – Xuất lúc %(time)s") % {"scope": scope_label, "time": exported_at}, title)
        for column, (label, _width) in enumerate(HEADERS):
            sheet.write(1, column, label, header)
        sheet.freeze_panes(2, 0)
        yes, no = _("Có"), _("Không")
        statuses = {key: str(label) for key, label in STATUS_LABELS.items()}  # translated once, not per row
        row = 1
        rows = accounts.order_by("unit__path", "username").values_list(*FIELDS)
        for number, values in enumerate(rows.iterator(chunk_size=2000), start=1):
            (username, display_name, code, name, parent_code, parent_name, group, is_active, locked_by_admin, locked_until, must_change) = values
            row += 1
            sheet.write_number(row, 0, number)
            sheet.write_string(row, 1, username)
            sheet.write_string(row, 2, display_name)
            sheet.write_string(row, 3, code)
            sheet.write_string(row, 4, name)
            sheet.write_string(row, 5, f"{parent_code} - {parent_name}" if parent_code else "")
            sheet.write_string(row, 6, group)
            sheet.write_string(row, 7, statuses[status_key(is_active, locked_by_admin, locked_until, now)])
            sheet.write_string(row, 8, yes if must_change else no)
            if progress and number % 2000 == 0:
                progress(number)
        sheet.autofilter(1, 0, max(row, 1), len(HEADERS) - 1)
        return row - 1
    finally:
        workbook.close()


def export_filename():
    return f"danh-sach-tai-khoan-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"

"""The platform's own permissions. A regime's roles carry these (regime.yaml `roles: … may:`),
and its workflow transitions name further ones (report.submit, report.approve, …), whose
label is the transition's."""
from django.utils.translation import gettext_lazy as _

REPORT_VIEW = "report.view"
REPORT_EDIT = "report.edit"
REPORT_EXTEND = "report.extend"
OBLIGATION_EDIT = "obligation.edit"
PERIOD_MANAGE = "period.manage"
ACCOUNT_ADMINISTER = "account.administer"
UNIT_ADMINISTER = "unit.administer"
AUDIT_VIEW = "audit.view"
PARAMETERS_EDIT = "parameters.edit"
ACCOUNT_REQUEST_FILE = "account_request.file"
ACCOUNT_REQUEST_DECIDE = "account_request.decide"
ROLLUP_VIEW = "rollup.view"
TRANSFER_REQUEST = "transfer.request"
TRANSFER_EXECUTE = "transfer.execute"

# What each lets one do, as the end of "… không được <label>" in a refusal.
LABELS = {
    REPORT_VIEW: _("xem báo cáo"),
    REPORT_EDIT: _("nhập số liệu"),
    REPORT_EXTEND: _("gia hạn báo cáo"),
    OBLIGATION_EDIT: _("điều chỉnh biểu phải lập"),
    PERIOD_MANAGE: _("quản lý kỳ báo cáo"),
    ACCOUNT_ADMINISTER: _("quản lý người dùng"),
    UNIT_ADMINISTER: _("quản lý danh mục đơn vị"),
    AUDIT_VIEW: _("xem nhật ký hệ thống"),
    PARAMETERS_EDIT: _("thiết lập thông số"),
    ACCOUNT_REQUEST_FILE: _("gửi đề nghị cấp, thu hồi tài khoản"),
    ACCOUNT_REQUEST_DECIDE: _("xử lý đề nghị cấp, thu hồi tài khoản"),
    ROLLUP_VIEW: _("xem tổng hợp báo cáo"),
    TRANSFER_REQUEST: _("đề nghị chuyển dữ liệu giữa các đơn vị"),
    TRANSFER_EXECUTE: _("thực hiện chuyển dữ liệu giữa các đơn vị"),
}

# Permissions that make an account an administrator (it sees QUẢN TRỊ HỆ THỐNG).
ADMINISTRATION = (ACCOUNT_ADMINISTER, UNIT_ADMINISTER, AUDIT_VIEW, PERIOD_MANAGE, ACCOUNT_REQUEST_DECIDE, TRANSFER_REQUEST)

# Permissions that change other people's accounts or the national figures: a role carrying any
# of them may be required to sign in with a second factor (THIẾT LẬP THÔNG SỐ; docs/adr/0015).
TWO_FACTOR = (ACCOUNT_ADMINISTER, UNIT_ADMINISTER, PERIOD_MANAGE, PARAMETERS_EDIT)

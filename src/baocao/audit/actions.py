"""Names of audited actions and their Vietnamese labels for the audit list."""
from django.utils.translation import gettext_lazy as _

LABELS = {
    "login.success": _("Đăng nhập thành công"),
    "login.failure": _("Đăng nhập thất bại"),
    "logout": _("Đăng xuất"),
    "account.locked_out": _("Khóa tài khoản do nhập sai mật khẩu nhiều lần"),
    "account.unlocked": _("Mở khóa tài khoản"),
    "password.changed": _("Đổi mật khẩu"),
    "scope.denied": _("Truy cập ngoài phạm vi bị từ chối"),
    "units.imported": _("Nhập danh mục đơn vị"),
    "unit.created": _("Tạo đơn vị"),
    "unit.updated": _("Cập nhật đơn vị"),
    "account.created": _("Tạo tài khoản"),
    "account.updated": _("Sửa tài khoản"),
    "account.locked": _("Khóa tài khoản"),
    "account.revoked": _("Thu hồi tài khoản"),
    "account.reactivated": _("Khôi phục tài khoản"),
    "password.reset": _("Reset mật khẩu"),
    "accounts.exported": _("Xuất excel danh sách tài khoản"),
    "account_request.filed": _("Gửi đề nghị cấp, thu hồi tài khoản"),
    "account_request.approved": _("Chấp thuận đề nghị tài khoản"),
    "account_request.rejected": _("Từ chối đề nghị tài khoản"),
    "parameters.changed": _("Thay đổi thông số"),
    "report.saved": _("Lưu số liệu báo cáo"),
    "report.explanation_saved": _("Lưu thuyết minh báo cáo"),
    "report.record_added": _("Thêm bản ghi vào báo cáo"),
    "report.record_changed": _("Sửa bản ghi"),
    "report.record_deleted": _("Xóa bản ghi"),
    "report.records_replaced": _("Thay toàn bộ bản ghi"),
    "exchange.template_downloaded": _("Tải mẫu Excel của báo cáo"),
    "exchange.imported": _("Nhập số liệu báo cáo từ Excel"),
    "exchange.import_refused": _("Tệp Excel bị từ chối"),
    "exchange.exported_xlsx": _("Xuất excel báo cáo"),
    "exchange.exported_pdf": _("In báo cáo ra PDF"),
}


def label(action):
    return LABELS.get(action, action)

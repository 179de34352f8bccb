"""The five menus of the official software, each shown to the accounts holding one of its
permissions somewhere (the access policy decides; the regime says which roles carry them).

Labels of the top menus come from the regime (kiemke says "NHẬP DỮ LIỆU KIỂM KÊ").
Items are (label, url name, permissions: any of them shows it); an empty tuple is everyone.
"""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baocao import regimes
from baocao.access import permissions as p
from baocao.access import policy

EVERYONE = ()


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permissions: tuple = EVERYONE


@dataclass(frozen=True)
class Menu:
    key: str
    default_label: str
    url_name: str
    permissions: tuple
    items: tuple = ()


MENUS = (
    Menu(
        "home",
        _("TRANG CHỦ"),
        "shell:home",
        EVERYONE,
        (
            MenuItem(_("Đề nghị cấp, thu hồi tài khoản"), "accounts:requests", (p.ACCOUNT_REQUEST_FILE,)),
            MenuItem(_("Phản ánh lỗi"), "support:list", EVERYONE),
        ),
    ),
    Menu("entry", _("NHẬP DỮ LIỆU"), "reports:entry", (p.REPORT_VIEW,)),
    Menu(
        "rollup",
        _("TỔNG HỢP BÁO CÁO"),
        "rollup:rollup",
        (p.REPORT_VIEW, p.ROLLUP_VIEW),
        (
            MenuItem(_("Tổng hợp số liệu"), "rollup:rollup", (p.REPORT_VIEW, p.ROLLUP_VIEW)),
            MenuItem(_("Chi tiết theo đơn vị"), "rollup:breakdown", (p.REPORT_VIEW, p.ROLLUP_VIEW)),
            MenuItem(_("Tình hình gửi báo cáo"), "rollup:completeness", (p.REPORT_VIEW, p.ROLLUP_VIEW)),
        ),
    ),
    Menu(
        "admin",
        _("QUẢN TRỊ HỆ THỐNG"),
        "shell:admin",
        p.ADMINISTRATION,
        (
            MenuItem(_("29. Quản lý người dùng"), "accounts:users", (p.ACCOUNT_ADMINISTER,)),
            MenuItem(_("Đề nghị cấp, thu hồi tài khoản"), "accounts:requests", (p.ACCOUNT_REQUEST_DECIDE,)),
            MenuItem(_("Danh mục đơn vị"), "units:list", (p.UNIT_ADMINISTER,)),
            MenuItem(_("Nhập danh mục đơn vị từ Excel"), "units:import", (p.UNIT_ADMINISTER,)),
            MenuItem(_("Kỳ báo cáo"), "periods:list", (p.PERIOD_MANAGE,)),
            MenuItem(_("Nhật ký hệ thống"), "audit:list", (p.AUDIT_VIEW,)),
            MenuItem(_("Sắp xếp đơn vị"), "reorg:index", (p.UNIT_ADMINISTER,)),
            MenuItem(_("Nhật ký sắp xếp"), "reorg:log", (p.UNIT_ADMINISTER,)),
            MenuItem(_("Danh sách sắp xếp từ Excel"), "reorg:list", (p.UNIT_ADMINISTER,)),
            MenuItem(_("Đề nghị chuyển dữ liệu"), "reorg:transfers", (p.TRANSFER_REQUEST, p.TRANSFER_EXECUTE)),
            MenuItem(_("Phản ánh lỗi của người dùng"), "support:list", (p.PARAMETERS_EDIT,)),
        ),
    ),
    Menu(
        "parameters",
        _("THIẾT LẬP THÔNG SỐ"),
        "parameters:edit",
        (p.PARAMETERS_EDIT,),
        (MenuItem(_("Thông số hệ thống"), "parameters:edit", (p.PARAMETERS_EDIT,)),
         MenuItem(_("Ngày nghỉ lễ"), "parameters:holidays", (p.PARAMETERS_EDIT,))),
    ),
)


def menu_label(menu):
    """The regime's wording of the menu, translated when English is chosen."""
    label = regimes.current().menu_labels.get(menu.key)
    return gettext(label) if label else menu.default_label


def shown_to(account, permissions):
    return not permissions or any(policy.may_somewhere(account, permission) for permission in permissions)


def menus_for(account):
    """The menus an account sees, with their visible items and URLs."""
    if not getattr(account, "is_authenticated", False):
        return []
    visible = []
    for menu in MENUS:
        if not shown_to(account, menu.permissions):
            continue
        items = [{"label": item.label, "url": reverse(item.url_name)} for item in menu.items if shown_to(account, item.permissions)]
        visible.append({"key": menu.key, "label": menu_label(menu), "url": reverse(menu.url_name), "items": items})
    return visible


def menu_by_key(key):
    return next(menu for menu in MENUS if menu.key == key)

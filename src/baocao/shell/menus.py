"""The five menus of the official software, each shown only to the roles that may use it.

Labels of the top menus come from the regime (kiemke says "NHẬP DỮ LIỆU KIỂM KÊ").
Items are (label, url name, roles); an item without url name is a page not built yet.
"""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baocao import regimes

EVERYONE = ("entry", "reviewer", "approver", "admin", "central_admin")
ADMINS = ("admin", "central_admin")


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: tuple = EVERYONE


@dataclass(frozen=True)
class Menu:
    key: str
    default_label: str
    url_name: str
    roles: tuple
    items: tuple = ()


MENUS = (
    Menu(
        "home",
        _("TRANG CHỦ"),
        "shell:home",
        EVERYONE,
        (MenuItem(_("Đề nghị cấp, thu hồi tài khoản"), "accounts:requests", ("approver",)),),
    ),
    Menu("entry", _("NHẬP DỮ LIỆU"), "reports:entry", ("entry", "reviewer", "approver")),
    Menu("rollup", _("TỔNG HỢP BÁO CÁO"), "shell:rollup", EVERYONE),
    Menu(
        "admin",
        _("QUẢN TRỊ HỆ THỐNG"),
        "shell:admin",
        ADMINS,
        (
            MenuItem(_("29. Quản lý người dùng"), "accounts:users", ADMINS),
            MenuItem(_("Đề nghị cấp, thu hồi tài khoản"), "accounts:requests", ADMINS),
            MenuItem(_("Danh mục đơn vị"), "units:list", ADMINS),
            MenuItem(_("Nhập danh mục đơn vị từ Excel"), "units:import", ADMINS),
            MenuItem(_("Nhật ký hệ thống"), "audit:list", ADMINS),
        ),
    ),
    Menu("parameters", _("THIẾT LẬP THÔNG SỐ"), "parameters:edit", ("central_admin",)),
)


def menu_label(menu):
    return regimes.current().menu_labels.get(menu.key) or menu.default_label


def menus_for(account):
    """The menus an account sees, with their visible items and URLs."""
    if not getattr(account, "is_authenticated", False):
        return []
    visible = []
    for menu in MENUS:
        if not account.has_role(*menu.roles):
            continue
        items = [
            {"label": item.label, "url": reverse(item.url_name)} for item in menu.items if account.has_role(*item.roles)
        ]
        visible.append({"key": menu.key, "label": menu_label(menu), "url": reverse(menu.url_name), "items": items})
    return visible


def menu_by_key(key):
    return next(menu for menu in MENUS if menu.key == key)

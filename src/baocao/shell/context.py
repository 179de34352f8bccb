from baocao import parameters, regimes

from .menus import menu_by_key, menu_label, menus_for


def shell(request):
    regime = regimes.current()
    return {
        "regime": regime,
        "site_title": parameters.for_request(request).site_title,
        "menus": menus_for(getattr(request, "user", None)),
        # The entry menu's wording ("NHẬP DỮ LIỆU KIỂM KÊ"), for the breadcrumbs of its pages.
        "entry_label": menu_label(menu_by_key("entry")),
    }

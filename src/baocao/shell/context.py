from baocao import regimes

from .menus import menus_for


def shell(request):
    regime = regimes.current()
    return {
        "regime": regime,
        "site_title": regime.title,
        "menus": menus_for(getattr(request, "user", None)),
    }

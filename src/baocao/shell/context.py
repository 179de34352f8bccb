from baocao import parameters, regimes

from .menus import menus_for


def shell(request):
    regime = regimes.current()
    return {
        "regime": regime,
        "site_title": parameters.for_request(request).site_title,
        "menus": menus_for(getattr(request, "user", None)),
    }

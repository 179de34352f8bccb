from baocao import parameters, regimes
from baocao.mfa import services as mfa

from .menus import menus_for


def shell(request):
    regime = regimes.current()
    user = getattr(request, "user", None)
    # A session that still owes the second step (enrolment or code) is shown no menu: every
    # page but those is closed to it (mfa.middleware).
    owes_second_step = user is not None and user.is_authenticated and not user.must_change_password and mfa.pending(request) != mfa.NOTHING
    return {
        "regime": regime,
        "site_title": parameters.for_request(request).site_title,
        "menus": [] if owes_second_step else menus_for(user),
    }

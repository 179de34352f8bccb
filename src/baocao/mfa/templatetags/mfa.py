"""The second factor on other apps' pages without their importing this app: the header's
link and the panel on an account's page in Quản lý người dùng."""
from django import template

from baocao.access import permissions, policy

from .. import services

register = template.Library()


@register.filter
def may_use_two_factor(account):
    """An administrator (the header links the page "Xác thực hai bước"). No query."""
    return getattr(account, "is_authenticated", False) and any(policy.may_somewhere(account, p) for p in permissions.TWO_FACTOR)


@register.inclusion_tag("mfa/panel.html")
def two_factor_panel(account, viewer):
    """Xác thực hai bước on an account's page: its state, and Đặt lại xác thực hai bước for
    the central administrator."""
    from ..models import Authenticator

    authenticator = Authenticator.objects.filter(account=account).first()
    return {
        "account": account,
        "authenticator": authenticator,
        "required": services.required_for(account),
        "remaining": services.remaining_recovery_codes(account) if authenticator else 0,
        "may_reset": authenticator is not None and viewer.pk != account.pk and policy.may_somewhere(viewer, permissions.PARAMETERS_EDIT),
    }

"""{% official_printouts user has_registers as printouts %}: the regime's official printouts
(exchange.printouts) the account may take, for pages of the apps below this one."""
from django import template

from baocao.access import permissions, policy

from .. import printouts

register = template.Library()


@register.simple_tag
def official_printouts(account, has_registers):
    """[(slug, form number, title)]: a unit's declarations when it has registers, a
    subtree's summary when the account sees the roll-up."""
    found = []
    for slug, spec in printouts.available().items():
        if spec.get("scope") == "subtree":
            if account.unit is not None and policy.may(account, permissions.ROLLUP_VIEW, account.unit):
                found.append((slug, spec["form_number"], spec["title"]))
        elif has_registers:
            found.append((slug, spec["form_number"], spec["title"]))
    return found

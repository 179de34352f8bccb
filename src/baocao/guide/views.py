"""The guide of the deployment's regime, the sections of the visitor's roles first.

The guide is public documentation of the software (the login page links to it, as the
official software posts its guide): it shows no data, so it asks the access policy
nothing beyond who the visitor is; an account's roles only choose the order."""
from django.shortcuts import render
from django.views.decorators.http import require_GET

from baocao import regimes

from . import content


@require_GET
def guide(request):
    regime = regimes.current()
    guide = content.load(regime.key)
    roles = request.user.roles if request.user.is_authenticated else ()
    sections = guide.ordered_for(roles)
    mine = [s.key for s in sections if set(s.roles) & set(roles)]
    return render(request, "guide/guide.html", {"guide": guide, "sections": sections, "mine": mine, "regime": regime})

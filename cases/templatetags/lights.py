"""`{% case_light case %}`: the warning light of a case (`cases.lights`), drawn by the one
partial `partials/_light.html`. The counties' warning periods are read once per request."""

from django import template
from django.utils import timezone

from cases.lights import periods_for

register = template.Library()


@register.inclusion_tag("partials/_light.html", takes_context=True)
def case_light(context, case):
    periods = periods_for(context.get("request"))
    return {"light": periods.light(case, on=timezone.localdate())}

"""`{% case_light case %}`: the warning light of a case (`cases.lights`), drawn by the one
partial `partials/_light.html`. The counties' warning periods are read once per request."""

from django import template
from django.utils import timezone

from cases.board import page_supervisions
from cases.lights import periods_for

register = template.Library()


@register.inclusion_tag("cases/partials/_case_supervisions.html", takes_context=True)
def case_supervisions(context, case):
    """The supervisions (督办) of this case page, by a red light or by a superior (a dispute's
    page shows its summonses' too), each with the form its reader may use: the supervising
    level's instruction, the handling level's answer. Their text is read through the page's
    mask (`text_mask`) where it has one."""
    request = context.get("request")
    return {
        "supervisions": page_supervisions(request, case),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "text_mask": context.get("text_mask"),
    }


@register.inclusion_tag("partials/_light.html", takes_context=True)
def case_light(context, case):
    periods = periods_for(context.get("request"))
    return {"light": periods.light(case, on=timezone.localdate())}

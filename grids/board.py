"""The grids' panel of the now board (`cases.board`): the urgent findings (重大事项直报) of
the last 24 hours that the person sees, newest first, in one query. No free text: the
category, the place and the time; the finding's page shows the rest to those who may read it."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from grids.models import Finding

PANEL_LIMIT = 30
URGENT_HOURS = 24


def board_panel(request, _case) -> str:
    since = timezone.now() - timedelta(hours=URGENT_HOURS)
    findings = list(
        Finding.objects.visible_to(request.user)
        .filter(urgent=True, found_at__gte=since)
        .select_related("grid", "grid__village", "grid__village__parent")
        .order_by("-found_at", "-pk")[: PANEL_LIMIT + 1]
    )
    return render_to_string(
        "grids/partials/_board_urgent.html",
        {"findings": findings[:PANEL_LIMIT], "more": len(findings) > PANEL_LIMIT},
        request=request,
    )

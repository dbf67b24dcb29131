"""The disputes' panel of the now board (`cases.board`): open disputes of red risk and group
disputes (群体性: five people or more), newest first, in one query."""

from django.db.models import Q
from django.template.loader import render_to_string

from disputes.models import Dispute, Risk

# 群体性纠纷: five people or more on one side or the other.
GROUP_PEOPLE = 5
PANEL_LIMIT = 30


def board_panel(request, _case) -> str:
    disputes = list(
        Dispute.objects.visible_to(request.user)
        .open_()
        .filter(Q(risk=Risk.RED) | Q(people_involved__gte=GROUP_PEOPLE))
        .select_related("village", "village__parent")
        .order_by("-registered_at", "-pk")[: PANEL_LIMIT + 1]
    )
    return render_to_string(
        "disputes/partials/_board_disputes.html",
        {
            "disputes": disputes[:PANEL_LIMIT],
            "more": len(disputes) > PANEL_LIMIT,
            "group_people": GROUP_PEOPLE,
        },
        request=request,
    )

"""Reads of matters: the one jurisdiction rule is `Matter.objects.visible_to(user)`."""

from desk.models import Matter
from governance.selectors import get_or_404_audited


def matter_get_for_user_or_404(*, user, pk) -> Matter:
    matters = Matter.objects.visible_to(user).select_related(
        "area",
        "area__parent",
        "received_by",
        "dispute",
        "petition",
        "incident",
        "repeat_of",
    )
    return get_or_404_audited(matters, user=user, area_field="area", pk=pk)


def matters_for_list(*, user, status="", channel="", kind=""):
    matters = Matter.objects.visible_to(user).select_related(
        "area", "area__parent", "dispute", "petition", "incident"
    )
    if status:
        matters = matters.filter(status=status)
    if channel:
        matters = matters.filter(channel=channel)
    if kind:
        matters = matters.filter(kind=kind)
    return matters.order_by("-received_at", "-pk")

"""Labels and colours for dispute codes met outside a model instance (aggregates, events)."""

from django import template

from disputes.models import Status
from disputes.models import level_label as _level_label
from disputes.models import status_label as _status_label

register = template.Library()

# The Bootstrap colour each status is shown in: work waiting on someone is blue or amber, work
# done is green, an end without resolution is grey or red.
STATUS_COLOURS = {
    Status.REGISTERED: "text-bg-info",
    Status.ACCEPTED: "text-bg-primary",
    Status.ASSIGNED: "text-bg-primary",
    Status.IN_MEDIATION: "text-bg-warning",
    Status.RESOLVED: "text-bg-success",
    Status.TERMINATED: "text-bg-secondary",
    Status.REVISITED: "text-bg-success",
    Status.CLOSED: "text-bg-secondary",
    Status.MERGED: "text-bg-light",
    Status.CONVERTED: "text-bg-light",
}


@register.filter
def status_label(code: str) -> str:
    return _status_label(code)


@register.filter
def status_colour(code: str) -> str:
    return STATUS_COLOURS.get(code, "text-bg-secondary")


@register.filter
def level_label(code: str) -> str:
    return _level_label(code)

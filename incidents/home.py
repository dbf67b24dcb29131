"""The incident side of the home page (registered in IncidentsConfig.ready()): the incidents
waiting for the person (to dispatch, as its dispatching level; to sign for or handle, as its
unit) and the handed-up findings waiting to become incidents."""

from django.template.loader import render_to_string
from django.utils import timezone

from cases.lights import periods_for
from grids.selectors import with_text_masks
from incidents.models import Incident, IncidentStatus
from incidents.selectors import capabilities_for, findings_waiting_for_incident
from incidents.workflow import DISPATCHER, UNIT

SHOWN = 10
# Read at most this many open incidents to find those waiting for the person.
SCANNED = 60
# What each status waits for, and from whom.
WAITS_FOR = {
    IncidentStatus.NEW: DISPATCHER,
    IncidentStatus.RETURNED: DISPATCHER,
    IncidentStatus.DISPATCHED: UNIT,
    IncidentStatus.SIGNED_IN: UNIT,
}


def incidents_waiting_for(user) -> list[Incident]:
    """The open incidents whose next step is `user`'s, soonest due first: to dispatch, as
    their dispatching level (or above); to sign for or handle, as their unit."""
    candidates = (
        Incident.objects.visible_to(user)
        .filter(status__in=list(WAITS_FOR))
        .select_related("area", "area__parent", "area__parent__parent", "department")
        .order_by("close_due", "pk")[:SCANNED]
    )
    return [
        incident
        for incident in candidates
        if WAITS_FOR[incident.status] in capabilities_for(user=user, case=incident)
    ]


def incidents_panel(request) -> str:
    waiting = incidents_waiting_for(request.user)
    findings = with_text_masks(
        user=request.user,
        findings=findings_waiting_for_incident(request.user)[: SHOWN + 1],
    )
    periods, today = periods_for(request), timezone.localdate()
    for incident in waiting:
        incident.light = periods.light(incident, on=today)
    return render_to_string(
        "incidents/partials/_home_waiting.html",
        {
            "incidents": waiting[:SHOWN],
            "more_incidents": len(waiting) > SHOWN,
            "findings": findings[:SHOWN],
            "more_findings": len(findings) > SHOWN,
        },
        request=request,
    )

"""Incidents as a kind with a warning light (`cases.lights`), registered in
IncidentsConfig.ready(). An incident's clocks are the model's own (`INCIDENT_CLOCKS`: sign for
it, then close it); the dispatching level answers for it and the level above supervises."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.levels import level_above, staff_at_level
from cases.lights import Watched
from cases.models import WatchedKind
from incidents.models import INCIDENT_CLOCKS, Incident, IncidentEvent
from incidents.workflow import DISPATCHER, UNIT


def _record(incident, actor, kind, note):
    IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        from_status=incident.status,
        to_status=incident.status,
        note=note,
    )


def _selectors():
    from incidents import selectors

    return selectors


def _answers(user, incident) -> bool:
    from incidents.selectors import capabilities_for

    return bool(capabilities_for(user=user, case=incident) & {DISPATCHER, UNIT})


INCIDENTS = Watched(
    key=WatchedKind.INCIDENT,
    label=_("Incident"),
    model=Incident,
    clocks=INCIDENT_CLOCKS,
    area_field="area",
    visible_to=lambda user: Incident.objects.visible_to(user),
    level_of=lambda incident: incident.level,
    supervising_level=lambda incident: level_above(incident.level),
    url=lambda incident: reverse("incidents:detail", args=[incident.pk]),
    answers=_answers,
    staff=lambda incident, level: staff_at_level(incident.area, level),
    record=_record,
    related=("area", "area__parent", "area__parent__parent", "department", "grid", "reporter"),
    assigned_to=lambda user: _selectors().incidents_assigned_to(user),
)

"""Incidents as a kind with a warning light (`cases.lights`), registered in
IncidentsConfig.ready(). An incident's clocks are the model's own (`INCIDENT_CLOCKS`: sign for
it, then close it); the dispatching level answers for it and the level above supervises."""

from django.utils.translation import gettext_lazy as _

from cases.levels import staff_at_level
from cases.lights import Watched
from cases.models import WatchedKind
from incidents.actions import INCIDENT
from incidents.models import INCIDENT_CLOCKS
from incidents.workflow import DISPATCHER, UNIT


def _selectors():
    from incidents import selectors

    return selectors


def _answers(user, incident) -> bool:
    from incidents.selectors import capabilities_for

    return bool(capabilities_for(user=user, case=incident) & {DISPATCHER, UNIT})


INCIDENTS = Watched(
    key=WatchedKind.INCIDENT,
    label=_("Incident"),
    case_type=INCIDENT,
    clocks=INCIDENT_CLOCKS,
    area_field="area",
    answers=_answers,
    staff=lambda incident, level: staff_at_level(incident.area, level),
    assigned_to=lambda user: _selectors().incidents_assigned_to(user),
)

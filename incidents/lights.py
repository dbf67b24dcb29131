"""Incidents as a kind with a warning light (`cases.lights`), registered in
IncidentsConfig.ready(). An incident's clock is its close-by date, set at dispatch, running
until it is closed; the dispatching level answers for it and the level above supervises."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.clocks import CaseClocks, ClockSpec
from cases.levels import level_above, staff_at_level
from cases.lights import Watched
from cases.models import WatchedKind
from incidents.models import Incident, IncidentEvent, IncidentStatus
from incidents.workflow import DISPATCHER, UNIT

INCIDENT_CLOCKS = CaseClocks(
    open_statuses=set(IncidentStatus.values) - {IncidentStatus.NEW, IncidentStatus.CLOSED},
    clocks=[ClockSpec("close", _("Close"), "close_due")],
)


def _record(incident, actor, kind, note):
    IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        from_status=incident.status,
        to_status=incident.status,
        note=note,
    )


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
)

"""Petitions as a kind with a warning light (`cases.lights`), registered in
PetitionsConfig.ready(): the running statutory clock, supervised by the level above."""

from django.utils.translation import gettext_lazy as _

from cases.levels import staff_at_level
from cases.lights import Watched
from cases.models import WatchedKind
from cases.workflow import ASSIGNEE, LEVEL_STAFF
from petitions.actions import PETITION
from petitions.models import PETITION_CLOCKS


def _selectors():
    from petitions import selectors

    return selectors


def _answers(user, petition) -> bool:
    from petitions.selectors import capabilities_for

    return bool(capabilities_for(user=user, case=petition) & {LEVEL_STAFF, ASSIGNEE})


PETITIONS = Watched(
    key=WatchedKind.PETITION,
    label=_("Petition"),
    case_type=PETITION,
    clocks=PETITION_CLOCKS,
    area_field="area",
    answers=_answers,
    staff=lambda petition, level: staff_at_level(petition.area, level),
    assigned_to=lambda user: _selectors().petitions_assigned_to(user),
)

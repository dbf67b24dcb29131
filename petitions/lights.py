"""Petitions as a kind with a warning light (`cases.lights`), registered in
PetitionsConfig.ready(): the running statutory clock, supervised by the level above."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.levels import level_above, staff_at_level
from cases.lights import Watched
from cases.models import WatchedKind
from cases.workflow import ASSIGNEE, LEVEL_STAFF
from petitions.models import PETITION_CLOCKS, Petition, PetitionEvent


def _record(petition, actor, kind, note):
    PetitionEvent.objects.create(
        petition=petition,
        actor=actor,
        kind=kind,
        from_status=petition.status,
        to_status=petition.status,
        note=note,
    )


def _selectors():
    from petitions import selectors

    return selectors


def _answers(user, petition) -> bool:
    from petitions.selectors import capabilities_for

    return bool(capabilities_for(user=user, case=petition) & {LEVEL_STAFF, ASSIGNEE})


PETITIONS = Watched(
    key=WatchedKind.PETITION,
    label=_("Petition"),
    model=Petition,
    clocks=PETITION_CLOCKS,
    area_field="area",
    visible_to=lambda user: Petition.objects.visible_to(user),
    level_of=lambda petition: petition.level,
    supervising_level=lambda petition: level_above(petition.level),
    url=lambda petition: reverse("petitions:detail", args=[petition.pk]),
    answers=_answers,
    staff=lambda petition, level: staff_at_level(petition.area, level),
    record=_record,
    related=("area", "area__parent", "area__parent__parent"),
    assigned_to=lambda user: _selectors().petitions_assigned_to(user),
)

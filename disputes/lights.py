"""Disputes and summonses as kinds with a warning light (`cases.lights`), registered in
DisputesConfig.ready(). A dispute is handled at its level and supervised by the level above;
a summons is owed by a department to the level that blew the whistle, which supervises it."""

from django.utils.translation import gettext_lazy as _

from cases.clocks import CaseClocks, ClockSpec
from cases.lights import Watched
from cases.models import WatchedKind
from cases.workflow import ASSIGNEE, LEVEL_STAFF
from disputes.actions import DISPUTE
from disputes.models import DISPUTE_CLOCKS, Dispute, Level, Summons

# A summons runs until the department reports, by its own due date.
SUMMONS_CLOCKS = CaseClocks(
    open_statuses=None,
    clocks=[ClockSpec("report", _("Report on the summons"), "due_on", "reported_at")],
)
DEPARTMENT = "department"


def _selectors():
    from disputes import selectors

    return selectors


def _staff(dispute, level):
    from disputes.services import staff_of_level

    return staff_of_level(dispute, level)


def _answers_dispute(user, dispute) -> bool:
    from disputes.selectors import capabilities_for

    return bool(capabilities_for(user=user, dispute=dispute) & {LEVEL_STAFF, ASSIGNEE})


def _summoning_level(summons) -> str:
    # A grid's team summons nobody on its own: the village stands for it.
    level = summons.dispute.level
    return Level.VILLAGE if level == Level.GRID else level


def _summons_staff(summons, level):
    if level == DEPARTMENT:
        return list(summons.department.liaisons.all())
    return _staff(summons.dispute, level)


DISPUTES = Watched(
    key=WatchedKind.DISPUTE,
    label=_("Dispute"),
    case_type=DISPUTE,
    clocks=DISPUTE_CLOCKS,
    area_field="village",
    answers=_answers_dispute,
    staff=_staff,
    assigned_to=lambda user: _selectors().disputes_assigned_to(user),
)

# A summons's light is recorded on its dispute's timeline and links to the dispute's page.
SUMMONSES = Watched(
    key=WatchedKind.SUMMONS,
    label=_("Summons"),
    case_type=DISPUTE,
    model=Summons,
    case_field="dispute",
    clocks=SUMMONS_CLOCKS,
    area_field="dispute__village",
    visible_to=lambda user: Summons.objects.filter(
        dispute__in=Dispute.objects.visible_to(user).values("pk")
    ),
    level_of=lambda summons: DEPARTMENT,
    supervising_level=_summoning_level,
    answers=lambda user, summons: summons.department.liaisons.filter(pk=user.pk).exists(),
    assigned_to=lambda user: _selectors().summonses_owed_by(user),
    staff=_summons_staff,
    related=(
        "dispute",
        "department",
        "dispute__village",
        "dispute__village__parent",
        "dispute__village__parent__parent",
    ),
)

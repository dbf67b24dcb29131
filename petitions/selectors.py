"""Reads of petitions: who sees which, the clocks, what each person may do, repeats."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.levels import area_at_level, works_above_level, works_at_level
from governance.models import Role
from governance.selectors import get_or_404_audited
from governance.workdays import calendar_deadline
from infra.crypto import blind_indexes
from infra.masking import TextMask, text_mask
from petitions.models import (
    DEFAULT_CLOCK_DAYS,
    PETITION_CLOCKS,
    Petition,
    PetitionAssignment,
    PetitionClock,
    Petitioner,
    PetitionStatus,
)
from petitions.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR

REPEAT_WINDOW_DAYS = 180


def petition_get_for_user_or_404(*, user, pk) -> Petition:
    petitions = Petition.objects.visible_to(user).select_related(
        "area", "area__parent", "area__parent__parent", "registering_unit"
    )
    return get_or_404_audited(petitions, user=user, area_field="area", pk=pk)


def capabilities_for(*, user, case: Petition) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    held = set()
    area = area_at_level(case.area, case.level)
    if works_at_level(user=user, area=area, level=case.level):
        held.add(LEVEL_STAFF)
    if works_above_level(user=user, area=area, level=case.level):
        held.add(SUPERIOR)
    if case.assignments.filter(person=user, ended_at__isnull=True).exists():
        held.add(ASSIGNEE)
    return held


def petitioner_names() -> Prefetch:
    """The petitioners' names, and not their encrypted numbers, which a list does not show."""
    return Prefetch("petitioners", queryset=Petitioner.objects.only("pk", "petition_id", "name"))


def with_petitioner_names(petitions: QuerySet[Petition]) -> QuerySet[Petition]:
    """`petitions` with what `PetitionMasks` reads of them loaded (their areas up to the
    county, their petitioners' names), so that a list masks its rows without a query each."""
    return petitions.select_related(
        "area", "area__parent", "area__parent__parent"
    ).prefetch_related(petitioner_names())


class PetitionMasks:
    """For one reader, the mask of each of many petitions' text (its subject, on a list, a
    panel or an export): None where the reader handles the petition (staff of its level over
    its area, or assigned to it: `is_handling(capabilities_for(...))`, decided without a query
    per petition), else the petitioners' names and every number masked
    (`infra.masking`). The petitions come from `with_petitioner_names`."""

    def __init__(self, user):
        self.user = user
        self._assigned: set[int] | None = None

    def handling(self, petition: Petition) -> bool:
        if not self.user.is_authenticated:
            return False
        if self._assigned is None:
            self._assigned = set(
                PetitionAssignment.objects.filter(
                    person=self.user, ended_at__isnull=True
                ).values_list("petition_id", flat=True)
            )
        if petition.pk in self._assigned:
            return True
        area = area_at_level(petition.area, petition.level)
        return works_at_level(user=self.user, area=area, level=petition.level)

    def __call__(self, petition: Petition) -> TextMask | None:
        return text_mask(people=petition.petitioners.all(), handling=self.handling(petition))


def clock_days(name: str) -> int:
    configured = PetitionClock.objects.filter(name=name).values_list("days", flat=True).first()
    return configured or DEFAULT_CLOCK_DAYS[name]


def clock_due(name: str, start: date) -> date:
    return calendar_deadline(start, clock_days(name))


def conclusion_due(*, accepted_on: date, extension_days: int = 0) -> date:
    """The conclusion deadline: 60 days from acceptance, and an extension lengthens that period
    itself. It is not counted on from a deadline that a holiday already pushed back, which
    would stretch the period beyond what the statute allows."""
    return calendar_deadline(accepted_on, clock_days("conclusion") + extension_days)


@dataclass(frozen=True)
class Clock:
    """One row of the petition page's clocks: when it falls due, when it was met, whether it
    runs and whether it is overdue (as `Petition.running_clock` says: one definition)."""

    label: str
    due: date | None
    done_on: date | None
    running: bool = False
    overdue: bool = False


def petition_clocks(petition: Petition, *, on: date | None = None) -> list[Clock]:
    """Each clock of the petition, in order: when it falls due and when it was met. The
    statutory clocks run and fall overdue as `PETITION_CLOCKS` defines; the window to request
    a review is the petitioner's, shown while it is open, never overdue."""
    on = on or timezone.localdate()
    current = petition.running_clock()

    def statutory(name: str) -> Clock:
        spec = PETITION_CLOCKS.spec(name)
        running = current is not None and current.name == name
        return Clock(
            spec.label,
            getattr(petition, spec.due_field),
            getattr(petition, spec.done_field),
            running=running,
            overdue=running and current.overdue(on),
        )

    finished = petition.status in {PetitionStatus.SATISFIED, PetitionStatus.CLOSED}
    window_open = (
        petition.review_request_due is not None
        and petition.review_requested_on is None
        and not finished
    )
    return [
        statutory("acceptance"),
        statutory("conclusion"),
        Clock(
            _("Review may be requested until"),
            petition.review_request_due,
            petition.review_requested_on,
            running=window_open,
        ),
        statutory("review"),
    ]


def next_clock(petition: Petition, *, on: date | None = None) -> Clock | None:
    """What is due next, and when."""
    running = [clock for clock in petition_clocks(petition, on=on) if clock.running]
    return min(running, key=lambda clock: clock.due) if running else None


def possible_repeats(
    *, user, id_numbers: list[str], subject: str, area, received_on: date | None = None
) -> QuerySet[Petition]:
    """Petitions `user` can see from the same petitioner (matched on ID number) or on the same
    subject in the same area, received in the 180 days before `received_on` (today if not
    given) or since. The window runs on the day petitions came in, not on the day someone
    typed them in; and a petition outside the person's jurisdiction is not theirs to read,
    even as a possible repeat."""
    received_on = received_on or timezone.localdate()
    digests = [digest for number in id_numbers for digest in blind_indexes(number)]
    same_person = Petitioner.objects.filter(id_number_digest__in=digests).values("petition_id")
    return (
        Petition.objects.visible_to(user)
        .filter(
            Q(pk__in=Subquery(same_person)) | Q(subject=subject.strip(), area=area),
            received_on__gte=received_on - timedelta(days=REPEAT_WINDOW_DAYS),
        )
        .order_by("-received_on", "-pk")
    )


def handler_candidates(*, petition: Petition):
    """Staff of the levels over the petition's area, who can be assigned to handle it."""
    from django.contrib.auth import get_user_model

    areas = []
    node = petition.area
    while node is not None:
        areas.append(node.pk)
        node = node.parent
    return (
        get_user_model()
        .objects.filter(
            memberships__area_id__in=areas,
            memberships__role__in=[
                Role.VILLAGE_STAFF,
                Role.TOWNSHIP_STAFF,
                Role.COUNTY_OFFICIAL,
                Role.MEDIATOR,
            ],
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )

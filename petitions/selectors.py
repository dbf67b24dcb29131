"""Reads of petitions: who sees which, the clocks, what each person may do, repeats."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.levels import LEVEL_ROLES, area_at_level, works_above_level, works_at_level
from governance.models import AreaLevel, Department, Role
from governance.selectors import get_or_404_audited, memberships_of
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
from petitions.workflow import (
    ASSIGNEE,
    ASSISTING,
    CENTRE,
    HEAD,
    LEVEL_STAFF,
    REVIEWER,
    SECOND_REVIEWER,
    SUPERIOR,
    review_level,
    second_review_level,
)

REPEAT_WINDOW_DAYS = 180


def petitions_assigned_to(user) -> QuerySet[Petition]:
    """The petitions given to `user` to handle: an open assignment to them, or sent to a
    department they are a liaison of ("assigned to me")."""
    handled = PetitionAssignment.objects.filter(person=user, ended_at__isnull=True).values(
        "petition_id"
    )
    return Petition.objects.visible_to(user).filter(
        Q(pk__in=Subquery(handled)) | Q(department__liaisons=user)
    )


def petition_get_for_user_or_404(*, user, pk) -> Petition:
    petitions = Petition.objects.visible_to(user).select_related(
        "area", "area__parent", "area__parent__parent", "registering_unit", "department__area"
    )
    return get_or_404_audited(petitions, user=user, area_field="area", pk=pk)


def _staffs(user, case: Petition, level: str | None) -> bool:
    """`user` staffs the centre at `level` over the petition's area."""
    if level is None:
        return False
    return works_at_level(user=user, area=area_at_level(case.area, level), level=level)


def is_liaison_of(user, department_id: int | None) -> bool:
    if department_id is None or not user.is_authenticated:
        return False
    if "_petition_departments" not in user.__dict__:
        user.__dict__["_petition_departments"] = set(
            Department.objects.filter(liaisons=user).values_list("pk", flat=True)
        )
    return department_id in user.__dict__["_petition_departments"]


def heads_handling_body(user, case: Petition) -> bool:
    """`user` is the head of the body handling the petition: of its department
    (`Department.head`) once it was sent to one, else of the centre at its level, held at
    the very township or county (`Membership.is_head`)."""
    if case.department_id:
        return case.department.head_id == user.pk
    unit = area_at_level(case.area, case.level)
    return any(
        m.is_head and m.area_id == unit.pk and m.role in LEVEL_ROLES[case.level]
        for m in memberships_of(user=user)
    )


def capabilities_for(*, user, case: Petition) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    held = set()
    centre = _staffs(user, case, case.level)
    if centre:
        held.add(CENTRE)
    # "谁主管、谁负责": once sent to a department, its liaisons handle it, not the centre.
    handles = is_liaison_of(user, case.department_id) if case.department_id else centre
    if handles:
        held.add(LEVEL_STAFF)
    area = area_at_level(case.area, case.level)
    if works_above_level(user=user, area=area, level=case.level):
        held.add(SUPERIOR)
    if case.assignments.filter(person=user, ended_at__isnull=True).exists():
        held.add(ASSIGNEE)
    if heads_handling_body(user, case):
        held.add(HEAD)
    if _staffs(user, case, review_level(case)):
        held.add(REVIEWER)
    if _staffs(user, case, second_review_level(case)):
        held.add(SECOND_REVIEWER)
    # Village committee staff of the village concerned help at the source.
    if case.area.level == AreaLevel.VILLAGE and _staffs(user, case, AreaLevel.VILLAGE):
        held.add(ASSISTING)
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
    its area, or of the department it was sent to, or assigned to it:
    `is_handling(capabilities_for(...))`, decided without a query per petition), else the
    petitioners' names and every number masked (`infra.masking`). The petitions come from
    `with_petitioner_names`."""

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
        if petition.department_id:
            return is_liaison_of(self.user, petition.department_id)
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

    def window(label, due, requested_on) -> Clock:
        running = due is not None and requested_on is None and not finished
        return Clock(label, due, requested_on, running=running)

    return [
        statutory("acceptance"),
        statutory("conclusion"),
        window(
            _("Review may be requested until"),
            petition.review_request_due,
            petition.review_requested_on,
        ),
        statutory("review"),
        window(
            _("Second review may be requested until"),
            petition.second_review_request_due,
            petition.second_review_requested_on,
        ),
        statutory("second_review"),
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
    even as a possible repeat. A matter concluded by a second review (复核) is final: its
    petitions count however long ago they came in, and come first."""
    received_on = received_on or timezone.localdate()
    digests = [digest for number in id_numbers for digest in blind_indexes(number)]
    same_person = Petitioner.objects.filter(id_number_digest__in=digests).values("petition_id")
    return (
        Petition.objects.visible_to(user)
        .filter(
            Q(pk__in=Subquery(same_person)) | Q(subject=subject.strip(), area=area),
            Q(received_on__gte=received_on - timedelta(days=REPEAT_WINDOW_DAYS))
            | Q(second_reviewed_on__isnull=False),
        )
        .order_by(F("second_reviewed_on").desc(nulls_last=True), "-received_on", "-pk")
    )


def concluded_by_second_review(petition: Petition) -> Petition | None:
    """The earlier petition on the same matter (followed through `repeat_of`) whose second
    review (复核) concluded it, or None. Such a matter is final: it is not accepted again
    (信访工作条例 art. 35)."""
    seen = set()
    node = petition.repeat_of
    while node is not None and node.pk not in seen and len(seen) < 50:
        if node.second_reviewed_on is not None:
            return node
        seen.add(node.pk)
        node = node.repeat_of
    return None


def handler_candidates(*, petition: Petition):
    """Who can be assigned to handle it: the liaisons of the department it was sent to, or
    else the centre's staff and mediators over its area (not village committee staff: a
    village helps, it does not handle)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if petition.department_id:
        return users.filter(departments=petition.department_id).distinct().order_by("username")
    areas = []
    node = petition.area
    while node is not None:
        areas.append(node.pk)
        node = node.parent
    return (
        users.filter(
            memberships__area_id__in=areas,
            memberships__role__in=[Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICIAL, Role.MEDIATOR],
        )
        .distinct()
        .order_by("username")
    )


def department_choices(*, petition: Petition) -> QuerySet[Department]:
    """The departments the centre may send the petition to (转送/交办): those of the county
    over its area, and of the centre's own township, that have a liaison to act for them."""
    units = {
        area_at_level(petition.area, AreaLevel.COUNTY).pk,
        area_at_level(petition.area, petition.level).pk,
    }
    return (
        Department.objects.filter(area__in=units, liaisons__isnull=False)
        .distinct()
        .select_related("area")
        .order_by("area__code", "name")
    )

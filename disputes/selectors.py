"""Reads of disputes: who sees which, what each person may do on one, the workbench queues."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.clocks import Light
from cases.levels import works_above_level, works_at_level
from cases.lights import light_q
from cases.models import Supervision, SupervisionOrigin, WatchedKind
from disputes.models import (
    DEFAULT_DAYS,
    DEFAULT_REVISIT_AFTER_DAYS,
    DISPUTE_CLOCKS,
    Assignment,
    DeadlineRule,
    Dispute,
    DisputeEvent,
    Fulfilment,
    Level,
    Party,
    RevisitSetting,
    Status,
    Summons,
    department_reasons,
)
from disputes.workflow import ASSIGNEE, LEVEL_STAFF, REVISITOR, SUMMONED, SUPERIOR
from governance.models import Area, Role
from governance.selectors import covers, get_or_404_audited, memberships_of
from governance.workdays import add_working_days, calendar_deadline
from grids.models import GridAssignment
from infra.crypto import blind_indexes

DUE_SOON_WORKING_DAYS = 2


def findings_handled_by_department_of(user) -> QuerySet:
    """The grid findings behind the disputes `user`'s department handles or was summoned to,
    as finding ids. Registered with `grids.models.register_finding_access` (apps.py), so
    a department liaison sees the finding (and its photos) a case of theirs came from, and no
    other finding of their area."""
    first, *rest = department_reasons(user)
    ids = first.union(*rest)
    return (
        Dispute.objects.filter(pk__in=ids, source_finding__isnull=False)
        .order_by()
        .values("source_finding_id")
    )


def disputes_assigned_to(user) -> QuerySet[Dispute]:
    """The disputes given to `user` to handle: an open assignment to them, or to a department
    they are a liaison of ("assigned to me")."""
    assignments = Assignment.objects.filter(
        Q(person=user) | Q(department__liaisons=user), ended_at__isnull=True
    ).values("dispute_id")
    return Dispute.objects.visible_to(user).filter(pk__in=assignments)


def summonses_owed_by(user) -> QuerySet[Summons]:
    """The summonses a department of `user`'s has not yet reported on."""
    return Summons.objects.filter(department__liaisons=user, reported_at__isnull=True)


def dispute_get_for_user_or_404(*, user, pk) -> Dispute:
    disputes = (
        Dispute.objects.visible_to(user)
        .select_related("village", "village__parent", "village__parent__parent", "grid")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related(
                    "person", "department"
                ),
                to_attr="active_assignments",
            ),
            Prefetch(
                "summons",
                queryset=Summons.objects.select_related("department"),
                to_attr="all_summons",
            ),
        )
    )
    return get_or_404_audited(disputes, user=user, area_field="village", pk=pk)


def _active_assignments(dispute: Dispute) -> list[Assignment]:
    if hasattr(dispute, "active_assignments"):
        return dispute.active_assignments
    return list(
        dispute.assignments.filter(ended_at__isnull=True).select_related("person", "department")
    )


def _summons(dispute: Dispute) -> list[Summons]:
    if hasattr(dispute, "all_summons"):
        return dispute.all_summons
    return list(dispute.summons.select_related("department"))


def _department_ids(user) -> set[int]:
    if "_department_ids" not in user.__dict__:
        user.__dict__["_department_ids"] = set(user.departments.values_list("pk", flat=True))
    return user.__dict__["_department_ids"]


def capabilities_for(*, user, dispute: Dispute) -> set[str]:
    """What `user` may do on `dispute`, as the capability names of `disputes.workflow`."""
    if user is None or not user.is_authenticated:
        return set()
    held: set[str] = set()
    village = dispute.village
    if dispute.level == Level.GRID:
        if (
            dispute.grid_id
            and GridAssignment.objects.active_on(timezone.localdate())
            .filter(person=user, grid_id=dispute.grid_id)
            .exists()
        ):
            held.add(LEVEL_STAFF)
    elif works_at_level(user=user, area=village, level=dispute.level):
        held.add(LEVEL_STAFF)
    if works_above_level(user=user, area=village, level=dispute.level):
        held.add(SUPERIOR)
    departments = None
    for assignment in _active_assignments(dispute):
        if assignment.person_id == user.pk:
            held.add(ASSIGNEE)
        elif assignment.department_id:
            departments = departments if departments is not None else _department_ids(user)
            if assignment.department_id in departments:
                held.add(ASSIGNEE)
    pending = [s for s in _summons(dispute) if s.reported_at is None]
    if pending:
        departments = departments if departments is not None else _department_ids(user)
        if any(s.department_id in departments for s in pending):
            held.add(SUMMONED)
    if not held & {LEVEL_STAFF, ASSIGNEE} and is_independent_revisitor(user=user, dispute=dispute):
        held.add(REVISITOR)
    return held


def is_independent_revisitor(*, user, dispute: Dispute) -> bool:
    """`user` may revisit `dispute` (回访) independently: holds the revisit role over its
    village (at the township or the county), does not staff the level that handles it or
    that ended it, and never handled it (was never assigned to it, in person or through their
    department, nor ended it themselves). The one place this rule is written."""
    if dispute.pk is None:  # a dispute not yet registered has nobody to revisit
        return False
    if not any(
        m.role == Role.REVISITOR and covers(m.area, dispute.village)
        for m in memberships_of(user=user)
    ):
        return False
    for level in {dispute.level, dispute.resolved_level or dispute.level}:
        if level == Level.GRID:
            if (
                dispute.grid_id
                and GridAssignment.objects.filter(person=user, grid_id=dispute.grid_id).exists()
            ):
                return False
        elif works_at_level(user=user, area=dispute.village, level=level):
            return False
    handled = Q(person=user) | Q(department_id__in=_department_ids(user))
    if Assignment.objects.filter(handled, dispute=dispute).exists():
        return False
    return not DisputeEvent.objects.filter(
        dispute=dispute, actor=user, kind__in=["resolve", "terminate", "record_session"]
    ).exists()


def days_for(*, level: str, kind: str) -> int:
    """The calendar days `level` has for a dispute of `kind`: the rule for the kind, else the
    rule for any kind, else the default (DEFAULT_DAYS)."""
    rules = dict(
        DeadlineRule.objects.filter(level=level, kind__in=[kind, ""]).values_list("kind", "days")
    )
    return rules.get(kind) or rules.get("") or DEFAULT_DAYS[level]


def due_date(*, level: str, kind: str, start: date | None = None) -> date:
    """The day a dispute of `kind` taken up at `level` on `start` (today) falls due: that many
    calendar days later, the first day not counted; a period ending on a day off ends on the
    next working day (as the civil code counts periods)."""
    return calendar_deadline(start or timezone.localdate(), days_for(level=level, kind=kind))


def dispute_due_date(dispute: Dispute, *, level: str, start: date | None = None) -> date:
    """The deadline `dispute` works to at `level`: a court-referred dispute (委派/委托调解)
    works to the court's deadline whatever its level; any other to its level's days."""
    if dispute.court_due_on:
        return dispute.court_due_on
    return due_date(level=level, kind=dispute.kind, start=start)


def revisit_after_days(county: Area) -> int:
    """The days after the end of a dispute before `county`'s revisit officers revisit it."""
    setting = RevisitSetting.objects.filter(county=county).first()
    return setting.after_days if setting else DEFAULT_REVISIT_AFTER_DAYS


def revisit_due_on(dispute: Dispute) -> date | None:
    """The first day `dispute` may be revisited: its county's days after it was mediated."""
    if dispute.resolved_at is None:
        return None
    county = dispute.village.parent.parent
    ended = timezone.localtime(dispute.resolved_at).date()
    return ended + timedelta(days=revisit_after_days(county))


# A revisit sends a dispute back to work (回头办) when the parties are dissatisfied (1 or 2 of
# 5) or the agreement was not carried out; "partly carried out" alone does not.
DISSATISFIED_AT_MOST = 2


def revisit_sends_back(dispute: Dispute) -> bool:
    """Whether the revisit just recorded on `dispute` (now revisited) sends it back to work."""
    if dispute.status != Status.REVISITED:
        return False
    latest = dispute.revisits.order_by("-visited_at", "-pk").first()
    return latest is not None and (
        latest.satisfaction <= DISSATISFIED_AT_MOST
        or latest.fulfilment == Fulfilment.NOT_CARRIED_OUT
    )


def due_soon_limit(today: date | None = None) -> date:
    return add_working_days(today or timezone.localdate(), DUE_SOON_WORKING_DAYS)


def possible_repeats(
    *, kind: str, parties: list[dict], village: Area, since_days: int = 90
) -> QuerySet[Dispute]:
    """Earlier disputes of the same kind in the last `since_days` days between any of the same
    parties: matched on ID number, or on name and phone together."""
    matches = Q()
    for party in parties:
        if party.get("id_number"):
            matches |= Q(id_number_digest__in=blind_indexes(party["id_number"]))
        if party.get("name") and party.get("phone"):
            matches |= Q(name=party["name"], phone_digest__in=blind_indexes(party["phone"]))
    if not matches:
        return Dispute.objects.none()
    since = timezone.now() - timedelta(days=since_days)
    party_disputes = Party.objects.filter(matches).values("dispute_id")
    return (
        Dispute.objects.filter(kind=kind, registered_at__gte=since, pk__in=Subquery(party_disputes))
        .exclude(status__in=[Status.MERGED, Status.CONVERTED])
        .order_by("-registered_at")
    )


def workbench_queue_conditions(today: date | None = None) -> dict[str, Q]:
    """The township workbench's queues, each the condition a visible dispute meets to be in it."""
    today = today or timezone.localdate()
    return {
        "unassigned": Q(status__in=[Status.REGISTERED, Status.ACCEPTED]),
        # Yellow: at most the county's warning period of working days remain (cases.lights).
        "due_soon": light_q(WatchedKind.DISPUTE, Light.YELLOW, on=today),
        "overdue": DISPUTE_CLOCKS.overdue_q(on=today),
        # Supervised by a superior's hand and not answered yet (the supervision's own rows).
        "supervised": Q(
            Exists(
                Supervision.objects.filter(
                    origin=SupervisionOrigin.MANUAL,
                    kind=WatchedKind.DISPUTE,
                    object_id=OuterRef("pk"),
                    answered_at__isnull=True,
                )
            )
        ),
        # A dispute with no summons at all is not waiting for any department.
        "summons_outstanding": Q(
            Exists(Summons.objects.filter(dispute=OuterRef("pk"), reported_at__isnull=True))
        ),
        # Mediated successfully and not yet revisited: the revisit officer's queue (each
        # dispute's page says from which day its county allows the revisit).
        "awaiting_revisit": Q(status=Status.RESOLVED),
    }


def workbench_queues(*, user, today: date | None = None) -> dict[str, QuerySet[Dispute]]:
    """The township workbench: each queue a queryset of visible disputes."""
    visible = Dispute.objects.visible_to(user)
    return {
        name: visible.filter(condition)
        for name, condition in workbench_queue_conditions(today).items()
    }


def workbench_counts(*, user, today: date | None = None) -> dict[str, int]:
    """How many disputes each queue holds, counted in one pass over the visible disputes."""
    conditions = workbench_queue_conditions(today)
    return Dispute.objects.visible_to(user).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )


HANDLER_ROLES = [
    Role.MEDIATOR,
    Role.GRID_WORKER,
    Role.POLICE_LIAISON,
    Role.VILLAGE_STAFF,
    Role.TOWNSHIP_STAFF,
]


def handler_candidates(*, dispute: Dispute):
    """People a dispute can be assigned to: mediators, grid workers, liaison police officers
    and staff of its village, its township and its county."""
    from django.contrib.auth import get_user_model

    village = dispute.village
    areas = [village.pk, village.parent_id, village.parent.parent_id]
    return (
        get_user_model()
        .objects.filter(
            memberships__area_id__in=areas, memberships__role__in=HANDLER_ROLES, is_active=True
        )
        .distinct()
        .prefetch_related("memberships")
        .order_by("username")
    )


def departments_for(*, dispute: Dispute):
    """The departments of the dispute's township and county."""
    from governance.models import Department

    village = dispute.village
    return Department.objects.filter(
        area_id__in=[village.parent_id, village.parent.parent_id]
    ).order_by("area__code", "name")


def handed_up_findings_without_dispute(user):
    """Grid findings of the dispute category handed up in `user`'s grids and villages that no
    dispute was opened from yet: what the grids passed up and is still waiting to be
    registered. Other findings (a hazard, a broken facility) become incidents, on their own
    queue."""
    from grids.models import Finding, FindingCategory, FindingStatus, Grid

    # The grids first, as a list: PostgreSQL cannot drive an index scan of the findings from
    # the visible-grid filter (a tree interval OR the person's own grids) and would read every
    # handed-up finding of the city; from a list of grids it reads only theirs. "No dispute"
    # as NOT EXISTS, not as a left join: the join's estimate of one row led PostgreSQL to join
    # every finding of the township to the whole area table (285 ms on a year; now 12 ms).
    # The grids are those whose findings the person sees: a department liaison sees no grid's
    # findings wholesale, only those behind their department's cases, which have a dispute.
    grids = list(Grid.objects.findings_wholly_visible_to(user).values_list("pk", flat=True))
    return (
        Finding.objects.filter(
            grid_id__in=grids, status=FindingStatus.HANDED_UP, category=FindingCategory.DISPUTE
        )
        .filter(~Exists(Dispute.objects.filter(source_finding=OuterRef("pk"))))
        .select_related("grid", "grid__village", "reporter")
        .order_by("-found_at", "-pk")
    )

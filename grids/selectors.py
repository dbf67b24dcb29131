"""Reads of grids and their day: who sees which grid, and how each grid's day stands."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.levels import works_at_level
from governance.models import Area, AreaLevel, Role
from governance.selectors import get_or_404_audited, jurisdiction_q
from governance.workdays import local_day_bounds
from grids.models import (
    DEFAULT_PATROLS_PER_DAY,
    Finding,
    FindingPhoto,
    FindingStatus,
    Grid,
    GridAssignment,
    Patrol,
    PatrolTarget,
    ZeroReport,
)
from infra.masking import TextMask, text_mask

# Who may draw grids and staff them: the village and the township above it.
GRID_MANAGERS = [Role.VILLAGE_STAFF, Role.GRID_CHIEF, Role.TOWNSHIP_STAFF, Role.ADMINISTRATOR]


def may_manage_grids(*, user, village) -> bool:
    """Whether `user` may draw the grids of `village` and staff them (hand them over)."""
    return (
        type(village)
        .objects.filter(jurisdiction_q(user=user, roles=GRID_MANAGERS), pk=village.pk)
        .exists()
    )


def today() -> date:
    return timezone.localdate()


def grids_worked_by(user, *, day: date | None = None) -> QuerySet[Grid]:
    """The grids `user` currently serves on (any team role): where they patrol and report."""
    day = day or today()
    assigned = GridAssignment.objects.active_on(day).filter(person=user).values("grid_id")
    return Grid.objects.filter(pk__in=Subquery(assigned)).select_related("village")


def grid_get_for_user_or_404(*, user, pk: int) -> Grid:
    grids = Grid.objects.visible_to(user).select_related("village")
    return get_or_404_audited(grids, user=user, area_field="village", pk=pk)


def grid_get_worked_by_or_404(*, user, pk) -> Grid:
    """A grid `user` serves on today, to patrol or report in; any other is refused (audited)."""
    return get_or_404_audited(grids_worked_by(user=user), user=user, area_field="village", pk=pk)


def patrol_get_for_worker_or_404(*, user, pk) -> Patrol:
    """One of `user`'s own patrols; anyone else's is refused (audited), as a missing one."""
    patrols = Patrol.objects.filter(worker=user).select_related("grid")
    return get_or_404_audited(patrols, user=user, area_field="grid__village", pk=pk)


def finding_photo_get_for_user_or_404(*, user, pk) -> FindingPhoto:
    photos = FindingPhoto.objects.filter(finding__in=Finding.objects.visible_to(user))
    return get_or_404_audited(photos, user=user, area_field="finding__grid__village", pk=pk)


def finding_get_for_user_or_404(*, user, pk) -> Finding:
    findings = Finding.objects.visible_to(user).select_related(
        "grid", "grid__village", "reporter", "holder", "patrol"
    )
    return get_or_404_audited(findings, user=user, area_field="grid__village", pk=pk)


def handles_finding(*, user, finding: Finding) -> bool:
    """Whether `user` handles `finding`, and so reads its text whole: the worker who reported
    it and the one who holds it now (a handover moves it on); once it is handed up, also the
    village's and the township's staff over its grid, who take it from there (the village's
    list, the township's workbench). Everyone else who may see it (the county and the city,
    the grid's other team members, liaison police) reads its text masked."""
    if not user.is_authenticated:
        return False
    if user.pk in (finding.reporter_id, finding.holder_id):
        return True
    if finding.status != FindingStatus.HANDED_UP:
        return False
    village = finding.grid.village
    return works_at_level(user=user, area=village, level=AreaLevel.VILLAGE) or works_at_level(
        user=user, area=village, level=AreaLevel.TOWNSHIP
    )


def finding_text_mask(*, user, finding: Finding) -> TextMask | None:
    """The mask of a finding's description, what was done and its notes for `user`: None for
    those handling it; every ID and phone number masked for everyone else (a finding names no
    parties: a name in it stays)."""
    return text_mask(people=(), handling=handles_finding(user=user, finding=finding))


def with_text_masks(*, user, findings) -> list[Finding]:
    """`findings` as a list, each with the mask of its text for `user` (`text_mask`); their
    grids and villages must be loaded."""
    findings = list(findings)
    for finding in findings:
        finding.text_mask = finding_text_mask(user=user, finding=finding)
    return findings


def with_day_state(grids: QuerySet[Grid], day: date) -> QuerySet[Grid]:
    """Annotate each grid with its numbers for `day`: `patrols_done`, `findings_count`,
    `zero_reported`, and the target its county set (`patrol_target`)."""
    start, end = local_day_bounds(day)
    patrols = (
        Patrol.objects.filter(grid=OuterRef("pk"), started_at__range=(start, end))
        .order_by()
        .values("grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    findings = (
        Finding.objects.filter(grid=OuterRef("pk"), found_at__range=(start, end))
        .order_by()
        .values("grid")
        .annotate(n=Count("pk"))
        .values("n")
    )
    target = PatrolTarget.objects.filter(county_id=OuterRef("village__parent__parent_id")).values(
        "per_day"
    )
    return grids.annotate(
        patrols_done=Coalesce(Subquery(patrols), 0),
        findings_count=Coalesce(Subquery(findings), 0),
        zero_reported=Exists(ZeroReport.objects.filter(grid=OuterRef("pk"), day=day)),
        patrol_target=Coalesce(Subquery(target), DEFAULT_PATROLS_PER_DAY),
    )


# The worker's home lists this many of their open items, newest first; it counts them all.
OPEN_ITEMS_LISTED = 20


@dataclass(frozen=True)
class WorkerDay:
    grids: list[Grid]
    patrols_done: int
    patrol_target: int
    findings_today: int
    open_findings: list[Finding]
    open_count: int
    open_patrol: Patrol | None


def patrol_under_way(*, user) -> Patrol | None:
    """The patrol `user` has started and not yet ended, if any (the latest, should there be
    more)."""
    return (
        Patrol.objects.filter(worker=user, ended_at__isnull=True)
        .select_related("grid")
        .order_by("-started_at")
        .first()
    )


def worker_day(*, user, day: date | None = None) -> WorkerDay:
    """The grid worker's home page: today's patrols against the target, today's findings,
    the items waiting on them, and the patrol under way if any.

    Patrols and findings are counted per grid, as the target is owed per grid: every patrol
    and finding on the worker's grids that day, whoever of the team made it. The numbers come
    from the one query for the grids, so the page costs the same however busy the day was.
    """
    day = day or today()
    grids = list(with_day_state(grids_worked_by(user=user, day=day), day))
    open_findings = list(
        Finding.objects.filter(holder=user, status=FindingStatus.OPEN)
        .annotate(open_count=Window(Count("pk")))
        .select_related("grid")
        .order_by("-found_at", "-pk")[:OPEN_ITEMS_LISTED]
    )
    open_patrol = patrol_under_way(user=user)
    return WorkerDay(
        grids=grids,
        patrols_done=sum(grid.patrols_done for grid in grids),
        patrol_target=sum(grid.patrol_target for grid in grids),
        findings_today=sum(grid.findings_count for grid in grids),
        open_findings=open_findings,
        open_count=open_findings[0].open_count if open_findings else 0,
        open_patrol=open_patrol,
    )


def grid_team(*, grid: Grid, day: date | None = None) -> QuerySet[GridAssignment]:
    day = day or today()
    return (
        GridAssignment.objects.active_on(day)
        .filter(grid=grid)
        .select_related("person")
        .order_by("role", "starts_on")
    )


def handed_up_findings(*, user, village: Area) -> QuerySet[Finding]:
    """Findings handed up from the grids of `village` that wait for the village to act."""
    return (
        Finding.objects.visible_to(user)
        .filter(grid__village=village, status=FindingStatus.HANDED_UP)
        .select_related("grid", "grid__village", "reporter")
        .order_by("-found_at")
    )


def village_grid_states(*, user, village: Area, day: date | None = None) -> list[Grid]:
    day = day or today()
    grids = Grid.objects.visible_to(user).filter(village=village)
    return list(with_day_state(grids, day).order_by("code"))


def township_village_states(*, user, township: Area, day: date | None = None) -> list[dict]:
    """Per village of `township`: how many grids, how many reported today (findings or a zero
    report), and how many findings were handed up and still wait."""
    day = day or today()
    start, end = local_day_bounds(day)
    found_today = Finding.objects.filter(grid=OuterRef("pk"), found_at__range=(start, end))
    zero_today = ZeroReport.objects.filter(grid=OuterRef("pk"), day=day)
    rows = (
        Grid.objects.visible_to(user)
        .filter(village__parent=township)
        .annotate(reported=Exists(found_today) | Exists(zero_today))
        .values("village__code", "village__name")
        .annotate(
            grid_count=Count("pk"),
            reported_count=Count("pk", filter=Q(reported=True)),
        )
        .order_by("village__code")
    )
    return [{**row, "unreported_count": row["grid_count"] - row["reported_count"]} for row in rows]

"""The only writers of grids, teams, patrols, findings and zero reports.

`actor` is always the signed-in person doing it (None only for the operator at the command
line). Every function validates before it writes, writes atomically, and records each change
to a finding as a `FindingEvent`.
"""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.levels import staff_at_level
from governance.configuration.services import (
    audit_setting_change,
    require_county_administrator,
    whole_number,
)
from governance.models import Area, AreaLevel
from governance.notifications import notify
from governance.workdays import local_day_bounds
from grids.models import (
    DEFAULT_PATROLS_PER_DAY,
    Finding,
    FindingEvent,
    FindingEventKind,
    FindingPhoto,
    FindingStatus,
    Grid,
    GridAssignment,
    GridRole,
    Patrol,
    PatrolTarget,
    ZeroReport,
)
from grids.photos import MAX_PHOTOS, ProcessedPhoto
from grids.selectors import may_manage_grids

# A phone's clock may run a little ahead; a finding may wait on the phone for days offline.
CLOCK_SKEW = timedelta(minutes=10)
OLDEST_OFFLINE_FINDING = timedelta(days=7)


def require_grid_manager(*, actor, village) -> None:
    """Refuse (PermissionDenied) anyone who may not draw or staff the grids of `village`."""
    if actor is not None and not may_manage_grids(user=actor, village=village):
        raise PermissionDenied(_("You do not manage the grids of this village."))


def _require_on_team(*, actor, grid: Grid, day: date) -> None:
    if not GridAssignment.objects.active_on(day).filter(person=actor, grid=grid).exists():
        raise PermissionDenied(_("You are not on the team of this grid."))


def grid_create(
    *,
    actor,
    village,
    code: str,
    name: str,
    kind: str,
    households: int = 0,
    population: int = 0,
    boundary: dict | None = None,
) -> Grid:
    """Draw a new grid in `village`. `actor` must manage the village's grids."""
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError(_("A grid belongs to a village or community."), code="not_village")
    require_grid_manager(actor=actor, village=village)
    if Grid.objects.filter(code=code).exists():
        raise ValidationError(
            _("The grid code %(code)s is taken.") % {"code": code}, code="code_taken"
        )
    grid = Grid(
        village=village,
        code=code,
        name=name,
        kind=kind,
        households=households,
        population=population,
        boundary=boundary,
    )
    grid.full_clean()
    with transaction.atomic():
        grid.save()
    return grid


def grid_assign(*, actor, grid: Grid, person, role: str, starts_on: date) -> GridAssignment:
    """Put `person` on `grid`'s team as `role` from `starts_on`; an identical open assignment
    is returned as it is, so running an import twice adds nothing."""
    require_grid_manager(actor=actor, village=grid.village)
    if role not in GridRole.values:
        raise ValidationError(_("Unknown team role."), code="unknown_role")
    existing = GridAssignment.objects.filter(
        grid=grid, person=person, role=role, ends_on__isnull=True
    ).first()
    if existing:
        return existing
    with transaction.atomic():
        if role == GridRole.CHIEF:
            # "1+1+N": one chief per grid. The grid's row is the lock that makes two chiefs
            # appointed at once wait for each other.
            Grid.objects.select_for_update().filter(pk=grid.pk).exists()
            sitting = (
                GridAssignment.objects.filter(grid=grid, role=GridRole.CHIEF)
                .exclude(person=person)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
                .select_related("person")
                .first()
            )
            if sitting is not None:
                raise ValidationError(
                    _("%(grid)s already has a grid chief, %(person)s: hand the grid over first.")
                    % {
                        "grid": grid.name,
                        "person": sitting.person.first_name or sitting.person.username,
                    },
                    code="second_chief",
                )
        return GridAssignment.objects.create(
            grid=grid, person=person, role=role, starts_on=starts_on
        )


def patrol_start(
    *, actor, grid: Grid, latitude: Decimal | None = None, longitude: Decimal | None = None
) -> Patrol:
    now = timezone.now()
    _require_on_team(actor=actor, grid=grid, day=timezone.localdate(now))
    with transaction.atomic():
        # A double tap sends two requests at once, and locking the patrols under way locks
        # nothing when there are none: the person's own row is the lock that makes the second
        # request wait, then see the first one's patrol.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
        under_way = (
            Patrol.objects.select_for_update()
            .filter(worker=actor, ended_at__isnull=True)
            .select_related("grid")
            .first()
        )
        if under_way is not None:
            raise ValidationError(
                _("Your patrol of %(grid)s is still under way: end it first.")
                % {"grid": under_way.grid.name},
                code="patrol_under_way",
            )
        return Patrol.objects.create(
            grid=grid,
            worker=actor,
            started_at=now,
            start_latitude=latitude,
            start_longitude=longitude,
        )


def patrol_end(
    *, actor, patrol: Patrol, latitude: Decimal | None = None, longitude: Decimal | None = None
) -> Patrol:
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if patrol.worker_id != actor.pk:
            raise PermissionDenied(_("This is not your patrol."))
        if patrol.ended_at is not None:
            return patrol
        patrol.ended_at = timezone.now()
        patrol.end_latitude = latitude
        patrol.end_longitude = longitude
        patrol.save(update_fields=["ended_at", "end_latitude", "end_longitude"])
    return patrol


def _write_event(*, finding: Finding, actor, kind: str, from_status: str, note="", **details):
    FindingEvent.objects.create(
        finding=finding,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=finding.status,
        note=note,
        details=details,
    )


def finding_log(
    *,
    actor,
    grid: Grid,
    client_key: uuid.UUID,
    category: str,
    severity: str,
    description: str,
    status: str,
    action_taken: str = "",
    found_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: list[ProcessedPhoto] = (),
    urgent: bool = False,
) -> tuple[Finding, bool]:
    """Store a finding with its photos, once. Returns (finding, created).

    The phone makes `client_key` before its first try; a second submission with the same key
    (a retry after a dropped connection, a double tap) returns the stored finding and writes
    nothing. `status` is how the worker disposed of it: handled on the spot (then
    `action_taken` is required), handed up, or open to handle later today. An `urgent` finding
    (重大事项直报) is told at once to the staff of its township and its county.
    """
    existing = Finding.objects.filter(client_key=client_key).first()
    if existing is not None:
        return _same_sender_or_refuse(existing, actor), False

    now = timezone.now()
    found_at = found_at or now
    if found_at > now + CLOCK_SKEW:
        raise ValidationError(_("The time found lies in the future."), code="future")
    if found_at < now - OLDEST_OFFLINE_FINDING:
        raise ValidationError(_("The time found is more than 7 days ago."), code="too_old")
    _require_on_team(actor=actor, grid=grid, day=timezone.localdate(found_at))
    if status == FindingStatus.HANDLED and not action_taken.strip():
        raise ValidationError(
            _("Say what was done when a finding is handled on the spot."), code="no_action"
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(count)d photos.") % {"count": MAX_PHOTOS}, code="too_many_photos"
        )
    patrol = (
        Patrol.objects.filter(worker=actor, grid=grid, started_at__lte=found_at)
        .filter(ended_at__isnull=True)
        .order_by("-started_at")
        .first()
        or Patrol.objects.filter(
            worker=actor, grid=grid, started_at__lte=found_at, ended_at__gte=found_at
        ).first()
    )
    finding = Finding(
        client_key=client_key,
        grid=grid,
        patrol=patrol,
        reporter=actor,
        holder=actor,
        category=category,
        severity=severity,
        description=description,
        status=status,
        action_taken=action_taken if status == FindingStatus.HANDLED else "",
        found_at=found_at,
        latitude=latitude,
        longitude=longitude,
        urgent=bool(urgent),
    )
    finding.full_clean(exclude=["client_key"])
    # Files are not part of the transaction: those written before a rollback are removed, so
    # a finding the database refused leaves no photo on disk that no row points to.
    written = []
    try:
        with transaction.atomic():
            finding.save()
            for photo in photos:
                stored = FindingPhoto(finding=finding, width=photo.width, height=photo.height)
                stored.image.save("photo.jpg", photo.content, save=False)
                written.append(stored.image)
                stored.save()
            _write_event(
                finding=finding,
                actor=actor,
                kind=FindingEventKind.LOGGED,
                from_status="",
                photos=len(photos),
            )
            if finding.urgent:
                _report_urgent(finding)
    except BaseException as failure:
        for image in written:
            image.storage.delete(image.name)
        if not isinstance(failure, IntegrityError):
            raise
        # The same key arrived twice at the same moment: the other request stored it.
        existing = Finding.objects.filter(client_key=client_key).first()
        if existing is None:
            raise
        return _same_sender_or_refuse(existing, actor), False
    return finding, True


def _report_urgent(finding: Finding) -> None:
    """重大事项直报: the township's and the county's staff are told when the finding is stored."""
    village = finding.grid.village
    notify(
        recipients=[
            *staff_at_level(village, AreaLevel.TOWNSHIP),
            *staff_at_level(village, AreaLevel.COUNTY),
        ],
        kind="urgent_finding",
        text=_("Urgent finding in %(village)s: %(category)s, %(grid)s.")
        % {
            "village": village.name,
            "category": finding.get_category_display(),
            "grid": finding.grid.name,
        },
        url=reverse("grids:finding_detail", args=[finding.pk]),
    )


def _same_sender_or_refuse(finding: Finding, actor) -> Finding:
    if finding.reporter_id != actor.pk:
        raise ValidationError(_("This submission key was already used."), code="key_reused")
    return finding


def _change_status(*, actor, finding: Finding, to_status: str, kind: str, note: str) -> Finding:
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.status != FindingStatus.OPEN:
            raise ValidationError(
                _("This finding is already %(status)s.") % {"status": finding.get_status_display()},
                code="not_open",
            )
        if finding.holder_id != actor.pk:
            raise PermissionDenied(_("This finding is held by someone else."))
        from_status = finding.status
        finding.status = to_status
        if to_status == FindingStatus.HANDLED:
            finding.action_taken = note
        finding.save(update_fields=["status", "action_taken"])
        _write_event(finding=finding, actor=actor, kind=kind, from_status=from_status, note=note)
    return finding


def finding_handle(*, actor, finding: Finding, action_taken: str) -> Finding:
    """The holder handled an open finding on the spot; `action_taken` says how."""
    if not action_taken.strip():
        raise ValidationError(
            _("Say what was done when a finding is handled on the spot."), code="no_action"
        )
    return _change_status(
        actor=actor,
        finding=finding,
        to_status=FindingStatus.HANDLED,
        kind=FindingEventKind.HANDLED,
        note=action_taken.strip(),
    )


def finding_hand_up(*, actor, finding: Finding, reason: str = "") -> Finding:
    """The holder hands an open finding up to the village, which takes it from there."""
    return _change_status(
        actor=actor,
        finding=finding,
        to_status=FindingStatus.HANDED_UP,
        kind=FindingEventKind.HANDED_UP,
        note=reason.strip(),
    )


def zero_report_file(*, actor, grid: Grid, day: date | None = None) -> tuple[ZeroReport, bool]:
    """零报告: `actor` says `grid` had nothing to report on `day` (today by default).

    Refused when the grid has findings that day: then it did have something to report.
    Filing twice returns the first report.
    """
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError(_("A zero report cannot be filed for a future day."))
    _require_on_team(actor=actor, grid=grid, day=day)
    start, end = local_day_bounds(day)
    if Finding.objects.filter(grid=grid, found_at__range=(start, end)).exists():
        raise ValidationError(
            _("%(grid)s has findings on this day, so it has something to report.")
            % {"grid": grid.name},
            code="has_findings",
        )
    with transaction.atomic():
        report, created = ZeroReport.objects.get_or_create(
            grid=grid, day=day, defaults={"reporter": actor}
        )
    return report, created


def grid_handover(*, actor, grid: Grid, leaving, successor, on_day: date | None = None) -> int:
    """`leaving` leaves `grid`: their assignments end, `successor` takes their team role, and
    every open item they hold on this grid moves to the successor, each with an event.

    The successor serves from `on_day` (today by default); the leaving person's last day is
    the day before, so from `on_day` on they are no longer on the team, cannot log items
    there that nobody would hand over, and no longer see the grid's items.

    Returns the number of items moved.
    """
    on_day = on_day or timezone.localdate()
    require_grid_manager(actor=actor, village=grid.village)
    if leaving.pk == successor.pk:
        raise ValidationError(_("The successor must be someone else."), code="same_person")
    with transaction.atomic():
        assignments = list(
            GridAssignment.objects.select_for_update()
            .active_on(on_day)
            .filter(grid=grid, person=leaving)
        )
        if not assignments:
            raise ValidationError(
                _("%(person)s is not on the team of %(grid)s.")
                % {"person": leaving.first_name or leaving.username, "grid": grid.name},
                code="not_on_team",
            )
        last_day = on_day - timedelta(days=1)
        for assignment in assignments:
            # An assignment that only began on `on_day` cannot end before it began: it keeps
            # that one day (dates are whole days).
            assignment.ends_on = max(last_day, assignment.starts_on)
            assignment.save(update_fields=["ends_on"])
            if (
                not GridAssignment.objects.active_on(on_day)
                .filter(grid=grid, person=successor, role=assignment.role)
                .exists()
            ):
                GridAssignment.objects.create(
                    grid=grid, person=successor, role=assignment.role, starts_on=on_day
                )
        moved = list(
            Finding.objects.select_for_update().filter(
                grid=grid, holder=leaving, status=FindingStatus.OPEN
            )
        )
        for finding in moved:
            finding.holder = successor
            finding.save(update_fields=["holder"])
            _write_event(
                finding=finding,
                actor=actor,
                kind=FindingEventKind.HANDED_OVER,
                from_status=finding.status,
                note=_("%(from)s left the grid; %(to)s takes over.")
                % {
                    "from": leaving.first_name or leaving.username,
                    "to": successor.first_name or successor.username,
                },
                from_holder=leaving.pk,
                to_holder=successor.pk,
            )
    return len(moved)


def grid_update(
    *, actor, grid: Grid, name: str, kind: str, households: int, population: int
) -> bool:
    """Set a grid's name, kind and counts; True if anything changed. `actor` must manage the
    grid's village. The code and the village stay: a grid does not move."""
    require_grid_manager(actor=actor, village=grid.village)
    wanted = {"name": name, "kind": kind, "households": households, "population": population}
    changed = [field for field, value in wanted.items() if getattr(grid, field) != value]
    if not changed:
        return False
    for field in changed:
        setattr(grid, field, wanted[field])
    grid.full_clean()
    with transaction.atomic():
        grid.save(update_fields=changed)
    return True


PATROL_TARGET_BOUNDS = (0, 20)


def patrol_target_set(*, actor, county: Area, per_day: int) -> PatrolTarget:
    """Set how many patrols a day each grid of `county` owes. `actor` must administer the
    county (at it or above). The change is audited with the old and the new value; the next
    day's figures count against the new target."""
    require_county_administrator(actor=actor, county=county)
    low, high = PATROL_TARGET_BOUNDS
    per_day = whole_number(per_day, low=low, high=high, label=_("Patrols per grid per day"))
    with transaction.atomic():
        target = PatrolTarget.objects.select_for_update().filter(county=county).first()
        old = target.per_day if target else None
        if target is None:
            target = PatrolTarget.objects.create(county=county, per_day=per_day)
        elif old != per_day:
            target.per_day = per_day
            target.save(update_fields=["per_day"])
        if old != per_day:
            audit_setting_change(
                actor=actor,
                area=county,
                setting="patrol_target",
                key=county.code,
                old=old,
                new=per_day,
                default=DEFAULT_PATROLS_PER_DAY,
            )
    return target

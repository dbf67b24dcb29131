"""Grids and their teams, patrols, findings and zero reports (信息格中采、事在格中办).

A grid belongs to one village. Its team ("1+1+N": a grid chief, a grid worker, assistants,
and a liaison police officer) is kept as dated assignments, so a grid's history stays.
Writes go through `grids.services`; every change to a finding is a `FindingEvent`.
"""

import uuid
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseEvent
from governance.models import AREA_WIDE_ROLES, Area, Role
from governance.querysets import JurisdictionQuerySet

# Department liaisons (职能部门) are held over a county or a township, but a department acts on
# the cases it is given, not on everything the grids of its area find: of the findings a liaison
# sees only those behind their department's cases (see `register_finding_access`).
FINDING_AREA_ROLES = AREA_WIDE_ROLES - {Role.DEPARTMENT_LIAISON}

# Functions `reader(user)` returning a queryset of finding ids that `user` sees because of a
# case they handle: the case apps register them in their AppConfig.ready(), since grids knows
# no case app (dependencies point one way).
FINDING_ACCESS: list[Callable] = []


def register_finding_access(reader: Callable) -> None:
    if reader not in FINDING_ACCESS:
        FINDING_ACCESS.append(reader)


class GridKind(models.TextChoices):
    RURAL = "rural", _("Rural grid")
    URBAN = "urban", _("Urban community grid")
    DEDICATED = "dedicated", _("Dedicated grid")


class GridQuerySet(JurisdictionQuerySet):
    area_field = "village"

    def _of(self, user, *, roles, day: date | None):
        day = day or timezone.localdate()
        assigned = GridAssignment.objects.active_on(day).filter(person=user).values("grid_id")
        return self.filter(self.in_jurisdiction_q(user, roles=roles) | Q(pk__in=Subquery(assigned)))

    def visible_to(self, user, *, day: date | None = None):
        """The grids `user` may see: every grid of the areas held in an area-wide role, and
        the grids they are assigned to (a grid worker's or liaison police officer's own grids,
        not the other grids of their village)."""
        return self._of(user, roles=AREA_WIDE_ROLES, day=day)

    def findings_wholly_visible_to(self, user, *, day: date | None = None):
        """The grids all of whose findings `user` sees: those of the areas they hold in a
        role that sees findings (not a department liaison), and the grids they are assigned
        to. Part of `Finding.objects.visible_to`."""
        return self._of(user, roles=FINDING_AREA_ROLES, day=day)


class Grid(models.Model):
    code = models.CharField(_("grid code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=GridKind.choices)
    village = models.ForeignKey(
        Area,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": "village"},
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GridRole(models.TextChoices):
    CHIEF = "chief", _("Grid chief")
    WORKER = "worker", _("Grid worker")
    ASSISTANT = "assistant", _("Grid assistant")
    POLICE = "police", _("Liaison police officer")


class GridAssignmentQuerySet(JurisdictionQuerySet):
    area_field = "grid__village"

    def visible_to(self, user):
        """The team assignments of the grids `user` sees (`Grid.objects.visible_to`): a grid's
        team is shown with the grid."""
        return self.filter(grid__in=Grid.objects.visible_to(user))

    def active_on(self, day):
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class GridAssignment(models.Model):
    """`person` serves `grid` as `role` from `starts_on` to `ends_on` (open: still serving)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="grid_assignments",
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=GridRole.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = GridAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        indexes = [models.Index(fields=["person", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="grid_assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.grid}"


class PatrolTarget(models.Model):
    """How many patrols a day each grid of a county owes ("一日三巡": three by default)."""

    county = models.OneToOneField(
        Area,
        verbose_name=_("district / county"),
        on_delete=models.CASCADE,
        related_name="patrol_target",
        limit_choices_to={"level": "county"},
    )
    per_day = models.PositiveSmallIntegerField(_("patrols per grid per day"), default=3)

    class Meta:
        verbose_name = _("patrol target")
        verbose_name_plural = _("patrol targets")

    def __str__(self) -> str:
        return f"{self.county}: {self.per_day}"


DEFAULT_PATROLS_PER_DAY = 3


class PatrolQuerySet(JurisdictionQuerySet):
    area_field = "grid__village"

    def visible_to(self, user):
        """The patrols of the grids `user` sees (`Grid.objects.visible_to`): a grid's day is
        counted from them. Ending a patrol is its worker's alone
        (`patrol_get_for_worker_or_404`)."""
        return self.filter(grid__in=Grid.objects.visible_to(user))


class Patrol(models.Model):
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="patrols"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        indexes = [models.Index(fields=["grid", "started_at"])]

    def __str__(self) -> str:
        return f"{self.grid} {self.started_at:%Y-%m-%d %H:%M}"


class FindingCategory(models.TextChoices):
    SAFETY_HAZARD = "safety_hazard", _("Safety hazard")
    DISPUTE = "dispute", _("Dispute")
    PUBLIC_ORDER = "public_order", _("Public order")
    FIRE = "fire", _("Fire")
    ENVIRONMENT = "environment", _("Environment")
    HOUSEHOLD_VISIT = "household_visit", _("Household visit")
    SPECIAL_CARE_VISIT = "special_care_visit", _("Special-care visit")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    """How grave a finding (and the incident made of it) is, as its worker judged: "Urgent"
    (紧急) is the gravest. Not the finding's `urgent` box, which is a duty to report it at once
    to the township and the county (重大事项直报), whatever its severity."""

    LOW = "low", _("Minor")
    MEDIUM = "medium", _("Serious")
    HIGH = "high", _("Urgent")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("To be handled")
    HANDLED = "handled", _("Handled on the spot")
    HANDED_UP = "handed_up", _("Handed up")


class FindingQuerySet(JurisdictionQuerySet):
    area_field = "grid__village"

    def visible_to(self, user):
        """The findings `user` may see, and so open with their photos: the rule is here, once.

        Every finding of the grids in `Grid.objects.findings_wholly_visible_to`, and the
        findings behind the cases they handle (for a department liaison, those their
        department is assigned or summoned to), as the case apps report them through
        `register_finding_access`.
        """
        condition = Q(grid__in=Grid.objects.findings_wholly_visible_to(user))
        for reader in FINDING_ACCESS:
            condition |= Q(pk__in=reader(user))
        return self.filter(condition)


class Finding(models.Model):
    """Something a grid worker saw. `client_key` is made by the phone before the first try,
    so a retried or double-tapped submission is stored once."""

    client_key = models.UUIDField(_("client key"), unique=True, default=uuid.uuid4)
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="findings"
    )
    patrol = models.ForeignKey(
        Patrol,
        verbose_name=_("patrol"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="reported_findings",
    )
    # Who must act on it now: the reporter, until a handover gives it to a successor.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="held_findings",
    )
    category = models.CharField(_("category"), max_length=32, choices=FindingCategory.choices)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.LOW
    )
    description = models.TextField(_("description"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    action_taken = models.TextField(_("what was done"), max_length=2000, blank=True)
    # 重大事项直报: the township and the county are told at once, and it shows on their board.
    urgent = models.BooleanField(
        _("urgent: report to the township and county at once"), default=False
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    found_at = models.DateTimeField(_("found at"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["grid", "found_at"]),
            models.Index(fields=["holder", "status"]),
            models.Index(
                fields=["found_at"], condition=models.Q(urgent=True), name="finding_urgent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.grid}"


def finding_photo_path(photo, filename):
    """Photos are re-encoded as JPEG on receipt; the name the phone gave is not kept."""
    finding = photo.finding
    return f"findings/{finding.found_at:%Y/%m}/{finding.client_key}-{uuid.uuid4().hex[:8]}.jpg"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=finding_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name


class FindingEventKind(models.TextChoices):
    LOGGED = "logged", _("Logged")
    HANDLED = "handled", _("Handled on the spot")
    HANDED_UP = "handed_up", _("Handed up")
    HANDED_OVER = "handed_over", _("Handed over to a successor")


class FindingEvent(CaseEvent):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=16, choices=FindingEventKind.choices)

    class Meta(CaseEvent.Meta):
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")


class ZeroReport(models.Model):
    """零报告: the grid worker says explicitly that a grid had nothing to report that day."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="zero_reports"
    )
    day = models.DateField(_("day"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("zero report")
        verbose_name_plural = _("zero reports")
        constraints = [
            models.UniqueConstraint(fields=["grid", "day"], name="zero_report_one_per_grid_day")
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.day}"

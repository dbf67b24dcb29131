"""Incidents (事件): what a grid worker handed up that is not a dispute (a safety hazard, a
broken facility, sanitation, public order...), dispatched to the unit that must deal with it,
signed in, handled and checked by the worker who reported it (the loop of 接诉即办).

The workflow is data in `incidents.actions` (the registry), writes go through
`incidents.services`, and the machinery is the case kit (`cases.actions`, `cases.workflow`).
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.clocks import CaseClocks, ClockSpec, RunningClock
from cases.models import Case, CaseEvent
from governance.models import AREA_WIDE_ROLES, Area, Department, Role
from governance.querysets import JurisdictionQuerySet
from grids.models import FindingCategory, GridAssignment, Severity


class IncidentLevel(models.TextChoices):
    VILLAGE = "village", _("Village")
    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("A department")
    VILLAGE = "village", _("The village")
    TOWNSHIP = "township", _("The township")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("To be dispatched")
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED_IN = "signed_in", _("Signed for by the unit")
    HANDLED = "handled", _("Handled, to be checked")
    RETURNED = "returned", _("Returned to the dispatcher")
    CLOSED = "closed", _("Closed")
    # It was a dispute: it goes on as one (incidents.conversion), its history kept here.
    CONVERTED = "converted", _("Converted to a dispute")


# The categories of finding that become incidents: a dispute is registered as a dispute.
INCIDENT_CATEGORIES = [c for c in FindingCategory.values if c != FindingCategory.DISPUTE]

OPEN_INCIDENT_STATUSES = frozenset(
    set(IncidentStatus.values) - {IncidentStatus.CLOSED, IncidentStatus.CONVERTED}
)

# The unit's two clocks, one after the other, from each dispatch: sign for it within a working
# day (`signed_in_on` records when it was), then close it within the matters list's working
# days (`closed_on`: the day the reporter's check passed). They run while the incident is with
# a unit; a new or returned incident waits for the dispatcher and no clock runs. A dispatch
# sets both due dates afresh and clears `signed_in_on`.
CLOCK_STATUSES = frozenset(
    {IncidentStatus.DISPATCHED, IncidentStatus.SIGNED_IN, IncidentStatus.HANDLED}
)
INCIDENT_CLOCKS = CaseClocks(
    open_statuses=CLOCK_STATUSES,
    clocks=[
        ClockSpec("sign_in", _("Sign for it"), "sign_in_due", "signed_in_on"),
        ClockSpec("close", _("Close"), "close_due", "closed_on"),
    ],
)

# Department liaisons see only the incidents sent to their department.
INCIDENT_AREA_ROLES = AREA_WIDE_ROLES - {Role.DEPARTMENT_LIAISON}


class IncidentQuerySet(JurisdictionQuerySet):
    area_field = "area"

    def visible_to(self, user):
        """The incidents `user` may see: those of their jurisdiction held in an area-wide role
        (not a department liaison), those sent to a department they are a liaison of, and
        those they reported, and those of the grids they serve on today (where the reporter
        has left the grid, its current worker checks the handling). The rule is here, once.

        The reasons are a union of incident ids, each read through its own index, rather than
        conditions joined by OR: PostgreSQL cannot use an index for an OR of subqueries and
        would test every incident of the city on every page (as `Dispute.objects.visible_to`).
        """
        if user is None or not user.is_authenticated:
            return self.none()
        departments = Department.objects.filter(liaisons=user).order_by().values("pk")
        grids = (
            GridAssignment.objects.active_on(timezone.localdate())
            .filter(person=user)
            .order_by()
            .values("grid_id")
        )
        incidents = self.model.objects
        ids = (
            incidents.filter(self.in_jurisdiction_q(user, roles=INCIDENT_AREA_ROLES))
            .order_by()
            .values("pk")
            .union(
                incidents.filter(
                    unit_kind=UnitKind.DEPARTMENT, department__in=Subquery(departments)
                )
                .order_by()
                .values("pk"),
                incidents.filter(reporter=user).order_by().values("pk"),
                incidents.filter(grid__in=Subquery(grids)).order_by().values("pk"),
            )
        )
        return self.filter(pk__in=ids)

    def overdue(self, *, on: date):
        """Incidents with a unit whose running clock (sign in, close) fell due before `on`."""
        return self.filter(INCIDENT_CLOCKS.overdue_q(on=on))


class Incident(Case):
    area = models.ForeignKey(
        Area,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    finding = models.OneToOneField(
        "grids.Finding",
        verbose_name=_("finding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incident",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_incidents",
    )
    category = models.CharField(_("category"), max_length=32, choices=FindingCategory.choices)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.LOW
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=2000)
    level = models.CharField(_("dispatching level"), max_length=16, choices=IncidentLevel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    unit_kind = models.CharField(
        _("handling unit"), max_length=16, choices=UnitKind.choices, blank=True
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    dispatched_on = models.DateField(_("dispatched on"), null=True, blank=True)
    sign_in_due = models.DateField(_("sign-in due"), null=True, blank=True)
    close_due = models.DateField(_("close due"), null=True, blank=True)
    signed_in_on = models.DateField(_("signed for on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    what_was_done = models.TextField(_("what was done"), blank=True)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    # A wrongly typed case converted either way (incidents.conversion): the dispute this
    # incident was opened from, and the dispute it became. The links live here because
    # incidents may know disputes and disputes may not know incidents.
    converted_from_dispute = models.OneToOneField(
        "disputes.Dispute",
        verbose_name=_("converted from dispute"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="converted_to_incident",
    )
    converted_to_dispute = models.OneToOneField(
        "disputes.Dispute",
        verbose_name=_("converted to dispute"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="converted_from_incident",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-registered_at", "-pk"]
        indexes = [models.Index(fields=["status", "close_due"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_kind="department", department__isnull=False)
                | (~Q(unit_kind="department") & Q(department__isnull=True)),
                name="incident_department_iff_unit_is_department",
            ),
            models.CheckConstraint(
                condition=Q(status="converted", converted_to_dispute__isnull=False)
                | (~Q(status="converted") & Q(converted_to_dispute__isnull=True)),
                name="incident_converted_iff_dispute_named",
            ),
        ]

    @property
    def running_clock(self) -> RunningClock | None:
        """The clock the unit works to now (sign in, close), or None."""
        return INCIDENT_CLOCKS.running(self)

    def unit_label(self) -> str:
        if self.unit_kind == UnitKind.DEPARTMENT and self.department_id:
            return self.department.name
        return str(self.get_unit_kind_display()) if self.unit_kind else ""


class MatterRule(models.Model):
    """One line of a county's matters list (事项清单): which unit deals with a category of
    incident and in how many working days. Dispatch proposes the unit from it."""

    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="matter_rules",
        limit_choices_to={"level": "county"},
    )
    category = models.CharField(_("category"), max_length=32, choices=FindingCategory.choices)
    unit_kind = models.CharField(_("handling unit"), max_length=16, choices=UnitKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matter_rules",
    )
    working_days = models.PositiveSmallIntegerField(
        _("working days"), default=5, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("matters list entry")
        verbose_name_plural = _("matters list")
        constraints = [
            models.UniqueConstraint(fields=["county", "category"], name="matter_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county} · {self.get_category_display()}"


class IncidentEvent(CaseEvent):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=32)
    # Made by the phone before its first try at sending a check: a check retried after a
    # dropped network is recorded once (see `incidents.services.incident_check`).
    client_key = models.UUIDField(_("client key"), null=True, blank=True, unique=True)

    class Meta(CaseEvent.Meta):
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")

    @classmethod
    def kind_labels(cls) -> dict:
        from incidents.actions import EVENT_LABELS

        return EVENT_LABELS

    @property
    def timeline_details(self) -> list[dict]:
        """The dispute it was converted to or from (incidents.conversion)."""
        counterpart = (self.details or {}).get("counterpart")
        return [{"text": counterpart, "css": "badge text-bg-light"}] if counterpart else []

    @property
    def timeline_photos(self) -> list:
        """The photos taken with this step (the handling, a failed check), for the timeline;
        each opens through `incidents:photo`, which checks who may see the incident."""
        return list(self.photos.all())


def incident_photo_path(photo, filename):
    """Photos are re-encoded as JPEG on receipt; the name the phone gave is not kept."""
    return f"incidents/{timezone.localdate():%Y/%m}/{photo.incident_id}-{uuid.uuid4().hex}.jpg"


class IncidentPhoto(models.Model):
    """A photo taken with one step of an incident: the unit's handling, or a failed check on
    the spot. Checked and re-encoded by `grids.photos`, served only to those who may see the
    incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(IncidentEvent, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=incident_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:photo", args=[self.pk])

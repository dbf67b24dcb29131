"""The core domain: the area tree, the roles people hold, and where they hold them.

Every other app points at an `Area` and asks `governance.selectors` who may see it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from governance.querysets import AreaQuerySet


class AreaLevel(models.TextChoices):
    """The levels of the official division tree, from the top down."""

    CITY = "city", _("City")
    COUNTY = "county", _("District / county")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")


# The order of the levels, top first, and the digits of the official statistical division
# code (统计用区划代码) at each level, as published by the National Bureau of Statistics.
LEVEL_ORDER = [AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
CODE_LENGTH = {
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}


def parent_level_of(level: str) -> str | None:
    """The level directly above `level`, or None for the top."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index else None


class Area(MPTTModel):
    """One node of the area tree. Written only by `governance.services` (see rule 6)."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    objects = TreeManager.from_queryset(AreaQuerySet)()

    class MPTTMeta:
        order_insertion_by = ["code"]
        # `level` is the domain's level (city … village); mptt's depth gets its own name.
        level_attr = "mptt_level"

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a person does in the portal. A person may hold several roles in several areas."""

    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    VILLAGE_STAFF = "village_staff", _("Village (community) staff")
    POLICE_LIAISON = "police_liaison", _("Liaison police officer")
    TOWNSHIP_STAFF = "township_staff", _("Township centre staff")
    MEDIATOR = "mediator", _("Mediator")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    COUNTY_OFFICIAL = "county_official", _("County official")
    CITY_OFFICIAL = "city_official", _("City official")
    ADMINISTRATOR = "administrator", _("Administrator")
    # 回访员: revisits finished disputes; independent of those who handled them.
    REVISITOR = "revisitor", _("Revisit officer")


# The levels at which each role may be held. A grid worker belongs to a village (the grids
# themselves come with the grid module); an administrator may be appointed at any level and
# manages people within that subtree only.
ROLE_LEVELS: dict[str, set[str]] = {
    Role.GRID_WORKER: {AreaLevel.VILLAGE},
    Role.GRID_CHIEF: {AreaLevel.VILLAGE},
    Role.VILLAGE_STAFF: {AreaLevel.VILLAGE},
    Role.POLICE_LIAISON: {AreaLevel.VILLAGE},
    Role.TOWNSHIP_STAFF: {AreaLevel.TOWNSHIP},
    Role.MEDIATOR: {AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.COUNTY},
    Role.DEPARTMENT_LIAISON: {AreaLevel.COUNTY, AreaLevel.TOWNSHIP},
    Role.COUNTY_OFFICIAL: {AreaLevel.COUNTY},
    Role.CITY_OFFICIAL: {AreaLevel.CITY},
    Role.ADMINISTRATOR: {AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP},
    Role.REVISITOR: {AreaLevel.TOWNSHIP, AreaLevel.COUNTY},
}


# Roles whose case visibility is narrower than their area: a grid worker or a liaison police
# officer belongs to a village but sees the items of the grids they are assigned to, not
# those of the whole village. Their area still bounds what they can browse.
GRID_SCOPED_ROLES = frozenset({Role.GRID_WORKER, Role.POLICE_LIAISON})
# A revisit officer sees the disputes of their area (to revisit them), and nothing else of it:
# the disputes app adds the role to its own rule.
AREA_WIDE_ROLES = frozenset(Role.values) - GRID_SCOPED_ROLES - {Role.REVISITOR}

# The roles whose membership may be the head of its centre (`Membership.is_head`).
HEAD_ROLES = [Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICIAL]


class Membership(models.Model):
    """`user` holds `role` over `area` and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # The head (主任) of the centre this membership staffs: a township's or a county's centre
    # staff, held at that township or county. A head approves what the statute leaves to the
    # handling body's own head (a petition's extension); it is not a role of its own, so it
    # changes nothing of what the person sees.
    is_head = models.BooleanField(_("head of the centre"), default=False, db_default=False)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area", "role"], name="membership_unique_user_area_role"
            ),
            models.CheckConstraint(
                condition=Q(is_head=False) | Q(role__in=HEAD_ROLES),
                name="membership_head_only_of_a_centre",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class Department(models.Model):
    """A functional department (职能部门) of a county or township that can be assigned a case or
    summoned to one ("街乡吹哨、部门报到"). Its liaisons act for it in the portal."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="departments"
    )
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaisons"),
        related_name="departments",
        blank=True,
    )
    # The department's head (负责人), one of its liaisons: approves what the statute leaves to
    # the handling body's own head (a petition's extension).
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """An in-app notification (the bell): written by `governance.notifications.notify`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text


class CalendarDayKind(models.TextChoices):
    """What a correction of the working-day calendar makes of a date."""

    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")
    # The date's entry in the published calendar (a holiday or a make-up working day) is
    # withdrawn: it is an ordinary weekday or weekend day again.
    ORDINARY = "ordinary", _("Ordinary day")


class CalendarDay(models.Model):
    """A correction of the working-day calendar for one date, entered by an administrator of
    the whole city, that holds over the published calendar of the `holidays` package (which
    an intranet cannot update, and which lacks a year's make-up working days until a release
    carries them). Written only by `governance.configuration.calendar`; read by
    `governance.workdays`."""

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"

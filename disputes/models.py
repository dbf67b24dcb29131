"""Disputes (矛盾纠纷): intake, levels and escalation, assignment, summons, mediation, closure.

The transitions between the statuses are data in `disputes.actions` (the registry); every write
goes through `disputes.services`, and every change is a `DisputeEvent` that is never edited.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.clocks import CaseClocks, ClockSpec, RunningClock
from cases.models import Case, CaseEvent
from governance.models import AREA_WIDE_ROLES, Area, Department, Role
from governance.querysets import JurisdictionQuerySet
from grids.models import GridAssignment
from infra.fields import BlindIndexField, EncryptedCharField


class DisputeKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbour")
    FAMILY = "family", _("Family and marriage")
    DEBT = "debt", _("Private debt")
    LAND = "land", _("Land, hills and forest")
    REQUISITION = "requisition", _("Land requisition and construction")
    LABOUR = "labour", _("Labour and wages")
    PROPERTY = "property", _("Property management")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    GRID = "grid", _("Grid finding")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline")
    ONLINE = "online", _("Online")
    POLICE = "police", _("Police referral")
    DEPARTMENT = "department", _("Department referral")
    # 委派/委托调解: a court sends a case to mediation, with its case number and its deadline.
    COURT = "court", _("Court referral (委派/委托调解)")


class Level(models.TextChoices):
    """The level that handles a dispute, lowest first.

    "微事不出网格、小事不出村居、大事不出乡镇": each level keeps what it can resolve.
    """

    GRID = "grid", _("Grid")
    VILLAGE = "village", _("Village")
    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


LEVEL_ORDER = [Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY]


class Risk(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_MEDIATION = "in_mediation", _("In mediation")
    # The two ends of a dispute: mediated successfully (an agreement, written or oral), the
    # only one that counts as resolved; or terminated (withdrawn, referred, not agreed).
    RESOLVED = "resolved", _("Mediated successfully")
    TERMINATED = "terminated", _("Mediation terminated")
    REVISITED = "revisited", _("Revisited")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    # Registered as a dispute but not one: it goes on as an incident (incidents.conversion),
    # its history kept here. Neither resolved nor open: no rollup counts it as either.
    CONVERTED = "converted", _("Converted to an incident")


OPEN_STATUSES = frozenset(
    {Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION}
)


class Route(models.TextChoices):
    """访、调、裁、审、处: how a dispute is handled."""

    PEOPLES = "peoples", _("People's mediation")
    ADMINISTRATIVE = "administrative", _("Administrative mediation")
    ARBITRATION = "arbitration", _("Arbitration")
    FAST_TRACK = "fast_track", _("Fast-track court")
    FOUR_CHIEFS = "four_chiefs", _("Four-chief joint mediation")


class Outcome(models.TextChoices):
    """How a dispute ended. Only an agreement (调解协议, written or oral) is a success and
    counts as resolved; the others terminate the mediation (调解终止) and are reported as what
    they are."""

    AGREEMENT = "agreement", _("Written mediation agreement")
    ORAL_AGREEMENT = "oral_agreement", _("Oral agreement")
    WITHDRAWN = "withdrawn", _("Withdrawn by the parties")
    REFERRED = "referred", _("Referred to court or arbitration")
    NOT_AGREED = "not_agreed", _("No agreement reached")


SUCCESS_OUTCOMES = frozenset({Outcome.AGREEMENT, Outcome.ORAL_AGREEMENT})
TERMINATION_OUTCOMES = frozenset({Outcome.WITHDRAWN, Outcome.REFERRED, Outcome.NOT_AGREED})


class ReferralKind(models.TextChoices):
    """Where a terminated dispute was referred to: the body that received it gives it its own
    case number (案号)."""

    COURT = "court", _("People's court")
    ARBITRATION = "arbitration", _("Arbitration commission")


class Fulfilment(models.TextChoices):
    """Whether the agreement was carried out, as the revisit found it (履行情况)."""

    CARRIED_OUT = "carried_out", _("Carried out")
    PARTLY = "partly", _("Partly carried out")
    NOT_CARRIED_OUT = "not_carried_out", _("Not carried out")


# A dispute has one clock: the deadline at its current level (`due_on`), which runs while it is
# open and is set afresh when it moves level or is extended.
DISPUTE_CLOCKS = CaseClocks(
    open_statuses=OPEN_STATUSES,
    clocks=[ClockSpec("handling", _("Deadline at its level"), due_field="due_on")],
)


# Department liaisons see the disputes their department handles or is summoned to, not every
# dispute of their county.
DISPUTE_AREA_ROLES = (AREA_WIDE_ROLES - {Role.DEPARTMENT_LIAISON}) | {Role.REVISITOR}


def department_reasons(user) -> list[models.QuerySet]:
    """The disputes `user`'s department handles (an open assignment) or was summoned to, as
    querysets of dispute ids: what a department liaison sees of the county's disputes."""
    return [
        Assignment.objects.filter(department__liaisons=user, ended_at__isnull=True).values(
            "dispute_id"
        ),
        Summons.objects.filter(department__liaisons=user).values("dispute_id"),
    ]


class DisputeQuerySet(JurisdictionQuerySet):
    area_field = "village"

    def visible_to(self, user):
        """The disputes `user` may see: those of their jurisdiction held in an area-wide role
        (not as a department liaison), of the grids they serve on (a grid worker's or liaison
        police officer's own grids, not the other grids of their village), and those they, or
        their department, handle or are summoned to. The rule is here, once.

        The reasons are a union of dispute ids, each read through its own index, rather
        than conditions joined by OR: PostgreSQL cannot use an index for an OR of
        subqueries and would test every dispute of the city on every page.
        """
        my_grids = (
            GridAssignment.objects.active_on(timezone.localdate())
            .filter(person=user)
            .values("grid_id")
        )
        disputes = self.model.objects
        ids = (
            disputes.filter(self.in_jurisdiction_q(user, roles=DISPUTE_AREA_ROLES))
            .order_by()
            .values("pk")
            .union(
                disputes.filter(grid__in=Subquery(my_grids)).order_by().values("pk"),
                Assignment.objects.filter(person=user, ended_at__isnull=True).values("dispute_id"),
                *department_reasons(user),
            )
        )
        return self.filter(pk__in=ids)

    def open_(self):
        return self.filter(DISPUTE_CLOCKS.open_q())

    def overdue(self, *, on: date):
        """Open disputes whose deadline passed before `on`."""
        return self.filter(DISPUTE_CLOCKS.overdue_q(on=on))


class Dispute(Case):
    kind = models.CharField(_("kind"), max_length=16, choices=DisputeKind.choices)
    channel = models.CharField(_("intake channel"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("description"), max_length=5000)
    people_involved = models.PositiveIntegerField(
        _("people involved"), default=2, validators=[MinValueValidator(1)]
    )
    village = models.ForeignKey(
        Area,
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    source_finding = models.OneToOneField(
        "grids.Finding",
        verbose_name=_("from finding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispute",
    )
    level = models.CharField(_("handling level"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices, default=Risk.GREEN)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("possible repeat of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
    )
    route = models.CharField(_("handling route"), max_length=16, choices=Route.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    agreement = models.TextField(_("agreement"), blank=True)
    resolved_level = models.CharField(
        _("resolved at level"), max_length=16, choices=Level.choices, blank=True
    )
    # When it was mediated successfully (resolved_at) or its mediation terminated.
    resolved_at = models.DateTimeField(_("mediated successfully at"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    # A dispute referred to a court or an arbitration commission: the body and its case number.
    # The columns added with the honest outcomes have database defaults too, so that rows
    # written by column lists (the load generator's COPY) need not name them.
    referral_kind = models.CharField(
        _("referred to"),
        max_length=16,
        choices=ReferralKind.choices,
        blank=True,
        default="",
        db_default="",
    )
    referral_body = models.CharField(
        _("receiving body"), max_length=100, blank=True, default="", db_default=""
    )
    referral_case_number = models.CharField(
        _("its case number"), max_length=64, blank=True, default="", db_default=""
    )
    # 委派/委托调解: the court that sent the case, its case number and its deadline, which
    # governs the dispute's deadline.
    court_name = models.CharField(
        _("referring court"), max_length=100, blank=True, default="", db_default=""
    )
    court_case_number = models.CharField(
        _("court case number"), max_length=64, blank=True, default="", db_default=""
    )
    court_due_on = models.DateField(_("court's deadline"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    extended = models.BooleanField(_("deadline extended"), default=False)
    # 回头办: how many times a revisit sent it back to work.
    returned_count = models.PositiveSmallIntegerField(
        _("sent back by a revisit"), default=0, db_default=0
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["village", "registered_at"]),
        ]

    def running_clock(self) -> RunningClock | None:
        """The deadline the dispute works to, or None once it is no longer open."""
        return DISPUTE_CLOCKS.running(self)

    def is_overdue(self, *, on: date) -> bool:
        return DISPUTE_CLOCKS.is_overdue(self, on=on)


class Side(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")


class Party(models.Model):
    """A party to a dispute. ID number and phone are encrypted at rest and shown masked to
    anyone not handling the case; the same person's other disputes are found through the
    digests (`id_number_digest__in=blind_indexes(number)`)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    id_number_digest = BlindIndexField(source="id_number")
    phone_digest = BlindIndexField(source="phone")

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [
            models.Index(fields=["id_number_digest"], name="party_id_number_digest_idx"),
            models.Index(fields=["phone_digest"], name="party_phone_digest_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A handler of a dispute: a person (mediator, grid worker, police officer, judge) or a
    department; one lead (主办) and any number of co-handlers (协办)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispute_assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispute_assignments",
    )
    lead = models.BooleanField(_("lead handler"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) ^ models.Q(department__isnull=False),
                name="assignment_person_xor_department",
            )
        ]

    def __str__(self) -> str:
        return str(self.person or self.department)

    @property
    def handler_name(self) -> str:
        if self.person_id:
            return self.person.first_name or self.person.username
        return self.department.name


class Summons(models.Model):
    """街乡吹哨、部门报到: a department summoned to a dispute must acknowledge and report."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="summons")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="summons"
    )
    due_on = models.DateField(_("report due on"))
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summoned_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "department"], name="summons_one_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute} → {self.department}"


class MediationSession(models.Model):
    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="mediation_sessions"
    )
    held_on = models.DateField(_("held on"))
    participants = models.CharField(_("who took part"), max_length=500)
    agreed = models.TextField(_("what was agreed"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute} {self.held_on}"


class Revisit(models.Model):
    """回访: the parties' satisfaction after the dispute was mediated, and whether the
    agreement was carried out. Recorded by a revisit officer who neither handled the case nor
    staffs its level (`independent`); revisits recorded before that rule were by the handlers
    themselves and are kept, not counted in the assessment."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="revisits")
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    fulfilment = models.CharField(
        _("agreement carried out"),
        max_length=16,
        choices=Fulfilment.choices,
        blank=True,
        default="",
        db_default="",
    )
    # A row written without saying (the load generator) is an old-style revisit, not counted.
    independent = models.BooleanField(_("independent revisit"), default=True, db_default=False)
    remarks = models.TextField(_("remarks"), max_length=2000, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")

    def __str__(self) -> str:
        return f"{self.dispute} {self.satisfaction}"


class ExtensionRequest(models.Model):
    """An extension of a dispute's deadline. People's mediation is extended with the parties'
    consent, recorded here (who agreed, how, on which day) in calendar days (`days`); requests
    made before that rule asked the level above for working days (`working_days`)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="extensions")
    working_days = models.PositiveSmallIntegerField(_("extra working days"), null=True)
    days = models.PositiveSmallIntegerField(_("extra days"), null=True)
    consent = models.TextField(
        _("the parties' consent"), max_length=2000, blank=True, default="", db_default=""
    )
    consented_on = models.DateField(_("consent given on"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved = models.BooleanField(_("approved"), null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.dispute} +{self.working_days}"


def attachment_path(attachment, filename):
    return f"disputes/{attachment.dispute_id}/{attachment.stored_name}"


class Attachment(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    stored_name = models.CharField(max_length=100)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class DeadlineRule(models.Model):
    """Calendar days a level has to resolve a dispute, per kind (an empty kind: any kind).

    Calendar days, because the one period the rules give is one: people's mediation is
    "一般在一个月内调结" (a month, not a number of working days)."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=DisputeKind.choices, blank=True)
    days = models.PositiveSmallIntegerField(
        _("days"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["level", "kind"], name="deadline_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_kind_display()}: {self.days}"


# Calendar days, used where no rule is configured. The village, township and county mediate
# under people's mediation, "一般在一个月内调结": 30 days. The grid handles small matters on
# the spot ("微事不出网格"); its three days are the portal's own, no rule sets them.
MEDIATION_MONTH_DAYS = 30
DEFAULT_DAYS = {
    Level.GRID: 3,
    Level.VILLAGE: MEDIATION_MONTH_DAYS,
    Level.TOWNSHIP: MEDIATION_MONTH_DAYS,
    Level.COUNTY: MEDIATION_MONTH_DAYS,
}


# 回访: by default a revisit comes no earlier than this many days after the dispute ended, so
# that the parties have had time to carry out the agreement. The portal's own default; each
# county sets its own on the settings page.
DEFAULT_REVISIT_AFTER_DAYS = 15
REVISIT_AFTER_BOUNDS = (0, 180)


class RevisitSetting(models.Model):
    """A county's number of days after the end of a dispute before it is revisited."""

    county = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="dispute_revisit_setting"
    )
    after_days = models.PositiveSmallIntegerField(
        _("days after the end"),
        validators=[MinValueValidator(0), MaxValueValidator(REVISIT_AFTER_BOUNDS[1])],
    )

    class Meta:
        verbose_name = _("revisit setting")
        verbose_name_plural = _("revisit settings")

    def __str__(self) -> str:
        return f"{self.county}: {self.after_days}"


class DisputeEvent(CaseEvent):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=32)
    from_level = models.CharField(max_length=16, blank=True)
    to_level = models.CharField(max_length=16, blank=True)

    class Meta(CaseEvent.Meta):
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")

    @classmethod
    def kind_labels(cls) -> dict:
        from disputes.actions import EVENT_LABELS

        return EVENT_LABELS

    @property
    def timeline_details(self) -> list[dict]:
        """The dispute it came from when merged in (the page sets `from_other`), the status it
        moved between and the level it went to."""
        details = []
        if getattr(self, "from_other", False):
            details.append(
                {
                    "text": self.dispute.number,
                    "css": "badge text-bg-light",
                    "title": _("Merged in from"),
                }
            )
        if (self.details or {}).get("counterpart"):
            # The case of the other type it was converted to or from.
            details.append({"text": self.details["counterpart"], "css": "badge text-bg-light"})
        if self.from_status and self.to_status and self.from_status != self.to_status:
            details.append(
                {
                    "text": f"{status_label(self.from_status)} → {status_label(self.to_status)}",
                    "css": "small text-muted",
                }
            )
        if self.to_level:
            details.append(
                {
                    "text": f"{level_label(self.from_level)} → {level_label(self.to_level)}",
                    "css": "badge text-bg-warning",
                }
            )
        return details


def status_label(code: str) -> str:
    """The label of a status code met outside a dispute (events, aggregates)."""
    return Status(code).label if code in Status.values else code


def level_label(code: str) -> str:
    return Level(code).label if code in Level.values else code

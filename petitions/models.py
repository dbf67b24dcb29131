"""Petitions (信访): registered, accepted or not, handled, replied, reviewed, on the statutory
clocks of the 信访工作条例 (2022). "信访不上行": handled at the lowest level that can.

The workflow is data in `petitions.actions` (the registry), writes go through
`petitions.services`, and the machinery is the one disputes use (`cases.actions`,
`cases.workflow`).
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from cases.clocks import CaseClocks, ClockSpec, RunningClock
from cases.models import Case, CaseEvent
from governance.models import AREA_WIDE_ROLES, Area, Department, Role
from governance.querysets import JurisdictionQuerySet
from infra.fields import BlindIndexField, EncryptedCharField


class PetitionChannel(models.TextChoices):
    # Labels of their own: "Visit" and "Phone" mean other things elsewhere in the portal (a
    # household visit, a person's phone number), and the catalogue has one entry per msgid.
    VISIT = "visit", _("Visit in person")
    LETTER = "letter", _("Letter")
    ONLINE = "online", _("Online petition")
    PHONE = "phone", _("Phone call")


class PetitionLevel(models.TextChoices):
    """The centre that accepts, handles and replies: a township's or a county's. A village
    committee is not a petition body: it helps at the source (the `assist` action)."""

    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


PETITION_LEVEL_ORDER = [PetitionLevel.TOWNSHIP, PetitionLevel.COUNTY]


class ReferralChannel(models.TextChoices):
    """诉访分离: the statutory channels a claim is directed to instead of being accepted as a
    petition (信访工作条例 art. 31)."""

    LITIGATION = "litigation", _("Litigation")
    ARBITRATION = "arbitration", _("Arbitration")
    ADMINISTRATIVE_REVIEW = "administrative_review", _("Administrative review")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    REFERRED = "referred", _("Directed to a legal channel")
    ASSIGNED = "assigned", _("Assigned")
    HANDLED = "handled", _("Handled")
    REPLIED = "replied", _("Replied")
    SATISFIED = "satisfied", _("Satisfied")
    REVIEW_REQUESTED = "review_requested", _("Review requested")
    REVIEWED = "reviewed", _("Reviewed")
    SECOND_REVIEW_REQUESTED = "second_review_requested", _("Second review requested")
    SECOND_REVIEWED = "second_reviewed", _("Second review concluded")
    CLOSED = "closed", _("Closed")


OPEN_PETITION_STATUSES = frozenset(
    {
        PetitionStatus.RECEIVED,
        PetitionStatus.ACCEPTED,
        PetitionStatus.ASSIGNED,
        PetitionStatus.HANDLED,
        PetitionStatus.REVIEW_REQUESTED,
        PetitionStatus.SECOND_REVIEW_REQUESTED,
    }
)


# The office's statutory clocks, one after the other: tell whether accepted, conclude (60 days
# from acceptance, `conclusion_due` already holds an extension), conclude the review (复查),
# conclude the second review (复核). The windows in which the petitioner may request a review
# or a second review are the petitioner's, not the office's: they are shown on the page but
# never make a petition overdue.
PETITION_CLOCKS = CaseClocks(
    open_statuses=OPEN_PETITION_STATUSES,
    clocks=[
        ClockSpec("acceptance", _("Tell whether accepted"), "acceptance_due", "decided_on"),
        ClockSpec("conclusion", _("Conclude"), "conclusion_due", "replied_on"),
        ClockSpec("review", _("Conclude the review"), "review_due", "reviewed_on"),
        ClockSpec(
            "second_review",
            _("Conclude the second review"),
            "second_review_due",
            "second_reviewed_on",
        ),
    ],
)


# Department liaisons and mediators work on disputes; of petitions they see only those they
# are assigned to, and a liaison those sent to their department (转送/交办).
PETITION_AREA_ROLES = AREA_WIDE_ROLES - {Role.DEPARTMENT_LIAISON, Role.MEDIATOR}


class PetitionQuerySet(JurisdictionQuerySet):
    area_field = "area"

    def visible_to(self, user):
        """The petitions `user` may see: those of their jurisdiction held in a role that
        handles petitions (not a department liaison or a mediator; not a grid worker or
        liaison police officer, whose roles are scoped to grids), those they are assigned
        to handle, and those sent to a department they are a liaison of. The rule is here,
        once."""
        if user is None or not user.is_authenticated:
            return self.none()
        handled = PetitionAssignment.objects.filter(person=user, ended_at__isnull=True).values(
            "petition_id"
        )
        departments = Department.objects.filter(liaisons=user).values("pk")
        return self.filter(
            self.in_jurisdiction_q(user, roles=PETITION_AREA_ROLES)
            | Q(pk__in=Subquery(handled))
            | Q(department__in=Subquery(departments))
        )

    def open_(self):
        return self.filter(PETITION_CLOCKS.open_q())

    def overdue(self, *, on: date):
        """Open petitions whose running statutory clock fell due before `on`."""
        return self.filter(PETITION_CLOCKS.overdue_q(on=on))


class Petition(Case):
    channel = models.CharField(_("channel"), max_length=16, choices=PetitionChannel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"), max_length=10000)
    group_size = models.PositiveIntegerField(
        _("petitioners in the group"), default=1, validators=[MinValueValidator(1)]
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area concerned"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    registering_unit = models.ForeignKey(
        Area,
        verbose_name=_("registered by (unit)"),
        on_delete=models.PROTECT,
        related_name="registered_petitions",
    )
    level = models.CharField(_("handling level"), max_length=16, choices=PetitionLevel.choices)
    # 转送/交办: the department of the county the centre sent the petition to, which then
    # accepts (if not yet accepted), handles and replies ("谁主管、谁负责"); None while the
    # centre at `level` handles it itself.
    department = models.ForeignKey(
        Department,
        verbose_name=_("department handling it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=PetitionStatus.choices,
        default=PetitionStatus.RECEIVED,
    )
    disputes = models.ManyToManyField(
        "disputes.Dispute", verbose_name=_("linked disputes"), blank=True, related_name="petitions"
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("possible repeat of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
    )
    # The statutory clocks, as dates (Beijing time).
    received_on = models.DateField(_("received on"))
    acceptance_due = models.DateField(_("acceptance due"))
    # The day the petitioner was told whether it is accepted, either way.
    decided_on = models.DateField(_("acceptance decided on"), null=True, blank=True)
    not_accepted_reason = models.TextField(_("reason for not accepting"), blank=True)
    # 诉访分离: the claim belongs to a legal channel, and the body it is to be brought to.
    # (Database defaults too: the load generator writes rows with COPY.)
    referral_channel = models.CharField(
        _("legal channel"),
        max_length=32,
        choices=ReferralChannel.choices,
        blank=True,
        db_default="",
    )
    referral_body = models.CharField(
        _("body to apply to"), max_length=200, blank=True, db_default=""
    )
    conclusion_due = models.DateField(_("conclusion due"), null=True, blank=True)
    # The one extension: asked for by those handling it, approved by the head of the
    # handling body, who is not the one who asked.
    extension_requested_days = models.PositiveSmallIntegerField(
        _("extension asked for (days)"), default=0, db_default=0
    )
    extension_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extension asked for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    handling_opinion = models.TextField(_("handling opinion"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    review_request_due = models.DateField(_("review may be requested until"), null=True, blank=True)
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_opinion = models.TextField(_("review opinion"), blank=True)
    # 复核: by the level above the reviewer, on its own clock; its opinion is final.
    second_review_request_due = models.DateField(
        _("second review may be requested until"), null=True, blank=True
    )
    second_review_requested_on = models.DateField(
        _("second review requested on"), null=True, blank=True
    )
    second_review_due = models.DateField(_("second review due"), null=True, blank=True)
    second_reviewed_on = models.DateField(_("second review concluded on"), null=True, blank=True)
    second_review_opinion = models.TextField(_("second review opinion"), blank=True, db_default="")
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-registered_at", "-pk"]
        indexes = [models.Index(fields=["status", "acceptance_due"])]

    def running_clock(self) -> RunningClock | None:
        """The statutory clock the office works to now (acceptance, conclusion or review), or
        None when none runs."""
        return PETITION_CLOCKS.running(self)

    def is_overdue(self, *, on: date) -> bool:
        return PETITION_CLOCKS.is_overdue(self, on=on)


class Petitioner(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="petitioners")
    name = models.CharField(_("name"), max_length=50)
    # Encrypted at rest; a petitioner's other petitions are found through the digest.
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    id_number_digest = BlindIndexField(source="id_number")

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")
        indexes = [
            models.Index(fields=["id_number_digest"], name="petitioner_id_digest_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class PetitionAssignment(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="petition_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.petition} → {self.person}"


class PetitionClock(models.Model):
    """The statutory periods, in calendar days, as an administrator has set them. When a
    period ends on a day that is not a working day, it ends on the next working day."""

    name = models.CharField(max_length=32, unique=True)
    days = models.PositiveSmallIntegerField(
        _("days"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("petition clock")
        verbose_name_plural = _("petition clocks")

    def __str__(self) -> str:
        return f"{self.name}: {self.days}"


# 信访工作条例 (2022): tell the petitioner within 15 days whether it is accepted; conclude within
# 60 days of acceptance, extendable once by up to 30; request a review within 30 days of the
# reply; the review within 30 days; request a second review within 30 days of the review's
# opinion; the second review within 30 days. Calendar days, as the statute counts them.
DEFAULT_CLOCK_DAYS = {
    "acceptance": 15,
    "conclusion": 60,
    "max_extension": 30,
    "review_request": 30,
    "review": 30,
    "second_review_request": 30,
    "second_review": 30,
}

CLOCK_LABELS = {
    "acceptance": _("Tell whether accepted"),
    "conclusion": _("Conclude"),
    "max_extension": _("Longest extension"),
    "review_request": _("Request a review"),
    "review": _("Conclude the review"),
    "second_review_request": _("Request a second review"),
    "second_review": _("Conclude the second review"),
}

# Where each period is laid down; shown on the settings page next to it.
CLOCK_SOURCES = {
    "acceptance": _("信访工作条例: tell within 15 days of receipt whether it is accepted"),
    "conclusion": _("信访工作条例: conclude within 60 days of acceptance"),
    "max_extension": _(
        "信访工作条例: an extension of no more than 30 days, approved by the body's head"
    ),
    "review_request": _("信访工作条例: a review may be requested within 30 days of the reply"),
    "review": _("信访工作条例: the review within 30 days of the request"),
    "second_review_request": _(
        "信访工作条例: a second review may be requested within 30 days of the review's opinion"
    ),
    "second_review": _("信访工作条例: the second review within 30 days of the request"),
}


class PetitionEvent(CaseEvent):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=32)

    class Meta(CaseEvent.Meta):
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")

    @classmethod
    def kind_labels(cls) -> dict:
        from petitions.actions import EVENT_LABELS

        return EVENT_LABELS

"""The front desk (一窗受理): every matter that arrives — a walk-in, a call, a work order from
the 12345 hotline, a 110 non-police call, a court's referral — is received here, numbered,
given a query code for the resident, classified and routed to a case (`desk.services`).

Every change is a `MatterEvent`, which is never edited (the case kit's append-only guard).
"""

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import CaseEvent
from governance.models import Area, AreaLevel
from governance.querysets import JurisdictionQuerySet
from infra.fields import BlindIndexField, EncryptedCharField


class MatterChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in (来访)")
    PHONE = "phone", _("Phone call (来电)")
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    POLICE_110 = "police_110", _("110 non-police call")
    COURT = "court", _("Court referral (委派/委托调解)")
    PETITION_REFERRAL = "petition_referral", _("Petition to mediation (访调对接)")
    ONLINE = "online", _("Online")


class MatterKind(models.TextChoices):
    PENDING = "pending", _("Not yet classified")
    CONSULTATION = "consultation", _("Consultation")
    INCIDENT = "incident", _("Incident")
    DISPUTE = "dispute", _("Dispute")
    PETITION = "petition", _("Petition")


class MatterStatus(models.TextChoices):
    # The centre's words for a matter's state, the same on the desk's pages and to a source
    # system over the intake API (open311): one label per state.
    # Numbered, not yet routed.
    RECEIVED = "received", pgettext_lazy("work order status", "Received")
    # A work order from a source system, taken by the centre (签收).
    SIGNED_IN = "signed_in", pgettext_lazy("work order status", "Signed in")
    # A work order sent back to its source as not the centre's (退单); final.
    RETURNED = "returned", pgettext_lazy("work order status", "Returned")
    # A case was created for it.
    ROUTED = "routed", pgettext_lazy("work order status", "Routed")
    # Answered at the desk (a consultation), or its case finished and the result reported.
    ANSWERED = "answered", pgettext_lazy("work order status", "Concluded")


# The statuses a matter can still be classified or returned from.
UNROUTED_STATUSES = frozenset({MatterStatus.RECEIVED, MatterStatus.SIGNED_IN})
FINAL_STATUSES = frozenset({MatterStatus.RETURNED, MatterStatus.ANSWERED})

# The levels a matter may be about: the village or community, or a township as a whole.
MATTER_AREA_LEVELS = frozenset({AreaLevel.VILLAGE, AreaLevel.TOWNSHIP})


def desk_roles() -> frozenset[str]:
    """Who staffs the desk: the township's and the county's centre staff, as the case kit's
    one table of who staffs a level says (`cases.levels.LEVEL_ROLES`)."""
    from cases.levels import LEVEL_ROLES

    return LEVEL_ROLES[AreaLevel.TOWNSHIP] | LEVEL_ROLES[AreaLevel.COUNTY]


class MatterQuerySet(JurisdictionQuerySet):
    area_field = "area"

    def visible_to(self, user):
        """The matters `user` may see: those about an area of their jurisdiction, held as the
        desk's staff (township centre staff, county officials). The rule is here, once."""
        return self.filter(self.in_jurisdiction_q(user, roles=desk_roles()))


class Matter(models.Model):
    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    # The query code printed on the receipt, stored only as a keyed digest.
    query_code_hash = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=24, choices=MatterChannel.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=MatterKind.choices, default=MatterKind.PENDING
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MatterStatus.choices, default=MatterStatus.RECEIVED
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area concerned"), on_delete=models.PROTECT, related_name="matters"
    )
    subject = models.CharField(_("subject"), max_length=100)
    description = models.TextField(_("description"), max_length=5000)
    place = models.CharField(_("place"), max_length=200, blank=True)
    requester_name = models.CharField(_("requester's name"), max_length=50, blank=True)
    requester_phone = EncryptedCharField(_("requester's phone"), max_length=20, blank=True)
    requester_phone_digest = BlindIndexField(source="requester_phone")
    public_reply = models.TextField(_("public reply"), max_length=2000, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_matters",
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    # A source's deadline (a hotline work order's, a court's).
    due_at = models.DateTimeField(_("source's deadline"), null=True, blank=True)
    # Until when the centre may send a work order back to the system it came from (退单), by
    # that source's rule; none for what arrived at the desk itself, which has no one to go
    # back to. A matter with it is a work order, to be signed in (签收) or returned.
    return_by = models.DateTimeField(_("may be returned until"), null=True, blank=True)
    # The case it was routed to: at most one is set.
    dispute = models.ForeignKey(
        "disputes.Dispute",
        verbose_name=_("dispute"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
    )
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("petition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("possible repeat of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
    )

    objects = MatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["area", "received_at"], name="matter_area_received_idx"),
            models.Index(fields=["requester_phone_digest"], name="matter_phone_digest_idx"),
            models.Index(fields=["status", "received_at"], name="matter_status_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(dispute__isnull=True, petition__isnull=True)
                    | models.Q(dispute__isnull=True, incident__isnull=True)
                    | models.Q(petition__isnull=True, incident__isnull=True)
                ),
                name="matter_routed_to_at_most_one_case",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_work_order(self) -> bool:
        return self.return_by is not None

    @staticmethod
    def digest_query_code(number: str, code: str) -> str:
        """The keyed digest of a query code, bound to its matter's number so that one code
        leaks nothing about another matter's."""
        normalised = (code or "").strip().upper()
        return salted_hmac("desk.query_code", f"{number}:{normalised}").hexdigest()

    def set_query_code(self, code: str) -> None:
        self.query_code_hash = self.digest_query_code(self.number, code)

    def check_query_code(self, code: str) -> bool:
        return bool(self.query_code_hash) and constant_time_compare(
            self.query_code_hash, self.digest_query_code(self.number, code)
        )

    @property
    def case(self):
        """The case the matter was routed to, if any."""
        return self.dispute or self.petition or self.incident


class MatterSequence(models.Model):
    """The last number given to a matter of one county on one day: the sequence part of the
    receipt number, taken under a row lock so that two desks never give the same one."""

    county_code = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county_code", "day"], name="matter_sequence_day")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.day}: {self.last}"


class MatterEventKind(models.TextChoices):
    RECEIVED = "received", _("Received at the desk")
    SIGNED_IN = "signed_in", pgettext_lazy("work order event", "Signed in")
    RETURNED = "returned", _("Returned to its source")
    CLASSIFIED = "classified", _("Classified")
    ANSWERED = "answered", _("Answered at the desk")
    CASE_FINISHED = "case_finished", _("Its case finished")
    REPLY_PUBLISHED = "reply_published", _("Reply published")


class MatterEvent(CaseEvent):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=MatterEventKind.choices)

    class Meta(CaseEvent.Meta):
        verbose_name = _("matter event")
        verbose_name_plural = _("matter events")


def attachment_path(attachment, filename):
    return f"desk/{attachment.matter_id}/{attachment.stored_name}"


class MatterAttachment(models.Model):
    """A photo or PDF handed in at the desk, checked as a dispute's evidence is."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    stored_name = models.CharField(max_length=100)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

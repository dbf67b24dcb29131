"""The intake API's own records: the systems allowed to send work orders (12345, 110, the
court), the work order each matter from them is, and the callbacks that report a matter's
progress back to its source.

The matter itself (number, status, reply) is the desk's (`desk.models.Matter`); a work order
only adds what the source system said about it: its own number and its deadline."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.models import Matter, MatterChannel, MatterEvent
from governance.models import Area


class SourceSystemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class SourceSystem(models.Model):
    """A system that sends work orders, with its token. Only the token's SHA-256 digest is
    kept: the token itself is shown once, when it is issued (`services.source_issue`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.CharField(_("channel"), max_length=24, choices=MatterChannel.choices)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The token's last characters, so that the administrator can tell which one a system holds.
    token_hint = models.CharField(_("token ends with"), max_length=8, editable=False)
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas it may send to"), related_name="+", blank=False
    )
    callback_url = models.URLField(_("callback URL"), max_length=500, blank=True)
    return_limit_hours = models.PositiveIntegerField(_("hours within which it may be returned"))
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"))
    issued_at = models.DateTimeField(_("token issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SourceSystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("source system")
        verbose_name_plural = _("source systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class WorkOrder(models.Model):
    """A matter as a source system sent it: the source's own number (one matter per number:
    a post repeated with the same number is the same work order) and its deadline."""

    matter = models.OneToOneField(
        Matter, on_delete=models.PROTECT, related_name="work_order", verbose_name=_("matter")
    )
    source = models.ForeignKey(
        SourceSystem,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("source system"),
    )
    source_number = models.CharField(_("source's number"), max_length=64)
    source_deadline = models.DateTimeField(_("source's deadline"), null=True, blank=True)
    # The kind the source thinks it is (a service code); the desk classifies it for itself.
    service_code = models.CharField(_("service code"), max_length=32)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_number"], name="work_order_one_per_source_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_number}"


class Callback(models.Model):
    """One report of one matter event to the source's callback URL. One row per event (the
    unique key), marked delivered under a row lock, so that the event is reported once;
    until then it is retried (`services.callback_deliver`)."""

    event = models.OneToOneField(
        MatterEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("work order")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="callback_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_order} #{self.event_id}"

"""The base of every case type: the case's number, who registered it, supervision and the
version that guards against two people acting at once; and the event row that records each
change, written once and never edited (docs/architecture.md, rule 4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    """What every case type (dispute, petition) has: a number people quote, who registered it
    and when, whether a superior supervises it (督办), and a version that every change
    increments — a form carries the version it was drawn from, so a second person acting on a
    case that changed under them is told so instead of overwriting (`cases.actions`)."""

    number = models.CharField(_("number"), max_length=32, unique=True, blank=True)
    under_supervision = models.BooleanField(_("under supervision"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_%(class)ss",
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number or str(self.pk)


class EventRowIsPermanent(Exception):
    """Raised on an attempt to edit or delete a case event."""


class CaseEvent(models.Model):
    """One change to a case: who, when, from which status to which, why, and details.

    Case apps subclass it with a foreign key to their case and a `kind` with their own
    choices. Rows are written once by a service and never edited or deleted
    (docs/architecture.md, rule 4); the case page's timeline is these rows in order.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise EventRowIsPermanent(f"{type(self).__name__} {self.pk} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventRowIsPermanent(f"{type(self).__name__} {self.pk} cannot be deleted.")

    # What a case page's timeline (templates/partials/_timeline.html) shows for a row: its
    # label and, after it, any details of the kind. A case app overrides `kind_labels` when
    # its `kind` has no choices, and `timeline_details` when a row says more than its label.
    @classmethod
    def kind_labels(cls) -> dict:
        return dict(cls._meta.get_field("kind").flatchoices)

    @property
    def timeline_label(self) -> str:
        label = self.kind_labels().get(self.kind) or SHARED_EVENT_LABELS.get(self.kind)
        return str(label or self.kind)

    @property
    def timeline_details(self) -> list[dict]:
        """Extra marks shown after the label: dicts with `text`, `css` and an optional
        `title`."""
        return []


# Event kinds every case type shares (the supervision a red light opens): the timeline's label
# when the case type's own labels do not name the kind.
SHARED_EVENT_LABELS = {
    "supervision_opened": _("Overdue: supervision opened by the level above"),
    "supervision_instructed": _("Supervision instruction"),
    "supervision_answered": _("Supervision answered"),
}


class WatchedKind(models.TextChoices):
    """The kinds of case that carry a warning light (`cases.lights`)."""

    DISPUTE = "dispute", _("Disputes")
    PETITION = "petition", _("Petitions")
    INCIDENT = "incident", _("Incidents")
    SUMMONS = "summons", _("Summonses")


class LightRule(models.Model):
    """A county's warning period for one kind of case: the light turns yellow when at most
    `working_days` working days remain before the due date. Where none is set, the default
    (`cases.lights.DEFAULT_WARNING_DAYS`) holds."""

    county = models.ForeignKey(
        "governance.Area",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="light_rules",
        limit_choices_to={"level": "county"},
    )
    kind = models.CharField(_("kind of case"), max_length=16, choices=WatchedKind.choices)
    working_days = models.PositiveSmallIntegerField(_("working days"))

    class Meta:
        verbose_name = _("warning period")
        verbose_name_plural = _("warning periods")
        constraints = [models.UniqueConstraint(fields=["county", "kind"], name="light_rule_unique")]

    def __str__(self) -> str:
        return f"{self.county} · {self.kind}: {self.working_days}"


class SupervisionOrigin(models.TextChoices):
    """Why a case is supervised: its light turned red, or a superior chose to (督办 by hand)."""

    RED_LIGHT = "red_light", _("Overdue (red light)")
    MANUAL = "manual", _("By a superior")


class Supervision(models.Model):
    """督办: the level above the one handling a case supervises it; the handling level
    answers. Opened by the nightly job when the case's light turns red (one per case and
    missed deadline, `clock` and `clock_due`, however often the job runs; with a due date of
    its own), or by a superior's action on the case's page (no missed deadline, no due date;
    answered with the case's own action). Escalating the case stays a person's decision with
    a reason."""

    origin = models.CharField(
        _("origin"),
        max_length=16,
        choices=SupervisionOrigin.choices,
        default=SupervisionOrigin.RED_LIGHT,
    )
    kind = models.CharField(_("kind of case"), max_length=16, choices=WatchedKind.choices)
    object_id = models.PositiveBigIntegerField()
    number = models.CharField(_("number"), max_length=32)
    # The case's page (a summons's is its dispute's): where the supervision shows and is answered.
    url = models.CharField(max_length=200, db_index=True)
    area = models.ForeignKey(
        "governance.Area", on_delete=models.PROTECT, related_name="case_supervisions"
    )
    case_level = models.CharField(_("handling level"), max_length=16)
    level = models.CharField(_("supervising level"), max_length=16)
    # The clock that ran out and its due date (none for a superior's own supervision).
    clock = models.CharField(max_length=32, blank=True)
    clock_due = models.DateField(_("missed deadline"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    note = models.TextField(_("instruction"), max_length=2000, blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    instructed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "clock", "clock_due"],
                name="case_supervision_once_per_deadline",
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.number} {self.clock_due}"

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
        return str(self.kind_labels().get(self.kind, self.kind))

    @property
    def timeline_details(self) -> list[dict]:
        """Extra marks shown after the label: dicts with `text`, `css` and an optional
        `title`."""
        return []

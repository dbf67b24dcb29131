from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxTask(models.Model):
    """A task call that could not be handed to the broker when it was made, kept until a
    drain sends it. Rows are never deleted by the portal: a sent row keeps when it was sent."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    options = models.JSONField(_("sending options"), default=dict, blank=True)
    created_at = models.DateTimeField(_("kept at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed sending attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("waiting task")
        verbose_name_plural = _("waiting tasks")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="outbox_waiting")
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

"""One row per audited event. Rows are written once and never changed; they are deleted only
by the retention purge, once older than `AUDIT_RETENTION_DAYS` (never fewer than
`retention.MINIMUM_RETENTION_DAYS`)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_OUT = "sign_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    ACCESS_DENIED = "access_denied", _("Access denied")
    EXPORT = "export", _("Export")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    PERSON_CREATED = "person_created", _("Person created")
    PERSONAL_DATA_SHOWN = "personal_data_shown", _("Personal data shown")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Personal data exported")
    PURGED = "purged", _("Old entries purged")
    SETTING_CHANGED = "setting_changed", _("Setting changed")
    # A resident's look at a matter's progress by its number and query code (no account).
    PROGRESS_QUERIED = "progress_queried", _("Progress queried by code")


# Events about something that was refused: they must be kept even when the work around them
# rolls back (see `services.audit_record`).
REFUSAL_KINDS = frozenset({AuditKind.SIGN_IN_FAILED, AuditKind.LOCKED_OUT, AuditKind.ACCESS_DENIED})


class AuditEntryIsPermanent(Exception):
    """Raised on an attempt to change or delete an audit entry."""


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A copy of who it was, so the row reads the same after the person is renamed.
    actor_name = models.CharField(_("person's name"), max_length=200, blank=True)
    area = models.ForeignKey(
        "governance.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
            models.Index(fields=["area", "at"], name="audit_area_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryIsPermanent(f"Audit entry {self.pk} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryIsPermanent(f"Audit entry {self.pk} cannot be deleted.")

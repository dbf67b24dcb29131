"""How long the audit log is kept: the legal minimum, written once here, and the check every
user of a configured retention applies (the settings at start-up, the nightly purge). The
database trigger that refuses to delete a younger entry is (re)written from the same constant
after every `migrate`.

Imported by the settings, so it imports nothing of Django's models."""

from django.core.exceptions import ImproperlyConfigured

# 网络安全法 §21: network logs are kept no less than six months.
MINIMUM_RETENTION_DAYS = 180
DEFAULT_RETENTION_DAYS = 365


def checked_retention_days(days) -> int:
    """`days` if it is a whole number of at least the legal minimum; otherwise the
    configuration is refused, naming the setting."""
    if isinstance(days, str):
        try:
            days = int(days)
        except ValueError:
            raise ImproperlyConfigured(
                f"AUDIT_RETENTION_DAYS must be a whole number of days; it is {days!r}."
            ) from None
    if isinstance(days, bool) or not isinstance(days, int) or days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS must be a whole number of at least {MINIMUM_RETENTION_DAYS} "
            f"days (network logs are kept at least six months); it is {days!r}."
        )
    return days


# CREATE OR REPLACE: the function the trigger of migration 0001 calls, with the minimum of
# this module; TRUNCATE stays possible (it is what a test database is emptied with).
REFUSE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit entry % cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.at > now() - interval '{MINIMUM_RETENTION_DAYS} days' THEN
        RAISE EXCEPTION 'audit entry % is younger than % days and cannot be deleted',
            OLD.id, {MINIMUM_RETENTION_DAYS}
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END
$$
"""


def install_retention_guard(*, using: str = "default", **_signal_arguments) -> None:
    """Connected to `post_migrate`; PostgreSQL only (elsewhere the model refuses deletes)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(REFUSE_FUNCTION)

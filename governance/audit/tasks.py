"""The retention purge as a Celery task; scheduled daily in CELERY_BEAT_SCHEDULE."""

from celery import shared_task
from celery.signals import task_postrun

from governance.audit.services import audit_flush_pending, audit_purge


@shared_task(acks_late=True)
def purge_audit_log() -> int:
    """Delete the audit entries older than AUDIT_RETENTION_DAYS; returns how many."""
    return audit_purge()


@task_postrun.connect(dispatch_uid="audit_flush_after_task")
def _flush_after_task(**kwargs) -> None:
    # A refusal recorded inside a task's transaction that rolled back is written now.
    audit_flush_pending()

from celery import shared_task

from disputes.services import escalate_overdue


@shared_task(acks_late=True)
def escalate_overdue_disputes() -> int:
    """Thin and idempotent: see `disputes.services.escalate_overdue`."""
    return escalate_overdue()

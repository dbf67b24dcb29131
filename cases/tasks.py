from celery import shared_task

from cases.supervision import supervise_red_cases as open_supervisions


@shared_task(acks_late=True)
def supervise_red_cases() -> int:
    """Thin and idempotent: see `cases.supervision.supervise_red_cases`."""
    return open_supervisions()

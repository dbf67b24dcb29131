from celery import shared_task
from celery.signals import worker_ready

from governance.outbox.services import drain


@shared_task
def drain_outbox() -> int:
    """Send the calls kept while the broker was down; on the beat schedule every minute."""
    sent, _waiting = drain()
    return sent


@worker_ready.connect
def drain_when_a_worker_starts(**kwargs) -> None:
    """A worker starting is often the broker coming back (or the whole machine): send what
    waited at once rather than at the next minute."""
    drain_outbox.apply_async(retry=False)

from celery import shared_task

from open311.services import callback_deliver, callbacks_deliver_waiting


@shared_task
def deliver_callback(callback_pk: int) -> bool:
    """Post one callback to its source (a no-op when it was delivered already)."""
    return callback_deliver(callback_pk=callback_pk)


@shared_task
def deliver_waiting_callbacks() -> int:
    """Every minute: the callbacks that failed and are due again, and those of events whose
    callback was never kept (the process stopped between the event and its callback)."""
    delivered, _waiting = callbacks_deliver_waiting()
    return delivered

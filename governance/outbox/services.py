"""Queueing a task: `enqueue` sends it to the broker after the transaction commits, or keeps
it in the outbox when the broker is down; `drain` sends what was kept.

A call may reach the broker twice (a drain that dies between sending a row and marking it
sent sends it again), never zero times once its transaction committed and its row was
written; the tasks are idempotent for that reason (house rule: tasks are thin and idempotent).
"""

import json
import logging
from functools import partial

import redis

# The portal's Celery app (config.celery), made the current one when Django starts.
from celery import current_app as app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError

from governance.outbox.models import OutboxTask

logger = logging.getLogger(__name__)

# What an unreachable or failing broker raises through Celery, kombu or redis-py.
BROKER_ERRORS = (KombuError, redis.RedisError, OSError)
# One reconnection (a connection the pool kept from before a Redis restart is dead), then give
# up: the outbox, not the person waiting for the page, absorbs an outage.
QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task(*args, **kwargs)` when the current transaction commits (at once outside
    a transaction). The arguments must be JSON values: they may have to wait in a table."""
    json.dumps([args, kwargs])  # fail here, in the caller, not later in a drain
    transaction.on_commit(partial(send_or_keep, task.name, list(args), kwargs))


def send_or_keep(name: str, args=(), kwargs=None, options=None) -> bool:
    """Hand the call to the broker now; if it cannot be reached, keep it in the outbox.
    Returns whether it was sent. Without a broker (tasks run in-process) the task runs here."""
    kwargs, options = kwargs or {}, options or {}
    if app.conf.task_always_eager:
        _run_here(name, args, kwargs, options)
        return True
    try:
        _publish(name, args, kwargs, options)
    except BROKER_ERRORS as error:
        OutboxTask.objects.create(
            task=name,
            args=list(args),
            kwargs=kwargs,
            options=options,
            attempts=1,
            last_error=_describe(error),
        )
        logger.warning("broker unavailable, %s kept in the outbox: %s", name, _describe(error))
        return False
    return True


def drain() -> tuple[int, int]:
    """Send the waiting calls, oldest first, each marked sent in the transaction that sent
    it; stop at the first the broker refuses. Rows another drain is sending are skipped
    (FOR UPDATE SKIP LOCKED), so two drains at once never send a row twice.
    Returns (how many were sent, how many still wait)."""
    sent = 0
    while True:
        with transaction.atomic():
            row = (
                OutboxTask.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if row is None:
                break
            try:
                if app.conf.task_always_eager:
                    _run_here(row.task, row.args, row.kwargs, row.options)
                else:
                    _publish(row.task, row.args, row.kwargs, row.options)
            except BROKER_ERRORS as error:
                row.attempts += 1
                row.last_error = _describe(error)
                row.save(update_fields=["attempts", "last_error"])
                logger.warning("broker still unavailable, outbox not drained: %s", row.last_error)
                break
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
            sent += 1
    waiting = OutboxTask.objects.filter(sent_at__isnull=True).count()
    if sent:
        logger.info("outbox drained: %d sent, %d waiting", sent, waiting)
    return sent, waiting


def _publish(name: str, args, kwargs: dict, options: dict) -> None:
    app.send_task(name, args=args, kwargs=kwargs, retry=True, retry_policy=QUICK_RETRY, **options)


def _run_here(name: str, args, kwargs: dict, options: dict) -> None:
    app.loader.import_default_modules()
    app.tasks[name].apply_async(args=args, kwargs=kwargs, **options)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]

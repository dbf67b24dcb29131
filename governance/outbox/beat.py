"""The beat scheduler: Celery's own, except that a job due while the broker is down is kept
in the outbox (to be sent when it is back) instead of being skipped until its next time."""

import logging

from celery.beat import PersistentScheduler, SchedulingError, _evaluate_entry_args
from celery.beat import _evaluate_entry_kwargs as _evaluate_kwargs

logger = logging.getLogger(__name__)

DRAIN = "governance.outbox.tasks.drain_outbox"


class OutboxScheduler(PersistentScheduler):
    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        try:
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        except SchedulingError:
            if entry.task == DRAIN:  # the next minute's drain is as good as this one
                raise
            keep_scheduled(
                entry.task,
                _evaluate_entry_args(entry.args),
                _evaluate_kwargs(entry.kwargs),
                entry.options,
            )
            return None


def keep_scheduled(name: str, args, kwargs, options) -> None:
    """Keep a scheduled job in the outbox (the beat process is long-lived: drop a database
    connection that died since its last use first)."""
    from django.db import close_old_connections

    from governance.outbox.models import OutboxTask

    close_old_connections()
    OutboxTask.objects.create(
        task=name,
        args=list(args or []),
        kwargs=dict(kwargs or {}),
        options={k: v for k, v in (options or {}).items() if k in {"queue", "priority"}},
        attempts=1,
        last_error="the broker was unavailable when the job was due",
    )
    logger.warning("broker unavailable, scheduled job %s kept in the outbox", name)

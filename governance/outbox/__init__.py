"""The task outbox: every Celery task the portal queues goes through `services.enqueue`.

While the broker (Redis) is unreachable a task cannot be queued; rather than lose it or make
the person wait, `enqueue` keeps the call in an `OutboxTask` row and returns. `drain` sends
the waiting calls, oldest first, once the broker answers again: every minute from the beat
schedule, whenever a worker starts, and from `manage.py drain_outbox`. The beat scheduler
(`beat.OutboxScheduler`) does the same for a scheduled job due while the broker is down.

Without a broker (development: tasks run in-process) nothing changes: `enqueue` runs the task.
"""

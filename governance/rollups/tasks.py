from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from governance.rollups.engine import run_daily


@shared_task(acks_late=True)
def daily_clear(day: str | None = None) -> int:
    """日清: the day that just ended (or `day`, ISO). Thin and idempotent."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return run_daily(target).rows

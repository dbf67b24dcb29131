"""The rollup jobs as Celery tasks: thin, idempotent, each for the period that just ended
unless told which (ISO dates). The beat schedule is CELERY_BEAT_SCHEDULE in settings."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from governance.rollups.engine import previous_month, run_daily, run_monthly, run_weekly


@shared_task(acks_late=True)
def daily_clear(day: str | None = None) -> int:
    """日清: the day that just ended (or `day`, ISO)."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return run_daily(target).rows


@shared_task(acks_late=True)
def weekly_review(week_start: str | None = None) -> int:
    """周评: the week (Monday to Sunday) that just ended, or the week from Monday `week_start`."""
    if week_start:
        target = date.fromisoformat(week_start)
    else:
        today = timezone.localdate()
        target = today - timedelta(days=today.weekday() + 7)
    return run_weekly(target).rows


@shared_task(acks_late=True)
def monthly_assessment(month: str | None = None) -> int:
    """月考核: the month that just ended, or the month holding `month` (ISO date)."""
    target = date.fromisoformat(month) if month else previous_month(timezone.localdate())
    return run_monthly(target).rows

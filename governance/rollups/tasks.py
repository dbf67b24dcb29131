"""The rollup jobs as Celery tasks: thin, idempotent, each for the period that just ended
unless told which (ISO dates). The beat schedule is CELERY_BEAT_SCHEDULE in settings.

A run that finds the job's lock held (another run of the same job, perhaps for another
period, or a killed worker's run whose transaction PostgreSQL has not yet ended) is recorded
as skipped; the task then tries again a minute later, so the period is never left unwritten.
"""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from governance.rollups.engine import previous_month, run_daily, run_monthly, run_weekly
from governance.rollups.models import JobRun

RETRY_SECONDS = 60
RETRIES = 120  # two hours of a lock held by other runs (a long back-fill)


def _finish(task, run: JobRun) -> int:
    if run.outcome == JobRun.Outcome.SKIPPED and not task.request.is_eager:
        raise task.retry(countdown=RETRY_SECONDS, max_retries=RETRIES)
    return run.rows


@shared_task(bind=True, acks_late=True)
def daily_clear(self, day: str | None = None) -> int:
    """日清: the day that just ended (or `day`, ISO)."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    return _finish(self, run_daily(target))


@shared_task(bind=True, acks_late=True)
def weekly_review(self, week_start: str | None = None) -> int:
    """周评: the week (Monday to Sunday) that just ended, or the week from Monday `week_start`."""
    if week_start:
        target = date.fromisoformat(week_start)
    else:
        today = timezone.localdate()
        target = today - timedelta(days=today.weekday() + 7)
    return _finish(self, run_weekly(target))


@shared_task(bind=True, acks_late=True)
def monthly_assessment(self, month: str | None = None) -> int:
    """月考核: the month that just ended, or the month holding `month` (ISO date)."""
    target = date.fromisoformat(month) if month else previous_month(timezone.localdate())
    return _finish(self, run_monthly(target))

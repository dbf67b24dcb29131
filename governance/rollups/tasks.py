"""The rollup jobs as Celery tasks: thin, idempotent, each for the period that just ended
unless told which (ISO dates). The beat schedule is CELERY_BEAT_SCHEDULE in settings; it always
tells, with the period worked out when the job fell due (governance.periods).

A run that finds the job's lock held (another run of the same job, perhaps for another
period, or a killed worker's run whose transaction PostgreSQL has not yet ended) is recorded
as skipped; the task then tries again a minute later, so the period is never left unwritten.
"""

from datetime import date

from celery import shared_task

from governance.periods import day_that_ended, month_that_ended, week_that_ended
from governance.rollups.engine import run_daily, run_monthly, run_weekly
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
    return _finish(self, run_daily(date.fromisoformat(day or day_that_ended())))


@shared_task(bind=True, acks_late=True)
def weekly_review(self, week_start: str | None = None) -> int:
    """周评: the week (Monday to Sunday) that just ended, or the week from Monday `week_start`."""
    return _finish(self, run_weekly(date.fromisoformat(week_start or week_that_ended())))


@shared_task(bind=True, acks_late=True)
def monthly_assessment(self, month: str | None = None) -> int:
    """月考核: the month that just ended, or the month holding `month` (ISO date)."""
    return _finish(self, run_monthly(date.fromisoformat(month or month_that_ended())))

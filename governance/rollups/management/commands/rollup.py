"""`manage.py rollup [--job daily|weekly|monthly] --from X --to Y`: re-run or back-fill a job
for every period in a range, one progress line per period.

Daily takes days (YYYY-MM-DD); weekly takes days and runs each week (Monday to Sunday) that
holds a day of the range; monthly takes months (YYYY-MM, or a day of the month). Only
periods that have ended are accepted. Without --from: the last period that ended."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.rollups.engine import (
    month_bounds,
    previous_month,
    run_daily,
    run_monthly,
    run_weekly,
)
from governance.rollups.models import JobRun


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


def iso_month(value: str) -> date:
    try:
        if len(value) == 7:
            return date.fromisoformat(f"{value}-01")
        return date.fromisoformat(value).replace(day=1)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a month (YYYY-MM).") % {"value": value}) from None


def _days(first: str | None, last: str | None, today: date) -> list[tuple[date, str]]:
    start = iso_day(first) if first else today - timedelta(days=1)
    end = iso_day(last) if last else start
    if end < start:
        raise CommandError(_("The last day comes before the first."))
    if end >= today:
        raise CommandError(_("Only days that have ended can be rolled up."))
    return [
        (start + timedelta(days=n), (start + timedelta(days=n)).isoformat())
        for n in range((end - start).days + 1)
    ]


def _weeks(first: str | None, last: str | None, today: date) -> list[tuple[date, str]]:
    this_monday = today - timedelta(days=today.weekday())
    start = iso_day(first) if first else this_monday - timedelta(days=7)
    end = iso_day(last) if last else start
    if end < start:
        raise CommandError(_("The last day comes before the first."))
    start -= timedelta(days=start.weekday())
    end -= timedelta(days=end.weekday())
    if end >= this_monday:
        raise CommandError(_("Only weeks that have ended (Monday to Sunday) can be reviewed."))
    return [
        (start + timedelta(weeks=n), (start + timedelta(weeks=n)).isoformat())
        for n in range((end - start).days // 7 + 1)
    ]


def _months(first: str | None, last: str | None, today: date) -> list[tuple[date, str]]:
    start = iso_month(first) if first else previous_month(today)
    end = iso_month(last) if last else start
    if end < start:
        raise CommandError(_("The last month comes before the first."))
    if month_bounds(end)[1] >= today:
        raise CommandError(_("Only months that have ended can be assessed."))
    months, month = [], start
    while month <= end:
        months.append((month, f"{month:%Y-%m}"))
        month = month_bounds(month)[1] + timedelta(days=1)
    return months


JOBS = {
    "daily": (_days, run_daily),
    "weekly": (_weeks, run_weekly),
    "monthly": (_months, run_monthly),
}


class Command(BaseCommand):
    help = _(
        "Re-run or back-fill a rollup job (daily clear, weekly review or monthly assessment) "
        "for a range of periods, both ends included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--job", choices=sorted(JOBS), default="daily", help=_("which job (daily by default)")
        )
        parser.add_argument(
            "--from", dest="first", default=None, help=_("first day (or month, for monthly)")
        )
        parser.add_argument(
            "--to", dest="last", default=None, help=_("last day (or month, for monthly)")
        )

    def handle(self, *args, job, first, last, **options):
        periods_of, run_job = JOBS[job]
        periods = periods_of(first, last, timezone.localdate())
        total = len(periods)
        for index, (period, name) in enumerate(periods, start=1):
            run = run_job(period)
            self.stdout.write(
                _("[%(done)d/%(total)d] %(day)s: %(outcome)s, %(rows)d rows")
                % {
                    "done": index,
                    "total": total,
                    "day": name,
                    "outcome": JobRun.Outcome(run.outcome).label,
                    "rows": run.rows,
                }
            )

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.rollups.engine import run_daily
from governance.rollups.models import JobRun


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = _("Re-run or back-fill the daily rollups for a range of days (both ends included).")

    def add_arguments(self, parser):
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        parser.add_argument("--from", dest="first", default=yesterday, help=_("first day"))
        parser.add_argument("--to", dest="last", default=None, help=_("last day"))

    def handle(self, *args, first, last, **options):
        start = iso_day(first)
        end = iso_day(last) if last else start
        if end < start:
            raise CommandError(_("The last day comes before the first."))
        if end >= timezone.localdate():
            raise CommandError(_("Only days that have ended can be rolled up."))
        total = (end - start).days + 1
        for index in range(total):
            day = start + timedelta(days=index)
            run = run_daily(day)
            self.stdout.write(
                _("[%(done)d/%(total)d] %(day)s: %(outcome)s, %(rows)d rows")
                % {
                    "done": index + 1,
                    "total": total,
                    "day": day.isoformat(),
                    "outcome": JobRun.Outcome(run.outcome).label,
                    "rows": run.rows,
                }
            )

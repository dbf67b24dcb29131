"""The period each nightly, weekly and monthly job covers, worked out when the job falls due
rather than when it finally runs: the beat schedule passes these as lazy arguments, which beat
evaluates as it sends the job. A job kept in the outbox while Redis was down, or delivered again
after its worker died, then still rolls up the period it was due for, even after midnight.

Plain functions of the local date, importable from settings (no models).
"""

from datetime import timedelta

from django.utils import timezone


def day_that_ended() -> str:
    """Yesterday, ISO."""
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def week_that_ended() -> str:
    """The Monday of last week, ISO."""
    today = timezone.localdate()
    return (today - timedelta(days=today.weekday() + 7)).isoformat()


def month_that_ended() -> str:
    """The first day of last month, ISO."""
    first_of_this_month = timezone.localdate().replace(day=1)
    return (first_of_this_month - timedelta(days=1)).replace(day=1).isoformat()

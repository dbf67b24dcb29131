"""Working days on the mainland calendar: weekends, public holidays, and the make-up working
days (调休) on which a weekend day is worked, as published each year by the State Council.

The `holidays` package carries the published calendar; deadlines in working days are counted
here and nowhere else.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=[year])


def is_working_day(day: date) -> bool:
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: date, count: int) -> date:
    """The day on which `count` working days after `start` have passed (`start` itself not
    counted): a deadline of 5 working days from a Friday before a holiday lands after it."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset))
    )


def calendar_deadline(start: date, days: int) -> date:
    """A deadline of `days` calendar days from `start`; when its last day is not a working
    day, it ends on the next working day (the rule for statutory periods that end on a
    holiday, as for the petition clocks of the 信访工作条例)."""
    day = start + timedelta(days=days)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of `day` in Beijing time: day boundaries are Asia/Shanghai midnight."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day, time.max), zone)
    return start, end

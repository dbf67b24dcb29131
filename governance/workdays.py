"""Working days on the mainland calendar: weekends, public holidays, and the make-up working
days (调休) on which a weekend day is worked, as published each year by the State Council.

The `holidays` package carries the published calendar, but only as far as its release: a
year's make-up working days come with a later release, and an intranet cannot update it. So
an administrator of the whole city may correct it date by date (`CalendarDay`, written by
`governance.configuration.calendar`), and a correction holds over the package. Deadlines in
working days are counted here and nowhere else; a deadline already computed is a stored date
and keeps it, the next one counts with the correction.

The corrections (a few dozen rows a year) are read once per computation, never once per day:
from the cache shared by the portal's processes, or from the database when the cache has
none. A change drops the cached copy at once and again when it commits; the copy also expires
after `CORRECTIONS_SECONDS`, which bounds the one race left (corrections read from the
database just before a change commits, and stored just after it dropped them).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from governance.models import CalendarDay, CalendarDayKind

CORRECTIONS_KEY = "workdays:corrections"
CORRECTIONS_SECONDS = 10 * 60

# From this day of each year (month, day), the administrators are warned when the next year
# has no make-up working day yet: the State Council publishes the schedule in the autumn.
WARN_FROM = (11, 1)


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=[year])


def corrections() -> dict[date, str]:
    """Every correction, date → `CalendarDayKind`: from the cache, else from the database."""
    found = cache.get(CORRECTIONS_KEY)
    if found is None:
        found = dict(CalendarDay.objects.values_list("day", "kind"))
        cache.set(CORRECTIONS_KEY, found, CORRECTIONS_SECONDS)
    return found


def forget_corrections() -> None:
    """Drop the cached corrections, now and when the open transaction commits (a process that
    read the database in between must not keep what it read)."""
    cache.delete(CORRECTIONS_KEY)
    transaction.on_commit(lambda: cache.delete(CORRECTIONS_KEY))


def package_kind(day: date) -> str:
    """What the published calendar of the `holidays` package makes of `day`."""
    calendar = _calendar(day.year)
    if day in calendar:
        return CalendarDayKind.HOLIDAY
    if day in calendar.weekend_workdays:
        return CalendarDayKind.WORKDAY
    return CalendarDayKind.ORDINARY


def day_kind(day: date, corrected: dict[date, str] | None = None) -> str:
    """What `day` is: a holiday, a make-up working day, or an ordinary day; corrections first."""
    if corrected is None:
        corrected = corrections()
    return corrected.get(day) or package_kind(day)


def _working(day: date, corrected: dict[date, str]) -> bool:
    kind = corrected.get(day)
    if kind == CalendarDayKind.HOLIDAY:
        return False
    if kind == CalendarDayKind.WORKDAY:
        return True
    if kind == CalendarDayKind.ORDINARY:
        return day.weekday() < 5
    return _calendar(day.year).is_working_day(day)


def is_working_day(day: date) -> bool:
    return _working(day, corrections())


def add_working_days(start: date, count: int) -> date:
    """The day on which `count` working days after `start` have passed (`start` itself not
    counted): a deadline of 5 working days from a Friday before a holiday lands after it."""
    if count < 0:
        raise ValueError("count must not be negative")
    corrected = corrections()
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if _working(day, corrected):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    corrected = corrections()
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if _working(start + timedelta(days=offset), corrected)
    )


def calendar_deadline(start: date, days: int) -> date:
    """A deadline of `days` calendar days from `start`; when its last day is not a working
    day, it ends on the next working day (the rule for statutory periods that end on a
    holiday, as for the petition clocks of the 信访工作条例)."""
    corrected = corrections()
    day = start + timedelta(days=days)
    while not _working(day, corrected):
        day += timedelta(days=1)
    return day


def package_year(year: int) -> dict[date, tuple[str, str]]:
    """The published holidays and make-up working days of `year`: date → (kind, name), the
    names in Chinese when the page is (the package names make-up days nothing)."""
    language = "zh_CN" if (translation.get_language() or "").startswith("zh") else "en_US"
    calendar = holidays.China(years=[year], language=language)
    days = {day: (CalendarDayKind.HOLIDAY, name) for day, name in calendar.items()}
    for day in calendar.weekend_workdays:
        if day.year == year:
            days[day] = (CalendarDayKind.WORKDAY, "")
    return days


def make_up_days_entered(year: int) -> bool:
    """Whether `year` has any make-up working day, published or entered."""
    if any(day.year == year for day in _calendar(year).weekend_workdays):
        return True
    return any(
        day.year == year and kind == CalendarDayKind.WORKDAY for day, kind in corrections().items()
    )


def year_lacking_make_up_days(today: date | None = None) -> int | None:
    """The next year, from `WARN_FROM` on, when it has no make-up working day yet (the
    schedule is not entered); None otherwise."""
    today = today or timezone.localdate()
    if (today.month, today.day) < WARN_FROM:
        return None
    year = today.year + 1
    return None if make_up_days_entered(year) else year


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of `day` in Beijing time: day boundaries are Asia/Shanghai midnight."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day, time.max), zone)
    return start, end

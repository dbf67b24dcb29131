"""Time helpers: the portal's days are Beijing days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of `day` on the wall clocks of Changzhi."""
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)

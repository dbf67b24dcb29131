"""Deadlines on the mainland calendar: holidays are skipped and the make-up
working days (调休) on a weekend are counted.

The expected dates are worked out by hand from the State Council's 2026 calendar, not with
the function under test: National Day and the Mid-Autumn Festival, 10/1 (Thu) to 10/7 (Wed)
off; Sunday 9/20 and Saturday 10/10 worked; 9/25 (Fri, Mid-Autumn) off. (The calendar reads
the administrator's corrections from the database, hence `db` even where there are none.)
"""

from datetime import date

import pytest
from django.utils import timezone

from disputes.models import DeadlineRule, DisputeKind, Level
from disputes.selectors import due_date
from governance.workdays import (
    add_working_days,
    calendar_deadline,
    is_working_day,
    working_days_between,
)
from tests.disputes.helpers import register


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 30), True),  # Wednesday before the holiday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 5), False),  # Monday, still the holiday
        (date(2026, 10, 7), False),  # Wednesday, day off for Sunday 9/20
        (date(2026, 10, 8), True),  # Thursday, back to work
        (date(2026, 10, 10), True),  # Saturday, a make-up working day
        (date(2026, 10, 11), False),  # an ordinary Sunday
        (date(2026, 9, 20), True),  # Sunday, a make-up working day
        (date(2026, 9, 19), False),  # an ordinary Saturday
        (date(2026, 9, 25), False),  # Friday, the Mid-Autumn Festival
    ],
)
def test_the_2026_autumn_calendar(db, day, working):
    assert is_working_day(day) is working


def test_five_working_days_from_the_eve_of_national_day(db):
    # From Wed 9/30 (not counted): 10/1-10/7 are off; Thu 10/8 is 1, Fri 10/9 is 2,
    # Sat 10/10 (make-up day) is 3, Sun 10/11 is off, Mon 10/12 is 4, Tue 10/13 is 5.
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5


def test_a_make_up_sunday_counts_and_a_festival_friday_does_not(db):
    # From Fri 9/18: Sat 9/19 off, Sun 9/20 is a make-up working day: the first.
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    # From Thu 9/24: Fri 9/25 is the Mid-Autumn Festival, then the weekend: Mon 9/28.
    assert add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 28)


def test_zero_working_days_is_the_day_itself_and_a_negative_count_is_refused(db):
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 10, 3), -1)


def test_a_deadline_rule_of_five_days_ending_in_the_holiday_ends_on_the_next_working_day(
    changzhi_slice,
):
    DeadlineRule.objects.create(level=Level.VILLAGE, kind="", days=5)

    # From Wed 9/30 (not counted): the fifth day is Mon 10/5, inside the National Day holiday;
    # the period ends on the next working day, Thu 10/8.
    assert due_date(level=Level.VILLAGE, kind=DisputeKind.DEBT, start=date(2026, 9, 30)) == date(
        2026, 10, 8
    )


def test_a_rule_for_the_kind_wins_over_the_rule_for_any_kind(changzhi_slice):
    DeadlineRule.objects.create(level=Level.VILLAGE, kind="", days=20)
    DeadlineRule.objects.create(level=Level.VILLAGE, kind=DisputeKind.LAND, days=10)

    # 9/30 + 10 days: Sat 10/10, a make-up working day. 9/30 + 20: Tue 10/20.
    assert due_date(level=Level.VILLAGE, kind=DisputeKind.LAND, start=date(2026, 9, 30)) == date(
        2026, 10, 10
    )
    assert due_date(level=Level.VILLAGE, kind=DisputeKind.DEBT, start=date(2026, 9, 30)) == date(
        2026, 10, 20
    )


def test_without_a_rule_a_township_has_the_month_of_peoples_mediation(changzhi_slice):
    # "一般在一个月内调结": 30 calendar days from 9/30 is Fri 10/30, a working day.
    assert due_date(level=Level.TOWNSHIP, kind=DisputeKind.DEBT, start=date(2026, 9, 30)) == date(
        2026, 10, 30
    )
    # From Wed 9/2: 30 days is Fri 10/2, in the holiday: the period ends Thu 10/8.
    assert due_date(level=Level.VILLAGE, kind=DisputeKind.DEBT, start=date(2026, 9, 2)) == date(
        2026, 10, 8
    )


def test_a_registered_dispute_is_due_after_the_days_of_its_level(township_staff):
    DeadlineRule.objects.create(level=Level.TOWNSHIP, kind="", days=7)

    dispute = register(township_staff)

    assert dispute.due_on == calendar_deadline(timezone.localdate(), 7)
    assert is_working_day(dispute.due_on)

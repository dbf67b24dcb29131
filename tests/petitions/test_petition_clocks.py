"""The statutory clocks of the 信访工作条例 (2022), in calendar days, each ending on the next
working day when its last day is not one (weekends, public holidays; make-up working days 调休
count as working days).

The 2026 calendar these dates were worked out on (holidays.China(years=2026)): Mid-Autumn
Festival Fri 09-25 off; National Day Thu 10-01 to Wed 10-07 off, with Sun 09-20 and Sat 10-10
worked instead.
"""

from datetime import date, timedelta

import holidays
import pytest
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from petitions import services
from petitions.models import PetitionClock, PetitionStatus
from petitions.selectors import clock_due, next_clock, petition_clocks
from tests.factories import PetitionFactory
from tests.petitions.helpers import fresh, register


def is_working_day(day: date) -> bool:
    return holidays.China(years=day.year).is_working_day(day)


def assert_period_end(due: date, start: date, days: int) -> None:
    """`due` is `days` calendar days after `start`, moved on to the next working day only over
    days off: the check of a clock that started today, whatever today is."""
    nominal = start + timedelta(days=days)
    assert due >= nominal
    assert is_working_day(due)
    assert all(not is_working_day(nominal + timedelta(n)) for n in range((due - nominal).days))


def test_the_acceptance_clock_ending_in_the_national_day_holiday_moves_to_the_first_day_back(
    township_staff,
):
    # Received Sun 2026-09-20 (a make-up working day); 15 days later is Mon 2026-10-05, a day
    # off of the National Day holiday, as are 10-06 and 10-07: the period ends Thu 2026-10-08.
    petition = register(township_staff, received_on=date(2026, 9, 20))

    assert fresh(petition).acceptance_due == date(2026, 10, 8)


def test_the_acceptance_clock_ending_on_a_working_day_is_fifteen_calendar_days(township_staff):
    # Received Mon 2026-11-02; 15 calendar days later is Tue 2026-11-17, a working day.
    petition = register(township_staff, received_on=date(2026, 11, 2))

    assert fresh(petition).acceptance_due == date(2026, 11, 17)


def test_the_acceptance_clock_ending_on_a_saturday_moves_to_monday(township_staff):
    # Received Fri 2026-11-06; 15 days later is Sat 2026-11-21: the period ends Mon 11-23.
    petition = register(township_staff, received_on=date(2026, 11, 6))

    assert fresh(petition).acceptance_due == date(2026, 11, 23)


def test_the_conclusion_clock_is_sixty_days_after_acceptance_and_skips_national_day(db):
    # Accepted Mon 2026-08-03: 28 days to 08-31, 30 more to 09-30, 2 more: Fri 2026-10-02,
    # National Day. 10-03 to 10-07 are days off too: the period ends Thu 2026-10-08.
    assert clock_due("conclusion", date(2026, 8, 3)) == date(2026, 10, 8)


def test_the_review_request_window_is_thirty_days_after_the_reply(db):
    # Replied Mon 2026-11-02: 28 days to 11-30, 2 more: Wed 2026-12-02, a working day.
    assert clock_due("review_request", date(2026, 11, 2)) == date(2026, 12, 2)
    # Replied Tue 2026-09-01: 30 days later is Thu 2026-10-01, National Day: Thu 10-08.
    assert clock_due("review_request", date(2026, 9, 1)) == date(2026, 10, 8)


def test_the_review_has_its_own_thirty_days_ending_after_the_mid_autumn_festival(db):
    # Review requested Wed 2026-08-26: 5 days to 08-31, 25 more: Fri 2026-09-25, the Mid-Autumn
    # Festival, then a weekend (09-26, 09-27): the review is due Mon 2026-09-28.
    assert clock_due("review", date(2026, 8, 26)) == date(2026, 9, 28)


def test_a_configured_clock_replaces_the_statutory_default(township_staff):
    PetitionClock.objects.create(name="acceptance", days=10)

    # Received Sun 2026-09-20; 10 days later is Wed 2026-09-30, a working day.
    petition = register(township_staff, received_on=date(2026, 9, 20))

    assert fresh(petition).acceptance_due == date(2026, 9, 30)
    # The other clocks keep the statute's days: 60 days after Mon 2026-08-03 is 10-08 (above).
    assert clock_due("conclusion", date(2026, 8, 3)) == date(2026, 10, 8)


def test_accepting_starts_the_sixty_day_conclusion_clock_on_the_day_of_acceptance(
    township_staff, petition
):
    services.petition_accept(actor=township_staff, petition=petition, version=petition.version)

    petition = fresh(petition)
    today = timezone.localdate()
    assert petition.status == PetitionStatus.ACCEPTED
    assert petition.decided_on == today
    assert_period_end(petition.conclusion_due, today, 60)


def test_replying_opens_a_thirty_day_window_to_request_a_review(township_staff):
    petition = PetitionFactory(
        status=PetitionStatus.HANDLED,
        decided_on=date(2026, 8, 3),
        conclusion_due=date(2026, 10, 8),
        handling_opinion="已协调供电所更换灯具",
    )

    services.petition_reply(
        actor=township_staff, petition=petition, version=petition.version, reply="路灯已修复。"
    )

    petition = fresh(petition)
    today = timezone.localdate()
    assert petition.replied_on == today
    assert_period_end(petition.review_request_due, today, 30)


def test_requesting_a_review_starts_the_review_clock(township_staff):
    today = timezone.localdate()
    petition = PetitionFactory(
        status=PetitionStatus.REPLIED,
        decided_on=today - timedelta(days=20),
        replied_on=today,
        reply="路灯已修复。",
        review_request_due=today + timedelta(days=30),
    )

    services.petition_request_review(
        actor=township_staff, petition=petition, version=petition.version, reason="仍有两盏不亮"
    )

    petition = fresh(petition)
    assert petition.status == PetitionStatus.REVIEW_REQUESTED
    assert petition.review_requested_on == today
    assert_period_end(petition.review_due, today, 30)


def test_a_review_requested_after_the_window_closed_is_refused(township_staff):
    today = timezone.localdate()
    petition = PetitionFactory(
        status=PetitionStatus.REPLIED,
        decided_on=today - timedelta(days=60),
        replied_on=today - timedelta(days=40),
        reply="路灯已修复。",
        review_request_due=today - timedelta(days=1),
    )

    with pytest.raises(TransitionNotAllowed, match="申请复查的期限已于"):
        services.petition_request_review(
            actor=township_staff, petition=petition, version=petition.version, reason="不满意"
        )

    assert fresh(petition).status == PetitionStatus.REPLIED
    assert fresh(petition).version == petition.version


def test_the_next_clock_is_the_earliest_running_one_and_met_clocks_stop(township_staff):
    petition = PetitionFactory(
        status=PetitionStatus.ASSIGNED,
        received_on=date(2026, 7, 28),
        acceptance_due=date(2026, 8, 12),
        decided_on=date(2026, 8, 3),
        conclusion_due=date(2026, 10, 8),
    )

    clocks = petition_clocks(petition)

    assert [(c.due, c.done_on) for c in clocks] == [
        (date(2026, 8, 12), date(2026, 8, 3)),
        (date(2026, 10, 8), None),
        (None, None),
        (None, None),
        (None, None),
        (None, None),
    ]
    assert next_clock(petition).due == date(2026, 10, 8)
    assert next_clock(petition).overdue == (timezone.localdate() > date(2026, 10, 8))

"""The warning light of a case: green; yellow when at most N working days remain (N per county
and kind of case); red when overdue. The database condition and the reading of one case agree,
for every kind of case that has a light."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.clocks import Light, RunningClock, warning_limit
from cases.configuration import light_rules_set
from cases.lights import WATCHED, WarningPeriods, light_of
from cases.models import LightRule
from disputes.models import Dispute
from governance.workdays import add_working_days
from tests.conftest import HANDIAN, LUCHENG, SHANGDANG
from tests.disputes.helpers import register
from tests.factories import area

THURSDAY = date(2026, 12, 3)


def test_yellow_counts_working_days_and_a_weekend_after_the_last_one_is_within_them(db):
    # The working-day calendar reads its corrections from the database.
    # Thursday, two working days: Friday and Monday remain; Tuesday is a third.
    assert warning_limit(THURSDAY, 2) == date(2026, 12, 7)
    clock = lambda due: RunningClock("handling", "", due).light(THURSDAY, warning_days=2)  # noqa: E731
    assert clock(date(2026, 12, 2)) == Light.RED
    assert clock(THURSDAY) == Light.YELLOW  # the due day itself is still on time
    assert clock(date(2026, 12, 6)) == Light.YELLOW  # a Sunday before the second working day
    assert clock(date(2026, 12, 7)) == Light.YELLOW
    assert clock(date(2026, 12, 8)) == Light.GREEN
    # No warning period: yellow only on the due day (and days off before the next working day).
    assert RunningClock("h", "", THURSDAY).light(THURSDAY, warning_days=0) == Light.YELLOW
    friday = RunningClock("h", "", date(2026, 12, 4))
    assert friday.light(THURSDAY, warning_days=0) == Light.GREEN


def test_a_finished_case_has_no_light(township_staff):
    dispute = register(township_staff)
    Dispute.objects.filter(pk=dispute.pk).update(status="closed")
    assert light_of(Dispute.objects.get(pk=dispute.pk), on=timezone.localdate()) is None


def test_each_county_sets_its_own_warning_period_and_the_default_holds_elsewhere(
    changzhi_slice, county_admin
):
    today = timezone.localdate()
    in_four = add_working_days(today, 4)
    lucheng = [
        Dispute.objects.create(
            number=f"L{n}",
            kind="neighbour",
            channel="walk_in",
            description="d",
            village=area("140406100200"),
            level="township",
            due_on=due,
            registered_by=county_admin,
        )
        for n, due in enumerate([today - timedelta(days=1), today, in_four])
    ]
    handian_village = area(HANDIAN).get_children().first()
    shangdang = Dispute.objects.create(
        number="S1",
        kind="neighbour",
        channel="walk_in",
        description="d",
        village=handian_village,
        level="township",
        due_on=in_four,
        registered_by=county_admin,
    )

    def lights():
        periods = WarningPeriods()
        return [periods.light(d, on=today) for d in [*lucheng, shangdang]]

    assert lights() == [Light.RED, Light.YELLOW, Light.GREEN, Light.GREEN]
    light_rules_set(actor=county_admin, county=area(LUCHENG), working_days={"dispute": 5})
    assert LightRule.objects.get().county.code == LUCHENG
    # 潞城区 warns five working days ahead now; 上党区 keeps the default of two.
    assert lights() == [Light.RED, Light.YELLOW, Light.YELLOW, Light.GREEN]
    assert area(SHANGDANG).pk == handian_village.parent.parent_id


@pytest.mark.parametrize("days", [0, 2, 5])
def test_the_database_condition_agrees_with_the_reading_of_each_case(
    changzhi_slice, county_admin, days
):
    today = timezone.localdate()
    if days != 2:
        light_rules_set(actor=county_admin, county=area(LUCHENG), working_days={"dispute": days})
    villages = [area("140406100200"), area(HANDIAN).get_children().first()]
    for offset in range(-3, 12):
        for village in villages:
            Dispute.objects.create(
                number=f"D{offset}-{village.pk}",
                kind="neighbour",
                channel="walk_in",
                description="d",
                village=village,
                level="township",
                due_on=today + timedelta(days=offset),
                registered_by=county_admin,
            )
    Dispute.objects.create(
        number="CLOSED",
        kind="neighbour",
        channel="walk_in",
        description="d",
        village=villages[0],
        level="township",
        status="closed",
        due_on=today - timedelta(days=3),
        registered_by=county_admin,
    )
    periods = WarningPeriods()
    rows = list(Dispute.objects.select_related("village"))
    for light in Light.values:
        in_sql = set(
            Dispute.objects.filter(periods.light_q("dispute", light, on=today)).values_list(
                "pk", flat=True
            )
        )
        in_memory = {d.pk for d in rows if periods.light(d, on=today) == light}
        assert in_sql == in_memory, light
    assert {d.pk for d in rows if periods.light(d, on=today) is None} == {
        Dispute.objects.get(number="CLOSED").pk
    }


def test_every_kind_of_case_has_a_light():
    assert set(WATCHED) == {"dispute", "petition", "incident", "summons"}

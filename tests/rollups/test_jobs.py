"""The jobs' contract on a few rows: Asia/Shanghai day and week boundaries, a run that dies
half-way, runs recorded, and the clear list's readers."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse

from governance.models import Area, Role
from governance.rollups import engine, selectors
from governance.rollups.engine import compute_day, run_daily, run_weekly
from governance.rollups.models import DailyClearItem, DailyStat, JobRun, WeeklyRanking
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, WEIZI_VILLAGE
from tests.factories import person_with_role
from tests.rollups.small import finding_at, village_with_a_grid
from tests.rollups.world import moment

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 18)  # a Wednesday


def rows_of(day):
    return sorted(
        DailyStat.objects.filter(day=day).values_list("area_id", "grid_id", "findings_new"),
        key=repr,
    )


def grid_findings(place, day):
    return DailyStat.objects.get(day=day, grid=place.grid).findings_new


def test_a_day_runs_from_midnight_to_midnight_in_shanghai(changzhi_slice):
    """A finding at 23:59:59 Beijing time (15:59:59 UTC) counts on that day; one at 00:00:00
    the next day (16:00 UTC the evening before) counts on the next."""
    place = village_with_a_grid(since=DAY - timedelta(days=30))
    late = finding_at(place, moment(DAY, 23, 59, 59))
    early = finding_at(place, moment(DAY + timedelta(days=1), 0, 0, 0))
    assert late.found_at.utctimetuple()[:6] == (2026, 3, 18, 15, 59, 59)
    assert early.found_at.utctimetuple()[:6] == (2026, 3, 18, 16, 0, 0)
    finding_at(place, moment(DAY, 0, 0, 0))

    for day in (DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)):
        run_daily(day)
    assert grid_findings(place, DAY - timedelta(days=1)) == 0
    assert grid_findings(place, DAY) == 2
    assert grid_findings(place, DAY + timedelta(days=1)) == 1


def test_a_week_runs_from_monday_to_sunday(changzhi_slice):
    """The weekly review of the week from Monday sums Monday to Sunday night in Shanghai: a
    finding at Sunday 23:59:59 is in it, one at the next Monday 00:00 is not."""
    place = village_with_a_grid(since=DAY - timedelta(days=30))
    monday = DAY - timedelta(days=DAY.weekday())
    sunday = monday + timedelta(days=6)
    finding_at(place, moment(monday, 0, 0, 0))
    finding_at(place, moment(sunday, 23, 59, 59))
    finding_at(place, moment(sunday + timedelta(days=1), 0, 0, 0))
    finding_at(place, moment(monday - timedelta(days=1), 23, 59, 59))
    for n in range(-7, 8):
        run_daily(monday + timedelta(days=n))
    run_weekly(monday)
    row = WeeklyRanking.objects.get(week_start=monday, area=place.village)
    assert row.metrics["findings_new"] == 2
    assert row.metrics["grids_total"] == 7
    assert row.parent == place.village.parent
    with pytest.raises(ValueError):
        run_weekly(monday + timedelta(days=1))


def test_a_run_that_dies_half_way_leaves_the_previous_rows(changzhi_slice):
    """The day is deleted and rewritten in one transaction: when writing fails half-way (a
    count that the table refuses), the previous rows stay as they were, the run is recorded
    as failed, and the next run gives the numbers a clean run gives."""
    place = village_with_a_grid(since=DAY - timedelta(days=30))
    finding_at(place, moment(DAY, 9))
    assert run_daily(DAY).outcome == JobRun.Outcome.DONE
    before = rows_of(DAY)
    finding_at(place, moment(DAY, 10))

    def refused_count(day):
        # Negative: the table's CHECK constraint refuses the row in the middle of the insert,
        # after the day's old rows were deleted.
        return {(place.village.pk, None): {"disputes_resolved_county": -1}}

    engine.register_counter(refused_count)
    try:
        with pytest.raises(IntegrityError):
            run_daily(DAY)
    finally:
        engine.COUNTERS.remove(refused_count)
    failed = JobRun.objects.filter(job="daily").first()
    assert failed.outcome == JobRun.Outcome.FAILED and "IntegrityError" in failed.message
    assert rows_of(DAY) == before
    assert grid_findings(place, DAY) == 1

    assert run_daily(DAY).outcome == JobRun.Outcome.DONE
    after = rows_of(DAY)
    assert grid_findings(place, DAY) == 2
    run_daily(DAY)
    assert rows_of(DAY) == after
    computed = [(row.area_id, row.grid_id, row.findings_new) for row in compute_day(DAY)]
    assert after == sorted(computed, key=repr)


def test_a_run_left_running_by_a_dead_worker_is_marked_failed_by_the_next(changzhi_slice):
    dead = JobRun.objects.create(job="daily", period=DAY.isoformat())
    other_job = JobRun.objects.create(job="weekly", period="2026-03-16")
    run = run_daily(DAY)
    dead.refresh_from_db()
    other_job.refresh_from_db()
    assert run.outcome == JobRun.Outcome.DONE
    assert dead.outcome == JobRun.Outcome.FAILED and dead.ended_at is not None
    assert other_job.outcome == JobRun.Outcome.RUNNING


def test_the_clear_list_is_read_within_the_jurisdiction(changzhi_slice):
    """A village's staff read their own village's list, the township all its villages'; a
    village elsewhere, and a grid worker (who has their own to-do list), read nothing of it."""
    here = village_with_a_grid(DIANSHANG_VILLAGE, since=DAY - timedelta(days=30), name="H")
    there = village_with_a_grid(WEIZI_VILLAGE, since=DAY - timedelta(days=30), name="T")
    open_finding = finding_at(here, moment(DAY, 9))
    finding_at(there, moment(DAY, 9))
    run_daily(DAY)

    mine = selectors.daily_clear_items_for(here.staff, DAY)
    assert {item.village_id for item in mine} == {here.village.pk}
    assert {(item.kind, item.object_id) for item in mine} >= {("finding_open", open_finding.pk)}
    assert {item.kind for item in mine} == {"finding_open", "patrol_short"}
    short = mine.get(kind="patrol_short")
    assert short.count == 3 and short.grid == here.grid
    finding_page = reverse("grids:finding_detail", args=[open_finding.pk])
    assert mine.get(kind="finding_open").url == finding_page

    township = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    assert set(selectors.daily_clear_items_for(township, DAY)) == set(mine)
    assert (
        not selectors.daily_clear_items_for(there.staff, DAY).filter(village=here.village).exists()
    )
    assert not selectors.daily_clear_items_for(here.worker, DAY).exists()
    assert not selectors.daily_clear_items_for(here.staff, DAY + timedelta(days=1)).exists()
    county = Area.objects.get(code=DIANSHANG).parent
    assert set(selectors.daily_clear_items(area=county, day=DAY)) == set(
        DailyClearItem.objects.filter(day=DAY)
    )

"""A generated month of governance (tests.rollups.world) rolled up by every job: the tables
hold what a recount from the raw rows gives, running the jobs again changes nothing, and a
published month stays as it was published."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone, translation

from disputes import services as disputes
from disputes.models import Dispute, DisputeEvent
from governance.models import Area, AreaLevel, Role
from governance.rollups import selectors
from governance.rollups.engine import compute_month, run_daily, run_monthly
from governance.rollups.models import (
    METRIC_NAMES,
    DailyClearItem,
    DailyStat,
    JobRun,
    MonthlyMediatorCount,
    MonthlyScore,
    MonthPublication,
    WeeklyRanking,
)
from governance.rollups.services import month_publish
from grids.models import Finding, FindingEvent, Grid, Patrol, ZeroReport
from tests.conftest import HANDIAN, SHANGDANG
from tests.factories import person_with_role
from tests.rollups.conftest import run_every_job
from tests.rollups.recount import (
    days,
    expected_daily,
    expected_mediator_counts,
    expected_workers,
    local_day,
    nonzero,
    sum_days,
)
from tests.rollups.world import DISPUTES, at, moment

pytestmark = pytest.mark.django_db


def stored_daily(first, last) -> dict:
    stored = {}
    for row in DailyStat.objects.filter(day__range=(first, last)).values(
        "day", "area_id", "grid_id", *METRIC_NAMES
    ):
        if row["grid_id"]:
            key = (row["day"], "grid", row["grid_id"])
        else:
            key = (row["day"], "area", row["area_id"])
        counts = nonzero({name: row[name] for name in METRIC_NAMES})
        if counts:
            stored[key] = counts
    return stored


def test_daily_figures_equal_a_recount_from_the_raw_rows(month_world):
    """Every grid's and every area's row of every day, up to the city, holds what a count of
    the raw findings, patrols, zero reports, disputes, events, revisits and petitions gives."""
    world = month_world
    expected = expected_daily(world.first_day, world.last_day)
    stored = stored_daily(world.first_day, world.last_day)
    missing = {key: counts for key, counts in expected.items() if stored.get(key) != counts}
    extra = {key: counts for key, counts in stored.items() if key not in expected}
    assert missing == {} and extra == {}

    # The generated month really exercises what is compared.
    city = Area.objects.get(level=AreaLevel.CITY)
    month_total = sum_days(expected, "area", world.month, world.last_day, {city.pk})[city.pk]
    # The generated world has no incidents: their figures are compared with their events in
    # tests/incidents/test_incident_rollups.py; nor matters of the front desk (counted in
    # tests/desk/test_desk_channels.py).
    exercised = set(METRIC_NAMES) - {
        "disputes_resolved_county",
        "disputes_supervised",
        "petitions_overdue",
        *(name for name in METRIC_NAMES if name.startswith(("incidents_", "matters_"))),
    }
    assert {metric for metric in exercised if month_total[metric] == 0} == set()
    assert month_total["disputes_resolved_on_time"] < month_total["disputes_resolved"]
    assert month_total["petitions_concluded_on_time"] < month_total["petitions_concluded"]


def test_weekly_review_sums_the_days_and_ranks_within_the_parent(month_world):
    """A week's figures of a village or township are its seven days' figures; the villages of
    a township and the townships of a county are ranked by score, and the change is measured
    against the ranks of the week before."""
    world = month_world
    expected = expected_daily(world.first_day, world.last_day)
    weeks = sorted(set(WeeklyRanking.objects.values_list("week_start", flat=True)))
    assert len(weeks) >= 6
    levels = dict(Area.objects.values_list("pk", "level"))
    for week_start in weeks:
        assert week_start.weekday() == 0
        sums = sum_days(expected, "area", week_start, week_start + timedelta(days=6))
        sums = {
            pk: counts
            for pk, counts in sums.items()
            if levels[pk] in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
        }
        rows = {row.area_id: row for row in WeeklyRanking.objects.filter(week_start=week_start)}
        assert set(rows) == set(sums)
        for area_id, row in rows.items():
            assert nonzero(row.metrics) == sums[area_id]
            assert row.parent_id == Area.objects.get(pk=area_id).parent_id
            assert row.level == levels[area_id]
        by_parent = defaultdict(list)
        for row in rows.values():
            by_parent[row.parent_id].append(row)
        for members in by_parent.values():
            ranked = sorted((r for r in members if r.score is not None), key=lambda r: -r.score)
            assert [r.rank for r in ranked][:1] == [1][: len(ranked)]
            for better, worse in zip(ranked, ranked[1:], strict=False):
                assert better.rank <= worse.rank
                assert (better.rank == worse.rank) == (better.score == worse.score)
        before = {
            row.area_id: row.rank
            for row in WeeklyRanking.objects.filter(week_start=week_start - timedelta(days=7))
        }
        if before:
            for area_id, row in rows.items():
                assert row.previous_rank == before.get(area_id)
                if row.rank and row.previous_rank:
                    assert row.rank_change == row.previous_rank - row.rank
    assert WeeklyRanking.objects.exclude(rank_change=None).exclude(rank_change=0).exists()


def test_monthly_figures_of_areas_and_grid_workers_equal_the_recount(month_world):
    """Each township's and village's month is the sum of its days; each grid worker's is the
    sum of the days of the grids they served, on the days they served them (the grid that
    changed hands mid-month is split between its two workers)."""
    world = month_world
    expected = expected_daily(world.first_day, world.last_day)
    month_last = world.last_day
    before_last = world.month - timedelta(days=1)
    areas = sum_days(expected, "area", world.month, month_last)
    areas_before = sum_days(expected, "area", world.first_day, before_last)
    workers = expected_workers(expected, world.month, month_last)
    workers_before = expected_workers(expected, world.first_day, before_last)

    rows = MonthlyScore.objects.filter(month=world.month)
    area_rows = {row.area_id: row for row in rows.filter(person=None)}
    levels = dict(Area.objects.values_list("pk", "level"))
    assert set(area_rows) == {
        pk for pk in areas if levels[pk] in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
    }
    for area_id, row in area_rows.items():
        assert nonzero(row.metrics) == areas[area_id]
        assert nonzero(row.previous_metrics) == areas_before.get(area_id, Counter())
        assert row.kind == levels[area_id]
        assert row.county_id == world.county.pk
        assert row.sample == areas[area_id]["disputes_new"]

    worker_rows = {row.person_id: row for row in rows.exclude(person=None)}
    assert set(worker_rows) == {worker.pk for worker in world.workers.values()}
    for person_id, row in worker_rows.items():
        assert nonzero(row.metrics) == workers[person_id]
        assert nonzero(row.previous_metrics) == workers_before.get(person_id, Counter())
    handed_over = Grid.objects.get(code="W-A2")
    first, second = world.workers["worker_a2"].pk, world.workers["worker_a2b"].pk
    assert worker_rows[first].metrics["grids_total"] == 14
    assert worker_rows[second].metrics["grids_total"] == (month_last - world.mid).days + 1
    assert worker_rows[world.workers["worker_c"].pk].metrics["grids_total"] == 2 * (
        (month_last - world.month).days + 1
    )
    assert worker_rows[first].area_id == handed_over.village_id

    for kind in ("township", "village", "grid_worker"):
        members = [row for row in rows if row.kind == kind]
        for row in members:
            assert row.ranked == (row.score is not None and row.sample >= 3)
            assert (row.rank is None) == (not row.ranked)
        ranked = sorted((row for row in members if row.ranked), key=lambda row: -row.score)
        for position, row in enumerate(ranked, start=1):
            better = sum(1 for other in ranked if other.score > row.score)
            assert row.rank == better + 1 <= position
    assert rows.filter(ranked=False).exists() and rows.filter(ranked=True).exists()
    with translation.override("zh-hans"):
        assert str(rows.filter(ranked=False).first().rank_display) == "不参与排名"
    assert rows.filter(ranked=True).first().rank_display == rows.filter(ranked=True).first().rank

    best = selectors.ten_best_grid_workers(county=world.county, month=world.month)
    assert [row.person_id for row in best] == [
        row.person_id
        for row in sorted(
            (row for row in worker_rows.values() if row.ranked),
            key=lambda row: (row.rank, -row.score, row.person_id),
        )
    ]


def test_mediator_case_counts_follow_the_lead_handler_at_resolution(month_world):
    """以案定补: a person's count is the disputes resolved in the month with them as lead."""
    world = month_world
    expected = expected_mediator_counts(world.month, world.last_day)
    stored = dict(
        MonthlyMediatorCount.objects.filter(month=world.month).values_list("person_id", "cases")
    )
    assert stored == dict(expected)
    assert (
        sum(stored.values())
        == DisputeEvent.objects.filter(
            kind="resolve",
            at__gte=moment(world.month, 0),
            at__lt=moment(world.last_day + timedelta(days=1), 0),
        )
        .values("dispute")
        .distinct()
        .count()
    )


def test_daily_clear_lists_what_was_untouched_at_midnight(month_world):
    """事不过夜: findings still open and disputes still registered at midnight, grids without a
    finding or a zero report, grids with fewer patrols than three: recounted from the rows."""
    world = month_world
    expected = Counter()
    findings = list(Finding.objects.all())
    touched = defaultdict(list)
    for event in FindingEvent.objects.filter(to_status__in=["handled", "handed_up"]):
        touched[event.finding_id].append(event.at)
    for finding in findings:
        day = local_day(finding.found_at)
        if not any(local_day(at_) <= day for at_ in touched[finding.pk]):
            expected[(day, "finding_open", finding.grid_id, finding.pk, 1)] += 1
    for dispute in Dispute.objects.all():
        day = local_day(dispute.registered_at)
        moved = DisputeEvent.objects.filter(dispute=dispute, from_status="registered")
        if not any(local_day(event.at) <= day for event in moved):
            expected[(day, "dispute_unaccepted", dispute.grid_id, dispute.pk, 1)] += 1
    found = {(local_day(f.found_at), f.grid_id) for f in findings}
    zero = set(ZeroReport.objects.values_list("day", "grid_id"))
    patrols = Counter((local_day(p.started_at), p.grid_id) for p in Patrol.objects.all())
    for day in days(world.first_day, world.last_day):
        for grid in world.grids:
            if (day, grid.pk) not in found and (day, grid.pk) not in zero:
                expected[(day, "grid_not_reported", grid.pk, None, 1)] += 1
            if patrols[(day, grid.pk)] < 3:
                short = 3 - patrols[(day, grid.pk)]
                expected[(day, "patrol_short", grid.pk, None, short)] += 1
    expected = Counter({k: n for k, n in expected.items() if world.first_day <= k[0]})
    stored = Counter(
        DailyClearItem.objects.values_list("day", "kind", "grid_id", "object_id", "count")
    )
    assert stored == expected
    kinds = Counter(kind for _day, kind, *_rest in stored)
    # No incidents in the generated world (tests/incidents/test_incident_rollups.py has them).
    listed = set(DailyClearItem.Kind.values) - {DailyClearItem.Kind.INCIDENT_UNTOUCHED}
    assert all(kinds[kind] > 0 for kind in listed)


def snapshot(model, **filters):
    return sorted(
        (tuple(sorted(model_to_dict(row, exclude=["id"]).items())) for row in model.objects.all()),
        key=repr,
    )


def all_tables():
    return {
        model.__name__: snapshot(model)
        for model in (DailyStat, DailyClearItem, WeeklyRanking, MonthlyScore, MonthlyMediatorCount)
    }


def test_running_every_job_again_leaves_identical_tables(month_world):
    """Daily, weekly and monthly jobs delete and rewrite their periods: a second run of all of
    them writes the same rows, and records its runs as done."""
    before = all_tables()
    runs = JobRun.objects.count()
    run_every_job(month_world)
    assert all_tables() == before
    new_runs = JobRun.objects.order_by("pk")[runs:]
    assert {run.outcome for run in new_runs} == {JobRun.Outcome.DONE}


def test_a_published_month_never_changes_when_the_jobs_run_again(month_world):
    """Once a county official publishes the month, a later re-run (after a late change to
    the raw rows) writes nothing over the county's scores and mediator counts."""
    world = month_world
    publication = month_publish(actor=world.official, county=world.county, month=world.month)
    assert publication.published_by == world.official
    published_scores = snapshot(MonthlyScore)
    published_counts = snapshot(MonthlyMediatorCount)

    # A dispute still open at the end of the month is resolved, late, on its last day.
    dispute = Dispute.objects.filter(status="in_mediation", level="village").first()
    lead = dispute.assignments.get(lead=True, ended_at=None).person
    last = moment(world.last_day, 23, 59, 30)
    with at(last, DISPUTES):
        disputes.dispute_resolve(
            actor=lead, dispute=dispute, outcome="oral_agreement", agreement="双方口头和解"
        )
    run_daily(world.last_day)
    scores, counts = compute_month(world.month)
    assert sorted((row.person_id, row.cases) for row in counts) != sorted(
        MonthlyMediatorCount.objects.values_list("person_id", "cases")
    )

    run = run_monthly(world.month)
    assert run.outcome == JobRun.Outcome.DONE
    assert snapshot(MonthlyScore) == published_scores
    assert snapshot(MonthlyMediatorCount) == published_counts
    # The daily figures themselves did move on.
    resolved_that_day = sum(
        1
        for event in DisputeEvent.objects.filter(kind="resolve")
        if local_day(event.at) == world.last_day
    )
    county_row = DailyStat.objects.get(day=world.last_day, area=world.county, grid=None)
    assert county_row.disputes_resolved == resolved_that_day
    # Publishing again changes nothing.
    again = month_publish(actor=world.official, county=world.county, month=world.month)
    assert again.pk == publication.pk and MonthPublication.objects.count() == 1


def test_only_a_county_official_of_the_county_publishes_an_ended_assessed_month(month_world):
    world = month_world
    township_staff = world.township_staff["140406100"]
    elsewhere = person_with_role(Role.COUNTY_OFFICIAL, SHANGDANG)
    for actor in (township_staff, elsewhere):
        with pytest.raises(PermissionDenied):
            month_publish(actor=actor, county=world.county, month=world.month)
    this_month = timezone.localdate()  # has not ended
    never_assessed = world.first_day - timedelta(days=1)
    a_township = Area.objects.get(code=HANDIAN)
    for county, month in (
        (world.county, this_month),
        (world.county, never_assessed),
        (a_township, world.month),
    ):
        with pytest.raises(ValidationError):
            month_publish(actor=world.official, county=county, month=month)
    assert not MonthPublication.objects.exists()

"""The assessment's arithmetic, and each county's weights and minimum sample as an
administrator sets them."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.models import Area, Role
from governance.rollups import scoring
from governance.rollups.engine import run_daily, run_monthly
from governance.rollups.models import AssessmentScheme, MonthlyScore
from governance.rollups.services import assessment_scheme_set
from grids import services as grids
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG, SHANGDANG, WEIZI_VILLAGE
from tests.factories import person_with_role
from tests.rollups.small import village_with_a_grid
from tests.rollups.world import PATROLS, at, moment


def test_indicators_are_shares_of_the_summed_figures():
    figures = {
        "disputes_new": 8,
        "disputes_resolved": 6,
        "disputes_resolved_on_time": 3,
        "disputes_resolved_grid": 2,
        "disputes_resolved_village": 1,
        "patrols_done": 100,
        "patrols_target": 90,
        "grids_reported": 27,
        "grids_total": 30,
        "revisits": 4,
        "satisfaction_total": 18,
    }
    values = scoring.indicator_values(figures, {"disputes_new": 4})
    assert values == {
        "new_disputes_trend": 0.0,  # doubled
        "resolution_rate": 0.75,
        "on_time_rate": 0.5,
        "local_resolution_rate": 0.5,
        "patrol_completion": 1.0,  # more patrols than due count as all of them
        "reporting_completeness": 0.9,
        "revisit_satisfaction": 0.9,
    }
    assert scoring.indicator_values({"disputes_new": 3}, {"disputes_new": 6})[
        "new_disputes_trend"
    ] == pytest.approx(0.75)
    assert scoring.indicator_values({"disputes_new": 5}, {"disputes_new": 5})[
        "new_disputes_trend"
    ] == pytest.approx(0.5)
    nothing = scoring.indicator_values({}, None)
    assert set(nothing.values()) == {None}


def test_a_score_is_the_weighted_mean_of_the_indicators_that_apply():
    values = {key: None for key in scoring.INDICATOR_KEYS}
    values.update(patrol_completion=1.0, reporting_completeness=0.5)
    weights = {"patrol_completion": 3, "reporting_completeness": 1, "resolution_rate": 50}
    assert scoring.weighted_score(values, weights) == 87.5
    assert scoring.weighted_score(values, {"resolution_rate": 1}) is None


def test_equal_scores_share_a_rank():
    ranks = scoring.competition_ranks([("a", 70.0), ("b", 90.0), ("c", 80.0), ("d", 80.0)])
    assert ranks == {"b": 1, "c": 2, "d": 2, "a": 4}


@pytest.mark.django_db
def test_an_administrator_of_the_county_sets_its_scheme(changzhi_slice):
    county = Area.objects.get(code=LUCHENG)
    admin = person_with_role(Role.ADMINISTRATOR, LUCHENG)
    scheme = assessment_scheme_set(
        actor=admin, county=county, weights={"patrol_completion": 2}, min_sample=0
    )
    assert scheme.weights["patrol_completion"] == 2
    assert scheme.weights["resolution_rate"] == 0
    assert scheme.updated_by == admin
    assessment_scheme_set(actor=admin, county=county, weights={"on_time_rate": 1}, min_sample=5)
    assert AssessmentScheme.objects.get().min_sample == 5

    for outsider in (
        person_with_role(Role.ADMINISTRATOR, SHANGDANG),
        person_with_role(Role.ADMINISTRATOR, DIANSHANG),  # below the county
        person_with_role(Role.COUNTY_OFFICIAL, LUCHENG),
    ):
        with pytest.raises(PermissionDenied):
            assessment_scheme_set(
                actor=outsider, county=county, weights={"on_time_rate": 1}, min_sample=1
            )
    for weights, min_sample in (
        ({"charm": 1}, 1),
        ({"on_time_rate": -1}, 1),
        ({"on_time_rate": "a lot"}, 1),
        ({"on_time_rate": 0}, 1),
        ({"on_time_rate": 1}, -1),
    ):
        with pytest.raises(ValidationError):
            assessment_scheme_set(
                actor=admin, county=county, weights=weights, min_sample=min_sample
            )
    with pytest.raises(ValidationError):
        assessment_scheme_set(
            actor=None, county=Area.objects.get(code=DIANSHANG), weights={}, min_sample=1
        )
    assert AssessmentScheme.objects.get().weights["on_time_rate"] == 1


def patrols(place, day, count):
    for n in range(count):
        with at(moment(day, 8 + n), PATROLS):
            patrol = grids.patrol_start(actor=place.worker, grid=place.grid)
            grids.patrol_end(actor=place.worker, patrol=patrol)


@pytest.mark.django_db
def test_the_monthly_run_scores_with_the_county_scheme(changzhi_slice):
    """With only patrol completion weighed and no minimum sample, every village and grid
    worker is ranked on patrols alone; with the default scheme nobody without disputes is."""
    month = date(2026, 3, 1)
    busy = village_with_a_grid(DIANSHANG_VILLAGE, since=month, name="B")
    idle = village_with_a_grid(WEIZI_VILLAGE, since=month, name="I")
    days = [month + timedelta(days=n) for n in range(31)]
    for day in days:
        patrols(busy, day, 3 if day.day <= 20 else 1)
    patrols(idle, days[0], 2)
    for day in days:
        run_daily(day)

    run_monthly(month)
    assert MonthlyScore.objects.filter(month=month).exists()
    assert not MonthlyScore.objects.filter(month=month, ranked=True).exists()

    county = Area.objects.get(code=LUCHENG)
    assessment_scheme_set(actor=None, county=county, weights={"patrol_completion": 1}, min_sample=0)
    run_monthly(month)
    rows = MonthlyScore.objects.filter(month=month)
    busy_score = round(100 * (20 * 3 + 11 * 1) / (31 * 3), 2)
    idle_score = round(100 * 2 / (31 * 3), 2)
    village = {row.area_id: row for row in rows.filter(kind="village")}
    assert village[busy.village.pk].score == busy_score and village[busy.village.pk].rank == 1
    assert village[idle.village.pk].score == idle_score and village[idle.village.pk].rank == 2
    worker = {row.person_id: row for row in rows.filter(kind="grid_worker")}
    assert worker[busy.worker.pk].score == busy_score and worker[busy.worker.pk].rank == 1
    assert worker[idle.worker.pk].rank == 2
    assert worker[idle.worker.pk].indicators["patrol_completion"] == {
        "value": round(2 / 93, 4),
        "weight": 1,
    }
    assert rows.filter(kind="township").count() == 2

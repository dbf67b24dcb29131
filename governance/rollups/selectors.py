"""Reads of the period tables, for the dashboards. Jurisdiction comes from
`governance.selectors.jurisdiction_q`; the functions taking an `area` or a `county` trust the
caller to have checked that the user may see it (e.g. `area_get_for_user_or_404`).

- daily_clear_items_for(user, day): the 日清 list lines of the user's villages.
- daily_clear_items(area=, day=): the lines of `area`'s subtree.
- weekly_ranking(area=, day=): the 周评 of `area`'s children for the week holding `day`.
- weekly_rankings_for(user=, week_start=, level=): the week's rows the user may see.
- monthly_scores(county=, month=, kind=): the 月考核 rows of a county, best first.
- monthly_scores_for(user=, month=, kind=): the month's rows the user may see.
- ten_best_grid_workers(county=, month=): 十佳网格员.
- mediator_case_counts(county=, month=): 以案定补, most cases first.
- month_publication(county=, month=): the MonthPublication, or None.
- latest_job_runs(job=, limit=): the last JobRun rows.
"""

from datetime import date, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from governance.models import AREA_WIDE_ROLES, Area, AreaLevel
from governance.rollups.engine import month_bounds
from governance.rollups.models import (
    DailyClearItem,
    JobRun,
    MonthlyMediatorCount,
    MonthlyScore,
    MonthPublication,
    SubjectKind,
    WeeklyRanking,
)
from governance.selectors import jurisdiction_q, subtree_q

TEN_BEST = 10


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def week_start_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def daily_clear_items_for(user, day: date | None = None) -> QuerySet[DailyClearItem]:
    """The clear list of `day` (yesterday by default) for the villages in the user's
    jurisdiction, held in an area-wide role: the village staff see their village, the
    township its villages. A grid worker works from their own to-do list instead."""
    return (
        DailyClearItem.objects.filter(day=day or yesterday())
        .filter(jurisdiction_q(user=user, area_field="village", roles=AREA_WIDE_ROLES))
        .select_related("village", "grid")
        .order_by("village__code", "grid__code", "kind", "object_id")
    )


def daily_clear_items(*, area: Area, day: date) -> QuerySet[DailyClearItem]:
    return (
        DailyClearItem.objects.filter(subtree_q(area, area_field="village"), day=day)
        .select_related("village", "grid")
        .order_by("village__code", "grid__code", "kind", "object_id")
    )


def weekly_ranking(*, area: Area, day: date) -> QuerySet[WeeklyRanking]:
    """The ranking of `area`'s children (a county's townships, a township's villages) for the
    week holding `day`: ranked rows first by rank, then the unscored."""
    return (
        WeeklyRanking.objects.filter(week_start=week_start_of(day), parent=area)
        .select_related("area")
        .order_by(F("rank").asc(nulls_last=True), "area__code")
    )


def weekly_rankings_for(
    *, user, week_start: date, level: str | None = None
) -> QuerySet[WeeklyRanking]:
    rows = WeeklyRanking.objects.filter(week_start=week_start).filter(
        jurisdiction_q(user=user, area_field="area")
    )
    if level is not None:
        rows = rows.filter(level=level)
    return rows.select_related("area", "parent").order_by(
        "parent__code", F("rank").asc(nulls_last=True), "area__code"
    )


def monthly_scores(*, county: Area, month: date, kind: str) -> QuerySet[MonthlyScore]:
    """The county's rows of `kind` for the month: ranked first by rank, then the units with
    too few cases ("not ranked") by score."""
    first, _last = month_bounds(month)
    return (
        MonthlyScore.objects.filter(month=first, county=county, kind=kind)
        .select_related("area", "person")
        .order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "area__code")
    )


def monthly_scores_for(*, user, month: date, kind: str | None = None) -> QuerySet[MonthlyScore]:
    first, _last = month_bounds(month)
    rows = MonthlyScore.objects.filter(month=first).filter(
        jurisdiction_q(user=user, area_field="area")
    )
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.select_related("area", "person", "county").order_by(
        "county__code", "kind", F("rank").asc(nulls_last=True), "area__code"
    )


def ten_best_grid_workers(*, county: Area, month: date) -> list[MonthlyScore]:
    """十佳网格员: the county's ten best-ranked grid workers of the month."""
    rows = monthly_scores(county=county, month=month, kind=SubjectKind.GRID_WORKER)
    return list(rows.filter(ranked=True).order_by("rank", "-score", "person_id")[:TEN_BEST])


def mediator_case_counts(*, county: Area, month: date) -> QuerySet[MonthlyMediatorCount]:
    first, _last = month_bounds(month)
    return (
        MonthlyMediatorCount.objects.filter(month=first, county=county)
        .select_related("person")
        .order_by("-cases", "person__username")
    )


def month_publication(*, county: Area, month: date) -> MonthPublication | None:
    first, _last = month_bounds(month)
    return MonthPublication.objects.filter(month=first, county=county).first()


def counties_for(*, user) -> QuerySet[Area]:
    """The counties in the user's jurisdiction (for a county or city official)."""
    return Area.objects.filter(jurisdiction_q(user=user), level=AreaLevel.COUNTY).order_by("code")


def latest_job_runs(*, job: str | None = None, limit: int = 20) -> list[JobRun]:
    runs = JobRun.objects.all()
    if job is not None:
        runs = runs.filter(job=job)
    return list(runs[:limit])

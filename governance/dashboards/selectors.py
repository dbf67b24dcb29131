"""Reads for the officials' dashboards: who may see which dashboard, and the figures.

The figures come from the rollup tables only (`DailyStat`, `DepartmentDailyStat`, and the
names of areas, grids and departments), never from the case tables: a dashboard costs the
same few queries whether a county logged ten findings or ten thousand.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from governance.models import Area, AreaLevel, Department, Role
from governance.rollups.models import (
    DEPARTMENT_METRIC_NAMES,
    METRIC_NAMES,
    DailyClearItem,
    DailyStat,
    JobRun,
    WeeklyRanking,
)
from governance.rollups.selectors import daily_clear_items, weekly_ranking
from governance.selectors import (
    areas_for_user,
    covers,
    get_or_404_audited,
    jurisdiction_q,
    jurisdiction_roots,
    subtree_q,
)

# The roles that have dashboards, each over the subtree of its membership.
DASHBOARD_ROLES = frozenset({Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL, Role.TOWNSHIP_STAFF})

# Metrics that are a state on the night of the day (how many stand overdue), not a count of
# what happened during it: over a week or a month they are read on the period's last day,
# never added up. Every other metric is a flow and is summed.
STATE_METRICS = frozenset(
    {
        "disputes_overdue_open",
        "disputes_supervised",
        "petitions_overdue",
        "incidents_overdue_open",
        "cases_red",
        "cases_yellow",
    }
)
# Petitions concern an area, never a grid: a grid row never counts them.
PETITION_METRICS = frozenset(name for name in METRIC_NAMES if name.startswith("petitions_"))

TREND_DAYS = 30


# --- Who sees what ---------------------------------------------------------------------------


def dashboard_roots(*, user) -> list[Area]:
    """The tops of the user's dashboard jurisdiction (none for a person without a role that
    has dashboards)."""
    return jurisdiction_roots(user=user, roles=DASHBOARD_ROLES)


def dashboard_area_get_or_404(*, user, code: str) -> Area:
    """The area with `code` if it lies in the user's dashboard jurisdiction; otherwise 404,
    as if it did not exist. A grid worker's village membership opens no dashboard."""
    return get_or_404_audited(
        areas_for_user(user=user, roles=DASHBOARD_ROLES), user=user, code=code
    )


def _grids():
    """The grids the rollups are kept for (the model `DailyStat.grid` points at): the
    dashboards drill down to them without importing the grids app."""
    return DailyStat._meta.get_field("grid").related_model.objects


def dashboard_grid_get_or_404(*, user, pk: int):
    """The grid if its village lies in the user's dashboard jurisdiction; otherwise 404."""
    grids = (
        _grids()
        .filter(jurisdiction_q(user=user, area_field="village", roles=DASHBOARD_ROLES))
        .select_related("village")
    )
    return get_or_404_audited(grids, user=user, area_field="village", pk=pk)


def dashboard_breadcrumbs(*, user, area: Area) -> list[Area]:
    """The path from the top of the user's dashboard jurisdiction down to `area`."""
    root = next((r for r in dashboard_roots(user=user) if covers(r, area)), area)
    return list(area.get_ancestors(include_self=True).filter(subtree_q(root)))


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date

    @property
    def heading(self) -> str:
        """The period's name with its dates, as a column heading and in the Excel file."""
        if self.start == self.end:
            return _("%(period)s (%(day)s)") % {"period": self.label, "day": self.end.isoformat()}
        return _("%(period)s (%(start)s to %(end)s)") % {
            "period": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


PERIOD_KEYS = ("day", "week", "month")


def periods_ending(day: date) -> dict[str, Period]:
    """The latest rolled-up day, its week (from Monday) and its month, each up to and
    including `day`."""
    return {
        "day": Period("day", _("Latest day"), day, day),
        "week": Period("week", _("This week"), day - timedelta(days=day.weekday()), day),
        "month": Period("month", _("This month"), day.replace(day=1), day),
    }


def latest_rolled_up_day() -> date | None:
    """The last day the daily job has finished: the dashboards' "today". The night's job
    clears the day that just ended, so in the morning this is yesterday."""
    period = (
        JobRun.objects.filter(job="daily", outcome=JobRun.Outcome.DONE)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if period:
        return date.fromisoformat(period)
    return DailyStat.objects.aggregate(day=Max("day"))["day"]


# --- Figures ---------------------------------------------------------------------------------

Figures = dict[str, int]


def zero_figures() -> Figures:
    return dict.fromkeys(METRIC_NAMES, 0)


def daily_series(*, area: Area | None = None, grid=None, start: date, end: date):
    """{day: figures} of one area (its own row, not its grids') or one grid, for the days
    from `start` to `end` that have a row; a missing day means zeros."""
    rows = DailyStat.objects.filter(day__range=(start, end))
    rows = rows.filter(grid=grid) if grid is not None else rows.filter(area=area, grid=None)
    return {row.pop("day"): row for row in rows.values("day", *METRIC_NAMES).order_by("day")}


def period_figures(series: dict[date, Figures], period: Period) -> Figures:
    """A period's figures from a daily series: flows summed, states as on the last day."""
    figures = zero_figures()
    for day, row in series.items():
        if period.start <= day <= period.end:
            for name in METRIC_NAMES:
                if name not in STATE_METRICS:
                    figures[name] += row[name]
    last = series.get(period.end, {})
    for name in STATE_METRICS:
        figures[name] = last.get(name, 0)
    return figures


def trend(series: dict[date, Figures], *, end: date, days: int = TREND_DAYS):
    """The last `days` days up to `end`, oldest first, each (day, figures) with zeros filled."""
    first = end - timedelta(days=days - 1)
    return [
        (day, series.get(day) or zero_figures())
        for day in (first + timedelta(days=n) for n in range(days))
    ]


def series_start(day: date) -> date:
    """The first day a page needs: the start of the trend or of the month, whichever is
    earlier, so one read serves the glance, the overdue counts and the trend."""
    return min(day - timedelta(days=TREND_DAYS - 1), day.replace(day=1))


def _period_sums(period: Period) -> dict:
    sums = {}
    for name in METRIC_NAMES:
        if name in STATE_METRICS:
            sums[name] = Sum(name, filter=Q(day=period.end), default=0)
        else:
            sums[name] = Sum(name, default=0)
    return sums


@dataclass
class ChildFigures:
    """A child of the area on the dashboard: a subordinate area, or one of a village's
    grids, with its figures for the period."""

    kind: str  # "area" or "grid"
    key: str  # the area's code or the grid's pk, for its link
    code: str
    name: str
    figures: Figures


def child_figures(*, area: Area, period: Period) -> list[ChildFigures]:
    """Every child of `area` (its grids, for a village) with its figures for `period`, in
    code order; a child without rows has zeros."""
    if area.level == AreaLevel.VILLAGE:
        children = list(
            _grids().filter(village=area).order_by("code").values_list("pk", "code", "name")
        )
        rows = DailyStat.objects.filter(area=area, grid__isnull=False).values("grid")
        key_field, kind = "grid", "grid"
    else:
        children = list(area.get_children().order_by("code").values_list("pk", "code", "name"))
        rows = DailyStat.objects.filter(
            area_id__in=[pk for pk, _code, _name in children], grid=None
        ).values("area")
        key_field, kind = "area", "area"
    sums = {
        row.pop(key_field): row
        for row in rows.filter(day__range=(period.start, period.end))
        .annotate(**_period_sums(period))
        .order_by()
    }
    return [
        ChildFigures(
            kind=kind,
            key=str(pk) if kind == "grid" else code,
            code=code,
            name=name,
            figures={**zero_figures(), **sums.get(pk, {})},
        )
        for pk, code, name in children
    ]


@dataclass
class DepartmentFigures:
    """A department of the area with its incident figures for the period."""

    name: str
    figures: Figures


def department_figures(*, area: Area, period: Period) -> list[DepartmentFigures]:
    """Every department of `area`'s subtree (the county's, then its townships') with its
    incident figures for `period`, summed from DepartmentDailyStat in one query: flows added
    up, the overdue count as on the period's last day; a department without rows has zeros."""
    sums = {}
    for name in DEPARTMENT_METRIC_NAMES:
        if name in STATE_METRICS:
            days = Q(daily_stats__day=period.end)
        else:
            days = Q(daily_stats__day__range=(period.start, period.end))
        sums[name] = Sum(f"daily_stats__{name}", filter=days, default=0)
    rows = (
        Department.objects.filter(subtree_q(area, area_field="area"))
        .annotate(**sums)
        .values_list("name", *DEPARTMENT_METRIC_NAMES)
        .order_by("area__lft", "name", "pk")
    )
    return [
        DepartmentFigures(
            name=name, figures=dict(zip(DEPARTMENT_METRIC_NAMES, numbers, strict=True))
        )
        for name, *numbers in rows
    ]


# --- The weekly review and the daily clear list ------------------------------------------------
#
# Both are written by the rollup jobs (governance.rollups.engine) and read through their
# selectors.

CLEAR_LIMIT = 500


@dataclass
class WeeklyReview:
    week_start: date
    rows: list[WeeklyRanking]  # ranked first, by rank


def weekly_review(*, area: Area, day: date) -> WeeklyReview | None:
    """The latest weekly review (周评) of `area`'s children up to `day`: the week holding `day`
    if it has been reviewed, else the week before (the review runs after a week ends). None
    where nothing is reviewed: above the county and below the township."""
    if area.level not in (AreaLevel.COUNTY, AreaLevel.TOWNSHIP):
        return None
    this_week = day - timedelta(days=day.weekday())
    last_week = this_week - timedelta(days=7)
    rows = list(weekly_ranking(area=area, day=this_week)) or list(
        weekly_ranking(area=area, day=last_week)
    )
    return WeeklyReview(week_start=rows[0].week_start if rows else last_week, rows=rows)


def daily_clear(*, area: Area, day: date) -> list[DailyClearItem] | None:
    """The clear list (日清) of a village or township for `day`: what was still untouched
    when the day ended. At most CLEAR_LIMIT + 1 lines, so the page can say it cut the list.
    None above the township."""
    if area.level not in (AreaLevel.VILLAGE, AreaLevel.TOWNSHIP):
        return None
    return list(daily_clear_items(area=area, day=day)[: CLEAR_LIMIT + 1])

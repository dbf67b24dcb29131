"""The officials' dashboards: an area's day, week and month at a glance, its last 30 days,
what stands overdue, and the ranking of its children, drilled down the tree to a grid.

Every table is built by one function (`governance.dashboards.tables`) for the page and for its
Excel export, so the file holds exactly what the page shows.
"""

import re
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.dashboards import tables
from governance.dashboards.selectors import (
    CLEAR_LIMIT,
    PERIOD_KEYS,
    PETITION_METRICS,
    child_figures,
    daily_clear,
    daily_series,
    dashboard_area_get_or_404,
    dashboard_breadcrumbs,
    dashboard_grid_get_or_404,
    dashboard_roots,
    department_figures,
    latest_rolled_up_day,
    periods_ending,
    series_start,
    weekly_review,
)
from governance.excel import workbook_response
from governance.models import LEVEL_ORDER, AreaLevel
from governance.rollups.models import MATTER_CHANNEL_METRICS

# What each part of the page shows, in this order.
GLANCE_METRICS = [
    "findings_new",
    "findings_handled",
    "findings_handed_up",
    "grids_reported",
    "grids_not_reported",
    "patrols_done",
    "patrols_target",
    "disputes_new",
    "disputes_accepted",
    "disputes_resolved",
    "disputes_resolved_on_time",
    "disputes_terminated_withdrawn",
    "disputes_terminated_referred",
    "disputes_terminated_not_agreed",
    "disputes_returned",
    "disputes_escalated",
    "revisits",
    "petitions_new",
    "petitions_accepted",
    "petitions_concluded",
    "petitions_concluded_on_time",
    "incidents_new",
    "incidents_dispatched",
    "incidents_signed_in",
    "incidents_signed_in_on_time",
    "incidents_returned",
    "incidents_reworked",
    "incidents_closed",
    "incidents_closed_on_time",
]
STATE_METRICS_SHOWN = [
    "disputes_overdue_open",
    "disputes_supervised",
    "petitions_overdue",
    "incidents_overdue_open",
    "cases_red",
    "cases_yellow",
]
TREND_METRICS = [
    "findings_new",
    "disputes_new",
    "disputes_resolved",
    "petitions_new",
    "incidents_new",
    "disputes_overdue_open",
]
CHILD_METRICS = [
    "findings_new",
    "findings_handled",
    "findings_handed_up",
    "grids_not_reported",
    "patrols_done",
    "patrols_target",
    "disputes_new",
    "disputes_resolved",
    "disputes_resolved_on_time",
    "disputes_terminated_withdrawn",
    "disputes_terminated_referred",
    "disputes_terminated_not_agreed",
    "disputes_escalated",
    "disputes_overdue_open",
    "disputes_supervised",
    "petitions_new",
    "petitions_concluded",
    "petitions_overdue",
    "incidents_new",
    "incidents_closed",
    "incidents_overdue_open",
    "cases_red",
    "cases_yellow",
]
DEFAULT_SORT = "findings_new"
DEFAULT_PERIOD = "day"


def _without_petitions(metrics: list[str]) -> list[str]:
    """A grid's figures never count petitions (a petition concerns an area)."""
    return [name for name in metrics if name not in PETITION_METRICS]


def _query(**params) -> str:
    return "?" + urlencode(params)


def _parse_day(value: str | None):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# openpyxl refuses these characters in a sheet's title.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")


def _export(table: tables.Table | None, *, scope: str, day, area) -> object:
    if table is None:
        raise Http404
    return workbook_response(
        filename=f"dashboard-{scope}-{table.key}-{day:%Y%m%d}.xlsx",
        title=SHEET_TITLE_FORBIDDEN.sub(" ", table.title),
        header=table.header,
        rows=table.values,
        area=area,
    )


class Dashboard:
    """What one dashboard page reads, read once, and the tables built from it. A subclass
    gives `series` (the daily figures from the trend's or the month's first day, whichever is
    earlier, to the latest rolled-up day) and the metrics each table shows."""

    table_keys: tuple[str, ...] = ()

    def __init__(self, request):
        self.request = request
        self.day = latest_rolled_up_day()
        # An export link names the day its page showed, so that a nightly run finishing in
        # between does not change the file: any earlier rolled-up day is accepted.
        pinned = _parse_day(request.GET.get("day"))
        if pinned and self.day and pinned < self.day:
            self.day = pinned
        period = request.GET.get("period")
        self.period_key = period if period in PERIOD_KEYS else DEFAULT_PERIOD
        self.periods = periods_ending(self.day) if self.day else {}

    @property
    def period(self):
        return self.periods.get(self.period_key)

    @property
    def query(self) -> str:
        """The query that keeps the chosen period (and ranking) on links along the tree."""
        return _query(period=self.period_key)

    def export_path(self, key: str) -> str:
        raise NotImplementedError

    def export_url(self, key: str) -> str:
        params = {"day": self.day.isoformat()}
        if key == "children":
            params.update(period=self.period_key, sort=self.sort)
        return self.export_path(key) + _query(**params)

    def table(self, key: str) -> tables.Table | None:
        """The table `key` of this page, or None where the page has no such table."""
        if key not in self.table_keys or self.day is None:
            return None
        table = getattr(self, f"_table_{key}")()
        if table is not None:
            table.export_url = self.export_url(key)
        return table

    def page_tables(self) -> dict:
        return {key: self.table(key) for key in self.table_keys}

    def _table_glance(self):
        return tables.glance_table(
            series=self.series, periods=self.periods, metrics=self.glance_metrics
        )

    def _table_state(self):
        return tables.state_table(series=self.series, day=self.day, metrics=self.state_metrics)

    def _table_trend(self):
        return tables.trend_table(series=self.series, day=self.day, metrics=self.trend_metrics)

    def chart(self) -> dict:
        return tables.trend_chart(series=self.series, day=self.day, metrics=self.trend_metrics)


class AreaDashboard(Dashboard):
    table_keys = (
        "glance",
        "state",
        "trend",
        "children",
        "departments",
        "channels",
        "weekly",
        "clear",
    )
    glance_metrics = GLANCE_METRICS
    state_metrics = STATE_METRICS_SHOWN
    trend_metrics = TREND_METRICS

    def __init__(self, request, area):
        super().__init__(request)
        self.area = area
        self.is_village = area.level == AreaLevel.VILLAGE
        self.child_metrics = _without_petitions(CHILD_METRICS) if self.is_village else CHILD_METRICS
        sort = request.GET.get("sort")
        self.sort = sort if sort in self.child_metrics else DEFAULT_SORT

    @cached_property
    def series(self):
        return daily_series(area=self.area, start=series_start(self.day), end=self.day)

    @property
    def query(self) -> str:
        return _query(period=self.period_key, sort=self.sort)

    def export_path(self, key):
        return reverse("dashboards:area_export", args=[self.area.code, key])

    def child_level_label(self) -> str:
        if self.is_village:
            return _("Grid")
        return str(AreaLevel(LEVEL_ORDER[LEVEL_ORDER.index(self.area.level) + 1]).label)

    def _table_children(self):
        query = self.query

        def child_url(child):
            if child.kind == "grid":
                return reverse("dashboards:grid", args=[child.key]) + query
            return reverse("dashboards:area", args=[child.key]) + query

        def sort_url(metric):
            return _query(period=self.period_key, sort=metric) + "#ranking"

        table = tables.children_table(
            children=child_figures(area=self.area, period=self.period),
            period=self.period,
            metrics=self.child_metrics,
            sort=self.sort,
            name_label=self.child_level_label(),
            child_url=child_url,
            sort_url=sort_url,
        )
        if self.is_village:
            table.empty_text = _("This village has no grids yet.")
        return table

    def _table_departments(self):
        """The county's departments and their incidents, this month (a county only)."""
        if self.area.level != AreaLevel.COUNTY:
            return None
        month = self.periods["month"]
        return tables.department_table(
            departments=department_figures(area=self.area, period=month), period=month
        )

    def _table_channels(self):
        """The front desk's matters by channel, for today, this week and this month (a
        county only)."""
        if self.area.level != AreaLevel.COUNTY:
            return None
        table = tables.glance_table(
            series=self.series, periods=self.periods, metrics=MATTER_CHANNEL_METRICS
        )
        table.key = "channels"
        table.title = _("Front desk: matters by channel")
        return table

    def _area_url(self, area) -> str:
        return reverse("dashboards:area", args=[area.code]) + self.query

    def _table_weekly(self):
        review = weekly_review(area=self.area, day=self.day)
        if review is None:
            return None
        return tables.weekly_table(
            review=review, name_label=self.child_level_label(), child_url=self._area_url
        )

    def _table_clear(self):
        items = daily_clear(area=self.area, day=self.day)
        if items is None:
            return None
        table = tables.clear_table(items=items, limit=CLEAR_LIMIT)
        table.extra["cut"] = len(items) > CLEAR_LIMIT
        return table

    def period_links(self):
        return [
            {
                "key": period.key,
                "label": period.label,
                "url": _query(period=period.key, sort=self.sort) + "#ranking",
                "active": period.key == self.period_key,
            }
            for period in self.periods.values()
        ]


class GridDashboard(Dashboard):
    table_keys = ("glance", "state", "trend")
    glance_metrics = _without_petitions(GLANCE_METRICS)
    state_metrics = _without_petitions(STATE_METRICS_SHOWN)
    trend_metrics = _without_petitions(TREND_METRICS)

    def __init__(self, request, grid):
        super().__init__(request)
        self.grid = grid

    @cached_property
    def series(self):
        return daily_series(grid=self.grid, start=series_start(self.day), end=self.day)

    def export_path(self, key):
        return reverse("dashboards:grid_export", args=[self.grid.pk, key])


@require_GET
@login_required
def dashboard_root(request):
    """The top of the person's dashboard jurisdiction; a choice if they hold several."""
    roots = dashboard_roots(user=request.user)
    if not roots:
        raise Http404
    if len(roots) == 1:
        return redirect("dashboards:area", code=roots[0].code)
    return render(request, "dashboards/roots.html", {"roots": roots})


@require_GET
@login_required
def area_dashboard(request, code):
    area = dashboard_area_get_or_404(user=request.user, code=code)
    dashboard = AreaDashboard(request, area)
    context = {
        "area": area,
        "breadcrumbs": dashboard_breadcrumbs(user=request.user, area=area),
        "dashboard": dashboard,
        "day": dashboard.day,
    }
    if dashboard.day is not None:
        context.update(dashboard.page_tables())
        context["chart"] = dashboard.chart()
        context["period_links"] = dashboard.period_links()
    return render(request, "dashboards/area.html", context)


@require_GET
@login_required
def area_export(request, code, table):
    area = dashboard_area_get_or_404(user=request.user, code=code)
    dashboard = AreaDashboard(request, area)
    return _export(dashboard.table(table), scope=area.code, day=dashboard.day, area=area)


@require_GET
@login_required
def grid_dashboard(request, pk):
    grid = dashboard_grid_get_or_404(user=request.user, pk=pk)
    dashboard = GridDashboard(request, grid)
    context = {
        "grid": grid,
        "breadcrumbs": dashboard_breadcrumbs(user=request.user, area=grid.village),
        "dashboard": dashboard,
        "day": dashboard.day,
    }
    if dashboard.day is not None:
        context.update(dashboard.page_tables())
        context["chart"] = dashboard.chart()
    return render(request, "dashboards/grid.html", context)


@require_GET
@login_required
def grid_export(request, pk, table):
    grid = dashboard_grid_get_or_404(user=request.user, pk=pk)
    dashboard = GridDashboard(request, grid)
    return _export(
        dashboard.table(table), scope=f"grid{grid.pk}", day=dashboard.day, area=grid.village
    )

"""Each dashboard page and export asks the database a fixed number of times, however much
has been rolled up: the same budget holds for one day and for three months."""

from datetime import date

import pytest
from django.urls import reverse

from governance.rollups.engine import run_daily, run_weekly
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.dashboards.conftest import DAY
from tests.dashboards.helpers import roll_up

# The session (read, and saved: three), the user, their memberships, the area or grid, the
# latest run, the daily series, the breadcrumbs, the children and their sums, the weekly review
# (this week's, else last week's: two), the clear list (a village's or a township's) or the
# departments' figures (a county's), the menu's unread count.
PAGE_BUDGET = 15
# The session (four), the user, the memberships, the area or grid, the latest run, and the
# table's own reads (the series; or the children and their sums), and the audit log's entry.
EXPORT_BUDGET = 11


def urls(grids) -> list[tuple[str, int]]:
    result = []
    for code in (CITY, LUCHENG, DIANSHANG, DIANSHANG_VILLAGE):
        result.append((reverse("dashboards:area", args=[code]) + "?period=month", PAGE_BUDGET))
        for key in ("glance", "trend", "children"):
            url = reverse("dashboards:area_export", args=[code, key]) + "?period=month"
            result.append((url, EXPORT_BUDGET))
    departments = reverse("dashboards:area_export", args=[LUCHENG, "departments"])
    result.append((departments, EXPORT_BUDGET))
    grid = grids["first"].pk
    result.append((reverse("dashboards:grid", args=[grid]), PAGE_BUDGET))
    result.append((reverse("dashboards:grid_export", args=[grid, "trend"]), EXPORT_BUDGET))
    return result


@pytest.mark.parametrize("days", [1, 92], ids=["one day", "three months"])
def test_every_dashboard_url_stays_within_its_query_budget(
    client, city_official, grids, departments, django_assert_max_num_queries, days
):
    roll_up(end=DAY, days=days)
    if days > 7:
        # With a weekly review and the latest day's clear list written by the jobs too.
        run_weekly(date(2026, 3, 9))
        run_daily(DAY)
    client.force_login(city_official)
    for url, budget in urls(grids):
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url

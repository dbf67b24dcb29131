"""Every table's "export to Excel" downloads exactly the rows and columns the page shows."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.conftest import DIANSHANG_VILLAGE, LUCHENG
from tests.dashboards.conftest import DAY
from tests.dashboards.helpers import page_link, page_table, roll_up, workbook_table


@pytest.fixture
def rolled_up(grids, departments):
    roll_up(end=DAY, days=40)
    return grids


def _same_as_shown(client, page_url, keys):
    page = client.get(page_url).content.decode()
    for key in keys:
        header, rows = page_table(page, key)
        response = client.get(page_link(page, key, f"export-{key}"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith("attachment;")
        assert workbook_table(response.content) == (header, rows), key


@pytest.mark.parametrize(
    "query", ["", "?period=week&sort=disputes_resolved", "?period=month&sort=patrols_done"]
)
def test_a_county_dashboard_exports_what_it_shows(client, county_official, rolled_up, query):
    client.force_login(county_official)
    url = reverse("dashboards:area", args=[LUCHENG]) + query
    _same_as_shown(client, url, ["glance", "state", "trend", "children", "departments"])


def test_a_village_and_a_grid_export_what_they_show(client, township_staff, rolled_up):
    client.force_login(township_staff)
    village = reverse("dashboards:area", args=[DIANSHANG_VILLAGE]) + "?period=month"
    _same_as_shown(client, village, ["glance", "state", "trend", "children"])
    grid = reverse("dashboards:grid", args=[rolled_up["first"].pk])
    _same_as_shown(client, grid, ["glance", "state", "trend"])


def test_the_exported_ranking_keeps_the_chosen_period_and_order(client, county_official, rolled_up):
    client.force_login(county_official)
    url = reverse("dashboards:area", args=[LUCHENG]) + "?period=week&sort=disputes_new"
    page = client.get(url).content.decode()
    link = page_link(page, "children", "export-children")
    assert "period=week" in link and "sort=disputes_new" in link
    header, rows = workbook_table(client.get(link).content)
    assert header[0] == "名次"
    assert header == page_table(page, "children")[0]
    column = header.index("新增纠纷")
    assert [row[column] for row in rows] == sorted((row[column] for row in rows), reverse=True)


def test_an_export_keeps_the_day_its_page_showed_when_a_later_day_is_rolled_up(
    client, county_official, rolled_up
):
    client.force_login(county_official)
    page = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    link = page_link(page, "children", "export-children")
    assert f"day={DAY}" in link
    roll_up(end=DAY + timedelta(days=1), days=1, seed=7)
    assert workbook_table(client.get(link).content) == page_table(page, "children")
    later = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    assert f"day={DAY + timedelta(days=1)}" in page_link(later, "children", "export-children")


@pytest.mark.parametrize("day", ["2099-01-01", "yesterday", ""])
def test_an_export_for_a_day_not_rolled_up_gives_the_latest(
    client, county_official, rolled_up, day
):
    client.force_login(county_official)
    page = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    url = reverse("dashboards:area_export", args=[LUCHENG, "glance"]) + f"?day={day}"
    assert workbook_table(client.get(url).content) == page_table(page, "glance")

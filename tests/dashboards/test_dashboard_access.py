"""Every dashboard URL answers a person from another jurisdiction exactly as it answers an
area or a grid that does not exist: 404."""

import pytest
from django.urls import reverse

from governance.models import Role
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, LUCHENG, WEIZI_VILLAGE
from tests.dashboards.conftest import DAY
from tests.dashboards.helpers import roll_up
from tests.factories import person_with_role

TABLES = ("glance", "state", "trend", "children")


@pytest.fixture
def rolled_up(grids):
    roll_up(end=DAY, days=3)
    return grids


def dashboard_urls(grids) -> list[str]:
    """Every dashboard page and export of 潞城区 and below, down to a grid of 店上村."""
    urls = []
    for code in (LUCHENG, DIANSHANG, DIANSHANG_VILLAGE):
        urls.append(reverse("dashboards:area", args=[code]))
        urls += [reverse("dashboards:area_export", args=[code, key]) for key in TABLES]
    grid = grids["first"]
    urls.append(reverse("dashboards:grid", args=[grid.pk]))
    urls += [reverse("dashboards:grid_export", args=[grid.pk, key]) for key in TABLES[:3]]
    return urls


def test_a_county_official_of_another_county_gets_404_everywhere(
    client, rolled_up, county_official, other_county_official
):
    client.force_login(county_official)
    for url in dashboard_urls(rolled_up):
        assert client.get(url).status_code == 200, url
    client.force_login(other_county_official)
    for url in dashboard_urls(rolled_up) + [reverse("dashboards:area", args=[CITY])]:
        assert client.get(url).status_code == 404, url


def test_township_staff_see_their_township_only(
    client, rolled_up, township_staff, other_township_staff
):
    client.force_login(township_staff)
    assert client.get(reverse("dashboards:area", args=[LUCHENG])).status_code == 404
    assert client.get(reverse("dashboards:area", args=[WEIZI_VILLAGE])).status_code == 404
    weizi_grid = reverse("dashboards:grid", args=[rolled_up["weizi"].pk])
    assert client.get(weizi_grid).status_code == 404
    client.force_login(other_township_staff)
    assert client.get(weizi_grid).status_code == 200
    for url in dashboard_urls(rolled_up)[5:]:  # 店上镇 and below
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "role", [Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_STAFF, Role.POLICE_LIAISON]
)
def test_village_roles_of_the_same_village_have_no_dashboard(client, rolled_up, role):
    client.force_login(person_with_role(role, DIANSHANG_VILLAGE))
    for url in dashboard_urls(rolled_up)[10:]:  # the village and its grid
        assert client.get(url).status_code == 404, url


def test_the_city_sees_every_county(client, rolled_up, city_official):
    client.force_login(city_official)
    for url in dashboard_urls(rolled_up):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("dashboards:grid", args=[rolled_up["handian"].pk])).status_code == 200


def test_missing_areas_grids_and_tables_answer_404(client, rolled_up, city_official):
    client.force_login(city_official)
    assert client.get(reverse("dashboards:area", args=["999999999999"])).status_code == 404
    assert client.get(reverse("dashboards:grid", args=[987654321])).status_code == 404
    assert client.get(reverse("dashboards:area_export", args=[LUCHENG, "x"])).status_code == 404
    grid = rolled_up["first"].pk
    assert client.get(reverse("dashboards:grid_export", args=[grid, "children"])).status_code == 404


def test_dashboards_only_answer_get(client, rolled_up, county_official):
    client.force_login(county_official)
    assert client.post(reverse("dashboards:area", args=[LUCHENG])).status_code == 405

"""The area browser: down the tree from the top of one's jurisdiction, 404 outside it."""

import pytest
from django.urls import reverse

from governance.models import Area, Role
from tests.conftest import (
    CITY,
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import person_with_role


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def test_the_area_root_opens_the_top_of_ones_jurisdiction(client, township_staff):
    client.force_login(township_staff)
    response = client.get(reverse("area_root"))
    assert response.status_code == 302
    assert response["Location"] == reverse("area_detail", args=[DIANSHANG])


def test_a_township_page_lists_its_villages_with_breadcrumbs_from_the_township(
    client, township_staff
):
    client.force_login(township_staff)
    page = client.get(reverse("area_detail", args=[DIANSHANG])).content.decode()

    assert "店上镇" in page
    villages = Area.objects.filter(parent__code=DIANSHANG)
    for village in villages:
        assert village.name in page
    assert f"下辖 {villages.count()} 个区域" in page
    # Nothing above the jurisdiction is shown, not even as a breadcrumb.
    assert "潞城区" not in page and "长治市" not in page


def test_child_counts_are_shown(client, changzhi_slice):
    official = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG)
    client.force_login(official)
    page = client.get(reverse("area_detail", args=[LUCHENG])).content.decode()
    count = Area.objects.filter(parent__code=DIANSHANG).count()
    assert f">{count}</span>" in page


@pytest.mark.parametrize("code", [WEIZI, WEIZI_VILLAGE, LUCHENG, CITY, HANDIAN, "999999999"])
def test_areas_outside_the_jurisdiction_answer_404_like_missing_ones(client, township_staff, code):
    client.force_login(township_staff)
    response = client.get(reverse("area_detail", args=[code]))
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_a_village_page_is_within_a_query_budget(
    client, township_staff, django_assert_max_num_queries
):
    client.force_login(township_staff)
    # Session read and refresh, the person, their memberships, the area, its breadcrumbs, its
    # children, and the bell's unread count (cached after the first page).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("area_detail", args=[DIANSHANG_VILLAGE]))
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, changzhi_slice):
    response = client.get(reverse("area_detail", args=[DIANSHANG]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

"""Administrators manage people, but only inside their own jurisdiction."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from governance.models import Membership, Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, HANDIAN, LUCHENG, WEIZI_VILLAGE
from tests.factories import person_with_role

User = get_user_model()


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG)


def new_person(area_code, role=Role.GRID_WORKER, password="Grid-worker-2026", username="newbie"):
    return {
        "username": username,
        "full_name": "新网格员",
        "password": password,
        "area": area_code,
        "role": role,
    }


def test_an_administrator_adds_a_person_in_their_county(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(DIANSHANG_VILLAGE))

    person = User.objects.get(username="newbie")
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    assert (membership.area.code, membership.role) == (DIANSHANG_VILLAGE, Role.GRID_WORKER)
    assert person.check_password("Grid-worker-2026")


def test_an_area_outside_the_county_is_refused_and_nothing_is_written(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(HANDIAN, Role.TOWNSHIP_STAFF))

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_weak_password_is_refused_with_a_clear_message(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(DIANSHANG_VILLAGE, password="123"))

    assert "密码" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_role_at_the_wrong_level_is_refused(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(DIANSHANG, Role.GRID_WORKER))
    assert "不能设在" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_township_administrator_cannot_see_people_elsewhere(client, changzhi_slice):
    township_admin = person_with_role(Role.ADMINISTRATOR, DIANSHANG)
    neighbour = person_with_role(Role.GRID_WORKER, WEIZI_VILLAGE)
    local = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    client.force_login(township_admin)

    listing = client.get(reverse("people_list")).content.decode()
    assert local.username in listing
    assert neighbour.username not in listing
    assert client.get(reverse("person_detail", args=[neighbour.pk])).status_code == 404
    neighbours_role = Membership.objects.get(user=neighbour)
    response = client.post(reverse("membership_revoke", args=[neighbours_role.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=neighbours_role.pk).exists()


def test_an_administrator_grants_and_revokes_a_role(client, county_admin):
    worker = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    client.force_login(county_admin)

    client.post(
        reverse("person_detail", args=[worker.pk]),
        {"area": DIANSHANG_VILLAGE, "role": Role.POLICE_LIAISON},
    )
    granted = Membership.objects.get(user=worker, role=Role.POLICE_LIAISON)

    client.post(reverse("membership_revoke", args=[granted.pk]))
    assert not Membership.objects.filter(pk=granted.pk).exists()


def test_people_pages_are_for_administrators_only(client, changzhi_slice):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    assert client.get(reverse("people_list")).status_code == 403
    assert client.get(reverse("person_create")).status_code == 403

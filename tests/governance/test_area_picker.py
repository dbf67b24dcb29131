"""The area picker's search (/areas/search/?q=): the areas of the person's own jurisdiction
whose name holds what was typed, or whose code starts with it; never one outside it. Bad input
is answered with a message in Chinese, never a server error."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Area, Role
from governance.selectors import areas_for_user
from tests.conftest import (
    CITY,
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import UserFactory, person_with_role

CJK = re.compile(r"[\u4e00-\u9fff]")


def search(client, text):
    return client.get(reverse("area_search"), {"q": text})


def found(client, text) -> list[dict]:
    response = search(client, text)
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    return response.json()["areas"]


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def test_a_village_is_found_by_part_of_its_name_with_its_township_and_county(
    client, township_staff
):
    client.force_login(township_staff)
    village = Area.objects.get(code=DIANSHANG_VILLAGE)

    areas = found(client, village.name[:2])

    assert {
        "code": village.code,
        "name": village.name,
        "path": f"潞城区 · 店上镇 · {village.name}",
        "level": "村（社区）",
    } in areas


def test_the_township_comes_before_its_villages(client, township_staff):
    client.force_login(township_staff)
    areas = found(client, "店上")
    assert areas[0] == {
        "code": DIANSHANG,
        "name": "店上镇",
        "path": "潞城区 · 店上镇",
        "level": "乡镇（街道）",
    }
    assert [area["code"] for area in areas[1:]] == sorted(area["code"] for area in areas[1:])


@pytest.mark.parametrize(
    ("role", "area_code", "outside"),
    [
        (Role.GRID_WORKER, DIANSHANG_VILLAGE, DIANSHANG),
        (Role.TOWNSHIP_STAFF, DIANSHANG, WEIZI),
        (Role.MEDIATOR, DIANSHANG, WEIZI_VILLAGE),
        (Role.COUNTY_OFFICIAL, LUCHENG, HANDIAN),
        (Role.ADMINISTRATOR, LUCHENG, CITY),
    ],
)
def test_nothing_outside_the_jurisdiction_is_ever_listed(
    client, changzhi_slice, role, area_code, outside
):
    person = person_with_role(role, area_code)
    client.force_login(person)
    mine = set(areas_for_user(user=person).values_list("code", flat=True))
    # Every search that could reach the area outside: its name, its code, and words common
    # to every village.
    outsider = Area.objects.get(code=outside)
    for text in [outsider.name, outsider.code, outsider.code[:4], "村", "委会", "镇"]:
        codes = {area["code"] for area in found(client, text)}
        assert codes <= mine, (text, codes - mine)
        assert outside not in codes


def test_the_city_sees_every_county_of_the_slice(client, changzhi_slice):
    client.force_login(person_with_role(Role.CITY_OFFICIAL, CITY))
    handian = Area.objects.get(code=HANDIAN)
    assert [area["code"] for area in found(client, handian.name)] == [HANDIAN]
    assert found(client, "140406101")[0]["code"] == WEIZI


def test_someone_without_a_role_anywhere_finds_nothing(client, changzhi_slice):
    client.force_login(UserFactory())
    assert found(client, "店上") == []


def test_nothing_is_found_for_nothing_typed(client, township_staff):
    client.force_login(township_staff)
    assert found(client, "") == []
    assert found(client, "   ") == []
    assert client.get(reverse("area_search")).json() == {"ok": True, "areas": []}


def test_at_most_twenty_are_listed(client, changzhi_slice):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    assert Area.objects.filter(parent__parent__code=LUCHENG, name__contains="村").count() > 20
    assert len(found(client, "村")) == 20


def test_one_must_be_signed_in(client, changzhi_slice):
    response = search(client, "店上")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_only_answers_reads(client, township_staff):
    client.force_login(township_staff)
    assert client.post(reverse("area_search"), {"q": "店上"}).status_code == 405


@pytest.mark.parametrize(
    "text",
    ["店" * 51, "店上\x00镇", "\u202e店上", "\x1b[31m"],
    ids=["too long", "nul", "bidi override", "escape"],
)
def test_bad_input_is_answered_with_a_message_in_chinese(client, township_staff, text):
    client.force_login(township_staff)
    response = search(client, text)
    assert response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False
    assert answer["errors"] and all(CJK.search(message) for message in answer["errors"])


@pytest.mark.parametrize("text", ["%", "_", "'; DROP TABLE governance_area; --", "<script>"])
def test_wildcards_and_markup_are_searched_as_text(client, township_staff, text):
    client.force_login(township_staff)
    assert found(client, text) == []
    assert Area.objects.filter(code=DIANSHANG).exists()


def test_a_search_costs_the_same_however_many_areas_match(client, township_staff):
    client.force_login(township_staff)
    found(client, "店上")  # the session is warm

    def queries(text, expected):
        with CaptureQueriesContext(connection) as captured:
            assert len(found(client, text)) == expected
        return len(captured)

    one, twenty = queries("河湃", 1), queries("村", 20)
    assert one == twenty
    # The session and the person (read, and the session saved), their memberships, the areas.
    assert twenty <= 7


def test_the_dispute_filter_offers_the_picker_and_keeps_the_code(client, township_staff):
    client.force_login(township_staff)
    page = client.get(reverse("disputes:list"), {"area": DIANSHANG}).content.decode()
    assert f'data-search-url="{reverse("area_search")}"' in page
    assert f'<input type="hidden" name="area" value="{DIANSHANG}" data-area-code>' in page
    assert re.search(r'<label\s+for="id_area"[^>]*>\s*区域', page)
    assert 'type="search" id="id_area"' in page
    assert "js/area_picker.js" in page

"""The county settings page: who may open it (everyone else gets the 404 a county that does
not exist gets), what it shows, and that what it saves is what the portal then uses."""

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import DeadlineRule
from governance.audit.models import AuditEntry, AuditKind
from governance.models import Role
from governance.workdays import calendar_deadline
from grids.models import PatrolTarget
from petitions.models import PetitionClock
from tests.conftest import CITY, DIANSHANG, LUCHENG, SHANGDANG
from tests.disputes.helpers import register
from tests.factories import person_with_role

MISSING_COUNTY = "140499"


def page(code=LUCHENG):
    return reverse("county_settings", args=[code])


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG)


@pytest.fixture
def city_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, CITY)


def test_the_county_administrator_sees_the_page_linked_from_home(client, county_admin):
    client.force_login(county_admin)

    home = client.get(reverse("home")).content.decode()
    assert page() in home

    response = client.get(page())
    html = response.content.decode()
    assert response.status_code == 200
    assert "巡查目标" in html and "纠纷办理时限" in html and "信访时限" in html
    # The defaults and where they come from.
    assert "一般在一个月内调结" in html
    assert "自受理之日起60日内办结" in html
    # The city-wide settings are shown, not offered for change, to a county's administrator.
    assert reverse("grids:patrol_target_settings", args=[LUCHENG]) in html
    assert reverse("disputes:deadline_settings", args=[LUCHENG]) not in html
    assert reverse("petitions:clock_settings", args=[LUCHENG]) not in html


def test_a_city_administrator_opens_any_county_and_may_change_everything(client, city_admin):
    client.force_login(city_admin)

    assert page(LUCHENG) in client.get(reverse("home")).content.decode()
    html = client.get(page(SHANGDANG)).content.decode()
    assert reverse("disputes:deadline_settings", args=[SHANGDANG]) in html
    assert reverse("petitions:clock_settings", args=[SHANGDANG]) in html


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.ADMINISTRATOR, SHANGDANG),  # another county's administrator
        (Role.ADMINISTRATOR, DIANSHANG),  # a township's administrator
        (Role.COUNTY_OFFICIAL, LUCHENG),  # not an administrator
        (Role.CITY_OFFICIAL, CITY),
        (Role.TOWNSHIP_STAFF, DIANSHANG),
    ],
)
def test_everyone_else_gets_the_answer_a_missing_county_gets(client, changzhi_slice, role, code):
    client.force_login(person_with_role(role, code))
    urls = [
        page,
        lambda c: reverse("grids:patrol_target_settings", args=[c]),
        lambda c: reverse("disputes:deadline_settings", args=[c]),
        lambda c: reverse("petitions:clock_settings", args=[c]),
    ]
    for url in urls:
        for method in (client.get, client.post):
            assert method(url(LUCHENG)).status_code == 404
            assert method(url(MISSING_COUNTY)).status_code == 404
    assert not PatrolTarget.objects.exists()


def test_a_township_is_not_a_county_to_configure(client, county_admin):
    client.force_login(county_admin)

    assert client.get(page(DIANSHANG)).status_code == 404


def test_the_county_administrator_saves_the_patrol_target(client, county_admin):
    client.force_login(county_admin)

    response = client.post(
        reverse("grids:patrol_target_settings", args=[LUCHENG]), {"per_day": "2"}, follow=True
    )

    assert response.redirect_chain[-1][0] == page()
    assert "巡查目标已保存" in response.content.decode()
    assert PatrolTarget.objects.get(county__code=LUCHENG).per_day == 2
    entry = AuditEntry.objects.get(kind=AuditKind.SETTING_CHANGED)
    assert (entry.detail["old"], entry.detail["new"]) == (None, 2)


@pytest.mark.parametrize("value", ["21", "-1", "abc", "1.5", ""])
def test_a_bad_patrol_target_gives_a_message_and_writes_nothing(client, county_admin, value):
    client.force_login(county_admin)

    response = client.post(
        reverse("grids:patrol_target_settings", args=[LUCHENG]), {"per_day": value}
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not PatrolTarget.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).exists()


def test_a_county_administrator_may_not_post_the_city_wide_forms(client, county_admin):
    client.force_login(county_admin)

    deadlines = client.post(
        reverse("disputes:deadline_settings", args=[LUCHENG]), {"township-any": "7"}
    )
    clocks = client.post(reverse("petitions:clock_settings", args=[LUCHENG]), {"acceptance": "7"})

    assert (deadlines.status_code, clocks.status_code) == (403, 403)
    assert not DeadlineRule.objects.exists() and not PetitionClock.objects.exists()


def test_a_deadline_changed_on_the_page_is_used_by_the_next_dispute_registered(client, city_admin):
    client.force_login(city_admin)
    response = client.post(
        reverse("disputes:deadline_settings", args=[LUCHENG]), {"township-any": "7"}, follow=True
    )
    assert "纠纷办理时限已保存" in response.content.decode()

    dispute = register(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))

    assert dispute.due_on == calendar_deadline(timezone.localdate(), 7)


def test_a_bad_deadline_gives_a_message_and_writes_nothing(client, city_admin):
    client.force_login(city_admin)

    response = client.post(
        reverse("disputes:deadline_settings", args=[LUCHENG]),
        {"grid-any": "4", "county-any": "400"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "invalid-feedback" in html and "365" in html
    assert not DeadlineRule.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).exists()


def test_a_clock_longer_than_the_statute_gives_a_message_and_writes_nothing(client, city_admin):
    client.force_login(city_admin)

    response = client.post(
        reverse("petitions:clock_settings", args=[LUCHENG]),
        {"acceptance": "16", "conclusion": "50"},
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not PetitionClock.objects.exists()


def test_the_page_answers_within_a_query_budget(client, city_admin, django_assert_max_num_queries):
    client.force_login(city_admin)

    with django_assert_max_num_queries(20):
        assert client.get(page()).status_code == 200

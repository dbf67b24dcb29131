"""The monthly assessment page: the county's rankings, its ten best grid workers, the cases
per mediator, and publishing the month, which freezes it."""

from datetime import date

import pytest
from django.urls import reverse

from governance.models import Role
from governance.rollups.engine import run_monthly
from governance.rollups.models import DailyStat, MonthPublication
from tests.conftest import CITY, DIANSHANG, LUCHENG, SHANGDANG
from tests.factories import area, person_with_role

MONTH = date(2026, 3, 1)


@pytest.fixture
def assessed(changzhi_slice):
    """A month with figures for 店上镇 and one of its villages, assessed."""
    township = area(DIANSHANG)
    for place in (township, township.get_children().first(), township.parent):
        DailyStat.objects.create(
            day=date(2026, 3, 10),
            area=place,
            disputes_new=6,
            disputes_resolved=4,
            disputes_resolved_village=3,
            disputes_resolved_on_time=4,
            grids_total=3,
            grids_reported=3,
            patrols_done=9,
            patrols_target=9,
        )
    run_monthly(MONTH)


def page(client, code=LUCHENG):
    return client.get(reverse("dashboards:month", args=[code]), {"month": "2026-03"})


def test_a_county_official_sees_the_month_and_publishes_it(client, assessed):
    official = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG, first_name="黄区委")
    client.force_login(official)

    before = page(client)
    assert before.status_code == 200
    text = before.content.decode()
    assert "月度考核" in text or "月考核" in text
    assert "店上镇" in text  # the township's row, ranked or shown as not ranked
    assert "发布本月结果" in text

    response = client.post(
        reverse("dashboards:month_publish", args=[LUCHENG]), {"month": "2026-03", "confirm": "1"}
    )
    assert response.status_code == 302
    publication = MonthPublication.objects.get(county__code=LUCHENG, month=MONTH)
    assert publication.published_by == official
    after = page(client).content.decode()
    assert "黄区委" in after and "不再变动" in after


def test_township_staff_see_the_page_but_cannot_publish(client, assessed):
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))
    assert page(client).status_code == 404  # the month's page is the county's own
    response = client.post(
        reverse("dashboards:month_publish", args=[LUCHENG]), {"month": "2026-03", "confirm": "1"}
    )
    assert response.status_code == 404
    assert not MonthPublication.objects.exists()


# --- Publishing asks first ------------------------------------------------------------------

# Which county's month is frozen for good, as the confirmation page says it.
PUBLISH_STATEMENT = "潞城区 2026-03 的月考核结果将永久冻结。"


def publish_url(code=LUCHENG):
    return reverse("dashboards:month_publish", args=[code])


def test_the_month_page_leads_to_the_confirmation_which_names_county_and_month(client, assessed):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    assert f'href="{publish_url()}?month=2026-03"' in page(client).content.decode()

    confirmation = client.get(publish_url(), {"month": "2026-03"})

    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert PUBLISH_STATEMENT in text
    assert 'name="confirm"' in text and 'name="month" value="2026-03"' in text
    assert f'href="{reverse("dashboards:month", args=[LUCHENG])}?month=2026-03"' in text  # cancel
    assert not MonthPublication.objects.exists()


def test_a_publication_posted_without_confirmation_changes_nothing_and_asks(client, assessed):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))

    response = client.post(publish_url(), {"month": "2026-03"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{publish_url()}?month=2026-03"
    assert PUBLISH_STATEMENT in response.content.decode()
    assert not MonthPublication.objects.exists()


def test_the_confirmed_publication_freezes_the_month_it_names(client, assessed):
    official = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG)
    client.force_login(official)

    response = client.post(publish_url(), {"month": "2026-03", "confirm": "1"}, follow=True)

    assert "本月考核结果已发布。" in response.content.decode()
    publication = MonthPublication.objects.get()
    assert (publication.county.code, publication.month) == (LUCHENG, MONTH)
    assert publication.published_by == official
    # The confirmation of a published month says so, and offers nothing to confirm.
    again = client.get(publish_url(), {"month": "2026-03"}).content.decode()
    assert "不再变动" in again and 'name="confirm"' not in again


def test_a_confirmation_without_its_month_publishes_nothing(client, assessed):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))

    response = client.post(publish_url(), {"confirm": "1"}, follow=True)

    assert "不是考核的月份" in response.content.decode()
    assert not MonthPublication.objects.exists()


def test_only_the_countys_own_officials_are_asked(client, assessed):
    client.force_login(person_with_role(Role.CITY_OFFICIAL, CITY))
    assert page(client).status_code == 200  # the city sees the month, but does not publish it
    assert client.get(publish_url(), {"month": "2026-03"}).status_code == 403
    confirmed = client.post(publish_url(), {"month": "2026-03", "confirm": "1"})
    assert confirmed.status_code == 403
    assert not MonthPublication.objects.exists()


def test_another_county_gets_404(client, assessed):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, SHANGDANG))
    assert page(client).status_code == 404
    assert not MonthPublication.objects.exists()


def test_an_administrator_sets_the_county_weights(client, changzhi_slice):
    from governance.rollups.models import AssessmentScheme

    client.force_login(person_with_role(Role.ADMINISTRATOR, LUCHENG))
    url = reverse("dashboards:scheme", args=[LUCHENG])
    form = {
        "min_sample": 5,
        "new_disputes_trend": 0,
        "resolution_rate": 40,
        "on_time_rate": 20,
        "local_resolution_rate": 20,
        "patrol_completion": 10,
        "reporting_completeness": 5,
        "revisit_satisfaction": 5,
    }
    assert client.post(url, form).status_code == 302
    scheme = AssessmentScheme.objects.get(county__code=LUCHENG)
    assert scheme.min_sample == 5 and scheme.weights["resolution_rate"] == 40

    refused = client.post(url, {**form, "resolution_rate": "很多"})
    assert refused.status_code == 200
    assert "输入整数" in refused.content.decode()
    assert AssessmentScheme.objects.get(county__code=LUCHENG).weights["resolution_rate"] == 40


def test_only_administrators_set_weights(client, changzhi_slice):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    assert client.get(reverse("dashboards:scheme", args=[LUCHENG])).status_code == 403

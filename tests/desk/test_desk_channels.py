"""The desk's matters in the rollups by channel, and on the county dashboard."""

import pytest
from django.urls import reverse
from django.utils import timezone

from desk.services import matter_classify, matter_receive
from governance.models import Role
from governance.rollups.engine import run_daily
from governance.rollups.models import DailyStat
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.factories import area, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def receive(clerk, channel, village=DIANSHANG_VILLAGE):
    matter, _code = matter_receive(
        actor=clerk,
        channel=channel,
        area=area(village),
        subject="来电反映",
        description="内容",
    )
    return matter


def test_matters_are_counted_per_channel_and_area_and_carried_up_the_tree(clerk):
    receive(clerk, "walk_in")
    receive(clerk, "walk_in", village=DIANSHANG)
    receive(clerk, "hotline_12345")
    consultation = receive(clerk, "phone")
    matter_classify(actor=clerk, matter=consultation, kind="consultation", reply="已解答")
    today = timezone.localdate()
    run_daily(today)
    village = DailyStat.objects.get(day=today, area=area(DIANSHANG_VILLAGE), grid=None)
    assert (village.matters_walk_in, village.matters_hotline_12345, village.matters_phone) == (
        1,
        1,
        1,
    )
    assert village.matters_consultations_answered == 1
    county = DailyStat.objects.get(day=today, area=area(LUCHENG), grid=None)
    assert county.matters_walk_in == 2
    assert county.matters_court == 0


def test_the_county_dashboard_shows_the_matters_by_channel(client, clerk):
    receive(clerk, "police_110")
    run_daily(timezone.localdate())
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    response = client.get(reverse("dashboards:area", args=[LUCHENG]))
    table = response.context["channels"]
    rows = {row.cells[0]: row.cells[1] for row in table.rows}
    police = next(label for label in rows if "110" in str(label))
    assert rows[police] == 1
    assert str(table.title) in response.content.decode()
    township = client.get(reverse("dashboards:area", args=[DIANSHANG]))
    assert township.context["channels"] is None

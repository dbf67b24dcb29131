"""Every case type shows its history through the one timeline (templates/partials/_timeline.html):
each row says what happened in the case's own words, who did it and when."""

import re
from html import unescape

import pytest
from django.urls import reverse

from disputes import services as dispute_services
from governance.models import Role
from grids import services as grid_services
from grids.models import GridRole
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.disputes.helpers import register as register_dispute
from tests.factories import GridFactory, area, log_finding, person_with_role, team_member
from tests.petitions.helpers import register as register_petition

# The root of the shared partial: a page that has its own copy would not carry it.
TIMELINE_ROOT = '<ol class="timeline list-unstyled mb-0" data-testid="timeline">'


def rows(page: str) -> list[tuple[str, str]]:
    """The timeline's rows as (what, who), oldest first."""
    timeline = page[page.index(TIMELINE_ROOT) : page.index("</ol>", page.index(TIMELINE_ROOT))]
    labels = re.findall(r'data-testid="event-label">(.*?)</strong>', timeline, flags=re.S)
    actors = re.findall(r'data-testid="event-actor">(.*?)</span>', timeline, flags=re.S)
    return [(unescape(a).strip(), unescape(b).strip()) for a, b in zip(labels, actors, strict=True)]


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="赵镇干")


def test_a_dispute_page_shows_its_history_through_the_shared_timeline(client, township_staff):
    dispute = register_dispute(township_staff)
    dispute_services.dispute_accept(actor=township_staff, dispute=dispute)
    dispute_services.dispute_escalate(actor=township_staff, dispute=dispute, reason="涉及两镇")
    client.force_login(township_staff)

    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()

    assert page.count(TIMELINE_ROOT) == 1
    assert rows(page) == [("已登记", "赵镇干"), ("受理", "赵镇干"), ("上报", "赵镇干")]
    timeline = page[page.index(TIMELINE_ROOT) :]
    # The dispute's own details: the status it moved between, the level it went to.
    assert "已登记 → 已受理" in timeline
    assert "乡镇（街道）级 → 区县级" in timeline
    assert "涉及两镇" in timeline


def test_a_petition_page_shows_its_history_through_the_shared_timeline(client, township_staff):
    petition = register_petition(township_staff)
    client.force_login(township_staff)

    page = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()

    assert page.count(TIMELINE_ROOT) == 1
    assert rows(page) == [("已登记", "赵镇干")]


def test_a_finding_page_shows_its_history_through_the_shared_timeline(client, changzhi_slice):
    grid = GridFactory(village=area(DIANSHANG_VILLAGE), code="140406100200-01", name="一网格")
    worker = team_member(grid, GridRole.WORKER, first_name="张网格")
    finding = log_finding(actor=worker, grid=grid)
    grid_services.finding_hand_up(actor=worker, finding=finding, reason="需村委协调")
    client.force_login(worker)

    page = client.get(reverse("grids:finding_detail", args=[finding.pk])).content.decode()

    assert page.count(TIMELINE_ROOT) == 1
    assert rows(page) == [("登记", "张网格"), ("已上报", "张网格")]
    assert "需村委协调" in page[page.index(TIMELINE_ROOT) :]

"""A work order another system sent (the 12345 hotline) is signed in (签收) or sent back (退单)
from the matter's page at the desk; only within its source's time limit may it go back, and a
walk-in, which came to the desk itself, has neither."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from desk.models import Matter, MatterEventKind, MatterStatus
from desk.services import matter_receive
from governance.models import Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import area, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def hotline_order(**overrides):
    arguments = {
        "actor": None,
        "channel": "hotline_12345",
        "area": area(DIANSHANG_VILLAGE),
        "subject": "反映路灯不亮",
        "description": "12345转来：村口路灯不亮三天",
        "return_by": timezone.now() + timedelta(hours=24),
    }
    return matter_receive(**(arguments | overrides))[0]


def test_the_clerk_signs_in_a_hotline_work_order_from_its_page(client, clerk):
    matter = hotline_order()
    client.force_login(clerk)
    page = client.get(reverse("desk:detail", args=[matter.pk])).content.decode()
    assert "签收工单" in page and "退单理由" in page

    response = client.post(reverse("desk:sign_in", args=[matter.pk]), follow=True)

    assert "工单已签收。" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.SIGNED_IN
    assert matter.events.filter(kind=MatterEventKind.SIGNED_IN, actor=clerk).count() == 1
    assert "签收工单" not in response.content.decode()


def test_the_clerk_returns_a_work_order_with_a_reason(client, clerk):
    matter = hotline_order()
    client.force_login(clerk)

    refused = client.post(reverse("desk:return", args=[matter.pk]), {"reason": " "})
    assert refused.status_code == 400
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.RECEIVED

    client.post(reverse("desk:return", args=[matter.pk]), {"reason": "属供水公司职责"})

    matter.refresh_from_db()
    assert matter.status == MatterStatus.RETURNED
    assert matter.events.get(kind=MatterEventKind.RETURNED).note == "属供水公司职责"


def test_past_the_sources_limit_the_work_order_cannot_go_back(client, clerk):
    matter = hotline_order()
    Matter.objects.filter(pk=matter.pk).update(return_by=timezone.now() - timedelta(minutes=1))
    client.force_login(clerk)
    assert "退单理由" not in client.get(reverse("desk:detail", args=[matter.pk])).content.decode()

    response = client.post(reverse("desk:return", args=[matter.pk]), {"reason": "非本中心受理"})

    assert response.status_code == 400
    assert "退单" in response.content.decode()
    assert Matter.objects.get(pk=matter.pk).status == MatterStatus.RECEIVED


def test_a_walk_in_is_neither_signed_in_nor_returned(client, clerk):
    matter, _code = matter_receive(
        actor=clerk,
        channel="walk_in",
        area=area(DIANSHANG_VILLAGE),
        subject="咨询宅基地",
        description="来访咨询宅基地审批",
    )
    client.force_login(clerk)
    page = client.get(reverse("desk:detail", args=[matter.pk])).content.decode()
    assert "签收工单" not in page and "退单理由" not in page

    client.post(reverse("desk:sign_in", args=[matter.pk]))
    client.post(reverse("desk:return", args=[matter.pk]), {"reason": "非本中心"})

    matter.refresh_from_db()
    assert matter.status == MatterStatus.RECEIVED
    assert list(matter.events.values_list("kind", flat=True)) == [MatterEventKind.RECEIVED]

"""Repeat detection at the desk, across every kind: the same phone anywhere, or the same name in
the same area, within 90 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from desk.models import Matter, MatterChannel
from desk.services import find_repeats, matter_receive
from governance.models import Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import DisputeFactory, PartyFactory, PetitionerFactory, area, person_with_role

pytestmark = pytest.mark.django_db

OTHER_VILLAGE = "140406100201"


@pytest.fixture
def clerk(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def receive(clerk, *, name="张三", phone="13800138000", village=DIANSHANG_VILLAGE):
    matter, _code = matter_receive(
        actor=clerk,
        channel=MatterChannel.PHONE,
        area=area(village),
        subject="噪音扰民",
        description="楼下商铺夜间噪音。",
        requester_name=name,
        requester_phone=phone,
    )
    return matter


def test_the_same_phone_makes_a_repeat_of_the_latest_earlier_matter(clerk):
    first = receive(clerk)
    second = receive(clerk, name="张三丰", village=OTHER_VILLAGE)
    third = receive(clerk, name="")
    assert first.repeat_of is None
    assert second.repeat_of == first
    assert third.repeat_of == second


def test_the_same_name_in_the_same_area_is_a_repeat_but_not_in_another(clerk):
    first = receive(clerk, phone="")
    same_place = receive(clerk, phone="13900139000")
    elsewhere = receive(clerk, phone="", village=OTHER_VILLAGE)
    assert same_place.repeat_of == first
    assert elsewhere.repeat_of is None


def test_a_different_person_is_no_repeat(clerk):
    receive(clerk)
    assert receive(clerk, name="李四", phone="13700137000").repeat_of is None


def test_a_matter_older_than_ninety_days_is_no_repeat(clerk):
    first = receive(clerk)
    Matter.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(days=91))
    assert receive(clerk).repeat_of is None


def test_earlier_disputes_and_petitions_of_the_person_are_found(clerk):
    dispute = DisputeFactory(village=area(DIANSHANG_VILLAGE))
    PartyFactory(dispute=dispute, name="王五", phone="13600136000")
    petitioner = PetitionerFactory(name="赵六")
    found = find_repeats(area=area(DIANSHANG_VILLAGE), requester_phone="13600136000")
    assert found["disputes"] == [dispute]
    by_name = find_repeats(area=petitioner.petition.area, requester_name="赵六")
    assert by_name["petitions"] == [petitioner.petition]
    assert find_repeats(area=area(DIANSHANG_VILLAGE), requester_name="无名") == {
        "matters": [],
        "disputes": [],
        "petitions": [],
    }

"""Receiving a matter at the desk: its number, its query code, its event, and what it refuses."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from desk.models import Matter, MatterChannel, MatterEvent, MatterStatus
from desk.services import NotDeskStaff, matter_receive
from governance.models import Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, WEIZI_VILLAGE
from tests.factories import area, person_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def receive(clerk, **overrides):
    arguments = {
        "actor": clerk,
        "channel": MatterChannel.WALK_IN,
        "area": area(DIANSHANG_VILLAGE),
        "subject": "邻居院墙漏水",
        "description": "邻居家院墙漏水到我家，协商不成。",
        "requester_name": "张三",
        "requester_phone": "13800138000",
    }
    arguments.update(overrides)
    return matter_receive(**arguments)


def test_a_matter_is_numbered_by_county_day_and_sequence(clerk):
    first, _code = receive(clerk)
    second, _code = receive(clerk, requester_name="李四", requester_phone="")
    today = timezone.localdate()
    assert first.number == f"140406-{today:%Y%m%d}-0001"
    assert second.number == f"140406-{today:%Y%m%d}-0002"
    assert first.status == MatterStatus.RECEIVED
    assert first.received_by == clerk


def test_the_query_code_is_stored_only_as_a_digest_and_checks(clerk):
    matter, code = receive(clerk)
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    stored = Matter.objects.get(pk=matter.pk)
    assert code not in stored.query_code_hash
    assert stored.check_query_code(code)
    assert stored.check_query_code(code.lower())
    assert not stored.check_query_code("AAAAAA" if code != "AAAAAA" else "BBBBBB")


def test_receiving_writes_one_event(clerk):
    matter, _code = receive(clerk)
    events = list(MatterEvent.objects.filter(matter=matter))
    assert [e.kind for e in events] == ["received"]
    assert events[0].actor == clerk


def test_an_area_outside_the_clerks_township_is_refused_and_nothing_written(clerk):
    with pytest.raises(NotDeskStaff):
        receive(clerk, area=area(WEIZI_VILLAGE))
    assert not Matter.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "  "},
        {"description": ""},
        {"subject": "长" * 101},
        {"requester_phone": "12345"},
        {"channel": "pigeon"},
        {"area": "not an area"},
    ],
)
def test_bad_input_writes_nothing(clerk, overrides):
    with pytest.raises(ValidationError):
        receive(clerk, **overrides)
    assert not Matter.objects.exists()
    assert not MatterEvent.objects.exists()


def test_a_county_is_not_an_area_a_matter_is_about(clerk):
    with pytest.raises(ValidationError):
        receive(clerk, area=area("140406"))


def test_attachments_are_stored_with_the_matter(clerk, media_root):
    from tests.factories import files_under, photo_upload

    matter, _code = receive(clerk, attachments=[photo_upload()])
    stored = matter.attachments.get()
    assert stored.content_type == "image/jpeg"
    assert len(files_under(media_root)) == 1


def test_a_fake_attachment_refuses_the_whole_intake(clerk, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import files_under, photo_upload

    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        receive(clerk, attachments=[photo_upload(), fake])
    assert not Matter.objects.exists()
    assert files_under(media_root) == []

"""The one extension of the conclusion deadline: by up to 30 days, approved by the level above,
recorded with its reason. 信访工作条例 (2022) art. 35: conclude within 60 days of acceptance;
when complex, the period may be extended by no more than 30 days."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from cases.workflow import TransitionNotAllowed
from petitions import services
from petitions.models import PetitionEvent, PetitionStatus
from tests.factories import PetitionFactory
from tests.petitions.helpers import fresh, post_action, snapshot


@pytest.fixture
def accepted(changzhi_slice):
    """A township petition of 店上村 accepted Mon 2026-08-03: 60 days later is Fri 10-02, inside
    the National Day holiday, so its conclusion was due Thu 2026-10-08."""
    return PetitionFactory(
        status=PetitionStatus.ACCEPTED,
        received_on=date(2026, 7, 28),
        acceptance_due=date(2026, 8, 12),
        decided_on=date(2026, 8, 3),
        conclusion_due=date(2026, 10, 8),
    )


def test_the_county_extends_the_conclusion_deadline_once_with_its_reason(county_official, accepted):
    services.petition_extend(
        actor=county_official,
        petition=accepted,
        version=accepted.version,
        days=30,
        reason="涉及供电线路改造，需等待供电公司施工",
    )

    petition = fresh(accepted)
    # The period becomes 60 + 30 = 90 days from acceptance on Mon 2026-08-03: Sun 2026-11-01,
    # not a working day, so Mon 2026-11-02. (Counting 30 days on from the holiday-moved
    # 10-08 would give Sat 11-07, then Mon 11-09: eight days more than the statute allows.)
    assert petition.conclusion_due == date(2026, 11, 2)
    assert petition.extension_days == 30
    assert petition.extension_reason == "涉及供电线路改造，需等待供电公司施工"
    assert petition.status == PetitionStatus.ACCEPTED
    event = PetitionEvent.objects.get(petition=petition, kind="extend")
    assert event.actor == county_official
    assert event.note == "涉及供电线路改造，需等待供电公司施工"
    assert event.details == {"days": 30, "from": "2026-10-08", "to": "2026-11-02"}


def test_a_shorter_extension_moves_the_deadline_by_its_days(county_official, accepted):
    # 60 + 10 = 70 days after Mon 2026-08-03 is Mon 2026-10-12, a working day.
    services.petition_extend(
        actor=county_official, petition=accepted, version=accepted.version, days=10, reason="复杂"
    )

    assert fresh(accepted).conclusion_due == date(2026, 10, 12)


def test_an_extension_beyond_thirty_days_is_refused_and_writes_nothing(county_official, accepted):
    before = snapshot(accepted)

    with pytest.raises(ValidationError) as refused:
        services.petition_extend(
            actor=county_official, petition=accepted, version=accepted.version, days=31, reason="久"
        )

    assert refused.value.messages == ["延期为 1 至 30 天。"]
    assert snapshot(accepted) == before


def test_a_second_extension_is_refused_and_writes_nothing(county_official, accepted):
    services.petition_extend(
        actor=county_official, petition=accepted, version=accepted.version, days=10, reason="复杂"
    )
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="办结期限已延长过一次"):
        services.petition_extend(
            actor=county_official, petition=accepted, version=None, days=5, reason="仍未办完"
        )

    assert snapshot(accepted) == before


def test_the_township_handling_the_petition_cannot_extend_its_own_deadline(
    township_staff, accepted
):
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="您无权"):
        services.petition_extend(
            actor=township_staff, petition=accepted, version=accepted.version, days=10, reason="忙"
        )

    assert snapshot(accepted) == before


def test_the_extend_form_refuses_too_many_days_with_a_message_and_keeps_the_input(
    client, county_official, accepted
):
    client.force_login(county_official)
    before = snapshot(accepted)

    response = post_action(client, accepted, "extend", days=45, reason="需等待施工")

    assert response.status_code == 400
    assert "延期为 1 至 30 天。" in response.content.decode()
    assert "需等待施工" in response.content.decode()
    assert snapshot(accepted) == before


def test_the_extend_form_refuses_a_second_extension_with_a_message(client, county_official):
    petition = PetitionFactory(
        status=PetitionStatus.ASSIGNED,
        decided_on=date(2026, 8, 3),
        conclusion_due=date(2026, 10, 12),
        extension_days=10,
        extension_reason="复杂",
    )
    client.force_login(county_official)
    before = snapshot(petition)

    response = post_action(client, petition, "extend", days=5, reason="仍未办完")

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["办结期限已延长过一次。"]
    assert snapshot(petition) == before


def test_the_extension_shows_on_the_petition_page(client, county_official, accepted):
    services.petition_extend(
        actor=county_official, petition=accepted, version=accepted.version, days=10, reason="复杂"
    )
    client.force_login(county_official)

    page = client.get(f"/petitions/{accepted.pk}/").content.decode()

    assert "2026-10-12" in page
    assert "已延期 10 天" in page

"""The one extension of the conclusion deadline: by up to 30 days, asked for by those handling
the petition with its reason, and approved by the handling body's own head, who is not the one
who asked. 信访工作条例 (2022) art. 32: conclude within 60 days of acceptance; when complex, the
period may be extended by no more than 30 days, approved by the body's head (经本机关、单位负责人
批准)."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from cases.workflow import TransitionNotAllowed
from petitions import services
from petitions.models import PetitionEvent, PetitionStatus
from tests.factories import PetitionFactory
from tests.petitions.helpers import fresh, post_action, snapshot, text_of

REASON = "涉及供电线路改造，需等待供电公司施工"


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


def ask(actor, petition, days=30, reason=REASON):
    return services.petition_request_extension(
        actor=actor, petition=petition, version=fresh(petition).version, days=days, reason=reason
    )


def approve(actor, petition):
    return services.petition_approve_extension(
        actor=actor, petition=petition, version=fresh(petition).version
    )


def test_the_township_asks_and_its_head_approves_the_extension(
    township_staff, township_head, accepted
):
    ask(township_staff, accepted)
    asked = fresh(accepted)
    # Asking changes no deadline.
    assert asked.conclusion_due == date(2026, 10, 8)
    assert asked.extension_requested_days == 30

    approve(township_head, accepted)

    petition = fresh(accepted)
    # The period becomes 60 + 30 = 90 days from acceptance on Mon 2026-08-03: Sun 2026-11-01,
    # not a working day, so Mon 2026-11-02. (Counting 30 days on from the holiday-moved
    # 10-08 would give Sat 11-07, then Mon 11-09: eight days more than the statute allows.)
    assert petition.conclusion_due == date(2026, 11, 2)
    assert petition.extension_days == 30
    assert petition.extension_requested_days == 0
    assert petition.extension_reason == REASON
    assert petition.status == PetitionStatus.ACCEPTED
    asked_event = PetitionEvent.objects.get(petition=petition, kind="request_extension")
    assert (asked_event.actor, asked_event.note) == (township_staff, REASON)
    approved = PetitionEvent.objects.get(petition=petition, kind="approve_extension")
    assert approved.actor == township_head
    assert approved.details == {
        "days": 30,
        "from": "2026-10-08",
        "to": "2026-11-02",
        "asked_by": township_staff.pk,
    }


def test_a_shorter_extension_moves_the_deadline_by_its_days(
    township_staff, township_head, accepted
):
    # 60 + 10 = 70 days after Mon 2026-08-03 is Mon 2026-10-12, a working day.
    ask(township_staff, accepted, days=10)
    approve(township_head, accepted)

    assert fresh(accepted).conclusion_due == date(2026, 10, 12)


def test_the_head_who_asked_cannot_approve_their_own_extension(township_head, accepted):
    ask(township_head, accepted)
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="申请延期的人不能批准自己的申请"):
        approve(township_head, accepted)

    assert snapshot(accepted) == before


@pytest.mark.parametrize("who", ["township_staff", "county_official", "city_official", "mediator"])
def test_nobody_but_the_handling_bodys_head_approves(request, who, township_head, accepted):
    """Not the staff who handle it, and no longer the level above: the statute leaves it to the
    handling body's own head."""
    ask(township_head, accepted)
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="您无权"):
        approve(request.getfixturevalue(who), accepted)

    assert snapshot(accepted) == before


def test_the_head_of_another_centre_cannot_approve(county_head, township_staff, accepted):
    """The county centre's head heads the county's centre, not the 店上镇 one that handles it."""
    ask(township_staff, accepted)
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="您无权"):
        approve(county_head, accepted)

    assert snapshot(accepted) == before


def test_a_petition_sent_to_a_department_is_extended_by_the_departments_head(
    township_staff, township_head, liaison, department_head, department, accepted
):
    services.petition_send_to_department(
        actor=township_staff, petition=accepted, version=accepted.version, department=department
    )
    ask(liaison, accepted, days=15)
    before = snapshot(accepted)

    # The township's head no longer heads the body that handles it.
    with pytest.raises(TransitionNotAllowed, match="您无权"):
        approve(township_head, accepted)
    assert snapshot(accepted) == before

    approve(department_head, accepted)
    assert fresh(accepted).extension_days == 15


def test_the_head_refuses_with_a_reason_and_the_deadline_stands(
    township_staff, township_head, accepted
):
    ask(township_staff, accepted)

    services.petition_refuse_extension(
        actor=township_head, petition=accepted, version=fresh(accepted).version, reason="可按期办结"
    )

    petition = fresh(accepted)
    assert petition.conclusion_due == date(2026, 10, 8)
    assert (petition.extension_days, petition.extension_requested_days) == (0, 0)
    assert PetitionEvent.objects.get(petition=petition, kind="refuse_extension").note == (
        "可按期办结"
    )
    # Refused, it may be asked for again.
    ask(township_staff, accepted, days=5)
    assert fresh(accepted).extension_requested_days == 5


def test_an_extension_beyond_thirty_days_is_refused_and_writes_nothing(township_staff, accepted):
    before = snapshot(accepted)

    with pytest.raises(ValidationError) as refused:
        ask(township_staff, accepted, days=31)

    assert refused.value.messages == ["延期为 1 至 30 天。"]
    assert snapshot(accepted) == before


def test_a_second_extension_is_refused_and_writes_nothing(township_staff, township_head, accepted):
    ask(township_staff, accepted, days=10)
    approve(township_head, accepted)
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="办结期限已延长过一次"):
        ask(township_staff, accepted, days=5, reason="仍未办完")

    assert snapshot(accepted) == before


def test_a_second_request_while_one_awaits_is_refused(township_staff, accepted):
    ask(township_staff, accepted, days=10)
    before = snapshot(accepted)

    with pytest.raises(TransitionNotAllowed, match="正等待负责人批准"):
        ask(township_staff, accepted, days=20)

    assert snapshot(accepted) == before


def test_the_form_refuses_too_many_days_with_a_message_and_keeps_the_input(
    client, township_staff, accepted
):
    client.force_login(township_staff)
    before = snapshot(accepted)

    response = post_action(client, accepted, "request_extension", days=45, reason="需等待施工")

    assert response.status_code == 400
    assert "延期为 1 至 30 天。" in response.content.decode()
    assert "需等待施工" in response.content.decode()
    assert snapshot(accepted) == before


def test_the_form_refuses_a_second_extension_with_a_message(client, township_staff):
    petition = PetitionFactory(
        status=PetitionStatus.ASSIGNED,
        decided_on=date(2026, 8, 3),
        conclusion_due=date(2026, 10, 12),
        extension_days=10,
        extension_reason="复杂",
    )
    client.force_login(township_staff)
    before = snapshot(petition)

    response = post_action(client, petition, "request_extension", days=5, reason="仍未办完")

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["办结期限已延长过一次。"]
    assert snapshot(petition) == before


def test_the_head_sees_the_request_on_the_page_and_approves_it_there(
    client, township_staff, township_head, accepted
):
    ask(township_staff, accepted, days=10)
    client.force_login(township_head)

    page = client.get(f"/petitions/{accepted.pk}/")
    assert "申请延期 10 天，待负责人批准" in text_of(page)
    assert 'data-action="approve_extension"' in page.content.decode()

    response = post_action(client, accepted, "approve_extension")
    assert response.status_code == 302
    page = client.get(f"/petitions/{accepted.pk}/").content.decode()
    assert "2026-10-12" in page
    assert "已延期 10 天" in page


def test_the_staff_who_asked_are_not_offered_the_approval(client, township_staff, accepted):
    ask(township_staff, accepted, days=10)
    client.force_login(township_staff)

    page = client.get(f"/petitions/{accepted.pk}/").content.decode()

    assert 'data-action="approve_extension"' not in page

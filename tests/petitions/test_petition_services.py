"""The services of a petition's life, each for the state it leaves, the event it writes and
what it refuses, where the workflow table alone does not say it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from governance.models import Notification, Role
from petitions import services
from petitions.models import PetitionAssignment, PetitionEvent, PetitionStatus
from tests.factories import PetitionFactory, person_with_role
from tests.petitions.helpers import PETITIONER, event_kinds, fresh, register, snapshot


def test_registering_writes_the_petition_its_petitioners_and_one_event(township_staff):
    petition = register(township_staff, group_size=3)

    petition = fresh(petition)
    assert petition.status == PetitionStatus.RECEIVED
    assert petition.number == f"XF{timezone.localdate():%Y}{petition.pk:07d}"
    assert petition.level == "township"
    assert petition.registering_unit.name == "店上镇"
    assert petition.group_size == 3
    assert list(petition.petitioners.values("name", "id_number", "phone")) == [PETITIONER]
    event = PetitionEvent.objects.get(petition=petition)
    assert (event.kind, event.actor, event.to_status) == ("registered", township_staff, "received")


def test_assigning_ends_the_earlier_assignment_tells_the_handler_and_names_them(
    township_staff, mediator, django_capture_on_commit_callbacks
):
    petition = PetitionFactory(status=PetitionStatus.ACCEPTED, decided_on=timezone.localdate())
    services.petition_assign(
        actor=township_staff, petition=petition, version=petition.version, person=township_staff
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.petition_assign(
            actor=township_staff, petition=petition, version=petition.version, person=mediator
        )

    active = PetitionAssignment.objects.filter(petition=petition, ended_at__isnull=True)
    assert [a.person for a in active] == [mediator]
    assert PetitionAssignment.objects.filter(petition=petition).count() == 2
    assert Notification.objects.filter(recipient=mediator, kind="assigned").count() == 1
    # The timeline says to whom it went.
    assert PetitionEvent.objects.filter(kind="assign").last().note == "李调解"


def test_a_handler_from_outside_the_petitions_area_is_refused(township_staff, weizi_staff):
    petition = PetitionFactory(status=PetitionStatus.ACCEPTED, decided_on=timezone.localdate())
    before = snapshot(petition)

    with pytest.raises(ValidationError) as refused:
        services.petition_assign(
            actor=township_staff, petition=petition, version=petition.version, person=weizi_staff
        )

    assert refused.value.messages == ["此人不能承办该信访件。"]
    assert snapshot(petition) == before


def test_a_reply_the_petitioner_never_answers_can_be_closed_once_the_review_window_ends(
    township_staff,
):
    """Neither satisfied nor asking for a review: the file closes when the window has ended,
    not before, and does not stay open for ever."""
    today = timezone.localdate()
    waiting = PetitionFactory(
        status=PetitionStatus.REPLIED,
        replied_on=today - timedelta(days=10),
        review_request_due=today,
        reply="路灯已修复。",
    )
    before = snapshot(waiting)
    with pytest.raises(TransitionNotAllowed, match="仍可申请复查"):
        services.petition_close(actor=township_staff, petition=waiting, version=waiting.version)
    assert snapshot(waiting) == before

    lapsed = PetitionFactory(
        status=PetitionStatus.REPLIED,
        replied_on=today - timedelta(days=40),
        review_request_due=today - timedelta(days=1),
        reply="路灯已修复。",
    )
    services.petition_close(actor=township_staff, petition=lapsed, version=lapsed.version)

    assert fresh(lapsed).status == PetitionStatus.CLOSED
    assert event_kinds(lapsed) == ["close"]


def test_escalating_hands_the_petition_to_the_county_and_ends_the_townships_assignment(
    township_staff, county_official, petition, django_capture_on_commit_callbacks
):
    services.petition_accept(actor=township_staff, petition=petition, version=petition.version)
    services.petition_assign(
        actor=township_staff, petition=petition, version=petition.version, person=township_staff
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.petition_escalate(
            actor=township_staff, petition=petition, version=petition.version, reason="涉及多个乡镇"
        )

    petition = fresh(petition)
    assert (petition.level, petition.status) == ("county", PetitionStatus.RECEIVED)
    assert not petition.assignments.filter(ended_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=county_official, kind="level_changed").exists()
    with pytest.raises(TransitionNotAllowed):
        services.petition_escalate(
            actor=county_official, petition=petition, version=petition.version, reason="再上报"
        )


def test_a_supervision_is_answered_by_those_handling_it(township_staff, county_official, petition):
    services.petition_supervise(
        actor=county_official, petition=petition, version=petition.version, note="请尽快告知"
    )
    assert fresh(petition).under_supervision

    services.petition_answer_supervision(
        actor=township_staff, petition=petition, version=petition.version, answer="今日已告知"
    )

    assert not fresh(petition).under_supervision
    assert event_kinds(petition) == ["registered", "supervise", "answer_supervision"]


def test_village_staff_cannot_register_at_the_township(village_staff):
    before = snapshot()

    with pytest.raises(TransitionNotAllowed):
        register(village_staff)

    assert snapshot() == before


def test_the_detail_page_keeps_to_a_query_budget(
    client, township_staff, petition, django_assert_max_num_queries
):
    for name in ("甲", "乙", "丙"):
        petition.petitioners.create(name=name)
    person_with_role(Role.MEDIATOR, "140406100", password=None)
    client.force_login(township_staff)

    with django_assert_max_num_queries(30):
        response = client.get(f"/petitions/{petition.pk}/")

    assert response.status_code == 200


def test_the_form_registers_a_joint_letter_and_ignores_a_row_left_empty(client, township_staff):
    from petitions.models import Petition
    from tests.petitions.helpers import OTHER_PETITIONER, register_form

    client.force_login(township_staff)
    data = register_form(petitioners=[PETITIONER, OTHER_PETITIONER, {"name": ""}], group_size="5")

    response = client.post("/petitions/new/", data)

    assert response.status_code == 302
    petition = Petition.objects.get()
    assert list(petition.petitioners.order_by("pk").values_list("name", flat=True)) == [
        "郭春生",
        "牛秀兰",
    ]
    assert petition.group_size == 5

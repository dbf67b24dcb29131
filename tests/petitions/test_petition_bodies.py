"""Who accepts, handles and replies: the township or county centre, or the department of the
county it sends the petition to (转送/交办, "谁主管、谁负责"); never a village committee, which
helps at the source and records what it did (信访工作条例 (2022))."""

import pytest
from django.core.exceptions import ValidationError

from cases.workflow import TransitionNotAllowed
from governance.models import Notification
from petitions import services
from petitions.models import Petition, PetitionEvent, PetitionStatus
from petitions.selectors import PetitionMasks, with_petitioner_names
from tests.petitions.helpers import (
    PETITIONER,
    fresh,
    post_action,
    register,
    snapshot,
    text_of,
)

HELP = "村委会入户走访信访人，解释供电线路改造安排，并协助核实路灯损坏情况"


def accept(actor, petition):
    return services.petition_accept(actor=actor, petition=petition, version=fresh(petition).version)


def send(actor, petition, department, note="请依职责办理并答复信访人"):
    return services.petition_send_to_department(
        actor=actor,
        petition=petition,
        version=fresh(petition).version,
        department=department,
        note=note,
    )


# --- The village committee helps; it does not handle. ----------------------------------------


def test_village_staff_cannot_register_a_petition_at_the_village(village_staff):
    with pytest.raises(ValidationError) as refused:
        register(village_staff, level="village")

    assert refused.value.messages == [
        "信访件由乡镇（街道）或县（区）综治中心受理、办理，村（居）不受理。"
    ]
    assert Petition.objects.count() == 0


@pytest.mark.parametrize(
    ("action", "service", "arguments", "status"),
    [
        ("accept", services.petition_accept, {}, PetitionStatus.RECEIVED),
        ("not_accept", services.petition_not_accept, {"reason": "不属于"}, PetitionStatus.RECEIVED),
        ("assign", services.petition_assign, {"person": None}, PetitionStatus.ACCEPTED),
        ("handle", services.petition_handle, {"opinion": "已处理"}, PetitionStatus.ASSIGNED),
        ("reply", services.petition_reply, {"reply": "已修复"}, PetitionStatus.HANDLED),
    ],
)
def test_village_staff_cannot_accept_handle_or_reply(
    village_staff, petition, action, service, arguments, status
):
    Petition.objects.filter(pk=petition.pk).update(status=status)
    if "person" in arguments:
        arguments = {"person": village_staff}
    before = snapshot(petition)

    with pytest.raises(TransitionNotAllowed, match="您无权"):
        service(
            actor=village_staff, petition=petition, version=fresh(petition).version, **arguments
        )

    assert snapshot(petition) == before


def test_village_staff_record_what_they_did_on_the_timeline(client, village_staff, petition):
    client.force_login(village_staff)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    # The village is offered only its help, not the handling.
    assert 'data-action="assist"' in page
    assert 'data-action="accept"' not in page

    response = post_action(client, petition, "assist", what=HELP)

    assert response.status_code == 302
    petition = fresh(petition)
    assert petition.status == PetitionStatus.RECEIVED
    event = PetitionEvent.objects.get(petition=petition, kind="assist")
    assert (event.actor, event.note) == (village_staff, HELP)
    timeline = text_of(client.get(f"/petitions/{petition.pk}/"))
    assert "记录村（居）协助" in timeline and HELP in timeline


def test_an_empty_account_of_the_villages_help_is_refused(client, village_staff, petition):
    client.force_login(village_staff)
    before = snapshot(petition)

    response = post_action(client, petition, "assist", what="  ")

    assert response.status_code == 400
    assert "这个字段是必填项。" in text_of(response)
    assert snapshot(petition) == before


def test_village_staff_are_not_offered_as_handlers(township_staff, village_staff, petition):
    accept(township_staff, petition)
    before = snapshot(petition)

    with pytest.raises(ValidationError, match="此人不能承办该信访件"):
        services.petition_assign(
            actor=township_staff,
            petition=petition,
            version=fresh(petition).version,
            person=village_staff,
        )

    assert snapshot(petition) == before


def test_the_township_cannot_send_a_petition_down_to_a_village(township_staff, petition):
    with pytest.raises(TransitionNotAllowed, match="没有可以下派的下级"):
        services.petition_send_down(
            actor=township_staff, petition=petition, version=petition.version, reason="村里办"
        )


# --- 转送/交办 to a department of the county. --------------------------------------------------


def test_the_township_sends_a_received_petition_to_a_department_which_accepts_handles_and_replies(
    django_capture_on_commit_callbacks, township_staff, liaison, department, petition
):
    with django_capture_on_commit_callbacks(execute=True):
        send(township_staff, petition, department)

    petition = fresh(petition)
    assert petition.department == department
    assert petition.status == PetitionStatus.RECEIVED
    event = PetitionEvent.objects.get(petition=petition, kind="send_to_department")
    assert event.actor == township_staff
    assert event.details["department"] == "潞城区住房和城乡建设局"
    assert Notification.objects.filter(recipient=liaison, kind="assigned").exists()

    # The department acts: its liaison accepts, takes it on, handles and replies.
    accept(liaison, petition)
    services.petition_assign(
        actor=liaison, petition=petition, version=fresh(petition).version, person=liaison
    )
    services.petition_handle(
        actor=liaison, petition=petition, version=fresh(petition).version, opinion="已安排维修"
    )
    services.petition_reply(
        actor=liaison, petition=petition, version=fresh(petition).version, reply="路灯已修复。"
    )
    assert fresh(petition).status == PetitionStatus.REPLIED
    assert {
        event.kind: event.actor.first_name
        for event in PetitionEvent.objects.filter(petition=petition).select_related("actor")
    } == {
        "registered": "赵镇干",
        "send_to_department": "赵镇干",
        "accept": "杨联络",
        "assign": "杨联络",
        "handle": "杨联络",
        "reply": "杨联络",
    }


def test_once_sent_the_centre_no_longer_handles_it(township_staff, department, petition):
    accept(township_staff, petition)
    send(township_staff, petition, department)
    before = snapshot(petition)

    with pytest.raises(TransitionNotAllowed, match="您无权"):
        services.petition_assign(
            actor=township_staff,
            petition=petition,
            version=fresh(petition).version,
            person=township_staff,
        )
    # Nor does it send it elsewhere, up or down.
    with pytest.raises(TransitionNotAllowed, match="已转送（交办）职能部门"):
        services.petition_escalate(
            actor=township_staff, petition=petition, version=fresh(petition).version, reason="上交"
        )

    assert snapshot(petition) == before


def test_sending_ends_the_centres_assignment(township_staff, mediator, department, petition):
    accept(township_staff, petition)
    services.petition_assign(
        actor=township_staff, petition=petition, version=fresh(petition).version, person=mediator
    )

    send(township_staff, petition, department)

    assert not petition.assignments.filter(ended_at__isnull=True).exists()
    assert not Petition.objects.visible_to(mediator).filter(pk=petition.pk).exists()


def test_a_department_of_another_county_is_refused(township_staff, petition):
    from governance.models import Area, Department
    from tests.factories import person_with_role

    elsewhere = Department.objects.create(area=Area.objects.get(code="140404"), name="上党区住建局")
    elsewhere.liaisons.add(person_with_role("department_liaison", "140404", password=None))
    before = snapshot(petition)

    with pytest.raises(ValidationError, match="不能转送交办给此部门"):
        send(township_staff, petition, elsewhere)

    assert snapshot(petition) == before


def test_the_department_form_offers_only_the_countys_departments(
    client, township_staff, department, other_department, petition
):
    from governance.models import Area, Department

    Department.objects.create(area=Area.objects.get(code="140404"), name="上党区住建局")
    client.force_login(township_staff)

    response = post_action(client, petition, "send_to_department", department="", note="")

    assert response.status_code == 400
    assert "这个字段是必填项。" in text_of(response)
    options = response.context["actions"]
    form = next(e for e in options if e["open"])["form"]
    assert sorted(d.name for d in form.fields["department"].queryset) == [
        "潞城区人力资源和社会保障局",
        "潞城区住房和城乡建设局",
    ]


def test_a_liaison_sees_the_petitions_sent_to_their_department_and_no_other(
    township_staff, liaison, department, other_department, petition
):
    other_liaison = other_department.liaisons.get()
    untouched = register(township_staff, subject="另一件信访")
    assert not Petition.objects.visible_to(liaison).exists()

    send(township_staff, petition, department)

    assert list(Petition.objects.visible_to(liaison)) == [fresh(petition)]
    assert not Petition.objects.visible_to(other_liaison).exists()
    assert untouched not in Petition.objects.visible_to(liaison)


def test_the_department_reads_the_petitioners_whole_and_the_centre_masked(
    client, township_staff, liaison, department, petition
):
    send(township_staff, petition, department)
    petition = with_petitioner_names(Petition.objects.filter(pk=petition.pk)).get()

    assert PetitionMasks(liaison)(petition) is None
    assert PetitionMasks(township_staff)(petition) is not None
    client.force_login(liaison)
    assert PETITIONER["id_number"] in text_of(client.get(f"/petitions/{petition.pk}/"))
    client.force_login(township_staff)
    assert PETITIONER["id_number"] not in text_of(client.get(f"/petitions/{petition.pk}/"))


def test_the_reply_letter_is_signed_by_the_department(
    client, township_staff, liaison, department, petition
):
    accept(township_staff, petition)
    send(township_staff, petition, department)
    services.petition_assign(
        actor=liaison, petition=petition, version=fresh(petition).version, person=liaison
    )
    services.petition_handle(
        actor=liaison, petition=petition, version=fresh(petition).version, opinion="已安排维修"
    )
    services.petition_reply(
        actor=liaison, petition=petition, version=fresh(petition).version, reply="路灯已修复。"
    )
    client.force_login(liaison)

    letter = client.get(f"/petitions/{petition.pk}/reply-letter/")

    assert letter.status_code == 200
    assert "潞城区住房和城乡建设局" in text_of(letter)

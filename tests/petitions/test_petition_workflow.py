"""What the workflow table forbids is refused with a Chinese message and writes nothing.

The cases are generated from the registry (`PETITION_ACTIONS`): for each action, every status
that is not one of its sources, and every capability that is not among those it asks for. A
stale form is refused too, and comes back with what the person typed.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from cases.workflow import CaseChangedUnderYou, TransitionNotAllowed
from petitions import services
from petitions.actions import PETITION_ACTIONS
from petitions.models import PetitionAssignment, PetitionStatus
from petitions.selectors import capabilities_for
from petitions.workflow import (
    ASSIGNEE,
    ASSISTING,
    CAPABILITIES,
    CENTRE,
    HEAD,
    LEVEL_STAFF,
    REVIEWER,
    SECOND_REVIEWER,
    SUPERIOR,
)
from tests.factories import PetitionFactory
from tests.petitions.helpers import (
    fresh,
    has_latin_letters,
    post_action,
    snapshot,
    text_of,
)

ACTIONS = [transition.action for transition in PETITION_ACTIONS.transitions]
SERVICES = {transition.action: transition.service for transition in PETITION_ACTIONS}


def valid_arguments(action, *, people):
    """Arguments each action's service would accept: refusals must come from elsewhere."""
    return {
        "accept": {},
        "not_accept": {"reason": "不属于信访事项受理范围"},
        "refer": {"channel": "litigation", "body": "潞城区人民法院", "reason": "属民事争议"},
        "send_to_department": {"department": people["department"], "note": "请依职责办理"},
        "assign": {"person": people[ASSIGNEE]},
        "handle": {"opinion": "已协调供电所更换灯具"},
        "reply": {"reply": "路灯已于本周修复。"},
        "assist": {"what": "村委会走访信访人，说明办理进度"},
        "record_satisfied": {"satisfaction": 5},
        "request_review": {"reason": "仍有两盏不亮"},
        "review": {"opinion": "维持原处理意见"},
        "request_second_review": {"reason": "对复查意见不服"},
        "second_review": {"opinion": "维持复查意见"},
        "close": {},
        "request_extension": {"days": 10, "reason": "需等待线路改造"},
        "approve_extension": {},
        "refuse_extension": {"reason": "可以按期办结"},
        "escalate": {"reason": "涉及多个乡镇"},
        "send_down": {"reason": "乡镇可以办理"},
        "supervise": {"note": "请本周内办结"},
        "answer_supervision": {"answer": "已安排本周办结"},
    }[action]


def form_data(arguments: dict) -> dict:
    return {key: getattr(value, "pk", value) for key, value in arguments.items()}


@pytest.fixture
def people(
    township_staff,
    township_head,
    mediator,
    county_official,
    city_official,
    village_staff,
    liaison,
    department,
):
    """Who stands for each capability over a county petition of 店上村, handled at the
    店上镇 centre; and the county department it could be sent to."""
    return {
        LEVEL_STAFF: township_staff,
        CENTRE: township_staff,
        ASSIGNEE: mediator,
        HEAD: township_head,
        SUPERIOR: county_official,
        REVIEWER: county_official,
        SECOND_REVIEWER: city_official,
        ASSISTING: village_staff,
        "liaison": liaison,
        "department": department,
    }


def actor_for(transition, people):
    if transition.action in ACTORS:
        return people[ACTORS[transition.action]]
    return next(people[who] for who in CAPABILITIES if who in transition.who)


def persons(people) -> list:
    return list(
        {person.pk: person for key, person in people.items() if key != "department"}.values()
    )


# A field an action's guard reads, set otherwise than the standing petition has it.
GUARD_FIELDS = {
    "request_extension": {"extension_requested_days": 0, "extension_requested_by": None},
    # The township is the lowest level: only the county's centre sends a petition down.
    "send_down": {"level": "county"},
}
# Who acts where the petition stands elsewhere than at the township (GUARD_FIELDS).
ACTORS = {"send_down": SUPERIOR}


def standing_petition(status, *, people, action=None, **fields):
    """A township petition of 店上村 in `status`, accepted a week ago, with the mediator
    assigned, under supervision and an extension asked for by the township's staff, so that
    every capability and guard of the table holds."""
    today = timezone.localdate()
    standing = {
        "decided_on": today - timedelta(days=7),
        "conclusion_due": today + timedelta(days=53),
        "reply": "路灯已修复。",
        "replied_on": today,
        "review_request_due": today + timedelta(days=30),
        "under_supervision": True,
        "extension_requested_days": 10,
        "extension_requested_by": people[LEVEL_STAFF],
        "extension_reason": "需等待线路改造",
    }
    petition = PetitionFactory(
        status=status, **{**standing, **GUARD_FIELDS.get(action, {}), **fields}
    )
    PetitionAssignment.objects.create(
        petition=petition, person=people[ASSIGNEE], assigned_by=people[LEVEL_STAFF]
    )
    return petition


def test_every_action_of_the_table_has_a_service_and_a_page_form():
    from django import forms

    for transition in PETITION_ACTIONS:
        assert callable(transition.service), transition.action
        assert issubclass(transition.form, forms.Form), transition.action


def test_each_person_holds_exactly_the_capabilities_they_stand_for(people):
    petition = standing_petition(PetitionStatus.ASSIGNED, people=people)
    held = {
        person.first_name: capabilities_for(user=person, case=petition)
        for person in persons(people)
    }
    assert held == {
        "赵镇干": {LEVEL_STAFF, CENTRE},
        "孟主任": {LEVEL_STAFF, CENTRE, HEAD},
        "李调解": {ASSIGNEE},
        # The county is above the township, and reviews its reply (复查).
        "孙区干": {SUPERIOR, REVIEWER},
        # The city is above too, and conducts the second review (复核).
        "吴市干": {SUPERIOR, SECOND_REVIEWER},
        # The village committee helps; it does not handle.
        "王村委": {ASSISTING},
        # A department's liaison has nothing of a petition not sent to their department.
        "杨联络": set(),
    }


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_from_a_status_the_table_does_not_list_is_refused_and_writes_nothing(
    action, people
):
    transition = PETITION_ACTIONS.get(action)
    forbidden = [status for status in PetitionStatus.values if status not in transition.sources]
    assert forbidden, f"{action} is allowed from every status"
    actor = actor_for(transition, people)
    arguments = valid_arguments(action, people=people)
    for status in forbidden:
        petition = standing_petition(status, people=people, action=action)
        before = snapshot(petition)

        with pytest.raises(TransitionNotAllowed) as refused:
            SERVICES[action](actor=actor, petition=petition, version=petition.version, **arguments)

        message = str(refused.value)
        assert "不能" in message or "无法" in message, message
        assert not has_latin_letters(message), message
        assert snapshot(petition) == before, (action, status)


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_by_someone_the_table_does_not_allow_is_refused_and_writes_nothing(
    action, people
):
    transition = PETITION_ACTIONS.get(action)
    status = sorted(transition.sources)[0]
    arguments = valid_arguments(action, people=people)
    probe = standing_petition(status, people=people, action=action)
    outsiders = [
        person
        for person in persons(people)
        if not transition.who & capabilities_for(user=person, case=probe)
    ]
    assert outsiders, action
    for actor in outsiders:
        petition = standing_petition(status, people=people, action=action)
        before = snapshot(petition)

        with pytest.raises(TransitionNotAllowed) as refused:
            SERVICES[action](actor=actor, petition=petition, version=petition.version, **arguments)

        assert not has_latin_letters(str(refused.value)), str(refused.value)
        assert snapshot(petition) == before, (action, actor.first_name)


@pytest.mark.parametrize("action", ACTIONS)
def test_posting_a_forbidden_action_from_the_page_says_why_in_chinese(client, action, people):
    transition = PETITION_ACTIONS.get(action)
    status = next(s for s in PetitionStatus.values if s not in transition.sources)
    actor = actor_for(transition, people)
    petition = standing_petition(status, people=people, action=action)
    client.force_login(actor)
    before = snapshot(petition)

    response = post_action(
        client, petition, action, **form_data(valid_arguments(action, people=people))
    )

    assert response.status_code in {302, 400}
    if response.status_code == 302:
        shown = [str(m) for m in get_messages(response.wsgi_request)]
    else:
        entry = next(e for e in response.context["actions"] if e["open"])
        shown = [" ".join(entry["form"].non_field_errors())]
    assert len(shown) == 1 and shown[0], shown
    assert not has_latin_letters(shown[0]), shown
    assert snapshot(petition) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_succeeds_from_a_listed_status_and_writes_one_event(action, people):
    """The other side of the refusals: the arguments above are good, so only the status or
    the person could have refused them."""
    transition = PETITION_ACTIONS.get(action)
    actor = actor_for(transition, people)
    status = sorted(transition.sources)[0]
    petition = standing_petition(status, people=people, action=action)
    events = petition.events.count()

    SERVICES[action](
        actor=actor,
        petition=petition,
        version=petition.version,
        **valid_arguments(action, people=people),
    )

    petition = fresh(petition)
    assert petition.version == 2
    assert petition.status == (transition.target or status)
    assert petition.events.count() == events + 1
    assert petition.events.get().kind == action


def test_a_stale_version_is_refused_and_writes_nothing(township_staff, people):
    petition = standing_petition(PetitionStatus.ASSIGNED, people=people)
    services.petition_handle(
        actor=township_staff, petition=petition, version=petition.version, opinion="已联系供电所"
    )
    before = snapshot(petition)

    with pytest.raises(CaseChangedUnderYou):
        services.petition_reply(
            actor=township_staff, petition=petition, version=1, reply="路灯已修复。"
        )

    assert snapshot(petition) == before


def test_a_stale_form_comes_back_with_the_input_kept_and_the_new_version(
    client, township_staff, mediator, people
):
    """The county put the petition under supervision while the township was typing the
    handling: the township's form, drawn from the older version, is refused with what was
    typed still in it, and carries the new version for the next try."""
    petition = standing_petition(PetitionStatus.ASSIGNED, people=people)
    services.petition_supervise(
        actor=people[SUPERIOR], petition=petition, version=petition.version, note="请加快"
    )
    stale = petition.version - 1
    client.force_login(township_staff)
    before = snapshot(petition)

    response = post_action(
        client, petition, "handle", version=stale, opinion="已协调供电所，本周内更换灯具"
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "在您操作期间，他人已更新了此案件" in text_of(response)
    assert "已协调供电所，本周内更换灯具" in page
    assert f'name="version" value="{fresh(petition).version}"' in page
    assert snapshot(petition) == before

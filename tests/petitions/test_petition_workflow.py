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
from petitions.workflow import ASSIGNEE, LEVEL_STAFF, SUPERIOR
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


def valid_arguments(action, *, mediator):
    """Arguments each action's service would accept: refusals must come from elsewhere."""
    return {
        "accept": {},
        "not_accept": {"reason": "不属于信访事项受理范围"},
        "assign": {"person": mediator},
        "handle": {"opinion": "已协调供电所更换灯具"},
        "reply": {"reply": "路灯已于本周修复。"},
        "record_satisfied": {"satisfaction": 5},
        "request_review": {"reason": "仍有两盏不亮"},
        "review": {"opinion": "维持原处理意见"},
        "close": {},
        "extend": {"days": 10, "reason": "需等待线路改造"},
        "escalate": {"reason": "涉及多个乡镇"},
        "send_down": {"reason": "村里可以办理"},
        "supervise": {"note": "请本周内办结"},
        "answer_supervision": {"answer": "已安排本周办结"},
    }[action]


def form_data(arguments: dict) -> dict:
    return {key: getattr(value, "pk", value) for key, value in arguments.items()}


@pytest.fixture
def people(township_staff, mediator, county_official):
    return {LEVEL_STAFF: township_staff, ASSIGNEE: mediator, SUPERIOR: county_official}


def standing_petition(status, *, people, **fields):
    """A township petition of 店上村 in `status`, accepted a week ago, with the mediator
    assigned and under supervision, so that every capability and guard of the table holds."""
    today = timezone.localdate()
    petition = PetitionFactory(
        status=status,
        decided_on=today - timedelta(days=7),
        conclusion_due=today + timedelta(days=53),
        reply="路灯已修复。",
        replied_on=today,
        review_request_due=today + timedelta(days=30),
        under_supervision=True,
        **fields,
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


def test_each_person_holds_exactly_the_capability_they_stand_for(people):
    petition = standing_petition(PetitionStatus.ASSIGNED, people=people)
    for capability, person in people.items():
        assert capabilities_for(user=person, case=petition) == {capability}


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_from_a_status_the_table_does_not_list_is_refused_and_writes_nothing(
    action, people
):
    transition = PETITION_ACTIONS.get(action)
    forbidden = [status for status in PetitionStatus.values if status not in transition.sources]
    assert forbidden, f"{action} is allowed from every status"
    actor = next(people[who] for who in (LEVEL_STAFF, ASSIGNEE, SUPERIOR) if who in transition.who)
    arguments = valid_arguments(action, mediator=people[ASSIGNEE])
    for status in forbidden:
        petition = standing_petition(status, people=people)
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
    arguments = valid_arguments(action, mediator=people[ASSIGNEE])
    outsiders = [people[who] for who in people if who not in transition.who]
    for actor in outsiders:
        petition = standing_petition(status, people=people)
        before = snapshot(petition)

        with pytest.raises(TransitionNotAllowed) as refused:
            SERVICES[action](actor=actor, petition=petition, version=petition.version, **arguments)

        assert not has_latin_letters(str(refused.value)), str(refused.value)
        assert snapshot(petition) == before, (action, actor.first_name)


@pytest.mark.parametrize("action", ACTIONS)
def test_posting_a_forbidden_action_from_the_page_says_why_in_chinese(client, action, people):
    transition = PETITION_ACTIONS.get(action)
    status = next(s for s in PetitionStatus.values if s not in transition.sources)
    actor = next(people[who] for who in (LEVEL_STAFF, ASSIGNEE, SUPERIOR) if who in transition.who)
    petition = standing_petition(status, people=people)
    client.force_login(actor)
    before = snapshot(petition)

    response = post_action(
        client, petition, action, **form_data(valid_arguments(action, mediator=people[ASSIGNEE]))
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
    actor = next(people[who] for who in (LEVEL_STAFF, ASSIGNEE, SUPERIOR) if who in transition.who)
    status = sorted(transition.sources)[0]
    petition = standing_petition(status, people=people)
    events = petition.events.count()

    SERVICES[action](
        actor=actor,
        petition=petition,
        version=petition.version,
        **valid_arguments(action, mediator=people[ASSIGNEE]),
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

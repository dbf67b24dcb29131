"""What the workflow table forbids is refused with a Chinese message and writes nothing.

The cases are generated from the registry (`DISPUTE_ACTIONS`): for each action, every status
that is not one of its sources. The person acting holds a capability the action asks for, so that
the refusal can only come from the status. Refusals by capability follow.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from disputes.actions import DISPUTE_ACTIONS
from disputes.models import Assignment, ExtensionRequest, Level, Status, Summons
from disputes.selectors import capabilities_for
from disputes.workflow import ASSIGNEE, LEVEL_STAFF, REVISITOR, SUMMONED, SUPERIOR
from tests.disputes.helpers import (
    fresh,
    make_revisitable,
    post_action,
    register,
    snapshot,
    take,
)
from tests.factories import DisputeFactory

ACTIONS = [transition.action for transition in DISPUTE_ACTIONS.transitions]
SERVICES = {transition.action: transition.service for transition in DISPUTE_ACTIONS}


def valid_arguments(action, *, mediator, department, target):
    """Arguments each action's service would accept: refusals must come from elsewhere."""
    today = timezone.localdate()
    return {
        "accept": {},
        "assign": {"lead": mediator},
        "start_mediation": {"route": "peoples"},
        "record_session": {"held_on": today, "participants": "双方当事人、调解员"},
        "resolve": {"outcome": "agreement", "agreement": "排水沟改走东侧，费用双方各半。"},
        "terminate": {"outcome": "not_agreed", "reason": "双方分歧较大"},
        "hand_back": {"reason": "不属本人专业"},
        "escalate": {"reason": "涉及多户，需镇里协调"},
        "send_down": {"reason": "村里可以调处"},
        "extend": {
            "days": 5,
            "consent": "双方当事人当面同意延长",
            "consented_on": today,
            "reason": "需等待土地确权结果",
        },
        "decide_extension": {"approved": True},
        "summon": {"departments": [department], "due_on": today + timedelta(days=3)},
        "acknowledge_summons": {},
        "report_summons": {"report": "已到现场查看"},
        "supervise": {"note": "请加快办理"},
        "answer_supervision": {"answer": "已约双方本周调解"},
        "revisit": {"satisfaction": 5, "fulfilment": "carried_out"},
        "return": {},
        "close": {},
        "reopen": {"reason": "当事人反映协议未履行"},
        "merge": {"target": target},
    }[action]


@pytest.fixture
def people(township_staff, mediator, county_official, justice_liaison, justice_office, revisitor):
    return {
        LEVEL_STAFF: township_staff,
        ASSIGNEE: mediator,
        SUPERIOR: county_official,
        SUMMONED: justice_liaison,
        REVISITOR: revisitor,
    }


def not_in_this_status(action, status) -> str:
    """The refusal a person reads, in the Chinese of the catalogue."""
    label = DISPUTE_ACTIONS.get(action).label
    return f"案件处于“{Status(status).label}”状态时不能“{label}”。"


def not_yours(action) -> str:
    return f"您无权对此案件进行“{DISPUTE_ACTIONS.get(action).label}”。"


def standing_dispute(status, *, people, justice_office):
    """A township-level dispute of 店上村 in `status`, with the mediator assigned and the
    justice office summoned, so that every capability of the table is held by someone."""
    dispute = DisputeFactory(status=status, level=Level.TOWNSHIP)
    Assignment.objects.create(
        dispute=dispute, person=people[ASSIGNEE], lead=True, assigned_by=people[LEVEL_STAFF]
    )
    Summons.objects.create(
        dispute=dispute,
        department=justice_office,
        due_on=timezone.localdate() + timedelta(days=3),
        summoned_by=people[LEVEL_STAFF],
    )
    return dispute


def test_every_action_of_the_table_has_a_service_and_a_page_form():
    from django import forms

    for transition in DISPUTE_ACTIONS:
        assert callable(transition.service), transition.action
        assert issubclass(transition.form, forms.Form), transition.action


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_from_a_status_the_table_does_not_list_is_refused_and_writes_nothing(
    action, people, justice_office, resources_office, django_capture_on_commit_callbacks
):
    transition = DISPUTE_ACTIONS.get(action)
    forbidden = [status for status in Status.values if status not in transition.sources]
    assert forbidden, f"{action} is allowed from every status"
    actor = next(
        people[who]
        for who in (LEVEL_STAFF, ASSIGNEE, SUPERIOR, SUMMONED, REVISITOR)
        if who in transition.who
    )
    target = DisputeFactory(status=Status.ACCEPTED)
    arguments = valid_arguments(
        action, mediator=people[ASSIGNEE], department=resources_office, target=target
    )
    for status in forbidden:
        dispute = standing_dispute(status, people=people, justice_office=justice_office)
        if action == "decide_extension":
            ExtensionRequest.objects.create(
                dispute=dispute, working_days=5, reason="等待鉴定", requested_by=people[LEVEL_STAFF]
            )
        assert capabilities_for(user=actor, dispute=dispute) & transition.who
        before = snapshot(dispute)

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(TransitionNotAllowed) as refusal,
        ):
            SERVICES[action](actor=actor, dispute=dispute, version=dispute.version, **arguments)

        assert str(refusal.value) == not_in_this_status(action, status)
        assert snapshot(dispute) == before, status
        assert callbacks == [], status


@pytest.mark.parametrize(
    ("action", "status"),
    [("close", Status.REGISTERED), ("accept", Status.CLOSED), ("assign", Status.MERGED)],
)
def test_a_forbidden_action_posted_from_the_page_comes_back_with_the_reason(
    client, action, status, people, justice_office
):
    dispute = standing_dispute(status, people=people, justice_office=justice_office)
    before = snapshot(dispute)
    client.force_login(people[LEVEL_STAFF])

    response = post_action(client, dispute, action, lead=people[ASSIGNEE].pk)

    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [not_in_this_status(action, status)]
    assert snapshot(dispute) == before


# --- Refusals by capability ------------------------------------------------------------------


def refused(action, actor, dispute, **arguments) -> str:
    """Take `action` expecting a refusal; check nothing changed; return what the person reads."""
    before = snapshot(dispute)
    with pytest.raises(TransitionNotAllowed) as refusal:
        take(action, actor, dispute, **arguments)
    assert snapshot(dispute) == before
    return str(refusal.value)


def test_a_mediator_not_assigned_cannot_accept(dispute, mediator):
    assert refused("accept", mediator, dispute) == not_yours("accept")


def test_a_grid_worker_cannot_assign_a_dispute_of_their_own_grid_held_by_the_village(
    grid, grid_worker, village_staff, mediator
):
    dispute = register(village_staff, level=Level.VILLAGE, grid=grid)
    take("accept", village_staff, dispute)

    assert refused("assign", grid_worker, dispute, lead=mediator) == not_yours("assign")


def test_only_a_superior_can_supervise(dispute, township_staff, mediator, county_official):
    take("accept", township_staff, dispute)
    for person in (township_staff, mediator):
        assert refused("supervise", person, dispute, note="请加快办理") == not_yours("supervise")

    take("supervise", county_official, dispute, note="请加快办理")
    assert fresh(dispute).under_supervision


def test_only_a_superior_can_decide_an_extension(
    dispute, township_staff, mediator, county_official
):
    take("accept", township_staff, dispute)
    # A request made before extensions needed the parties' consent, still pending.
    ExtensionRequest.objects.create(
        dispute=dispute, working_days=5, reason="等待土地确权", requested_by=township_staff
    )
    for person in (township_staff, mediator):
        message = refused("decide_extension", person, dispute, approved=True)
        assert message == not_yours("decide_extension")

    take("decide_extension", county_official, dispute, approved=True)
    assert fresh(dispute).extended


def test_the_assigned_mediator_cannot_close_and_nobody_else_can_hand_back(
    dispute, township_staff, mediator, second_township_staff, revisitor
):
    take("accept", township_staff, dispute)
    take("assign", township_staff, dispute, lead=mediator)
    assert refused("hand_back", second_township_staff, dispute, reason="不是我的") == not_yours(
        "hand_back"
    )
    take("start_mediation", mediator, dispute, route="peoples")
    take("resolve", mediator, dispute, outcome="oral_agreement", agreement="排水沟改走东侧")
    make_revisitable(dispute)
    take("revisit", revisitor, dispute, satisfaction=4, fulfilment="carried_out")

    assert refused("close", mediator, dispute) == not_yours("close")


def test_a_department_not_summoned_cannot_report(
    dispute, township_staff, justice_office, resources_liaison
):
    take(
        "summon",
        township_staff,
        dispute,
        departments=[justice_office],
        due_on=timezone.localdate() + timedelta(days=2),
    )
    message = refused("report_summons", resources_liaison, dispute, report="已处理")
    assert message == not_yours("report_summons")


def test_the_page_offers_each_person_only_what_they_may_do(
    dispute, township_staff, mediator, county_official
):
    take("accept", township_staff, dispute)
    take("assign", township_staff, dispute, lead=mediator)
    dispute = fresh(dispute)

    def offered(person):
        capabilities = capabilities_for(user=person, dispute=dispute)
        return {
            t.action for t in DISPUTE_ACTIONS.available(case=dispute, capabilities=capabilities)
        }

    assert offered(mediator) == {
        "start_mediation",
        "hand_back",
        "escalate",
        "extend",
        "terminate",
    }
    assert {"assign", "summon", "merge", "escalate"} <= offered(township_staff)
    assert "hand_back" not in offered(township_staff)
    assert offered(county_official) == {"supervise"}


# --- Refusals by condition beyond the status -------------------------------------------------


def test_the_county_cannot_escalate_further(county_official):
    dispute = register(county_official, level=Level.COUNTY)
    assert refused("escalate", county_official, dispute, reason="太难") == "区县已是最高层级。"


def test_a_dispute_without_a_grid_cannot_be_sent_down_to_the_grid(village_staff):
    dispute = register(village_staff, level=Level.VILLAGE)
    message = refused("send_down", village_staff, dispute, reason="网格可办")
    assert message == "没有可以下派的下级。"


def test_an_unknown_action_is_refused():
    with pytest.raises(TransitionNotAllowed) as refusal:
        DISPUTE_ACTIONS.get("delete")
    assert str(refusal.value) == "未知操作。"

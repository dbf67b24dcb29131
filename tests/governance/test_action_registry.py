"""The registry of a case type's actions (`cases.workflow`): one entry per action, read
alike by the page (what to offer) and the services (what to refuse)."""

from types import SimpleNamespace

import pytest
from django import forms

from cases.workflow import (
    ASSIGNEE,
    LEVEL_STAFF,
    STAYS,
    TransitionNotAllowed,
    Workflow,
    action,
)


def _registry():
    """A case type of two actions, as a new one (incidents, say) would declare them."""
    return Workflow(
        transitions=[
            action(
                "dispatch",
                "派遣",
                sources={"open"},
                target="out",
                who={LEVEL_STAFF},
                guard=lambda case: None if case.ready else "尚未准备好。",
                form=forms.Form,
                service=lambda **arguments: None,
            ),
            action(
                "note",
                "记录",
                sources={"open", "out"},
                target=STAYS,
                who={LEVEL_STAFF, ASSIGNEE},
                form=forms.Form,
                service=lambda **arguments: None,
            ),
        ],
        status_labels={"open": "待派遣", "out": "已派遣"},
    )


def test_an_action_is_offered_from_its_statuses_to_those_who_may_when_its_guard_allows():
    registry = _registry()
    ready = SimpleNamespace(status="open", ready=True)
    not_ready = SimpleNamespace(status="open", ready=False)

    def offered(case, *capabilities):
        return [t.action for t in registry.available(case=case, capabilities=capabilities)]

    assert offered(ready, LEVEL_STAFF) == ["dispatch", "note"]
    assert offered(ready, ASSIGNEE) == ["note"]
    assert offered(not_ready, LEVEL_STAFF) == ["note"]
    assert offered(SimpleNamespace(status="out", ready=True), LEVEL_STAFF) == ["note"]
    assert registry.get("dispatch").refusal(not_ready) == "尚未准备好。"
    assert registry.get("dispatch").refusal(ready) is None


def test_the_check_refuses_a_status_the_entry_does_not_list_in_chinese():
    with pytest.raises(TransitionNotAllowed) as refusal:
        _registry().check(action="dispatch", status="out", capabilities={LEVEL_STAFF})
    assert str(refusal.value) == "案件处于“已派遣”状态时不能“派遣”。"


def test_an_action_declared_twice_is_a_mistake_caught_at_import():
    entry = _registry().get("note")
    with pytest.raises(ValueError):
        Workflow(transitions=[entry, entry])

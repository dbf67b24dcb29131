"""Bad input on the registration form and on the action forms: a clear Chinese message next to
what was typed, never a server error, and nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from petitions.models import PetitionAssignment, PetitionStatus
from tests.conftest import WEIZI_VILLAGE
from tests.factories import DayFromToday, PetitionFactory, with_days_resolved
from tests.petitions.helpers import (
    PETITIONER,
    has_latin_letters,
    post_action,
    register_form,
    snapshot,
    text_of,
)

REQUIRED = "这个字段是必填项。"
STALE = "此表单不完整或已过期，请刷新页面后重试。"

REGISTER_CASES = {
    "nothing filled in": (
        {"channel": "", "area": "", "level": "", "subject": "", "content": "", "group_size": ""},
        REQUIRED,
    ),
    "a subject of spaces only": ({"subject": "   "}, REQUIRED),
    "a subject too long": ({"subject": "路" * 201}, "200"),
    "an unknown channel": ({"channel": "fax"}, "选择一个有效的选项"),
    "a date that does not exist": ({"received_on": "2026-02-30"}, "输入一个有效的日期"),
    "a day received in the future": ({"received_on": DayFromToday(1)}, "收到日期不能晚于今天。"),
    "an area outside the jurisdiction": ({"area": WEIZI_VILLAGE}, "选择一个有效的选项"),
    # A village committee is not a petition body: the level is not offered.
    "a village as the handling level": ({"level": "village"}, "选择一个有效的选项"),
    "a level the person does not work at": ({"level": "county"}, "您不能在这一层级登记信访件。"),
    "a group of nobody": ({"group_size": "0"}, "1"),
    "a group size that is not a number": ({"group_size": "许多"}, "输入整数"),
    "a dispute number nobody has": ({"disputes": "JF20269999999"}, "JF20269999999"),
    "an ID number with a wrong check digit": (
        {"petitioner-0-id_number": "140406198001011235"},
        "校验码",
    ),
    "an ID number too short": ({"petitioner-0-id_number": "1404061980"}, "18"),
    "a phone number that is not one": ({"petitioner-0-phone": "12345"}, "手机号"),
    "a petitioner without a name": ({"petitioner-0-name": ""}, REQUIRED),
    "no petitioner at all": ({"petitioner-TOTAL_FORMS": "0"}, "请至少填写一名信访人。"),
    "a tampered petitioner count": ({"petitioner-TOTAL_FORMS": "abc"}, "输入整数"),
}


@pytest.mark.parametrize("case", REGISTER_CASES)
def test_bad_input_on_the_register_form_is_refused_with_a_message_and_writes_nothing(
    client, township_staff, case
):
    fields, expected = REGISTER_CASES[case]
    fields = with_days_resolved(fields)
    client.force_login(township_staff)
    before = snapshot()

    response = client.post("/petitions/new/", register_form(**fields))

    assert response.status_code == 200
    page = text_of(response)
    assert expected in page, page[page.find("登记信访件") :][:600]
    assert 'class="invalid-feedback' in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    assert snapshot() == before


def test_errors_in_the_petition_and_in_a_petitioner_show_together(client, township_staff):
    """Someone who typed two mistakes is told of both at once, not one per try."""
    client.force_login(township_staff)

    response = client.post(
        "/petitions/new/",
        register_form(subject="", **{"petitioner-0-id_number": "140406198001011235"}),
    )

    page = text_of(response)
    assert REQUIRED in page
    assert "校验码" in page


def test_the_register_form_keeps_what_was_typed(client, township_staff):
    client.force_login(township_staff)

    response = client.post("/petitions/new/", register_form(**{"petitioner-0-phone": "12345"}))

    html = response.content.decode()
    assert PETITIONER["name"] in html
    assert PETITIONER["id_number"] in html
    assert "村道路灯已坏三个月" in html


@pytest.fixture
def assigned(township_staff, mediator):
    today = timezone.localdate()
    petition = PetitionFactory(
        status=PetitionStatus.ASSIGNED,
        decided_on=today - timedelta(days=3),
        conclusion_due=today + timedelta(days=57),
    )
    PetitionAssignment.objects.create(
        petition=petition, person=mediator, assigned_by=township_staff
    )
    return petition


ACTION_CASES = {
    "an empty reason not to accept": ("received", "not_accept", {"reason": ""}, REQUIRED),
    "an opinion of spaces only": ("assigned", "handle", {"opinion": "   \n "}, REQUIRED),
    "a reply too long": ("handled", "reply", {"reply": "复" * 5001}, "5000"),
    "a handler from another township": ("accepted", "assign", {"person": "weizi"}, "有效的选项"),
    "a handler that is not a number": ("accepted", "assign", {"person": "张三"}, "有效的选项"),
    "no satisfaction chosen": ("replied", "record_satisfied", {}, REQUIRED),
    "a satisfaction of 9": ("replied", "record_satisfied", {"satisfaction": "9"}, "有效的选项"),
    "no version": ("assigned", "handle", {"version": "", "opinion": "已办"}, STALE),
    "a version that is not a number": (
        "assigned",
        "handle",
        {"version": "x", "opinion": "已办"},
        STALE,
    ),
}


@pytest.mark.parametrize("case", ACTION_CASES)
def test_bad_input_on_an_action_form_is_refused_with_a_message_and_writes_nothing(
    client, township_staff, mediator, weizi_staff, county_official, case
):
    status, action, data, expected = ACTION_CASES[case]
    petition = PetitionFactory(
        status=status,
        decided_on=timezone.localdate(),
        conclusion_due=timezone.localdate() + timedelta(days=60),
        reply="已修复",
        replied_on=timezone.localdate(),
    )
    if data.get("person") == "weizi":
        data = {**data, "person": weizi_staff.pk}
    client.force_login(township_staff)
    before = snapshot(petition)

    response = post_action(client, petition, action, **data)

    assert response.status_code == 400
    entry = next(e for e in response.context["actions"] if e["open"])
    assert entry["transition"].action == action
    errors = [str(e) for field in entry["form"].errors.values() for e in field]
    assert errors
    assert all(not has_latin_letters(error) for error in errors), errors
    assert expected in " ".join(errors)
    # The person sees it on the page, in the action's panel that stays open.
    shown = text_of(response)
    assert all(error in shown for error in errors), errors
    assert snapshot(petition) == before


@pytest.mark.parametrize("days", ["0", "-5", "31", "365", "十天", ""])
def test_an_extension_of_a_wrong_number_of_days_is_refused(client, township_staff, assigned, days):
    client.force_login(township_staff)
    before = snapshot(assigned)

    response = post_action(client, assigned, "request_extension", days=days, reason="复杂")

    assert response.status_code == 400
    entry = next(e for e in response.context["actions"] if e["open"])
    errors = " ".join(str(e) for field in entry["form"].errors.values() for e in field)
    assert errors and not has_latin_letters(errors)
    assert errors in text_of(response) or all(
        e in text_of(response) for f in entry["form"].errors.values() for e in f
    )
    assert snapshot(assigned) == before

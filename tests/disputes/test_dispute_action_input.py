"""Bad input on a dispute's action forms: the page comes back (400) with a Chinese message in
the form, nothing is written; never a server error. What people type is shown as text."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Supervision
from disputes.models import Level
from tests.conftest import WEIZI, WEIZI_VILLAGE
from tests.disputes.helpers import (
    action_form_html,
    bring_to_mediation,
    make_revisitable,
    post_action,
    register,
    snapshot,
    take,
    text_of,
)
from tests.factories import DayFromToday, department_with_liaison, with_days_resolved

REQUIRED = "这个字段是必填项。"
NOT_OFFERED = "不在可用的选项中"
OUT_OF_DATE = "此表单已过期，请刷新页面后重试。"


@pytest.fixture
def in_mediation(dispute, township_staff, mediator):
    return bring_to_mediation(dispute, staff=township_staff, mediator=mediator)


# (action, who posts it, data, the message shown in the form)
CASES = [
    ("record_session", "mediator", {"held_on": "", "participants": "双方"}, REQUIRED),
    (
        "record_session",
        "mediator",
        {"held_on": "2026-02-30", "participants": "双方"},
        "输入一个有效的日期。",
    ),
    (
        "record_session",
        "mediator",
        {"held_on": "明天", "participants": "双方"},
        "输入一个有效的日期。",
    ),
    (
        "record_session",
        "mediator",
        {"held_on": DayFromToday(1), "participants": "双方"},
        "不能记录未来日期的调解。",
    ),
    ("record_session", "mediator", {"held_on": DayFromToday(0), "participants": "  "}, REQUIRED),
    (
        "record_session",
        "mediator",
        {"held_on": DayFromToday(0), "participants": "人" * 501},
        "500",
    ),
    ("resolve", "mediator", {"outcome": "agreement", "agreement": ""}, REQUIRED),
    ("resolve", "mediator", {"outcome": "oral_agreement", "agreement": "  "}, REQUIRED),
    # A withdrawal or a referral is not a success: the success form does not offer it.
    ("resolve", "mediator", {"outcome": "withdrawn", "agreement": "撤回"}, NOT_OFFERED),
    ("resolve", "mediator", {"outcome": "failed"}, NOT_OFFERED),
    ("resolve", "mediator", {"outcome": "agreement", "agreement": "协" * 5001}, "5000"),
    ("terminate", "mediator", {"outcome": "not_agreed", "reason": ""}, REQUIRED),
    ("terminate", "mediator", {"outcome": "not_agreed", "reason": "因" * 2001}, "2000"),
    ("terminate", "mediator", {"outcome": "agreement", "reason": "达成"}, NOT_OFFERED),
    (
        "terminate",
        "mediator",
        {"outcome": "referred", "reason": "起诉", "referral_kind": "court"},
        "请写明接收的法院或仲裁委员会。",
    ),
    (
        "terminate",
        "mediator",
        {
            "outcome": "referred",
            "reason": "起诉",
            "referral_kind": "court",
            "referral_body": "潞城区人民法院",
            "referral_case_number": "2026-123",
        },
        "这不是法院案号",
    ),
    (
        "terminate",
        "mediator",
        {
            "outcome": "referred",
            "reason": "申请仲裁",
            "referral_kind": "arbitration",
            "referral_body": "潞城区人民法院",
            "referral_case_number": "潞劳人仲案字〔2026〕第15号",
        },
        "仲裁委员会的名称中应有“仲裁”",
    ),
    ("escalate", "township_staff", {"reason": "   "}, REQUIRED),
    (
        "extend",
        "township_staff",
        {"days": "abc", "reason": "等", "consent": "双方同意", "consented_on": DayFromToday(0)},
        "输入整数。",
    ),
    (
        "extend",
        "township_staff",
        {"days": "0", "reason": "等", "consent": "双方同意", "consented_on": DayFromToday(0)},
        "确保该值大于或等于1。",
    ),
    (
        "extend",
        "township_staff",
        {"days": "31", "reason": "等", "consent": "双方同意", "consented_on": DayFromToday(0)},
        "确保该值小于或等于30。",
    ),
    ("extend", "township_staff", {"days": "3", "consent": "双方同意"}, REQUIRED),
    # No extension without the parties' consent, recorded.
    (
        "extend",
        "township_staff",
        {"days": "3", "reason": "等待鉴定", "consent": " ", "consented_on": DayFromToday(0)},
        REQUIRED,
    ),
    (
        "extend",
        "township_staff",
        {
            "days": "3",
            "reason": "等待鉴定",
            "consent": "双方同意",
            "consented_on": DayFromToday(1),
        },
        "当事人同意的日期不能在将来。",
    ),
    ("summon", "township_staff", {"departments": [], "due_on": DayFromToday(0)}, REQUIRED),
    ("summon", "township_staff", {"departments": ["abc"], "due_on": DayFromToday(0)}, "abc"),
    ("supervise", "county_official", {"note": ""}, REQUIRED),
    ("assign", "township_staff", {}, "请选择一个主办：一名人员或一个部门。"),
    ("assign", "township_staff", {"lead": "999999"}, NOT_OFFERED),
    ("merge", "township_staff", {"target": ""}, REQUIRED),
    ("merge", "township_staff", {"target": "JF0000"}, "您可见的纠纷中没有这个编号。"),
    ("merge", "township_staff", {"target": "x" * 33}, "32"),
    (
        "record_session",
        "mediator",
        {"version": "abc", "held_on": DayFromToday(0), "participants": "双方"},
        OUT_OF_DATE,
    ),
    (
        "record_session",
        "mediator",
        {"version": "", "held_on": DayFromToday(0), "participants": "双方"},
        OUT_OF_DATE,
    ),
]


@pytest.mark.parametrize(("action", "who", "data", "message"), CASES)
def test_bad_action_input_comes_back_with_a_message_and_writes_nothing(
    client, request, in_mediation, action, who, data, message
):
    before = snapshot(in_mediation)
    client.force_login(request.getfixturevalue(who))
    data = with_days_resolved(data)
    version = data.pop("version", None)

    if version is None:
        response = post_action(client, in_mediation, action, **data)
    else:
        response = client.post(
            reverse("disputes:act", args=[in_mediation.pk, action]), {"version": version, **data}
        )

    assert response.status_code == 400
    assert message in text_of_form(response, action)
    assert snapshot(in_mediation) == before


def text_of_form(response, action):

    return re.sub(
        r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", action_form_html(response, action)))
    )


@pytest.mark.parametrize("satisfaction", ["9", "0", "abc", ""])
def test_a_revisit_satisfaction_outside_1_to_5_is_refused(
    client, in_mediation, mediator, revisitor, satisfaction
):
    take("resolve", mediator, in_mediation, outcome="agreement", agreement="排水沟改走东侧")
    make_revisitable(in_mediation)
    before = snapshot(in_mediation)
    client.force_login(revisitor)

    response = post_action(
        client, in_mediation, "revisit", satisfaction=satisfaction, fulfilment="carried_out"
    )

    assert response.status_code == 400
    shown = text_of_form(response, "revisit")
    assert (REQUIRED if satisfaction == "" else NOT_OFFERED) in shown
    assert snapshot(in_mediation) == before


def test_a_summons_due_in_the_past_is_refused(client, in_mediation, township_staff, justice_office):
    before = snapshot(in_mediation)
    client.force_login(township_staff)

    response = post_action(
        client,
        in_mediation,
        "summon",
        departments=[justice_office.pk],
        due_on=(timezone.localdate() - timedelta(days=1)).isoformat(),
    )

    assert response.status_code == 400
    assert "报到期限已过。" in text_of_form(response, "summon")
    assert snapshot(in_mediation) == before


def test_a_department_of_another_township_cannot_be_summoned(
    client, in_mediation, township_staff, weizi_staff
):

    elsewhere, _liaison = department_with_liaison("微子镇司法所", WEIZI)
    before = snapshot(in_mediation)
    client.force_login(township_staff)

    response = post_action(
        client, in_mediation, "summon", departments=[elsewhere.pk], due_on=DayFromToday(0).iso()
    )

    assert response.status_code == 400
    assert NOT_OFFERED in text_of_form(response, "summon")
    assert snapshot(in_mediation) == before


def test_an_unknown_action_answers_404_and_a_get_is_not_allowed(
    client, in_mediation, township_staff
):
    client.force_login(township_staff)
    assert client.post(reverse("disputes:act", args=[in_mediation.pk, "delete"])).status_code == 404
    assert client.get(reverse("disputes:act", args=[in_mediation.pk, "accept"])).status_code == 405


def test_script_typed_in_an_action_is_stored_as_text_and_escaped(
    client, in_mediation, township_staff, county_official
):
    script = '<script>alert("督办")</script>'
    client.force_login(county_official)
    assert post_action(client, in_mediation, "supervise", note=f"{script}请加快").status_code == 302
    client.force_login(township_staff)
    assert (
        post_action(client, in_mediation, "answer_supervision", answer=f"{script}已办").status_code
        == 302
    )

    page = client.get(reverse("disputes:detail", args=[in_mediation.pk])).content.decode()

    assert script not in page
    assert "&lt;script&gt;alert(&quot;督办&quot;)&lt;/script&gt;请加快" in page
    assert "&lt;script&gt;alert(&quot;督办&quot;)&lt;/script&gt;已办" in page
    assert Supervision.objects.get(object_id=in_mediation.pk).note == f"{script}请加快"


def test_an_invalid_form_for_an_action_that_is_not_possible_redirects_with_a_message(
    client, in_mediation, township_staff
):
    """Closing is not possible in mediation: the page says so instead of showing a form."""
    before = snapshot(in_mediation)
    client.force_login(township_staff)

    response = client.post(reverse("disputes:act", args=[in_mediation.pk, "close"]), {})

    assert response.status_code == 302
    assert snapshot(in_mediation) == before


def test_the_other_townships_dispute_number_is_not_a_merge_target(
    client, dispute, township_staff, weizi_staff
):
    elsewhere = register(weizi_staff, village_code=WEIZI_VILLAGE, level=Level.TOWNSHIP)
    take("accept", township_staff, dispute)
    client.force_login(township_staff)

    response = post_action(client, dispute, "merge", target=elsewhere.number)

    assert response.status_code == 400
    assert "您可见的纠纷中没有这个编号。" in text_of(response)

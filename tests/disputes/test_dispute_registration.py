"""Registration: the form refuses bad input with a Chinese message and writes nothing; the
same parties coming back with the same kind of dispute are shown and must be confirmed; the
risk colour; a grid finding handed up opens a dispute prefilled from it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from disputes.models import Dispute, DisputeEvent, DisputeKind, Level, Risk
from disputes.services import risk_colour
from grids.models import FindingCategory, FindingStatus
from grids.services import finding_hand_up
from tests.conftest import WEIZI_VILLAGE
from tests.disputes.helpers import (
    APPLICANT,
    RESPONDENT,
    register,
    registration_form,
    text_of,
)
from tests.factories import ID_NUMBER_WITH_WRONG_CHECK_DIGIT, log_finding

REPEAT_WARNING = "相同当事人在近 90 天内有同类纠纷。请核对下方列表；如仍需登记，请勾选确认。"


def post_registration(client, **fields):
    return client.post(reverse("disputes:register"), registration_form(**fields))


# --- Possible repeats ------------------------------------------------------------------------


def test_a_possible_repeat_is_shown_and_registered_only_when_confirmed(client, township_staff):
    earlier = register(township_staff)
    assert earlier.risk == Risk.GREEN  # two neighbours, a first time
    client.force_login(township_staff)

    response = post_registration(client)

    assert response.status_code == 200
    page = text_of(response)
    assert REPEAT_WARNING in page
    assert "疑似重复" in page
    assert earlier.number in page
    assert Dispute.objects.count() == 1

    response = post_registration(client, confirm_repeat="on")

    assert response.status_code == 302
    repeat = Dispute.objects.exclude(pk=earlier.pk).get()
    assert repeat.repeat_of == earlier
    assert repeat.risk == Risk.YELLOW
    event = DisputeEvent.objects.get(dispute=repeat)
    assert (event.kind, event.details["repeat_of"]) == ("registered", earlier.number)


def test_the_same_parties_by_name_and_phone_without_an_id_number_are_a_possible_repeat(
    client, township_staff
):
    no_id = [{**APPLICANT, "id_number": ""}, {**RESPONDENT, "id_number": ""}]
    register(township_staff, parties=no_id)
    client.force_login(township_staff)

    response = post_registration(client, parties=no_id)

    assert REPEAT_WARNING in text_of(response)
    assert Dispute.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"kind": "debt"}, "another kind"),
        ({"age_days": 91}, "more than 90 days ago"),
        ({"parties": "others"}, "other people"),
    ],
)
def test_not_a_repeat_registers_at_once(client, township_staff, change, why):
    earlier = register(township_staff)
    if "age_days" in change:
        Dispute.objects.filter(pk=earlier.pk).update(
            registered_at=timezone.now() - timedelta(days=change["age_days"])
        )
    fields = {"kind": change.get("kind", "neighbour")}
    if change.get("parties") == "others":
        fields["parties"] = [{"side": "applicant", "name": "郭红梅", "phone": "13700001111"}]
    client.force_login(township_staff)

    response = post_registration(client, **fields)

    assert response.status_code == 302, why
    assert Dispute.objects.exclude(pk=earlier.pk).get().repeat_of is None


def test_89_days_ago_is_still_within_the_90(client, township_staff):
    earlier = register(township_staff)
    Dispute.objects.filter(pk=earlier.pk).update(registered_at=timezone.now() - timedelta(days=89))
    client.force_login(township_staff)

    assert REPEAT_WARNING in text_of(post_registration(client))


@pytest.mark.parametrize(
    ("people", "kind", "is_repeat", "colour"),
    [
        (2, DisputeKind.NEIGHBOUR, False, Risk.GREEN),
        (3, DisputeKind.NEIGHBOUR, False, Risk.YELLOW),  # three people or more
        (2, DisputeKind.LAND, False, Risk.YELLOW),  # a sensitive kind
        (2, DisputeKind.LABOUR, False, Risk.YELLOW),
        (2, DisputeKind.REQUISITION, False, Risk.YELLOW),
        (2, DisputeKind.NEIGHBOUR, True, Risk.YELLOW),  # a repeat
        (4, DisputeKind.FAMILY, False, Risk.YELLOW),
        (5, DisputeKind.LAND, False, Risk.RED),  # sensitive, five people
        (5, DisputeKind.NEIGHBOUR, True, Risk.RED),  # repeat, five people
        (5, DisputeKind.NEIGHBOUR, False, Risk.YELLOW),
        (9, DisputeKind.DEBT, False, Risk.YELLOW),
        (10, DisputeKind.DEBT, False, Risk.RED),  # a group dispute
    ],
)
def test_the_risk_colour_rules(people, kind, is_repeat, colour):
    assert risk_colour(people_involved=people, kind=kind, is_repeat=is_repeat) == colour


def test_a_registered_dispute_gets_its_risk_colour(township_staff):
    assert register(township_staff, people_involved=12).risk == Risk.RED
    assert register(township_staff, kind="land").risk == Risk.YELLOW


# --- From a grid finding ---------------------------------------------------------------------


@pytest.fixture
def handed_up_finding(grid, grid_worker):
    finding = log_finding(
        actor=grid_worker,
        grid=grid,
        category=FindingCategory.DISPUTE,
        description="两户因宅基地边界争吵，网格员劝解无效",
    )
    return finding_hand_up(actor=grid_worker, finding=finding, reason="需村镇调处")


def test_a_handed_up_finding_opens_a_prefilled_dispute_that_links_it(
    client, township_staff, handed_up_finding, grid
):
    client.force_login(township_staff)
    url = reverse("disputes:register") + f"?finding={handed_up_finding.pk}"

    page = client.get(url)

    assert page.status_code == 200
    form = page.context["form"]
    assert form["description"].value() == "两户因宅基地边界争吵，网格员劝解无效"
    assert form["channel"].value() == "grid"
    assert str(form["grid"].value()) == str(grid.pk)
    assert form["village"].value() == grid.village.code
    assert "两户因宅基地边界争吵，网格员劝解无效</textarea>" in page.content.decode()

    response = client.post(
        url,
        registration_form(
            channel="grid",
            grid=str(grid.pk),
            description="两户因宅基地边界争吵，网格员劝解无效",
        ),
    )

    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.source_finding == handed_up_finding
    assert (dispute.channel, dispute.grid) == ("grid", grid)

    # The same finding cannot open a second dispute.
    again = client.post(
        url, registration_form(channel="grid", grid=str(grid.pk), confirm_repeat="on")
    )
    assert again.status_code == 200
    assert "该网格事项已登记为纠纷。" in text_of(again)
    assert Dispute.objects.count() == 1


def test_a_finding_not_handed_up_cannot_open_a_dispute(client, township_staff, grid, grid_worker):
    finding = log_finding(actor=grid_worker, grid=grid)
    assert finding.status == FindingStatus.OPEN
    client.force_login(township_staff)
    url = reverse("disputes:register") + f"?finding={finding.pk}"

    assert client.get(url).status_code == 404
    assert client.post(url, registration_form()).status_code == 404
    assert not Dispute.objects.exists()


def test_another_townships_finding_cannot_open_a_dispute(client, weizi_staff, handed_up_finding):
    client.force_login(weizi_staff)
    url = reverse("disputes:register") + f"?finding={handed_up_finding.pk}"

    assert client.get(url).status_code == 404
    assert client.get(reverse("disputes:register") + "?finding=abc").status_code == 404


# --- Bad input -------------------------------------------------------------------------------

REQUIRED = "这个字段是必填项。"
# Django's own Chinese, for a choice that is not offered (a plain or a model choice).
NOT_OFFERED = "不在可用的选项中"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, REQUIRED),
        ({"description": "   "}, REQUIRED),
        ({"description": "纠" * 5001}, "5000"),
        ({"people_involved": "abc"}, "输入整数。"),
        ({"people_involved": "0"}, "确保该值大于或等于1。"),
        ({"people_involved": "1e9"}, "输入整数。"),
        ({"kind": "quarrel"}, NOT_OFFERED),
        ({"level": ""}, REQUIRED),
        ({"level": "county"}, "您不能在这一层级登记纠纷。"),
        ({"village": WEIZI_VILLAGE}, NOT_OFFERED),
        ({"village": "'; DROP TABLE disputes_dispute; --"}, NOT_OFFERED),
        ({"grid": "abc"}, NOT_OFFERED),
        (
            {"parties": [{**APPLICANT, "id_number": ID_NUMBER_WITH_WRONG_CHECK_DIGIT}]},
            "身份证号码校验码不正确。",
        ),
        (
            {"parties": [{**APPLICANT, "id_number": "14040619900101"}]},
            "身份证号码为 18 位：17 位数字加 1 位校验码。",
        ),
        ({"parties": [{**APPLICANT, "phone": "12345"}]}, "请输入手机号码，或带区号的固定电话。"),
        ({"parties": [{**APPLICANT, "name": ""}]}, REQUIRED),
        ({"parties": [{**APPLICANT, "name": "刘" * 51}]}, "50"),
        ({"parties": [{**APPLICANT, "side": "witness"}]}, NOT_OFFERED),
        ({"parties": []}, "请至少提交 1 个表单。"),
        ({"party-TOTAL_FORMS": "abc"}, "输入整数。"),
    ],
)
def test_bad_registration_input_is_refused_with_a_message_and_writes_nothing(
    client, township_staff, fields, message
):
    client.force_login(township_staff)

    response = post_registration(client, **fields)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not Dispute.objects.exists()
    assert not DisputeEvent.objects.exists()


def test_a_registration_without_the_management_form_is_refused_not_a_crash(client, township_staff):
    client.force_login(township_staff)
    data = {k: v for k, v in registration_form().items() if not k.startswith("party-")}

    response = client.post(reverse("disputes:register"), data)

    assert response.status_code == 200
    assert not Dispute.objects.exists()


def test_script_in_a_registration_is_stored_as_text_and_escaped_on_the_page(client, township_staff):
    client.force_login(township_staff)
    script = "<script>alert('纠纷')</script>"

    response = post_registration(
        client,
        description=f"{script}两户争执",
        parties=[{**APPLICANT, "name": "<b>刘</b>建国"}],
    )

    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.description == f"{script}两户争执"
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&#x27;纠纷&#x27;)&lt;/script&gt;两户争执" in page
    assert "<b>刘</b>" not in page
    assert "&lt;b&gt;刘&lt;/b&gt;建国" in page


def test_a_grid_worker_registers_at_the_grid_and_a_township_cannot(
    client, grid, grid_worker, township_staff
):
    dispute = register(grid_worker, level=Level.GRID, grid=grid)
    assert (dispute.level, dispute.grid) == (Level.GRID, grid)
    client.force_login(township_staff)

    response = post_registration(client, level="grid", grid=str(grid.pk), confirm_repeat="on")

    assert "您不能在这一层级登记纠纷。" in text_of(response)
    assert Dispute.objects.count() == 1


@pytest.mark.parametrize(
    ("party", "message"),
    [
        ({**APPLICANT, "id_number": ID_NUMBER_WITH_WRONG_CHECK_DIGIT}, "身份证号码校验码不正确。"),
        ({**APPLICANT, "phone": "call me"}, "请输入手机号码，或带区号的固定电话。"),
        ({**APPLICANT, "name": "刘" * 51}, "50"),
        ({**APPLICANT, "name": " "}, "此字段不能为空。"),
        ({**APPLICANT, "side": "witness"}, "不是有效选项"),
    ],
)
def test_the_service_checks_parties_as_the_form_does(township_staff, party, message):
    """Imports and scripts call the service without the form: bad parties are refused too."""
    with pytest.raises(ValidationError) as refusal:
        register(township_staff, parties=[party])

    assert message in " ".join(refusal.value.messages)
    assert not Dispute.objects.exists()


def test_a_repeat_in_another_township_stays_out_of_sight(client, township_staff, weizi_staff):
    """The same parties had a dispute in 微子镇: 店上镇 may not learn its number or state."""
    elsewhere = register(weizi_staff, village_code=WEIZI_VILLAGE)
    client.force_login(township_staff)

    response = post_registration(client)

    assert response.status_code == 302
    assert Dispute.objects.exclude(pk=elsewhere.pk).get().repeat_of is None

"""诉访分离: a claim that belongs to litigation, arbitration or administrative review is not
accepted as a petition but directed there, to the body named, with a printed notice
(信访工作条例 (2022) art. 31). The notice masks the petitioners for whoever does not handle
the petition, as every page does."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from petitions import services
from petitions.models import PetitionEvent, PetitionStatus
from tests.petitions.helpers import PETITIONER, SUBJECT, fresh, post_action, snapshot, text_of

BODY = "潞城区劳动人事争议仲裁委员会"
REASON = "所反映拖欠工资问题属劳动争议，依法应通过劳动仲裁解决。"


def test_the_township_directs_a_labour_claim_to_arbitration_and_prints_the_notice(
    client, township_staff, petition
):
    client.force_login(township_staff)
    assert client.get(f"/petitions/{petition.pk}/referral-notice/").status_code == 404

    response = post_action(
        client, petition, "refer", channel="arbitration", body=BODY, reason=REASON
    )

    assert response.status_code == 302
    petition = fresh(petition)
    assert petition.status == PetitionStatus.REFERRED
    assert (petition.referral_channel, petition.referral_body) == ("arbitration", BODY)
    # Told within the acceptance period: its clock is met.
    assert petition.decided_on == timezone.localdate()
    assert petition.running_clock() is None
    event = PetitionEvent.objects.get(petition=petition, kind="refer")
    assert (event.actor, event.note) == (township_staff, REASON)
    assert event.details == {"channel": "arbitration", "body": BODY}

    detail = client.get(f"/petitions/{petition.pk}/")
    assert f'href="/petitions/{petition.pk}/referral-notice/"' in detail.content.decode()
    assert "导入：仲裁 · " + BODY in text_of(detail)

    notice = client.get(f"/petitions/{petition.pk}/referral-notice/")
    assert notice.status_code == 200
    text = text_of(notice)
    assert "导入法定途径告知书" in text
    assert "依法应当通过仲裁途径解决，不作为信访事项受理" in text
    assert f"请在法律规定的期限内向{BODY}申请仲裁。" in text
    assert REASON in text
    assert PETITIONER["name"] in text
    assert petition.number in text
    assert "店上镇" in text  # the unit that decided
    html = notice.content.decode()
    assert "/static/css/print." in html
    assert "<script>" not in html and "style=" not in html


def test_a_directed_petition_can_be_closed_and_its_notice_stays(client, township_staff, petition):
    client.force_login(township_staff)
    post_action(
        client, petition, "refer", channel="litigation", body="潞城区人民法院", reason="民事"
    )

    post_action(client, petition, "close")

    assert fresh(petition).status == PetitionStatus.CLOSED
    assert "潞城区人民法院" in text_of(client.get(f"/petitions/{petition.pk}/referral-notice/"))


def test_the_notice_masks_the_petitioner_for_someone_not_handling_it(
    client, township_staff, county_official, petition
):
    services.petition_refer(
        actor=township_staff,
        petition=petition,
        version=petition.version,
        channel="administrative_review",
        body="潞城区人民政府",
        reason=f"{PETITIONER['name']}对行政处罚决定不服，应申请行政复议。",
    )
    client.force_login(county_official)

    text = text_of(client.get(f"/petitions/{petition.pk}/referral-notice/"))

    assert "导入法定途径告知书" in text and "行政复议" in text
    assert PETITIONER["name"] not in text
    assert "郭**对行政处罚决定不服" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"channel": "petition", "body": BODY, "reason": REASON}, "选择一个有效的选项"),
        ({"channel": "", "body": BODY, "reason": REASON}, "这个字段是必填项。"),
        ({"channel": "litigation", "body": "  ", "reason": REASON}, "这个字段是必填项。"),
        ({"channel": "litigation", "body": "院" * 201, "reason": REASON}, "200"),
        ({"channel": "litigation", "body": BODY, "reason": ""}, "这个字段是必填项。"),
    ],
)
def test_bad_input_on_the_referral_form_is_refused_and_writes_nothing(
    client, township_staff, petition, fields, message
):
    client.force_login(township_staff)
    before = snapshot(petition)

    response = post_action(client, petition, "refer", **fields)

    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot(petition) == before


def test_the_service_refuses_an_unknown_channel_or_no_body(township_staff, petition):
    before = snapshot(petition)
    for channel, body in (("mediation", BODY), ("litigation", " ")):
        with pytest.raises(ValidationError):
            services.petition_refer(
                actor=township_staff,
                petition=petition,
                version=petition.version,
                channel=channel,
                body=body,
                reason=REASON,
            )
    assert snapshot(petition) == before


def test_only_the_handling_body_directs_a_claim_not_the_village(village_staff, petition):
    before = snapshot(petition)

    with pytest.raises(TransitionNotAllowed, match="您无权"):
        services.petition_refer(
            actor=village_staff,
            petition=petition,
            version=petition.version,
            channel="litigation",
            body=BODY,
            reason=REASON,
        )

    assert snapshot(petition) == before


def test_an_accepted_petition_is_no_longer_directed(township_staff, petition):
    services.petition_accept(actor=township_staff, petition=petition, version=petition.version)

    with pytest.raises(TransitionNotAllowed, match="不能"):
        services.petition_refer(
            actor=township_staff,
            petition=petition,
            version=fresh(petition).version,
            channel="litigation",
            body=BODY,
            reason=REASON,
        )
    assert fresh(petition).subject == SUBJECT

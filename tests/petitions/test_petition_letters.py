"""The printed letters: the notice of non-acceptance says why; the reply says what was done
and until when a review may be requested. Each is signed by the unit handling it now."""

from datetime import timedelta

from django.utils import timezone

from petitions import services
from petitions.models import PetitionEvent, PetitionStatus
from tests.factories import PetitionFactory
from tests.petitions.helpers import PETITIONER, fresh, post_action, text_of

REASON = "该事项已由人民法院作出生效判决，依法应通过诉讼程序解决。"


def test_not_accepting_records_the_reason_and_the_notice_prints_it(
    client, township_staff, petition
):
    client.force_login(township_staff)
    assert client.get(f"/petitions/{petition.pk}/notice/").status_code == 404

    response = post_action(client, petition, "not_accept", reason=REASON)

    assert response.status_code == 302
    petition = fresh(petition)
    assert petition.status == PetitionStatus.NOT_ACCEPTED
    assert petition.not_accepted_reason == REASON
    assert petition.decided_on == timezone.localdate()
    event = PetitionEvent.objects.get(petition=petition, kind="not_accept")
    assert event.note == REASON
    assert event.actor == township_staff

    detail = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert f'href="/petitions/{petition.pk}/notice/"' in detail
    notice = client.get(f"/petitions/{petition.pk}/notice/")
    assert notice.status_code == 200
    html = notice.content.decode()
    text = text_of(notice)
    assert "不予受理告知书" in text
    assert REASON in text
    assert PETITIONER["name"] in text
    assert petition.number in text
    assert "店上镇" in text  # the unit that decided
    assert '/static/css/print.css"' in html or "/static/css/print." in html
    assert "<script>" not in html and "style=" not in html


def test_a_not_accepted_petition_can_be_closed_and_the_notice_stays(
    client, township_staff, petition
):
    client.force_login(township_staff)
    post_action(client, petition, "not_accept", reason=REASON)

    post_action(client, petition, "close")

    assert fresh(petition).status == PetitionStatus.CLOSED
    assert REASON in text_of(client.get(f"/petitions/{petition.pk}/notice/"))


def test_the_reply_letter_exists_once_replied_and_says_until_when_to_ask_for_a_review(
    client, township_staff
):
    today = timezone.localdate()
    petition = PetitionFactory(
        status=PetitionStatus.HANDLED,
        decided_on=today - timedelta(days=10),
        conclusion_due=today + timedelta(days=50),
        handling_opinion="已协调供电所",
    )
    client.force_login(township_staff)
    assert client.get(f"/petitions/{petition.pk}/reply-letter/").status_code == 404

    post_action(client, petition, "reply", reply="经协调，供电所已于本周更换全部路灯。")

    petition = fresh(petition)
    letter = client.get(f"/petitions/{petition.pk}/reply-letter/")
    assert letter.status_code == 200
    text = text_of(letter)
    assert "信访事项处理意见书" in text
    assert "经协调，供电所已于本周更换全部路灯。" in text
    due = petition.review_request_due
    assert f"{due.year}年{due.month}月{due.day}日" in text
    assert "店上镇" in text
    assert "/static/css/print." in letter.content.decode()


def test_a_petition_escalated_to_the_county_is_answered_in_the_countys_name(
    client, township_staff, county_official, petition
):
    services.petition_escalate(
        actor=township_staff, petition=petition, version=petition.version, reason="涉及多个乡镇"
    )
    services.petition_accept(actor=county_official, petition=petition, version=petition.version)
    services.petition_assign(
        actor=county_official, petition=petition, version=petition.version, person=county_official
    )
    services.petition_handle(
        actor=county_official, petition=petition, version=petition.version, opinion="区里协调"
    )
    services.petition_reply(
        actor=county_official, petition=petition, version=petition.version, reply="已协调解决。"
    )
    client.force_login(county_official)

    letter = client.get(f"/petitions/{petition.pk}/reply-letter/")

    assert "潞城区" in text_of(letter)
    assert "店上镇" not in text_of(letter)

"""After the reply, a review (复查) by the level above the handling body, and after the review a
second review (复核) by the level above the reviewer, each requested within 30 days and
concluded within 30 days, on its own clock (calendar days; a period ending on a day off ends
on the next working day). The second review is final: a later petition on the same matter is
not accepted (信访工作条例 (2022) art. 35)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from petitions import services
from petitions.models import Petition, PetitionStatus
from petitions.selectors import next_clock
from tests.factories import PetitionFactory
from tests.petitions.helpers import fresh, post_action, register, snapshot, text_of


def replied(**fields):
    today = timezone.localdate()
    standing = {
        "status": PetitionStatus.REPLIED,
        "decided_on": today - timedelta(days=20),
        "conclusion_due": today + timedelta(days=40),
        "reply": "路灯已修复。",
        "replied_on": today,
        "review_request_due": today + timedelta(days=30),
    }
    return PetitionFactory(**{**standing, **fields})


def act(service, actor, petition, **arguments):
    return service(actor=actor, petition=petition, version=fresh(petition).version, **arguments)


def test_the_county_reviews_the_townships_reply_and_the_city_reviews_again(
    township_staff, county_official, city_official
):
    petition = replied()

    act(services.petition_request_review, county_official, petition, reason="仍有两盏不亮")
    with pytest.raises(TransitionNotAllowed, match="您无权"):
        act(services.petition_review, township_staff, petition, opinion="维持")
    act(services.petition_review, county_official, petition, opinion="维持原处理意见")
    petition = fresh(petition)
    assert petition.status == PetitionStatus.REVIEWED
    assert petition.second_review_request_due is not None

    # The county that reviewed does not conduct the second review: the city does.
    act(services.petition_request_second_review, county_official, petition, reason="不服复查意见")
    with pytest.raises(TransitionNotAllowed, match="您无权"):
        act(services.petition_second_review, county_official, petition, opinion="维持")
    act(services.petition_second_review, city_official, petition, opinion="维持复查意见")

    petition = fresh(petition)
    assert petition.status == PetitionStatus.SECOND_REVIEWED
    assert petition.second_review_opinion == "维持复查意见"
    assert petition.second_reviewed_on == timezone.localdate()
    assert list(petition.events.values_list("kind", flat=True).order_by("at", "pk")) == [
        "request_review",
        "review",
        "request_second_review",
        "second_review",
    ]
    # Final: nothing is left to request, and the file may be closed at once.
    act(services.petition_close, city_official, petition)
    assert fresh(petition).status == PetitionStatus.CLOSED


def on_day(monkeypatch, day: date):
    """The services read today from `timezone.localdate`: make it `day`."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_the_second_reviews_clocks_are_30_calendar_days_each(
    monkeypatch, county_official, city_official
):
    """Reviewed Mon 2026-09-07: a second review may be requested until Wed 10-07, the last
    day of the National Day holiday, so until Thu 10-08. Requested Thu 09-10, it is due 30
    days later, Sat 10-10, a working day made up for the holiday (调休)."""
    on_day(monkeypatch, date(2026, 9, 1))
    petition = replied()
    act(services.petition_request_review, county_official, petition, reason="仍有两盏不亮")
    on_day(monkeypatch, date(2026, 9, 7))
    act(services.petition_review, county_official, petition, opinion="维持原处理意见")
    assert fresh(petition).second_review_request_due == date(2026, 10, 8)

    on_day(monkeypatch, date(2026, 9, 10))
    act(services.petition_request_second_review, city_official, petition, reason="不服")

    petition = fresh(petition)
    assert petition.second_review_requested_on == date(2026, 9, 10)
    assert petition.second_review_due == date(2026, 10, 10)
    running = petition.running_clock()
    assert (running.name, running.due) == ("second_review", date(2026, 10, 10))
    assert next_clock(petition, on=date(2026, 10, 10)).overdue is False
    assert next_clock(petition, on=date(2026, 10, 11)).overdue is True
    assert petition in Petition.objects.overdue(on=date(2026, 10, 11))
    assert petition not in Petition.objects.overdue(on=date(2026, 10, 10))


def test_a_second_review_asked_for_after_its_window_is_refused(county_official, city_official):
    today = timezone.localdate()
    petition = replied(
        status=PetitionStatus.REVIEWED,
        review_requested_on=today - timedelta(days=40),
        review_due=today - timedelta(days=10),
        reviewed_on=today - timedelta(days=31),
        review_opinion="维持",
        second_review_request_due=today - timedelta(days=1),
    )
    before = snapshot(petition)

    with pytest.raises(TransitionNotAllowed, match="请求复核的期限已于"):
        act(services.petition_request_second_review, city_official, petition, reason="不服")

    assert snapshot(petition) == before
    # Past its window the review's opinion stands, and the file may be closed.
    act(services.petition_close, county_official, petition)
    assert fresh(petition).status == PetitionStatus.CLOSED


def test_a_reviewed_petition_is_not_closed_while_a_second_review_may_be_asked_for(
    county_official,
):
    today = timezone.localdate()
    petition = replied(
        status=PetitionStatus.REVIEWED,
        reviewed_on=today,
        second_review_request_due=today + timedelta(days=30),
    )

    with pytest.raises(TransitionNotAllowed, match="仍可请求复核"):
        act(services.petition_close, county_official, petition)


def test_a_county_petitions_second_review_is_the_provinces_outside_the_portal(city_official):
    """Handled by the county centre, it is reviewed by the city; the level above the city is
    the province, which the portal does not hold."""
    petition = replied(
        level="county", status=PetitionStatus.REVIEWED, reviewed_on=timezone.localdate()
    )

    with pytest.raises(TransitionNotAllowed, match="复核由省级机关办理"):
        act(services.petition_request_second_review, city_official, petition, reason="不服")


def test_a_departments_reply_is_reviewed_by_its_countys_centre_then_by_the_city(
    township_staff, county_official, city_official, department
):
    petition = replied(department=department)

    act(services.petition_request_review, county_official, petition, reason="不服")
    act(services.petition_review, county_official, petition, opinion="维持")
    act(services.petition_request_second_review, city_official, petition, reason="不服")
    act(services.petition_second_review, city_official, petition, opinion="维持")

    assert fresh(petition).status == PetitionStatus.SECOND_REVIEWED


def test_the_page_shows_the_second_review_clock_and_opinion(client, city_official):
    today = timezone.localdate()
    petition = replied(
        status=PetitionStatus.SECOND_REVIEWED,
        reviewed_on=today - timedelta(days=5),
        review_opinion="维持原处理意见",
        second_review_request_due=today + timedelta(days=25),
        second_review_requested_on=today - timedelta(days=2),
        second_review_due=today + timedelta(days=28),
        second_reviewed_on=today,
        second_review_opinion="维持复查意见",
    )
    client.force_login(city_official)

    page = text_of(client.get(f"/petitions/{petition.pk}/"))

    assert "复核办结" in page
    assert "可请求复核至" in page
    assert "复核意见（终结）：维持复查意见" in page


def test_the_second_review_form_refuses_an_empty_opinion(client, city_official):
    petition = replied(
        status=PetitionStatus.SECOND_REVIEW_REQUESTED,
        second_review_requested_on=timezone.localdate(),
        second_review_due=timezone.localdate() + timedelta(days=30),
    )
    client.force_login(city_official)
    before = snapshot(petition)

    response = post_action(client, petition, "second_review", opinion=" ")

    assert response.status_code == 400
    assert "这个字段是必填项。" in text_of(response)
    assert snapshot(petition) == before


# --- Final after the second review. -----------------------------------------------------------


def final_matter(actor):
    """A petition of the same petitioner, concluded by a second review months ago."""
    earlier = register(actor, received_on=timezone.localdate() - timedelta(days=300))
    Petition.objects.filter(pk=earlier.pk).update(
        status=PetitionStatus.CLOSED,
        second_reviewed_on=timezone.localdate() - timedelta(days=200),
        second_review_opinion="维持复查意见",
    )
    return fresh(earlier)


def test_a_new_petition_on_a_matter_concluded_by_a_second_review_is_not_accepted(
    client, township_staff
):
    earlier = final_matter(township_staff)
    client.force_login(township_staff)
    from tests.petitions.helpers import register_form

    # Flagged at registration although it came in more than 180 days ago: it is final.
    response = client.post("/petitions/new/", register_form(subject="再次反映路灯问题"))
    assert f"信访件 {earlier.number} 所涉事项已于" in text_of(response)
    assert "复核终结，就该事项再次提出的信访不予受理" in text_of(response)
    client.post("/petitions/new/", register_form(subject="再次反映路灯问题", confirm_repeat="on"))
    again = Petition.objects.exclude(pk=earlier.pk).get()
    assert again.repeat_of == earlier
    before = snapshot(again)

    with pytest.raises(TransitionNotAllowed, match="复核终结，不再受理"):
        act(services.petition_accept, township_staff, again)
    assert snapshot(again) == before

    page = client.get(f"/petitions/{again.pk}/").content.decode()
    assert 'data-action="accept"' not in page
    # It is told so in writing instead.
    act(services.petition_not_accept, township_staff, again, reason="该事项已经复核终结")
    assert fresh(again).status == PetitionStatus.NOT_ACCEPTED


def test_a_repeat_of_a_repeat_of_a_final_matter_is_not_accepted_either(township_staff):
    earlier = final_matter(township_staff)
    middle = register(township_staff, subject="又一次", repeat_of=earlier)
    latest = register(township_staff, subject="再一次", repeat_of=middle)

    with pytest.raises(TransitionNotAllowed, match=earlier.number):
        act(services.petition_accept, township_staff, latest)


def test_a_repeat_of_a_matter_not_finally_concluded_is_accepted(township_staff):
    earlier = register(township_staff, received_on=timezone.localdate() - timedelta(days=30))
    again = register(township_staff, subject="再次反映", repeat_of=earlier)

    act(services.petition_accept, township_staff, again)

    assert fresh(again).status == PetitionStatus.ACCEPTED

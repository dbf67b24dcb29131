"""A petition about a dispute is linked to it, not handled twice: the link shows on both pages,
is made when registering (by number) or later, and never reaches a dispute the person cannot
see or one outside the area the petition concerns."""

from django.contrib.messages import get_messages
from django.urls import reverse

from petitions.models import Petition, PetitionEvent
from tests.conftest import WEIZI_VILLAGE
from tests.petitions.helpers import (
    dispute_in,
    fresh,
    register,
    register_form,
    snapshot,
    text_of,
)

NEIGHBOUR_VILLAGE = "140406100201"  # 河湃村, another village of 店上镇


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_registering_links_the_disputes_given_by_number_and_both_pages_show_it(
    client, township_staff
):
    dispute = dispute_in(township_staff)
    client.force_login(township_staff)

    response = client.post("/petitions/new/", register_form(disputes=f" {dispute.number} "))

    petition = Petition.objects.get()
    assert response.status_code == 302
    assert list(petition.disputes.all()) == [dispute]
    assert petition.events.get().details["disputes"] == [dispute.number]
    petition_page = client.get(f"/petitions/{petition.pk}/")
    assert dispute.number in text_of(petition_page)
    assert reverse("disputes:detail", args=[dispute.pk]) in petition_page.content.decode()
    dispute_page = client.get(reverse("disputes:detail", args=[dispute.pk]))
    assert dispute_page.status_code == 200
    assert 'data-testid="linked-petitions"' in dispute_page.content.decode()
    assert petition.number in text_of(dispute_page)
    assert f"/petitions/{petition.pk}/" in dispute_page.content.decode()


def test_a_dispute_number_the_person_cannot_see_is_refused_and_nothing_is_registered(
    client, township_staff, weizi_staff
):
    theirs = dispute_in(weizi_staff, WEIZI_VILLAGE)
    client.force_login(township_staff)
    before = snapshot()

    response = client.post("/petitions/new/", register_form(disputes=theirs.number))

    assert response.status_code == 200
    assert f"您可见的纠纷中没有编号 {theirs.number}。" in text_of(response)
    assert snapshot() == before


def test_a_dispute_outside_the_area_concerned_is_refused_when_registering(client, township_staff):
    """店上镇's staff see 河湃村's dispute, but a petition about 店上村 is not about it."""
    elsewhere = dispute_in(township_staff, NEIGHBOUR_VILLAGE)
    client.force_login(township_staff)
    before = snapshot()

    response = client.post("/petitions/new/", register_form(disputes=elsewhere.number))

    assert response.status_code == 200
    assert "该纠纷不在信访件涉及的区域内。" in text_of(response)
    assert snapshot() == before


def test_linking_a_dispute_from_the_petition_page_writes_an_event(client, township_staff):
    petition = register(township_staff)
    dispute = dispute_in(township_staff)
    client.force_login(township_staff)

    response = client.post(f"/petitions/{petition.pk}/link-dispute/", {"number": dispute.number})

    assert response.status_code == 302
    assert messages_of(response) == [f"已关联纠纷 {dispute.number}。"]
    assert list(fresh(petition).disputes.all()) == [dispute]
    event = PetitionEvent.objects.get(petition=petition, kind="linked")
    assert event.actor == township_staff
    assert event.note == dispute.number
    assert petition.number in text_of(client.get(reverse("disputes:detail", args=[dispute.pk])))


def test_linking_another_townships_dispute_is_refused_as_if_it_did_not_exist(
    client, township_staff, weizi_staff
):
    petition = register(township_staff)
    theirs = dispute_in(weizi_staff, WEIZI_VILLAGE)
    client.force_login(township_staff)
    before = snapshot(petition)

    response = client.post(f"/petitions/{petition.pk}/link-dispute/", {"number": theirs.number})

    assert response.status_code == 302
    assert messages_of(response) == ["您可见的纠纷中没有这个编号。"]
    assert snapshot(petition) == before


def test_linking_a_dispute_outside_the_area_concerned_is_refused(client, township_staff):
    petition = register(township_staff)
    elsewhere = dispute_in(township_staff, NEIGHBOUR_VILLAGE)
    client.force_login(township_staff)
    before = snapshot(petition)

    response = client.post(f"/petitions/{petition.pk}/link-dispute/", {"number": elsewhere.number})

    assert messages_of(response) == ["该纠纷不在信访件涉及的区域内。"]
    assert snapshot(petition) == before


def test_linking_without_a_number_asks_for_one(client, township_staff):
    petition = register(township_staff)
    client.force_login(township_staff)
    before = snapshot(petition)

    response = client.post(f"/petitions/{petition.pk}/link-dispute/", {"number": "  "})

    assert messages_of(response) == ["请填写纠纷编号。"]
    assert snapshot(petition) == before


def test_a_county_official_supervising_cannot_link_disputes(
    client, township_staff, county_official
):
    petition = register(township_staff)
    dispute = dispute_in(township_staff)
    client.force_login(county_official)
    before = snapshot(petition)

    response = client.post(f"/petitions/{petition.pk}/link-dispute/", {"number": dispute.number})

    assert response.status_code == 403
    assert "只有承办人员可以关联。" in response.content.decode()
    assert snapshot(petition) == before
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert f'action="/petitions/{petition.pk}/link-dispute/"' not in page

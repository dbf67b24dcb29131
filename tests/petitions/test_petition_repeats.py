"""A petition that may repeat an earlier one (the same petitioner by ID number, or the same
subject in the same area, received within 180 days) is flagged when registering: the form
asks for confirmation, and the new petition is linked to the earlier one."""

from datetime import timedelta

from django.utils import timezone

from petitions.models import Petition
from tests.conftest import WEIZI_VILLAGE
from tests.petitions.helpers import (
    OTHER_PETITIONER,
    PETITIONER,
    register,
    register_form,
    snapshot,
    text_of,
)

# Another village of 店上镇.
NEIGHBOUR_VILLAGE = "140406100201"
NEW_SUBJECT = "店上村小学门口道路积水"
WARNING = "近 180 天内有同一信访人或本区域同一事由的信访"


def test_the_same_petitioner_within_180_days_is_flagged_and_nothing_is_registered_yet(
    client, township_staff
):
    earlier = register(township_staff, received_on=timezone.localdate() - timedelta(days=170))
    client.force_login(township_staff)
    before = snapshot()

    response = client.post("/petitions/new/", register_form(subject=NEW_SUBJECT))

    assert response.status_code == 200
    page = text_of(response)
    assert WARNING in page
    assert earlier.number in page
    assert 'name="confirm_repeat"' in response.content.decode()
    assert snapshot() == before


def test_confirming_registers_it_linked_to_the_earlier_petition(client, township_staff):
    earlier = register(township_staff, received_on=timezone.localdate() - timedelta(days=30))
    client.force_login(township_staff)

    response = client.post(
        "/petitions/new/", register_form(subject=NEW_SUBJECT, confirm_repeat="on")
    )

    new = Petition.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302
    assert response.url == f"/petitions/{new.pk}/"
    assert new.repeat_of == earlier
    assert new.events.get().details["repeat_of"] == earlier.number
    # Both pages show the link: the new one names the earlier, the earlier lists the repeat.
    assert earlier.number in text_of(client.get(f"/petitions/{new.pk}/"))
    assert new.number in text_of(client.get(f"/petitions/{earlier.pk}/"))


def test_the_same_subject_in_the_same_area_from_someone_else_is_flagged(client, township_staff):
    earlier = register(township_staff)
    client.force_login(township_staff)

    response = client.post("/petitions/new/", register_form(petitioners=[OTHER_PETITIONER]))

    assert WARNING in text_of(response)
    assert earlier.number in text_of(response)
    assert Petition.objects.count() == 1


def test_the_same_subject_about_another_village_is_not_a_repeat(client, township_staff):
    register(township_staff)
    client.force_login(township_staff)

    response = client.post(
        "/petitions/new/",
        register_form(petitioners=[OTHER_PETITIONER], area=NEIGHBOUR_VILLAGE),
    )

    assert response.status_code == 302
    assert Petition.objects.get(area__code=NEIGHBOUR_VILLAGE).repeat_of is None


def test_a_petition_received_more_than_180_days_ago_is_not_flagged(client, township_staff):
    register(township_staff, received_on=timezone.localdate() - timedelta(days=181))
    client.force_login(township_staff)

    response = client.post("/petitions/new/", register_form())

    assert response.status_code == 302
    new = Petition.objects.order_by("-pk").first()
    assert new.repeat_of is None


def test_an_earlier_petition_the_person_cannot_see_is_neither_shown_nor_linked(
    client, township_staff, weizi_staff
):
    """The same petitioner went to 微子镇 too: its staff's petition is not 店上镇's to read."""
    theirs = register(weizi_staff, area_code=WEIZI_VILLAGE, subject="秦家山村排水沟堵塞")
    client.force_login(township_staff)

    response = client.post("/petitions/new/", register_form(petitioners=[PETITIONER]))

    assert response.status_code == 302
    assert theirs.number not in text_of(client.get(response.url))
    assert Petition.objects.exclude(pk=theirs.pk).get().repeat_of is None

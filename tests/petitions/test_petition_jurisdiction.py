"""A petition outside a person's jurisdiction answers 404 on every petition address, the same
as one that does not exist. The addresses come from `petitions/urls.py` itself, so a new page
is covered the day it is added."""

import io

import openpyxl
import pytest
from django.urls import reverse

from governance.models import Role
from petitions.models import PetitionAssignment, PetitionStatus
from petitions.urls import urlpatterns
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import PetitionerFactory, PetitionFactory, person_with_role
from tests.petitions.helpers import PETITIONER, snapshot

NEIGHBOUR_VILLAGE = "140406100201"  # 河湃村, another village of 店上镇
PER_PETITION = [pattern for pattern in urlpatterns if "<int:pk>" in str(pattern.pattern)]


def petition_urls(pk: int) -> list[str]:
    urls = []
    for pattern in PER_PETITION:
        kwargs = {"pk": pk}
        if "<slug:action>" in str(pattern.pattern):
            kwargs["action"] = "accept"
        urls.append(reverse(f"petitions:{pattern.name}", kwargs=kwargs))
    return urls


OUTSIDERS = {
    "staff of the neighbouring township 微子镇": (Role.TOWNSHIP_STAFF, "140406101"),
    "staff of 韩店街道 in another county": (Role.TOWNSHIP_STAFF, "140404001"),
    "staff of another village of 店上镇": (Role.VILLAGE_STAFF, NEIGHBOUR_VILLAGE),
    "a county official of 上党区": (Role.COUNTY_OFFICIAL, "140404"),
    "a mediator of 店上镇 not assigned to it": (Role.MEDIATOR, DIANSHANG),
    "a grid worker of 店上村": (Role.GRID_WORKER, DIANSHANG_VILLAGE),
    "a department liaison of 潞城区 it was not sent to": (Role.DEPARTMENT_LIAISON, "140406"),
}


@pytest.fixture
def answered(changzhi_slice):
    """A petition of 店上村 with every printable letter ready, so that a 404 can only come from
    the jurisdiction."""
    petition = PetitionFactory(
        status=PetitionStatus.REPLIED,
        not_accepted_reason="（旧）",
        referral_channel="litigation",
        referral_body="潞城区人民法院",
        reply="路灯已修复。",
        handling_opinion="已协调供电所",
    )
    PetitionerFactory(petition=petition, **PETITIONER)
    return petition


def test_every_petition_address_with_a_number_is_covered():
    assert {pattern.name for pattern in PER_PETITION} == {
        "detail",
        "act",
        "link_dispute",
        "notice",
        "referral_notice",
        "reply_letter",
    }


def test_the_township_handling_it_reaches_every_address(client, township_staff, answered):
    client.force_login(township_staff)
    for url in petition_urls(answered.pk):
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {"version": answered.version, "number": "JF0"})
        assert response.status_code in {200, 302}, url


@pytest.mark.parametrize("who", OUTSIDERS)
def test_someone_outside_the_jurisdiction_gets_404_on_every_address(client, who, answered):
    role, area_code = OUTSIDERS[who]
    client.force_login(person_with_role(role, area_code, password=None))
    before = snapshot(answered)

    for url in petition_urls(answered.pk):
        assert client.get(url).status_code in {404, 405}, url
        assert client.post(url, {"version": answered.version}).status_code in {404, 405}, url
        # Whichever method the address takes, it answers 404.
        assert 404 in {client.get(url).status_code, client.post(url).status_code}, url

    assert snapshot(answered) == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_someone_outside_the_jurisdiction_does_not_find_it_in_the_list_or_the_export(
    client, who, answered
):
    role, area_code = OUTSIDERS[who]
    client.force_login(person_with_role(role, area_code, password=None))

    assert answered.number not in client.get("/petitions/").content.decode()
    export = client.get("/petitions/?export=1")
    assert answered.number not in export_numbers(export)


def test_an_address_for_a_petition_that_does_not_exist_is_404_too(client, township_staff):
    client.force_login(township_staff)
    for url in petition_urls(987654):
        assert 404 in {client.get(url).status_code, client.post(url).status_code}, url


def test_an_action_that_is_not_in_the_table_is_404(client, township_staff, answered):
    client.force_login(township_staff)

    response = client.post(f"/petitions/{answered.pk}/act/delete/", {"version": 1})

    assert response.status_code == 404


def test_a_mediator_assigned_to_it_reaches_it(client, township_staff, answered):
    mediator = person_with_role(Role.MEDIATOR, DIANSHANG, password=None)
    PetitionAssignment.objects.create(
        petition=answered, person=mediator, assigned_by=township_staff
    )
    client.force_login(mediator)

    assert client.get(f"/petitions/{answered.pk}/").status_code == 200


def export_numbers(response) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]

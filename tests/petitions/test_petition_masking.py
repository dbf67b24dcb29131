"""Petitioners' personal data is shown whole only to those handling the petition, masked to
everyone else who may see it (README: Security and operations, personal data)."""

from petitions import services
from tests.petitions.helpers import PETITIONER, register, text_of

ID_MASKED = "140***********1236"
PHONE_MASKED = "139****1234"
NAME_MASKED = "郭**"


def petitioners_table(client, petition) -> str:
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    start = page.index('data-testid="petitioners"')
    return page[start : page.index("</table>", start)]


def test_the_township_handling_it_sees_the_id_number_and_phone_whole(
    client, township_staff, petition
):
    client.force_login(township_staff)

    table = petitioners_table(client, petition)

    assert PETITIONER["name"] in table
    assert PETITIONER["id_number"] in table
    assert PETITIONER["phone"] in table


def test_a_county_official_above_it_sees_them_masked(client, county_official, petition):
    client.force_login(county_official)

    table = petitioners_table(client, petition)

    assert ID_MASKED in table
    assert PHONE_MASKED in table
    assert NAME_MASKED in table
    assert PETITIONER["id_number"] not in table
    assert PETITIONER["phone"] not in table
    assert PETITIONER["name"] not in table


def test_a_city_official_and_village_staff_not_handling_it_see_them_masked(
    client, petition, village_staff, city_official
):
    for person in (city_official, village_staff):
        client.force_login(person)
        table = petitioners_table(client, petition)
        assert ID_MASKED in table
        assert PETITIONER["id_number"] not in table
        assert PETITIONER["phone"] not in table


def test_the_mediator_assigned_to_it_sees_them_whole(client, township_staff, mediator, petition):
    services.petition_accept(actor=township_staff, petition=petition, version=petition.version)
    services.petition_assign(
        actor=township_staff, petition=petition, version=petition.version, person=mediator
    )
    client.force_login(mediator)

    table = petitioners_table(client, petition)

    assert PETITIONER["id_number"] in table
    assert PETITIONER["phone"] in table


def test_the_printed_letters_mask_them_for_someone_not_handling_it(
    client, township_staff, county_official, petition
):
    services.petition_not_accept(
        actor=township_staff,
        petition=petition,
        version=petition.version,
        reason="已通过诉讼程序解决",
    )
    client.force_login(county_official)

    notice = text_of(client.get(f"/petitions/{petition.pk}/notice/"))

    assert NAME_MASKED in notice
    assert PETITIONER["name"] not in notice


def test_the_list_and_the_export_carry_no_personal_data(client, township_staff, petition):
    client.force_login(township_staff)

    for url in ("/petitions/", "/petitions/?export=1"):
        content = client.get(url).content
        assert PETITIONER["id_number"].encode() not in content
        assert PETITIONER["phone"].encode() not in content


def test_a_petitions_content_is_masked_for_the_county_and_whole_for_the_township(
    client, township_staff, county_official
):
    petition = register(
        township_staff,
        content=f"{PETITIONER['name']}反映村道路灯不亮，联系电话{PETITIONER['phone']}。",
    )

    client.force_login(county_official)
    masked = client.get(f"/petitions/{petition.pk}/").content.decode()
    client.force_login(township_staff)
    whole = client.get(f"/petitions/{petition.pk}/").content.decode()

    assert "郭**反映村道路灯不亮，联系电话139****1234" in masked
    assert PETITIONER["name"] not in masked
    assert f"{PETITIONER['name']}反映村道路灯不亮，联系电话{PETITIONER['phone']}" in whole

"""Names, ID numbers and phone numbers written into a case's free text (its description, the
mediation record, the agreement, timeline notes) are masked for everyone who does not handle
the case, as they are in the parties table; those handling it read the text whole."""

import pytest

from infra.masking import TextMask
from tests.disputes.helpers import APPLICANT, RESPONDENT, bring_to_mediation, register, take

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    f"{APPLICANT['name']}与{RESPONDENT['name']}因排水沟走向争执，"
    f"{APPLICANT['name']}留电话{APPLICANT['phone']}，身份证{APPLICANT['id_number']}。"
)


def test_the_mask_hides_whole_names_numbers_and_prefers_the_longest_name():
    mask = TextMask(["张三", "张三丰", "李", ""])

    assert (
        mask("张三丰和张三在李家坪吵架，电话13912345678")
        == "张**和张*在李家坪吵架，电话139****5678"
    )
    assert mask("") == ""


@pytest.fixture
def resolved_dispute(township_staff, mediator):
    dispute = register(township_staff, description=DESCRIPTION)
    bring_to_mediation(dispute, staff=township_staff, mediator=mediator)
    take(
        "resolve",
        mediator,
        dispute,
        outcome="agreement",
        agreement=f"{RESPONDENT['name']}负责改挖排水沟，{APPLICANT['name']}不再追究。",
    )
    return dispute


def test_someone_who_only_sees_the_dispute_reads_its_text_masked(
    client, resolved_dispute, county_official
):
    client.force_login(county_official)

    page = client.get(f"/disputes/{resolved_dispute.pk}/").content.decode()

    for whole in (
        APPLICANT["name"],
        RESPONDENT["name"],
        APPLICANT["phone"],
        APPLICANT["id_number"],
    ):
        assert whole not in page
    assert "刘**与陈**因排水沟走向争执" in page
    assert "陈**负责改挖排水沟，刘**不再追究" in page
    assert "139****5678" in page


def test_the_mediator_handling_it_reads_the_text_whole(client, resolved_dispute, mediator):
    client.force_login(mediator)

    page = client.get(f"/disputes/{resolved_dispute.pk}/").content.decode()

    assert DESCRIPTION in page
    assert f"{RESPONDENT['name']}负责改挖排水沟" in page

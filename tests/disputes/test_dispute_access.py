"""Who sees a dispute, and how much of its parties: those handling it see ID numbers and phones
whole, everyone else masked; another township's dispute answers 404 on every dispute URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from disputes import services
from disputes.actions import DISPUTE_ACTIONS
from disputes.models import Dispute, Level
from disputes.urls import urlpatterns
from governance.models import Role
from tests.conftest import DIANSHANG, HANDIAN, WEIZI_VILLAGE
from tests.disputes.helpers import APPLICANT, RESPONDENT, bring_to_mediation, register, take
from tests.factories import person_with_role

WHOLE = [APPLICANT["id_number"], APPLICANT["phone"], RESPONDENT["id_number"], RESPONDENT["phone"]]
# Masked by hand: ID numbers keep their first 3 and last 4 characters, phones their first 3
# and last 4 digits, names their family name.
MASKED = ["110***********002X", "139****5678", "440***********0014", "158****4321", "刘**", "陈**"]


def resolved_with_agreement(dispute, *, staff, mediator):
    bring_to_mediation(dispute, staff=staff, mediator=mediator)
    take("resolve", mediator, dispute, outcome="agreement", agreement="排水沟改走东侧。")
    return Dispute.objects.get(pk=dispute.pk)


def pages_of(client, person, dispute):
    client.force_login(person)
    return [
        client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode(),
        client.get(reverse("disputes:agreement", args=[dispute.pk])).content.decode(),
    ]


def test_the_township_staff_handling_it_and_the_assigned_mediator_see_parties_whole(
    client, dispute, township_staff, mediator
):
    dispute = resolved_with_agreement(dispute, staff=township_staff, mediator=mediator)
    for person in (township_staff, mediator):
        for page in pages_of(client, person, dispute):
            for value in WHOLE + [APPLICANT["name"], RESPONDENT["name"]]:
                assert value in page, (person.first_name, value)


def test_a_county_official_an_unassigned_mediator_and_a_superior_see_parties_masked(
    client, dispute, township_staff, mediator, county_official, village_staff
):
    dispute = resolved_with_agreement(dispute, staff=township_staff, mediator=mediator)
    other_mediator = person_with_role(Role.MEDIATOR, DIANSHANG, first_name="何调解")
    village_dispute = register(village_staff, level=Level.VILLAGE)

    for person, case in [
        (county_official, dispute),
        (other_mediator, dispute),
        # The township centre is the superior of a dispute held by the village.
        (township_staff, village_dispute),
    ]:
        client.force_login(person)
        pages = [client.get(reverse("disputes:detail", args=[case.pk])).content.decode()]
        if case.agreement:
            pages += [client.get(reverse("disputes:agreement", args=[case.pk])).content.decode()]
        for page in pages:
            for value in WHOLE:
                assert value not in page, (person.first_name, value)
            for value in MASKED:
                assert value in page, (person.first_name, value)


POST_ONLY = {"attachment_add"}


def dispute_urls(dispute):
    """Every URL of disputes/urls.py that names one dispute, with the method it answers: the
    action URL once for each action of the workflow table, the attachment URL for the
    dispute's attachment."""
    urls = []
    for pattern in urlpatterns:
        converters = pattern.pattern.converters
        if "pk" not in converters:
            continue
        name = f"disputes:{pattern.name}"
        if "action" in converters:
            for transition in DISPUTE_ACTIONS.transitions:
                urls.append(("post", reverse(name, args=[dispute.pk, transition.action])))
            continue
        kwargs = {"pk": dispute.pk}
        if "attachment_pk" in converters:
            kwargs["attachment_pk"] = dispute.attachments.get().pk
        method = "post" if pattern.name in POST_ONLY else "get"
        urls.append((method, reverse(name, kwargs=kwargs)))
    return urls


@pytest.fixture
def weizi_dispute(weizi_staff, changzhi_slice):
    """A dispute of 微子镇 with an agreement and an attachment, so that every one of its URLs
    exists."""
    dispute = register(weizi_staff, village_code=WEIZI_VILLAGE)
    Dispute.objects.filter(pk=dispute.pk).update(agreement="双方和解。")
    services.dispute_attach(
        actor=weizi_staff,
        dispute=dispute,
        upload=SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    return dispute


def test_the_url_list_covers_detail_agreement_and_every_action(weizi_dispute):
    urls = dispute_urls(weizi_dispute)
    assert ("get", reverse("disputes:detail", args=[weizi_dispute.pk])) in urls
    assert ("get", reverse("disputes:agreement", args=[weizi_dispute.pk])) in urls
    assert len([u for u in urls if "/act/" in u[1]]) == len(DISPUTE_ACTIONS.transitions)


def test_another_townships_dispute_answers_404_on_every_dispute_url(
    client, weizi_dispute, weizi_staff, township_staff, mediator, grid_worker
):
    before = Dispute.objects.filter(pk=weizi_dispute.pk).values().get()
    for outsider in (township_staff, mediator, grid_worker):
        client.force_login(outsider)
        for method, url in dispute_urls(weizi_dispute):
            response = getattr(client, method)(url, {"version": weizi_dispute.version})
            assert response.status_code == 404, (outsider.first_name, method, url)
    assert Dispute.objects.filter(pk=weizi_dispute.pk).values().get() == before

    # The same URLs answer their own township: the 404 above is about jurisdiction.
    client.force_login(weizi_staff)
    for method, url in dispute_urls(weizi_dispute):
        assert getattr(client, method)(url, {}).status_code != 404, url


def test_a_county_of_another_city_district_gets_404_like_a_missing_dispute(client, weizi_dispute):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, HANDIAN[:6]))
    missing = Dispute.objects.order_by("-pk").first().pk + 1000
    assert client.get(reverse("disputes:detail", args=[weizi_dispute.pk])).status_code == 404
    assert client.get(reverse("disputes:detail", args=[missing])).status_code == 404


def test_lists_counts_and_export_leave_out_another_townships_dispute(
    client, weizi_dispute, township_staff
):
    client.force_login(township_staff)
    assert weizi_dispute.number not in client.get(reverse("disputes:list")).content.decode()
    workbench = client.get(reverse("disputes:workbench"))
    assert workbench.context["counts"]["unassigned"] == 0
    export = load_workbook(io.BytesIO(client.get(reverse("disputes:export")).content))
    cells = [cell for row in export.active.iter_rows(values_only=True) for cell in row]
    assert weizi_dispute.number not in cells

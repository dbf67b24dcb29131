"""Red opens one supervision (督办) by the level above, for every kind of case with a light:
petitions, incidents and summonses as for disputes. The supervising level writes its
instruction, the handling level answers; nobody else may, and each step is on the case's
timeline."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Supervision
from cases.supervision import supervise_red_cases, supervision_answer, supervision_instruct
from disputes import services as disputes
from disputes.models import DisputeEvent, Summons
from grids.models import FindingStatus
from incidents import services as incidents
from incidents.models import Incident, IncidentEvent
from petitions.models import Petition, PetitionEvent
from tests.disputes.helpers import register
from tests.factories import PetitionFactory, log_finding

YESTERDAY = lambda: timezone.localdate() - timedelta(days=1)  # noqa: E731


def test_an_overdue_petition_is_supervised_by_the_county(township_staff, county_official):
    petition = PetitionFactory(level="township", received_on=timezone.localdate() - timedelta(20))
    Petition.objects.filter(pk=petition.pk).update(acceptance_due=YESTERDAY())

    assert supervise_red_cases() == 1
    assert supervise_red_cases() == 0

    supervision = Supervision.objects.get(kind="petition")
    assert (supervision.object_id, supervision.level, supervision.clock) == (
        petition.pk,
        "county",
        "acceptance",
    )
    assert PetitionEvent.objects.filter(petition=petition, kind="supervision_opened").count() == 1
    assert Petition.objects.get(pk=petition.pk).level == "township"


def test_an_incident_not_signed_for_in_time_is_supervised_by_the_level_above_its_dispatcher(
    grid, grid_worker, township_staff
):
    finding = log_finding(actor=grid_worker, grid=grid, status=FindingStatus.HANDED_UP)
    incident = incidents.incident_create_from_finding(actor=township_staff, finding=finding)
    # Not dispatched yet: no deadline, no light, nothing to supervise.
    assert supervise_red_cases() == 0
    incidents.incident_dispatch(
        actor=township_staff, incident=incident, version=incident.version, unit_kind="village"
    )
    # The unit has not signed for it by its sign-in date: the sign-in clock is the one running.
    Incident.objects.filter(pk=incident.pk).update(sign_in_due=YESTERDAY())

    assert supervise_red_cases() == 1
    supervision = Supervision.objects.get(kind="incident")
    assert (supervision.level, supervision.case_level) == ("county", "township")
    assert IncidentEvent.objects.filter(incident=incident, kind="supervision_opened").exists()


def test_an_unreported_summons_is_supervised_by_the_level_that_blew_the_whistle_and_the_department_answers(  # noqa: E501
    township_staff, justice_office, justice_liaison, mediator, django_capture_on_commit_callbacks
):
    dispute = register(township_staff)
    disputes.dispute_accept(actor=township_staff, dispute=dispute, version=dispute.version)
    dispute.refresh_from_db()
    disputes.dispute_summon(
        actor=township_staff,
        dispute=dispute,
        version=dispute.version,
        departments=[justice_office],
        due_on=timezone.localdate(),
    )
    Summons.objects.update(due_on=YESTERDAY())

    with django_capture_on_commit_callbacks(execute=True):
        assert supervise_red_cases() == 1
    supervision = Supervision.objects.get(kind="summons")
    assert (supervision.level, supervision.case_level) == ("township", "department")
    assert justice_liaison.notifications.filter(kind="supervision").count() == 1

    with pytest.raises(PermissionDenied):
        supervision_answer(actor=mediator, supervision=supervision, answer="不是我们的事")
    supervision_answer(actor=justice_liaison, supervision=supervision, answer="明日到场调处")
    assert DisputeEvent.objects.filter(dispute=dispute, kind="supervision_answered").count() == 1


def test_the_level_above_instructs_and_the_handling_level_answers_once(
    village_staff, township_staff, weizi_staff, django_capture_on_commit_callbacks
):
    dispute = register(village_staff, level="village")
    type(dispute).objects.filter(pk=dispute.pk).update(due_on=YESTERDAY())
    supervise_red_cases()
    supervision = Supervision.objects.get()

    # The village handles it: it does not supervise itself.
    with pytest.raises(PermissionDenied):
        supervision_instruct(actor=village_staff, supervision=supervision, note="抓紧")
    with pytest.raises(ValidationError):
        supervision_instruct(actor=township_staff, supervision=supervision, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        supervision_instruct(
            actor=township_staff, supervision=supervision, note="三日内入户调解并回告"
        )
    assert village_staff.notifications.filter(text__contains="三日内入户调解并回告").exists()

    # The township is not the handling level: it does not answer its own supervision.
    with pytest.raises(PermissionDenied):
        supervision_answer(actor=township_staff, supervision=supervision, answer="已办")
    with django_capture_on_commit_callbacks(execute=True):
        supervision_answer(actor=village_staff, supervision=supervision, answer="已约双方周五调解")
    supervision.refresh_from_db()
    assert (supervision.answer, supervision.answered_by) == ("已约双方周五调解", village_staff)
    assert township_staff.notifications.filter(kind="supervision_answer").count() == 1
    with pytest.raises(ValidationError):
        supervision_answer(actor=village_staff, supervision=supervision, answer="再答一次")
    assert [
        e.kind
        for e in DisputeEvent.objects.filter(dispute=dispute).order_by("pk")
        if e.kind.startswith("supervision")
    ] == ["supervision_opened", "supervision_instructed", "supervision_answered"]
    labels = [e.timeline_label for e in DisputeEvent.objects.filter(dispute=dispute)]
    assert "超期：上级督办" in labels and "督办已答复" in labels
    assert weizi_staff.notifications.count() == 0


def test_the_village_answers_on_the_case_page_and_is_sent_back_to_it(
    client, village_staff, township_staff
):
    """The village staff have no board: the supervision of their red dispute is on the
    dispute's page, with the answer form, and the answer brings them back to it."""
    from django.urls import reverse

    dispute = register(village_staff, level="village")
    type(dispute).objects.filter(pk=dispute.pk).update(due_on=YESTERDAY())
    supervise_red_cases()
    supervision = Supervision.objects.get()
    page = reverse("disputes:detail", args=[dispute.pk])

    client.force_login(township_staff)
    html = client.get(page).content.decode()
    assert reverse("cases:supervision_instruct", args=[supervision.pk]) in html
    assert reverse("cases:supervision_answer", args=[supervision.pk]) not in html

    client.force_login(village_staff)
    html = client.get(page).content.decode()
    assert reverse("cases:supervision_answer", args=[supervision.pk]) in html
    assert reverse("cases:supervision_instruct", args=[supervision.pk]) not in html
    response = client.post(
        reverse("cases:supervision_answer", args=[supervision.pk]),
        {"answer": "已约双方周五调解", "back": "case"},
    )
    assert response.status_code == 302 and response["Location"] == page
    assert "已约双方周五调解" in client.get(page).content.decode()

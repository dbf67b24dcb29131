"""A wrongly typed case converted either way, keeping its history (incidents.conversion): an
incident that is really a dispute, a dispute that is really a hazard. The old case ends as
converted with an event naming the new one; the new one starts with an event naming the old,
carries its finding, reporter, area, grid and description; each page links to the other and
shows the earlier timeline. Refusals (not open, already converted, not theirs, outside the
jurisdiction, bad input) write nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.workflow import CaseChangedUnderYou, TransitionNotAllowed
from disputes import services as disputes
from disputes.metrics import daily_counts
from disputes.models import Dispute, DisputeEvent, Level, Party, Status
from disputes.selectors import handed_up_findings_without_dispute
from governance.models import Role
from grids.models import FindingCategory, Severity
from incidents import conversion, services
from incidents.models import Incident, IncidentEvent, IncidentPhoto, IncidentStatus, UnitKind
from incidents.selectors import findings_waiting_for_incident
from tests.conftest import DIANSHANG
from tests.factories import person_with_role
from tests.incidents.conftest import a_photo

pytestmark = pytest.mark.django_db

APPLICANT = {"side": "applicant", "name": "李大山", "id_number": "", "phone": ""}


def fresh(case):
    return type(case).objects.get(pk=case.pk)


def kinds(case) -> list[str]:
    return list(case.events.order_by("at", "pk").values_list("kind", flat=True))


def written() -> tuple:
    """Everything a conversion could write, counted."""
    return (
        Dispute.objects.count(),
        DisputeEvent.objects.count(),
        Party.objects.count(),
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        tuple(Incident.objects.order_by("pk").values_list("status", "version")),
        tuple(Dispute.objects.order_by("pk").values_list("status", "version")),
    )


def page(client, person, url, status=200) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def to_dispute_form(incident, **overrides) -> dict:
    return {
        "version": incident.version,
        "kind": "neighbour",
        "people_involved": 3,
        "applicant-name": "李大山",
        "applicant-phone": "13812345678",
        "respondent-name": "王小河",
        "reason": "实为两户因井盖归属争执",
        **overrides,
    }


def to_incident_form(dispute, **overrides) -> dict:
    return {
        "version": dispute.version,
        "category": FindingCategory.SAFETY_HAZARD,
        "severity": Severity.MEDIUM,
        "reason": "实为排水沟堵塞的安全隐患，不是纠纷",
        **overrides,
    }


def convert_incident_url(incident):
    return reverse("incidents:act", args=[incident.pk, "convert_to_dispute"])


def convert_dispute_url(dispute):
    return reverse("incidents:convert_dispute", args=[dispute.pk])


@pytest.fixture
def grid_dispute(village_staff, dispute_finding, grid):
    """A dispute the village registered from the grid's handed-up finding, accepted."""
    dispute = disputes.dispute_register(
        actor=village_staff,
        kind="neighbour",
        channel="grid",
        description=dispute_finding.description,
        people_involved=2,
        village=grid.village,
        grid=grid,
        level=Level.VILLAGE,
        parties=[dict(APPLICANT)],
        source_finding=dispute_finding,
    )
    return disputes.dispute_accept(actor=village_staff, dispute=dispute)


# --- Incident → dispute ----------------------------------------------------------------------


def test_an_incident_becomes_a_dispute_and_both_pages_show_the_history(
    client, incident, township_staff, roads, finding, worker
):
    services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=roads[0],
        reason="路面归交通局",
    )
    # The unit signed for it and recorded what it did, with a photo.
    services.incident_sign_in(actor=roads[1], incident=incident)
    services.incident_handle(
        actor=roads[1], incident=incident, what_was_done="已临时围挡", photos=[a_photo()]
    )
    photo = IncidentPhoto.objects.get(incident=incident)
    incident.refresh_from_db()
    before = kinds(incident)
    client.force_login(township_staff)

    response = client.post(convert_incident_url(incident), to_dispute_form(incident))

    assert response.status_code == 302
    incident = fresh(incident)
    dispute = incident.converted_to_dispute
    assert incident.status == IncidentStatus.CONVERTED
    # The incident's history is whole, and ends naming the dispute.
    assert kinds(incident) == [*before, "converted_to_dispute"]
    last = incident.events.order_by("at", "pk").last()
    assert last.details["counterpart"] == dispute.number
    assert last.note == "实为两户因井盖归属争执"
    # The dispute carries the matter over and starts with the conversion.
    assert (dispute.village, dispute.grid, dispute.source_finding) == (
        incident.area,
        incident.grid,
        finding,
    )
    assert dispute.description == incident.description
    assert (dispute.status, dispute.level, dispute.channel) == (
        Status.REGISTERED,
        Level.TOWNSHIP,
        "grid",
    )
    assert dispute.due_on is not None and dispute.people_involved == 3
    assert sorted(dispute.parties.values_list("name", flat=True)) == ["李大山", "王小河"]
    assert kinds(dispute) == ["converted_from_incident"]
    assert dispute.events.get().details["counterpart"] == incident.number

    incident_page = page(client, township_staff, reverse("incidents:detail", args=[incident.pk]))
    assert "已转为纠纷" in incident_page
    assert reverse("disputes:detail", args=[dispute.pk]) in incident_page
    assert 'data-action="convert_to_dispute"' not in incident_page
    assert 'data-action="dispatch"' not in incident_page

    dispute_page = page(client, township_staff, reverse("disputes:detail", args=[dispute.pk]))
    assert "由事件转入" in dispute_page
    assert reverse("incidents:detail", args=[incident.pk]) in dispute_page
    earlier = dispute_page.split('data-testid="earlier-timeline"')[1]
    assert "由网格上报事项登记" in earlier and "派遣" in earlier and "已转为纠纷" in earlier
    # The incident's photos come with its timeline (each opens for who sees the incident).
    assert photo.get_absolute_url() in earlier
    # Its finding (and the photos) stays a click away.
    assert reverse("grids:finding_detail", args=[finding.pk]) in dispute_page


def test_a_second_submit_of_the_same_form_creates_no_second_dispute(
    client, incident, township_staff
):
    client.force_login(township_staff)
    data = to_dispute_form(incident)
    client.post(convert_incident_url(incident), data)
    after_first = written()

    response = client.post(convert_incident_url(incident), data, follow=True)

    assert written() == after_first
    assert Dispute.objects.count() == 1
    assert response.status_code == 200


def test_the_service_refuses_a_stale_version_and_a_converted_incident(incident, township_staff):
    version = incident.version
    conversion.incident_convert_to_dispute(
        actor=township_staff,
        incident=incident,
        version=version,
        kind="neighbour",
        parties=[dict(APPLICANT)],
        reason="是纠纷",
    )
    state = written()
    with pytest.raises(CaseChangedUnderYou):
        conversion.incident_convert_to_dispute(
            actor=township_staff,
            incident=fresh(incident),
            version=version,
            kind="neighbour",
            parties=[dict(APPLICANT)],
            reason="是纠纷",
        )
    with pytest.raises(TransitionNotAllowed):
        conversion.incident_convert_to_dispute(
            actor=township_staff,
            incident=fresh(incident),
            kind="neighbour",
            parties=[dict(APPLICANT)],
            reason="是纠纷",
        )
    assert written() == state


def test_a_closed_incident_is_not_converted(incident, township_staff, worker, roads):
    department, liaison = roads
    services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=department,
        reason="路面归交通局",
    )
    services.incident_sign_in(actor=liaison, incident=incident)
    services.incident_handle(actor=liaison, incident=incident, what_was_done="已补装")
    services.incident_check(actor=worker, incident=incident, passed=True)
    state = written()
    with pytest.raises(TransitionNotAllowed):
        conversion.incident_convert_to_dispute(
            actor=township_staff,
            incident=fresh(incident),
            kind="neighbour",
            parties=[dict(APPLICANT)],
            reason="是纠纷",
        )
    assert written() == state


def test_only_who_dispatches_it_converts_it_and_outside_is_404(
    client, incident, village_staff, weizi_staff, roads
):
    """The township dispatches this incident: the village sees it but may not convert it; a
    department liaison does not dispatch; another township does not even see it."""
    state = written()
    client.force_login(village_staff)
    assert client.post(convert_incident_url(incident), to_dispute_form(incident)).status_code == 403
    client.force_login(weizi_staff)
    assert client.post(convert_incident_url(incident), to_dispute_form(incident)).status_code == 404
    with pytest.raises(TransitionNotAllowed):
        conversion.incident_convert_to_dispute(
            actor=roads[1],
            incident=incident,
            kind="neighbour",
            parties=[dict(APPLICANT)],
            reason="是纠纷",
        )
    assert written() == state


def test_bad_input_is_told_and_writes_nothing(client, incident, township_staff):
    client.force_login(township_staff)
    state = written()
    cases = [
        {"reason": ""},
        {"kind": ""},
        {"applicant-name": ""},
        {"applicant-id_number": "110105194912310021"},
        {"people_involved": "0"},
        {"respondent-name": "", "respondent-phone": "13812345678"},
    ]
    for bad in cases:
        response = client.post(convert_incident_url(incident), to_dispute_form(incident, **bad))
        assert response.status_code == 400, bad
        assert 'data-action="convert_to_dispute"' in response.content.decode()
    assert written() == state


def test_a_finding_already_a_live_dispute_is_not_converted_twice(
    client, incident, township_staff, finding, grid
):
    """The hazard was also registered as a dispute at the desk: the incident is not turned
    into a second dispute of the same finding."""
    twin = disputes.dispute_register(
        actor=township_staff,
        kind="other",
        channel="grid",
        description=finding.description,
        people_involved=2,
        village=grid.village,
        grid=grid,
        level=Level.TOWNSHIP,
        parties=[dict(APPLICANT)],
        source_finding=finding,
    )
    html = page(client, township_staff, reverse("incidents:detail", args=[incident.pk]))
    assert 'data-action="convert_to_dispute"' not in html
    state = written()
    with pytest.raises(TransitionNotAllowed, match=twin.number):
        conversion.incident_convert_to_dispute(
            actor=township_staff,
            incident=incident,
            kind="neighbour",
            parties=[dict(APPLICANT)],
            reason="是纠纷",
        )
    assert written() == state


# --- Dispute → incident ----------------------------------------------------------------------


def test_a_dispute_becomes_an_incident_and_both_pages_show_the_history(
    client, grid_dispute, village_staff, dispute_finding, worker, township_staff
):
    mediator = person_with_role(Role.MEDIATOR, DIANSHANG, first_name="调解员")
    disputes.dispute_assign(actor=village_staff, dispute=grid_dispute, lead=mediator)
    grid_dispute.refresh_from_db()
    before = kinds(grid_dispute)
    client.force_login(village_staff)

    response = client.post(convert_dispute_url(grid_dispute), to_incident_form(grid_dispute))

    incident = Incident.objects.get(converted_from_dispute=grid_dispute)
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[incident.pk])
    dispute = fresh(grid_dispute)
    assert dispute.status == Status.CONVERTED
    assert kinds(dispute) == [*before, "converted_to_incident"]
    assert dispute.events.order_by("at", "pk").last().details["counterpart"] == incident.number
    # Its handlers are released; the parties and everything else stay.
    assert not dispute.assignments.filter(ended_at__isnull=True).exists()
    assert dispute.parties.count() == 1
    # The incident carries the matter over, waiting to be dispatched from the village.
    assert (incident.area, incident.grid, incident.finding, incident.reporter) == (
        dispute.village,
        dispute.grid,
        dispute_finding,
        worker,
    )
    assert incident.description == dispute.description
    assert (incident.status, incident.level, incident.category, incident.severity) == (
        IncidentStatus.NEW,
        "village",
        FindingCategory.SAFETY_HAZARD,
        Severity.MEDIUM,
    )
    assert kinds(incident) == ["converted_from_dispute"]
    assert incident.events.get().details["counterpart"] == dispute.number

    incident_page = page(client, township_staff, reverse("incidents:detail", args=[incident.pk]))
    assert "转自纠纷" in incident_page
    assert reverse("disputes:detail", args=[dispute.pk]) in incident_page
    earlier = incident_page.split('data-testid="earlier-timeline"')[1]
    assert "已登记" in earlier and "受理" in earlier and "已转为事件" in earlier
    assert 'data-action="dispatch"' in incident_page
    assert reverse("grids:finding_detail", args=[dispute_finding.pk]) in incident_page

    dispute_page = page(client, township_staff, reverse("disputes:detail", args=[dispute.pk]))
    assert "已转为事件" in dispute_page
    assert reverse("incidents:detail", args=[incident.pk]) in dispute_page
    assert convert_dispute_url(dispute) not in dispute_page
    # The finding waits in no queue: it is a case already (twice over, each kept).
    assert dispute_finding not in handed_up_findings_without_dispute(township_staff)
    assert dispute_finding not in findings_waiting_for_incident(township_staff)


def test_a_converted_dispute_is_neither_resolved_nor_overdue_in_the_rollups(
    grid_dispute, village_staff, grid
):
    Dispute.objects.filter(pk=grid_dispute.pk).update(
        due_on=timezone.localdate() - timezone.timedelta(days=3)
    )
    today = timezone.localdate()
    assert daily_counts(today)[(grid.village_id, grid.pk)]["disputes_overdue_open"] == 1

    conversion.dispute_convert_to_incident(
        actor=village_staff,
        dispute=fresh(grid_dispute),
        category=FindingCategory.ENVIRONMENT,
        reason="不是纠纷",
    )

    counts = daily_counts(today)[(grid.village_id, grid.pk)]
    assert counts.get("disputes_resolved", 0) == 0
    assert counts.get("disputes_overdue_open", 0) == 0
    assert counts.get("disputes_supervised", 0) == 0


def test_who_may_convert_a_dispute(
    client, grid_dispute, village_staff, township_staff, worker, weizi_staff
):
    """Staff of its level or above who may dispatch the incident; a mediator handling it may
    not; a grid worker does not dispatch; outside, the same 404 as a missing dispute."""
    mediator = person_with_role(Role.MEDIATOR, DIANSHANG, first_name="调解员")
    disputes.dispute_assign(actor=village_staff, dispute=grid_dispute, lead=mediator)
    grid_dispute.refresh_from_db()
    state = written()
    data = to_incident_form(grid_dispute)
    client.force_login(mediator)
    assert client.post(convert_dispute_url(grid_dispute), data).status_code == 403
    assert convert_dispute_url(grid_dispute) not in page(
        client, mediator, reverse("disputes:detail", args=[grid_dispute.pk])
    )
    client.force_login(weizi_staff)
    assert client.post(convert_dispute_url(grid_dispute), data).status_code == 404
    assert client.post(convert_dispute_url(grid_dispute) + "x").status_code == 404
    client.force_login(worker)
    assert client.get(convert_dispute_url(grid_dispute)).status_code == 405
    assert client.post(convert_dispute_url(grid_dispute), data).status_code in (403, 404)
    assert written() == state
    # The township, above the village, may.
    assert convert_dispute_url(grid_dispute) in page(
        client, township_staff, reverse("disputes:detail", args=[grid_dispute.pk])
    )
    client.force_login(township_staff)
    assert client.post(convert_dispute_url(grid_dispute), data).status_code == 302


def test_a_grid_level_dispute_needs_someone_who_dispatches(grid_dispute, village_staff, worker):
    grid_level = disputes.dispute_send_down(
        actor=village_staff, dispute=grid_dispute, reason="网格先调"
    )
    state = written()
    with pytest.raises(TransitionNotAllowed):
        conversion.dispute_convert_to_incident(
            actor=worker,
            dispute=fresh(grid_level),
            category=FindingCategory.SAFETY_HAZARD,
            reason="不是纠纷",
        )
    assert written() == state
    incident = conversion.dispute_convert_to_incident(
        actor=village_staff,
        dispute=fresh(grid_level),
        category=FindingCategory.SAFETY_HAZARD,
        reason="不是纠纷",
    )
    assert incident.level == "village"


def test_a_dispute_no_longer_open_is_refused_and_the_page_says_why(
    client, grid_dispute, village_staff
):
    conversion.dispute_convert_to_incident(
        actor=village_staff,
        dispute=grid_dispute,
        category=FindingCategory.SAFETY_HAZARD,
        reason="不是纠纷",
    )
    state = written()
    client.force_login(village_staff)
    response = client.post(
        convert_dispute_url(grid_dispute), to_incident_form(grid_dispute), follow=True
    )
    assert written() == state
    assert response.redirect_chain[-1][0] == reverse("disputes:detail", args=[grid_dispute.pk])
    assert "已转为事件" in response.content.decode()


def test_bad_input_on_the_dispute_page_keeps_what_was_typed(client, grid_dispute, village_staff):
    client.force_login(village_staff)
    state = written()
    for bad in ({"reason": ""}, {"category": FindingCategory.DISPUTE}, {"severity": "x"}):
        response = client.post(
            convert_dispute_url(grid_dispute), to_incident_form(grid_dispute, **bad)
        )
        assert response.status_code == 400, bad
        html = response.content.decode()
        assert 'open data-action="convert_to_incident"' in html
    response = client.post(
        convert_dispute_url(grid_dispute), to_incident_form(grid_dispute, category="")
    )
    assert "实为排水沟堵塞的安全隐患" in response.content.decode()
    # A stale form is told so and keeps its input.
    response = client.post(
        convert_dispute_url(grid_dispute), to_incident_form(grid_dispute, version=99)
    )
    assert response.status_code == 400
    assert "他人已更新" in response.content.decode()
    assert written() == state


def test_the_service_refuses_a_dispute_category_and_a_missing_reason(grid_dispute, village_staff):
    state = written()
    with pytest.raises(ValidationError):
        conversion.dispute_convert_to_incident(
            actor=village_staff,
            dispute=grid_dispute,
            category=FindingCategory.DISPUTE,
            reason="不是纠纷",
        )
    with pytest.raises(ValidationError):
        conversion.dispute_convert_to_incident(
            actor=village_staff,
            dispute=grid_dispute,
            category=FindingCategory.SAFETY_HAZARD,
            reason="  ",
        )
    assert written() == state


# --- Back and forth ------------------------------------------------------------------------


def test_back_and_forth_keeps_every_case_and_the_finding_where_it_was(
    client, incident, township_staff, finding, worker
):
    """Incident → dispute → incident: the finding stays with the first incident (its one
    finding link), the dispute takes it (no dispute held it), the last incident reaches it
    through the dispute it came from, and its page links to it."""
    dispute = conversion.incident_convert_to_dispute(
        actor=township_staff,
        incident=incident,
        kind="neighbour",
        parties=[dict(APPLICANT)],
        reason="是纠纷",
    )
    again = conversion.dispute_convert_to_incident(
        actor=township_staff,
        dispute=fresh(dispute),
        category=FindingCategory.SAFETY_HAZARD,
        reason="还是隐患",
    )

    assert fresh(incident).finding == finding
    assert fresh(dispute).source_finding == finding
    assert again.finding is None and again.reporter == worker
    assert [fresh(incident).status, fresh(dispute).status, again.status] == [
        IncidentStatus.CONVERTED,
        Status.CONVERTED,
        IncidentStatus.NEW,
    ]
    html = page(client, township_staff, reverse("incidents:detail", args=[again.pk]))
    assert reverse("disputes:detail", args=[dispute.pk]) in html
    assert reverse("grids:finding_detail", args=[finding.pk]) in html
    # And once more to a dispute: the first dispute keeps the finding, the new one links back.
    last = conversion.incident_convert_to_dispute(
        actor=township_staff,
        incident=again,
        kind="neighbour",
        parties=[dict(APPLICANT)],
        reason="确是纠纷",
    )
    assert last.source_finding is None
    assert fresh(again).converted_to_dispute == last
    assert Dispute.objects.count() == 2 and Incident.objects.count() == 2


def test_in_the_incidents_rollups_a_converted_incident_is_not_closed_and_a_new_one_waits(
    incident, township_staff, grid_dispute, village_staff
):
    """The night's figures: the incident that became a dispute is neither closed nor on the
    daily clear list; the one converted from a dispute and not yet dispatched is on it, as an
    incident registered that day would be."""
    from incidents.rollups import daily_clear_items
    from incidents.rollups import daily_counts as incident_counts

    conversion.incident_convert_to_dispute(
        actor=township_staff,
        incident=incident,
        kind="neighbour",
        parties=[dict(APPLICANT)],
        reason="是纠纷",
    )
    new = conversion.dispute_convert_to_incident(
        actor=village_staff,
        dispute=grid_dispute,
        category=FindingCategory.SAFETY_HAZARD,
        reason="不是纠纷",
    )
    today = timezone.localdate()

    waiting = {item["object_id"] for item in daily_clear_items(today)}
    assert new.pk in waiting and incident.pk not in waiting
    counts = incident_counts(today)
    assert sum(c.get("incidents_closed", 0) for c in counts.values()) == 0
    assert sum(c.get("incidents_new", 0) for c in counts.values()) == 2

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Incident, IncidentStatus, UnitKind

pytestmark = pytest.mark.django_db


def page(client, person, url, status=200) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def test_the_dispute_workbench_lists_only_disputes_and_the_incidents_queue_the_rest(
    client, township_staff, finding, dispute_finding
):
    html = page(client, township_staff, reverse("disputes:workbench"))
    disputes_part, incidents_part = html.split('data-testid="incident-findings"')
    assert f'?finding={dispute_finding.pk}"' in disputes_part
    assert f'?finding={finding.pk}"' not in html
    assert reverse("incidents:from_finding", args=[finding.pk]) in incidents_part
    assert reverse("incidents:from_finding", args=[dispute_finding.pk]) not in html


def test_the_button_opens_the_incident_and_it_leaves_the_queue(client, township_staff, finding):
    client.force_login(township_staff)
    response = client.post(reverse("incidents:from_finding", args=[finding.pk]))
    incident = Incident.objects.get(finding=finding)
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[incident.pk])
    html = page(client, township_staff, reverse("disputes:workbench"))
    assert reverse("incidents:from_finding", args=[finding.pk]) not in html
    # A second press is told it exists already, and writes nothing.
    response = client.post(reverse("incidents:from_finding", args=[finding.pk]), follow=True)
    assert Incident.objects.count() == 1
    assert "该事项已登记为事件" in response.content.decode()


def test_a_dispute_finding_is_refused_with_a_message(client, township_staff, dispute_finding):
    client.force_login(township_staff)
    response = client.post(
        reverse("incidents:from_finding", args=[dispute_finding.pk]), follow=True
    )
    assert not Incident.objects.exists()
    assert "矛盾纠纷应登记为纠纷" in response.content.decode()


def test_the_detail_page_shows_the_timeline_and_the_dispatch_form(client, incident, township_staff):
    html = page(client, township_staff, reverse("incidents:detail", args=[incident.pk]))
    assert 'data-testid="timeline"' in html
    assert 'data-action="dispatch"' in html
    assert incident.number in page(client, township_staff, reverse("incidents:list"))


def test_dispatching_through_the_page(client, incident, township_staff, roads):
    department = roads[0]
    client.force_login(township_staff)
    url = reverse("incidents:act", args=[incident.pk, "dispatch"])
    refused = client.post(url, {"version": incident.version, "unit_kind": "department"})
    assert refused.status_code == 400
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.NEW
    response = client.post(
        url,
        {
            "version": incident.version,
            "unit_kind": "department",
            "department": department.pk,
            "reason": "路面归交通局",
        },
    )
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).department == department


def test_a_liaison_of_another_department_gets_404(client, incident, township_staff, roads, water):
    services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=roads[0],
        reason="路面归交通局",
    )
    url = reverse("incidents:detail", args=[incident.pk])
    page(client, roads[1], url)
    page(client, water[1], url, status=404)
    # The finding behind it, with its photos, is the department's to see; not the other's.
    finding_url = reverse("grids:finding_detail", args=[incident.finding_id])
    page(client, roads[1], finding_url)
    page(client, water[1], finding_url, status=404)
    assert incident.number not in page(client, water[1], reverse("incidents:list"))


def test_the_reporter_sees_it_and_a_neighbouring_township_does_not(
    client, incident, worker, weizi_staff
):
    url = reverse("incidents:detail", args=[incident.pk])
    page(client, worker, url)
    page(client, weizi_staff, url, status=404)


def test_numbers_in_the_description_are_masked_for_those_not_handling_it(
    client, incident, worker, township_staff, village_staff
):
    url = reverse("incidents:detail", args=[incident.pk])
    assert "13812345678" in page(client, township_staff, url)
    assert "13812345678" in page(client, worker, url)  # they wrote it
    # The village sees what happens in it, but the township dispatches this one.
    assert "13812345678" not in page(client, village_staff, url)
    assert "13812345678" not in page(client, village_staff, reverse("incidents:list"))

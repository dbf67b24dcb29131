"""The incidents workbench and the incident page ask the database a fixed number of times,
however many incidents there are and however long an incident's history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import FindingCategory, FindingStatus
from incidents import services
from incidents.models import Incident, UnitKind
from incidents.selectors import handles_incident, incidents_handled_by
from tests.factories import log_finding
from tests.incidents.conftest import a_photo


def queries_for(client, url) -> int:
    """The queries of one view of `url`, once per-person caches (the bell's count) are warm."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def incidents_in_every_state(count, *, worker, grid, staff, department, liaison):
    """`count` incidents of the grid: new, sent to the department, to the village, to the
    township, signed for, handled, closed, in turn."""
    made = []
    for index in range(count):
        finding = log_finding(
            actor=worker,
            grid=grid,
            category=FindingCategory.SAFETY_HAZARD,
            description=f"第{index}处井盖缺失",
            status=FindingStatus.HANDED_UP,
        )
        incident = services.incident_create_from_finding(actor=staff, finding=finding)
        step = index % 5
        if step:
            kind = [UnitKind.DEPARTMENT, UnitKind.VILLAGE, UnitKind.TOWNSHIP][index % 3]
            services.incident_dispatch(
                actor=staff,
                incident=incident,
                unit_kind=kind,
                department=department if kind == UnitKind.DEPARTMENT else None,
                reason="就近处置",
            )
        if step >= 2 and incident.unit_kind == UnitKind.DEPARTMENT:
            services.incident_sign_in(actor=liaison, incident=incident)
            if step >= 3:
                services.incident_handle(actor=liaison, incident=incident, what_was_done="已修复")
            if step >= 4:
                services.incident_check(actor=worker, incident=incident, passed=True)
        made.append(incident)
    return made


@pytest.mark.django_db
def test_the_incidents_workbench_costs_the_same_for_1_and_40_incidents(
    client, township_staff, worker, grid, roads
):
    department, liaison = roads
    people = {"worker": worker, "grid": grid, "staff": township_staff}
    incidents_in_every_state(1, department=department, liaison=liaison, **people)
    client.force_login(township_staff)
    with_one = queries_for(client, reverse("incidents:list"))
    incidents_in_every_state(39, department=department, liaison=liaison, **people)
    assert Incident.objects.count() == 40

    with_forty = queries_for(client, reverse("incidents:list"))

    assert with_forty == with_one


@pytest.mark.django_db
def test_the_incident_page_costs_the_same_with_a_short_and_a_long_history(
    client, township_staff, worker, grid, roads
):
    department, liaison = roads
    people = {"worker": worker, "grid": grid, "staff": township_staff}
    short, long = incidents_in_every_state(2, department=department, liaison=liaison, **people)
    for incident in (short, long):
        services.incident_dispatch(
            actor=township_staff,
            incident=incident,
            unit_kind=UnitKind.DEPARTMENT,
            department=department,
            reason="交通局负责",
        )
        services.incident_sign_in(actor=liaison, incident=incident)
    for round_ in range(8):
        services.incident_handle(actor=liaison, incident=long, what_was_done=f"第{round_}次整改")
        services.incident_check(
            actor=worker, incident=long, passed=False, reason="仍有隐患", photos=[a_photo()]
        )
    assert long.events.count() >= 3 * short.events.count()

    for person in (township_staff, liaison, worker):
        client.force_login(person)
        few = queries_for(client, reverse("incidents:detail", args=[short.pk]))
        many = queries_for(client, reverse("incidents:detail", args=[long.pk]))
        assert many == few, person.first_name


@pytest.mark.django_db
def test_the_list_unmasks_for_the_same_people_as_the_incident_page(
    township_staff, village_staff, weizi_staff, county_official, worker, grid, roads, water
):
    """The list decides who reads an incident whole for all its rows at once; it decides as
    the incident page does, row by row."""
    department, liaison = roads
    made = incidents_in_every_state(
        10, worker=worker, grid=grid, staff=township_staff, department=department, liaison=liaison
    )
    incidents = list(
        Incident.objects.filter(pk__in=[i.pk for i in made]).select_related(
            "area", "area__parent", "area__parent__parent", "department"
        )
    )
    people = [township_staff, village_staff, weizi_staff, county_official, worker, liaison]
    for person in [*people, water[1]]:
        one_by_one = {i.pk for i in incidents if handles_incident(user=person, incident=i)}
        assert incidents_handled_by(user=person, incidents=incidents) == one_by_one, person
    assert incidents_handled_by(user=liaison, incidents=incidents)
    assert not incidents_handled_by(user=water[1], incidents=incidents)

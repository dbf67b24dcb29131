from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.workflow import TransitionNotAllowed
from governance.models import Notification
from governance.workdays import add_working_days
from grids.models import GridAssignment
from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentStatus, MatterRule, UnitKind
from tests.conftest import LUCHENG
from tests.factories import UserFactory, area, team_member
from tests.incidents.conftest import a_photo

S = IncidentStatus


def fresh(incident):
    return Incident.objects.get(pk=incident.pk)


def events(incident):
    return list(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))


def dispatch_to(incident, actor, department, **extra):
    return services.incident_dispatch(
        actor=actor,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=department,
        reason=extra.pop("reason", "路面归交通局"),
        **extra,
    )


@pytest.mark.django_db
def test_the_whole_loop_from_finding_to_closed(
    incident, township_staff, roads, worker, django_capture_on_commit_callbacks, media_root
):
    department, liaison = roads
    assert incident.status == S.NEW
    assert incident.reporter == worker and incident.grid is not None
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_to(incident, township_staff, department)
    today = timezone.localdate()
    assert incident.status == S.DISPATCHED
    assert incident.sign_in_due == add_working_days(today, 1)
    assert Notification.objects.filter(recipient=liaison).exists()
    services.incident_sign_in(actor=liaison, incident=incident)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_handle(actor=liaison, incident=incident, what_was_done="已补装井盖")
    assert Notification.objects.filter(recipient=worker, kind="incident_handled").exists()
    services.incident_check(
        actor=worker, incident=incident, passed=False, reason="井盖松动", photos=[a_photo()]
    )
    assert incident.status == S.SIGNED_IN and incident.rework_count == 1
    services.incident_handle(actor=liaison, incident=incident, what_was_done="已加固")
    services.incident_check(actor=worker, incident=incident, passed=True)
    assert fresh(incident).status == S.CLOSED
    assert events(incident) == [
        "registered",
        "dispatch",
        "sign_in",
        "handle",
        "check_failed",
        "handle",
        "check_passed",
    ]


@pytest.mark.django_db
def test_the_matters_list_proposes_the_unit_and_another_needs_a_reason(
    incident, township_staff, roads, water
):
    department = roads[0]
    MatterRule.objects.create(
        county=area(LUCHENG),
        category=incident.category,
        unit_kind=UnitKind.DEPARTMENT,
        department=department,
        working_days=3,
    )
    with pytest.raises(ValidationError):
        services.incident_dispatch(
            actor=township_staff,
            incident=incident,
            unit_kind=UnitKind.DEPARTMENT,
            department=water[0],
        )
    assert fresh(incident).status == S.NEW and events(incident) == ["registered"]
    services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=department,
    )
    assert incident.close_due == add_working_days(timezone.localdate(), 3)


@pytest.mark.django_db
def test_a_department_of_another_county_cannot_be_chosen(
    incident, township_staff, foreign_department
):
    with pytest.raises(ValidationError):
        dispatch_to(incident, township_staff, foreign_department)
    assert fresh(incident).status == S.NEW and events(incident) == ["registered"]


@pytest.mark.django_db
def test_a_dispute_finding_is_not_an_incident(township_staff, dispute_finding):
    with pytest.raises(ValidationError):
        services.incident_create_from_finding(actor=township_staff, finding=dispute_finding)
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_someone_outside_the_grid_cannot_open_an_incident(weizi_staff, finding):
    with pytest.raises(TransitionNotAllowed):
        services.incident_create_from_finding(actor=weizi_staff, finding=finding)
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_village_staff_dispatch_from_the_village(village_staff, finding):
    incident = services.incident_create_from_finding(actor=village_staff, finding=finding)
    assert incident.level == "village"
    services.incident_dispatch(actor=village_staff, incident=incident, unit_kind=UnitKind.VILLAGE)
    services.incident_sign_in(actor=village_staff, incident=incident)
    assert incident.status == S.SIGNED_IN


@pytest.mark.django_db
def test_the_unit_returns_it_before_the_sign_in_clock_and_it_is_dispatched_again(
    incident, township_staff, roads, water, django_capture_on_commit_callbacks
):
    department, liaison = roads
    dispatch_to(incident, township_staff, department)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_return(actor=liaison, incident=incident, reason="不属于交通局")
    incident = fresh(incident)
    assert incident.status == S.RETURNED and incident.department is None
    assert Notification.objects.filter(recipient=township_staff, kind="incident_returned")
    dispatch_to(incident, township_staff, water[0])
    assert fresh(incident).status == S.DISPATCHED


@pytest.mark.django_db
def test_a_return_after_the_sign_in_clock_is_refused(incident, township_staff, roads):
    department, liaison = roads
    dispatch_to(incident, township_staff, department)
    Incident.objects.filter(pk=incident.pk).update(
        sign_in_due=timezone.localdate() - timedelta(days=1)
    )
    before = events(incident)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.incident_return(actor=liaison, incident=fresh(incident), reason="不属于我们")
    assert "passed" in str(refused.value) or "已过" in str(refused.value)
    assert fresh(incident).status == S.DISPATCHED and events(incident) == before


FORBIDDEN = [
    # (status, action, arguments)
    (S.NEW, "sign_in", {}),
    (S.NEW, "handle", {"what_was_done": "x"}),
    (S.NEW, "check", {"passed": True}),
    (S.NEW, "return", {"reason": "x"}),
    (S.DISPATCHED, "handle", {"what_was_done": "x"}),
    (S.DISPATCHED, "check", {"passed": True}),
    (S.SIGNED_IN, "sign_in", {}),
    (S.SIGNED_IN, "return", {"reason": "x"}),
    (S.SIGNED_IN, "check", {"passed": True}),
    (S.HANDLED, "sign_in", {}),
    (S.HANDLED, "handle", {"what_was_done": "x"}),
    (S.HANDLED, "return", {"reason": "x"}),
    (S.HANDLED, "dispatch", {"unit_kind": UnitKind.VILLAGE}),
    (S.RETURNED, "sign_in", {}),
    (S.RETURNED, "handle", {"what_was_done": "x"}),
    (S.RETURNED, "check", {"passed": True}),
    (S.CLOSED, "dispatch", {"unit_kind": UnitKind.VILLAGE}),
    (S.CLOSED, "sign_in", {}),
    (S.CLOSED, "handle", {"what_was_done": "x"}),
    (S.CLOSED, "check", {"passed": False, "reason": "x"}),
    (S.CLOSED, "return", {"reason": "x"}),
]
SERVICES = {
    "dispatch": services.incident_dispatch,
    "sign_in": services.incident_sign_in,
    "return": services.incident_return,
    "handle": services.incident_handle,
    "check": services.incident_check,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action", "arguments"), FORBIDDEN)
def test_every_transition_the_table_forbids_is_refused_and_writes_nothing(
    incident, township_staff, village_staff, worker, status, action, arguments
):
    # Everyone who could act on it in some status: the unit is the village, so its staff
    # act for it; the township dispatches; the worker checks.
    Incident.objects.filter(pk=incident.pk).update(
        status=status,
        unit_kind="" if status in (S.NEW, S.RETURNED) else UnitKind.VILLAGE,
        sign_in_due=timezone.localdate() + timedelta(days=1),
    )
    actor = {"dispatch": township_staff, "check": worker}.get(action, village_staff)
    incident = fresh(incident)
    before = (events(incident), incident.version)
    with pytest.raises(TransitionNotAllowed) as refused:
        SERVICES[action](actor=actor, incident=incident, **arguments)
    assert str(refused.value)
    incident = fresh(incident)
    assert incident.status == status
    assert (events(incident), incident.version) == before


@pytest.mark.django_db
def test_the_unit_cannot_dispatch_and_the_dispatcher_cannot_sign_in(
    incident, township_staff, roads
):
    department, liaison = roads
    with pytest.raises(TransitionNotAllowed):
        dispatch_to(incident, liaison, department)
    dispatch_to(incident, township_staff, department)
    with pytest.raises(TransitionNotAllowed):
        services.incident_sign_in(actor=township_staff, incident=incident)
    assert fresh(incident).status == S.DISPATCHED


def _handled(incident, township_staff, roads):
    department, liaison = roads
    dispatch_to(incident, township_staff, department)
    services.incident_sign_in(actor=liaison, incident=incident)
    services.incident_handle(actor=liaison, incident=incident, what_was_done="已补装")
    return fresh(incident)


@pytest.mark.django_db
def test_only_the_reporter_checks(incident, township_staff, roads, grid, village_staff):
    incident = _handled(incident, township_staff, roads)
    for someone in (township_staff, roads[1], village_staff):
        with pytest.raises(TransitionNotAllowed):
            services.incident_check(actor=someone, incident=incident, passed=True)
    assert fresh(incident).status == S.HANDLED


@pytest.mark.django_db
def test_when_the_reporter_left_the_grid_its_current_worker_checks(
    incident, township_staff, roads, grid, worker
):
    incident = _handled(incident, township_staff, roads)
    GridAssignment.objects.filter(person=worker).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    successor = UserFactory(first_name="新网格员", password=None)
    team_member(grid, person=successor)
    with pytest.raises(TransitionNotAllowed):
        services.incident_check(actor=worker, incident=incident, passed=True)
    services.incident_check(actor=successor, incident=incident, passed=True)
    assert fresh(incident).status == S.CLOSED

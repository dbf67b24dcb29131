"""generate_load's incidents at a small size: most handed-up findings that are not disputes
become incidents, each with the event history the services would have written, taken by
people who could have taken each step."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.models import Area, AreaLevel, Department
from governance.workdays import add_working_days
from grids.models import Finding, FindingCategory, FindingStatus
from incidents.models import (
    INCIDENT_CATEGORIES,
    OPEN_INCIDENT_STATUSES,
    Incident,
    IncidentStatus,
    MatterRule,
    UnitKind,
)
from incidents.selectors import acts_for_unit, is_dispatcher

END = date(2026, 3, 31)
DAYS = 60
S = IncidentStatus
# What each event does to the status, as incidents.actions says.
EVENT_STATUSES = {
    "registered": ({""}, S.NEW),
    "dispatch": ({S.NEW, S.RETURNED, S.DISPATCHED, S.SIGNED_IN}, S.DISPATCHED),
    "sign_in": ({S.DISPATCHED}, S.SIGNED_IN),
    "return": ({S.DISPATCHED}, S.RETURNED),
    "handle": ({S.SIGNED_IN}, S.HANDLED),
    "check_passed": ({S.HANDLED}, S.CLOSED),
    "check_failed": ({S.HANDLED}, S.SIGNED_IN),
}


@pytest.fixture
def generated(changzhi_slice):
    call_command(
        "generate_load",
        villages="6",
        grids_per_village="2",
        days=str(DAYS),
        end=END.isoformat(),
        seed="5",
        stdout=StringIO(),
    )


@pytest.mark.django_db
def test_most_handed_up_findings_become_incidents_of_their_finding(generated):
    handed_up = Finding.objects.filter(status=FindingStatus.HANDED_UP)
    candidates = handed_up.exclude(category=FindingCategory.DISPUTE)
    incidents = Incident.objects.select_related("finding", "grid")
    assert incidents.count() >= 0.8 * candidates.count() > 0
    assert not incidents.filter(finding__category=FindingCategory.DISPUTE).exists()
    assert not incidents.exclude(finding__in=handed_up).exists()
    for incident in incidents:
        finding = incident.finding
        assert (incident.grid, incident.area_id) == (finding.grid, finding.grid.village_id)
        assert (incident.reporter_id, incident.category) == (finding.reporter_id, finding.category)
        assert incident.registered_at > finding.found_at
        assert (
            incident.number == f"SJ{timezone.localtime(incident.registered_at):%Y}{incident.pk:07d}"
        )


@pytest.mark.django_db
def test_every_incident_has_the_history_of_its_status(generated):
    """The events chain from registration to the incident's status, each a step the workflow
    allows; the version, the rework count, the unit and the dates agree with them."""
    incidents = Incident.objects.prefetch_related("events").select_related("department")
    assert incidents.exists()
    for incident in incidents:
        events = list(incident.events.all())
        assert events[0].kind == "registered"
        assert events[0].at == incident.registered_at
        assert events[0].actor_id == incident.registered_by_id
        status = ""
        for event in events:
            sources, target = EVENT_STATUSES[event.kind]
            assert event.from_status == status and status in sources, (incident.pk, event.kind)
            assert event.to_status == target, (incident.pk, event.kind)
            status = event.to_status
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert status == incident.status
        assert incident.version == len(events)  # one more per change after the creation
        kinds = Counter(event.kind for event in events)
        assert incident.rework_count == kinds["check_failed"]
        if incident.status == S.CLOSED:
            assert events[-1].kind == "check_passed"
            # Stamped as the service stamps it: the rollups and the nightly clear list read it.
            assert incident.closed_on == timezone.localdate(events[-1].at)
        else:
            assert incident.closed_on is None
        dispatches = [i for i, e in enumerate(events) if e.kind == "dispatch"]
        sign_ins = (
            [e for e in events[dispatches[-1] :] if e.kind == "sign_in"] if dispatches else []
        )
        assert incident.signed_in_on == (timezone.localdate(sign_ins[-1].at) if sign_ins else None)
        if incident.status in (S.NEW, S.RETURNED):
            assert (incident.unit_kind, incident.department) == ("", None)
        else:
            assert incident.unit_kind in UnitKind.values
            dispatch = [e for e in events if e.kind == "dispatch"][-1]
            assert incident.dispatched_on == timezone.localdate(dispatch.at)
            assert incident.close_due.isoformat() == dispatch.details["close_due"]
            assert incident.sign_in_due == add_working_days(incident.dispatched_on, 1)
            assert dispatch.details["unit"] == incident.unit_label()
            assert dispatch.details["proposed"] == (dispatch.note == "")
        assert bool(incident.what_was_done) == (kinds["handle"] > 0)


@pytest.mark.django_db
def test_the_steps_are_taken_by_people_who_may_take_them(generated):
    """The dispatcher dispatches, someone of the handling unit signs for it and handles it, the
    worker who found it checks it; a dispatch the list proposed goes to the list's unit."""
    incidents = Incident.objects.select_related(
        "area", "area__parent", "area__parent__parent", "department", "grid"
    ).prefetch_related("events__actor")
    assert incidents.exists()
    kinds = Counter()
    for incident in incidents:
        rule = MatterRule.objects.get(
            county=incident.area.parent.parent, category=incident.category
        )
        listed = rule.department.name if rule.department else str(UnitKind(rule.unit_kind).label)
        for event in incident.events.all():
            kinds[event.kind] += 1
            if event.kind == "dispatch":
                assert is_dispatcher(user=event.actor, incident=incident)
                assert (event.details["unit"] == listed) == event.details["proposed"]
            elif event.kind in ("sign_in", "handle"):
                # No dispatch follows a sign-in here: the unit is still the incident's.
                assert acts_for_unit(user=event.actor, incident=incident), (incident.pk, event)
            elif event.kind.startswith("check"):
                assert event.actor_id == incident.reporter_id
    assert kinds["dispatch"] and kinds["sign_in"] and kinds["check_passed"]


@pytest.mark.django_db
def test_every_county_has_a_matters_list_and_the_workflow_is_all_there(generated):
    counties = Area.objects.filter(level=AreaLevel.COUNTY, children__children__grids__isnull=False)
    for county in counties.distinct():
        rules = MatterRule.objects.filter(county=county)
        assert set(rules.values_list("category", flat=True)) == set(INCIDENT_CATEGORIES)
        for rule in rules.filter(unit_kind=UnitKind.DEPARTMENT):
            assert rule.department.area == county
            assert rule.department.liaisons.exists()
    # The demo county's own department (and its liaison) is used, not a second of its name.
    assert Department.objects.filter(name="潞城区住房和城乡建设局").count() == 1
    statuses = Counter(Incident.objects.values_list("status", flat=True))
    assert statuses.most_common(1)[0][0] == S.CLOSED
    assert len(statuses) >= 3
    assert Incident.objects.filter(rework_count__gt=0).exists()
    overdue = Incident.objects.filter(status__in=OPEN_INCIDENT_STATUSES, close_due__lt=END)
    assert overdue.exists()
    # Some handed-up findings still wait on the workbench to become incidents.
    waiting = Finding.objects.filter(status=FindingStatus.HANDED_UP, incident__isnull=True).exclude(
        category=FindingCategory.DISPUTE
    )
    assert waiting.exists()

"""The demo month's incidents (governance.demo.seed_demo_activity): the handed-up findings of
the demo grids that are not disputes become incidents at the township, dispatched as the demo
county's matters list says, signed for, handled and checked by the worker who reported them;
those still under way at the month's end are the units' open work. Demo use only."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from governance.demo import DEMO_COUNTY, DEMO_VILLAGE, demo_clock, demo_moment
from governance.models import Area, Department
from grids.models import Finding, FindingCategory, FindingStatus
from incidents.models import Incident, MatterRule, UnitKind
from incidents.selectors import proposed_unit
from incidents.services import (
    incident_check,
    incident_create_from_finding,
    incident_dispatch,
    incident_handle,
    incident_sign_in,
    matter_rules_set,
)

# The demo county's matters list (事项清单): which unit each kind of incident goes to.
DEMO_DEPARTMENT = "潞城区住房和城乡建设局"
DEMO_MATTERS = {
    FindingCategory.SAFETY_HAZARD: (UnitKind.DEPARTMENT, 5),
    FindingCategory.FIRE: (UnitKind.DEPARTMENT, 3),
    FindingCategory.ENVIRONMENT: (UnitKind.TOWNSHIP, 5),
    FindingCategory.PUBLIC_ORDER: (UnitKind.TOWNSHIP, 3),
    FindingCategory.OTHER: (UnitKind.VILLAGE, 5),
}
UNIT_PEOPLE = {
    UnitKind.DEPARTMENT: "department_liaison",
    UnitKind.TOWNSHIP: "township_staff",
    UnitKind.VILLAGE: "village_staff",
}


def make_demo_incidents(days: list[date], rng) -> int:
    findings = (
        Finding.objects.filter(
            grid__village__code=DEMO_VILLAGE,
            status=FindingStatus.HANDED_UP,
            found_at__date__range=(days[0], days[-1]),
        )
        .exclude(category=FindingCategory.DISPUTE)
        .select_related("grid", "grid__village", "grid__village__parent", "reporter")
        .order_by("found_at", "pk")
    )
    if Incident.objects.filter(finding__in=findings).exists():
        return 0
    people = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["admin", "township_staff", *UNIT_PEOPLE.values()]
        )
    }
    county = Area.objects.get(code=DEMO_COUNTY)
    if not MatterRule.objects.filter(county=county).exists():
        department = Department.objects.get(area=county, name=DEMO_DEPARTMENT)
        with demo_clock(demo_moment(days[0], 8)):
            matter_rules_set(
                actor=people["admin"],
                county=county,
                rules={
                    category: {
                        "unit_kind": unit,
                        "department": department if unit == UnitKind.DEPARTMENT else None,
                        "working_days": working_days,
                    }
                    for category, (unit, working_days) in DEMO_MATTERS.items()
                },
            )
    agenda: dict[date, list] = {}
    by_day: dict[date, list] = {}
    for finding in findings:
        by_day.setdefault(timezone.localtime(finding.found_at).date(), []).append(finding)
    made = 0
    for day in days:
        with transaction.atomic():
            for step in agenda.pop(day, []):
                step(day)
            for finding in by_day.get(day - timedelta(days=1), []):
                _open(finding, day, agenda, rng, people)
                made += 1
            for step in agenda.pop(day, []):
                step(day)
    return made


def _open(finding, day, agenda, rng, people) -> None:
    dispatcher = people["township_staff"]
    with demo_clock(demo_moment(day, 9)):
        incident = incident_create_from_finding(actor=dispatcher, finding=finding)
        unit_kind, department, _days = proposed_unit(incident)
        incident_dispatch(
            actor=dispatcher, incident=incident, unit_kind=unit_kind, department=department
        )
    unit = people[UNIT_PEOPLE[unit_kind]]
    sign_on = day + timedelta(days=rng.choice([0, 1, 1, 2]))
    handle_on = sign_on + timedelta(days=rng.randint(1, 6))
    check_on = handle_on + timedelta(days=1)

    def sign(on):
        with demo_clock(demo_moment(on, 15)):
            incident_sign_in(actor=unit, incident=incident)

    def handle(on):
        with demo_clock(demo_moment(on, 16)):
            incident_handle(actor=unit, incident=incident, what_was_done="已到现场处理完毕")

    # A failed check needs a photo of what is left: the demo's checks pass.
    def check(on):
        with demo_clock(demo_moment(on, 10)):
            incident_check(actor=finding.reporter, incident=incident, passed=True)

    agenda.setdefault(sign_on, []).append(sign)
    agenda.setdefault(handle_on, []).append(handle)
    agenda.setdefault(check_on, []).append(check)

"""Reads of incidents: the look-up, what each person may do, the matters list, the queue of
handed-up findings that wait to become incidents."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.levels import area_at_level, works_above_level, works_at_level
from governance.models import AreaLevel, Department
from governance.selectors import get_or_404_audited, subtree_q
from grids.models import Finding, FindingCategory, FindingStatus, Grid, GridAssignment, GridRole
from incidents.models import Incident, IncidentPhoto, IncidentStatus, MatterRule, UnitKind
from incidents.workflow import CHECKER, DISPATCHER, UNIT

DEFAULT_WORKING_DAYS = 5


def incidents_assigned_to(user):
    """The incidents sent to a department `user` is a liaison of ("assigned to me")."""
    return Incident.objects.visible_to(user).filter(
        unit_kind=UnitKind.DEPARTMENT,
        department__in=Department.objects.filter(liaisons=user).values("pk"),
    )


def incident_get_for_user_or_404(*, user, pk) -> Incident:
    incidents = Incident.objects.visible_to(user).select_related(
        "area", "area__parent", "area__parent__parent", "grid", "department", "reporter"
    )
    return get_or_404_audited(incidents, user=user, area_field="area", pk=pk)


def incident_photo_get_for_user_or_404(*, user, pk) -> IncidentPhoto:
    """A photo of an incident `user` may see (`Incident.objects.visible_to`); any other is the
    404 of a missing one, audited."""
    photos = IncidentPhoto.objects.filter(incident__in=Incident.objects.visible_to(user))
    return get_or_404_audited(photos, user=user, area_field="incident__area", pk=pk)


def county_of(incident_or_area):
    area = getattr(incident_or_area, "area", incident_or_area)
    return area_at_level(area, AreaLevel.COUNTY)


def acts_for_unit(*, user, incident: Incident, unit_kind=None, department=None) -> bool:
    """`user` acts for the incident's handling unit (or the one named)."""
    unit_kind = unit_kind or incident.unit_kind
    department = department if unit_kind == UnitKind.DEPARTMENT and department else None
    if unit_kind == UnitKind.DEPARTMENT:
        department = department or incident.department
        return department is not None and department.liaisons.filter(pk=user.pk).exists()
    if unit_kind == UnitKind.VILLAGE:
        return works_at_level(user=user, area=incident.area, level=AreaLevel.VILLAGE)
    if unit_kind == UnitKind.TOWNSHIP:
        township = area_at_level(incident.area, AreaLevel.TOWNSHIP)
        return works_at_level(user=user, area=township, level=AreaLevel.TOWNSHIP)
    return False


def current_workers(grid: Grid) -> list:
    today = timezone.localdate()
    return [
        a.person
        for a in GridAssignment.objects.filter(grid=grid, role=GridRole.WORKER)
        .active_on(today)
        .select_related("person")
    ]


def checkers(incident: Incident) -> list:
    """Who checks the handling: the reporter while they still serve the grid, else the
    grid's current workers."""
    if incident.grid_id is None:
        return []
    workers = current_workers(incident.grid)
    if incident.reporter_id and any(w.pk == incident.reporter_id for w in workers):
        return [incident.reporter]
    return workers


def incidents_to_check(user):
    """The handled incidents waiting for `user`'s check on the spot: those they reported on a
    grid they still serve, and those of their grids whose reporter has left (`checkers`, as
    one query, for the grid worker's phone)."""
    workers = GridAssignment.objects.active_on(timezone.localdate()).filter(
        role=GridRole.WORKER, grid=OuterRef("grid")
    )
    return (
        Incident.objects.filter(status=IncidentStatus.HANDLED)
        .filter(Exists(workers.filter(person=user)))
        .filter(Q(reporter=user) | ~Exists(workers.filter(person=OuterRef("reporter"))))
        .select_related("grid", "area")
        .order_by("close_due", "pk")
    )


def is_dispatcher(*, user, incident: Incident) -> bool:
    area = area_at_level(incident.area, incident.level)
    return works_at_level(user=user, area=area, level=incident.level) or works_above_level(
        user=user, area=area, level=incident.level
    )


def capabilities_for(*, user, case: Incident) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    held = set()
    if is_dispatcher(user=user, incident=case):
        held.add(DISPATCHER)
    if case.unit_kind and acts_for_unit(user=user, incident=case):
        held.add(UNIT)
    if any(person.pk == user.pk for person in checkers(case)):
        held.add(CHECKER)
    return held


def handles_incident(*, user, incident: Incident, capabilities=None) -> bool:
    """Those who dispatch it or act for its unit, the worker who reported it and the one who
    checks it, read its free text whole; everyone else reads it through the mask
    (`infra.masking`)."""
    if user.is_authenticated and incident.reporter_id == user.pk:
        return True
    if capabilities is None:
        capabilities = capabilities_for(user=user, case=incident)
    return bool(capabilities & {DISPATCHER, UNIT, CHECKER})


def incidents_handled_by(*, user, incidents) -> set[int]:
    """The ids of those of `incidents` whose free text `user` reads whole, as
    `handles_incident` decides for one, with one query for all of them (the departments `user`
    is a liaison of) rather than several per incident: for a list of incidents. Their areas
    and the areas' parents up to the dispatching level should be loaded."""
    if user is None or not user.is_authenticated:
        return set()
    departments = set(Department.objects.filter(liaisons=user).values_list("pk", flat=True))
    handled = set()
    for incident in incidents:
        if incident.unit_kind == UnitKind.DEPARTMENT:
            unit = incident.department_id in departments
        else:
            unit = bool(incident.unit_kind) and acts_for_unit(user=user, incident=incident)
        if incident.reporter_id == user.pk or unit or is_dispatcher(user=user, incident=incident):
            handled.add(incident.pk)
    return handled


def matter_rule_for(*, area, category: str) -> MatterRule | None:
    return (
        MatterRule.objects.filter(county=county_of(area), category=category)
        .select_related("department")
        .first()
    )


def proposed_unit(incident: Incident) -> tuple[str, Department | None, int]:
    """The unit the county's matters list proposes for the incident, and its working days;
    the village itself, in five working days, where the list says nothing."""
    rule = matter_rule_for(area=incident.area, category=incident.category)
    if rule is None:
        return UnitKind.VILLAGE, None, DEFAULT_WORKING_DAYS
    return rule.unit_kind, rule.department, rule.working_days


def departments_of_county(county):
    """The departments of `county`, its own and its townships': the only ones its incidents
    may be sent to and its matters list may name."""
    return Department.objects.filter(subtree_q(county, area_field="area")).order_by(
        "area__code", "name"
    )


def departments_for(incident: Incident):
    """The departments of the incident's county: the only ones it may be sent to."""
    return departments_of_county(county_of(incident))


def findings_waiting_for_incident(user):
    """Handed-up findings of `user`'s grids that are not of the dispute category and that no
    incident was opened from yet: the incidents queue of the township workbench."""
    grids = list(Grid.objects.findings_wholly_visible_to(user).values_list("pk", flat=True))
    return (
        Finding.objects.filter(grid_id__in=grids, status=FindingStatus.HANDED_UP)
        .exclude(category=FindingCategory.DISPUTE)
        .filter(~Exists(Incident.objects.filter(finding=OuterRef("pk"))))
        .select_related("grid", "grid__village", "reporter")
        .order_by("-found_at", "-pk")
    )


def findings_sent_to_department_of(user):
    """The grid findings behind the incidents sent to `user`'s departments, as finding ids.
    Registered with `grids.models.register_finding_access` (apps.py), so a department liaison
    sees the finding (and its photos) an incident of theirs came from, and no other."""
    return (
        Incident.objects.filter(
            unit_kind=UnitKind.DEPARTMENT,
            department__in=Department.objects.filter(liaisons=user).values("pk"),
            finding__isnull=False,
        )
        .order_by()
        .values("finding_id")
    )

"""The incident facts for the rollup engine, registered in IncidentsConfig.ready():

- `daily_counts(day)`: {(village id, grid id or None): {metric: n}} (DailyStat);
- `department_counts(day)`: {department id: {metric: n}} (DepartmentDailyStat);
- `daily_clear_items(day)`: the open incidents nobody acted on all day (DailyClearItem).

The flows are counted from the day's events, each by the Asia/Shanghai day it happened on:
dispatched (a `dispatch` event: sent, or sent again), signed for (`sign_in`; on time when on or
before the sign-in due date its dispatch set), returned (`return`), sent back for rework
(`check_failed`), closed (`check_passed`; on time when on or before the close due date its
dispatch set). An event after a dispatch belongs to the unit that dispatch sent the incident
to, which the dispatch event names (`details["department"]`), so a department's figures are
what the events say, whatever happened to the incident since. New incidents are counted by
their registration. "Overdue" is the state on the night that ends the day, by the incident's
clocks (`Incident.objects.overdue`, `incidents.models.INCIDENT_CLOCKS`), for the unit that
holds the incident then."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from governance.rollups.engine import url_maker
from governance.workdays import add_working_days, local_day_bounds
from incidents.models import (
    OPEN_INCIDENT_STATUSES,
    Incident,
    IncidentEvent,
    IncidentStatus,
    UnitKind,
)
from incidents.services import SIGN_IN_WORKING_DAYS

FLOW_KINDS = ("dispatch", "sign_in", "return", "check_passed", "check_failed")


@dataclass(frozen=True)
class Fact:
    """One event of the day, as counted: where the incident is, the department it was with
    (None: the village or the township, or not known), and the figures it adds."""

    area_id: int
    grid_id: int | None
    department_id: int | None
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class _Dispatch:
    at: object
    pk: int
    department_id: int | None
    sign_in_due: date | None
    close_due: date | None


def _iso(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _dispatches(incident_ids: set[int], end) -> dict[int, list[_Dispatch]]:
    """Every dispatch of the incidents up to `end`, oldest first, with the unit and the due
    dates it set (read from its event)."""
    rows = (
        IncidentEvent.objects.filter(incident_id__in=incident_ids, kind="dispatch", at__lte=end)
        .values_list(
            "incident_id",
            "pk",
            "at",
            "details",
            "incident__unit_kind",
            "incident__department_id",
            "incident__department__name",
        )
        .order_by("at", "pk")
    )
    found: dict[int, list[_Dispatch]] = defaultdict(list)
    for incident_id, pk, at, details, unit_kind, department_id, department_name in rows:
        details = details or {}
        if "department" in details:
            department = details["department"]
        elif unit_kind == UnitKind.DEPARTMENT and details.get("unit") == department_name:
            # A dispatch recorded before its event named the department: the incident's
            # department, when that is the unit the event names.
            department = department_id
        else:
            department = None
        sign_in_due = _iso(details.get("sign_in_due"))
        if sign_in_due is None:
            sign_in_due = add_working_days(timezone.localtime(at).date(), SIGN_IN_WORKING_DAYS)
        found[incident_id].append(
            _Dispatch(
                at=at,
                pk=pk,
                department_id=department if isinstance(department, int) else None,
                sign_in_due=sign_in_due,
                close_due=_iso(details.get("close_due")),
            )
        )
    return found


def _stint(dispatches: list[_Dispatch], at, pk) -> _Dispatch | None:
    """The dispatch an event at (`at`, `pk`) followed: the last one before it."""
    before = [d for d in dispatches if (d.at, d.pk) <= (at, pk)]
    return before[-1] if before else None


def day_facts(day: date) -> list[Fact]:
    """The counted events of `day`, each with the unit its dispatch sent the incident to."""
    start, end = local_day_bounds(day)
    events = list(
        IncidentEvent.objects.filter(at__range=(start, end), kind__in=FLOW_KINDS)
        .values_list("pk", "incident_id", "kind", "at", "incident__area_id", "incident__grid_id")
        .order_by("at", "pk")
    )
    if not events:
        return []
    dispatches = _dispatches({event[1] for event in events}, end)
    facts = []
    for pk, incident_id, kind, at, area_id, grid_id in events:
        stint = _stint(dispatches[incident_id], at, pk)
        metrics: list[str] = []
        if kind == "dispatch":
            metrics.append("incidents_dispatched")
        elif kind == "sign_in":
            metrics.append("incidents_signed_in")
            if stint is not None and stint.sign_in_due is not None and day <= stint.sign_in_due:
                metrics.append("incidents_signed_in_on_time")
        elif kind == "return":
            metrics.append("incidents_returned")
        elif kind == "check_failed":
            metrics.append("incidents_reworked")
        elif kind == "check_passed":
            metrics.append("incidents_closed")
            if stint is not None and stint.close_due is not None and day <= stint.close_due:
                metrics.append("incidents_closed_on_time")
        department_id = stint.department_id if stint is not None else None
        facts.append(Fact(area_id, grid_id, department_id, tuple(metrics)))
    return facts


def daily_counts(day: date) -> dict[tuple[int, int | None], dict[str, int]]:
    start, end = local_day_bounds(day)
    counts: dict[tuple[int, int | None], Counter] = defaultdict(Counter)
    new = (
        Incident.objects.filter(registered_at__range=(start, end))
        .values_list("area", "grid")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for area_id, grid_id, n in new:
        counts[(area_id, grid_id)]["incidents_new"] += n
    for fact in day_facts(day):
        counts[(fact.area_id, fact.grid_id)].update(fact.metrics)
    overdue = (
        Incident.objects.overdue(on=day)
        .values_list("area", "grid")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for area_id, grid_id, n in overdue:
        counts[(area_id, grid_id)]["incidents_overdue_open"] += n
    return {key: dict(value) for key, value in counts.items()}


def department_counts(day: date) -> dict[int, dict[str, int]]:
    counts: dict[int, Counter] = defaultdict(Counter)
    for fact in day_facts(day):
        if fact.department_id is not None:
            counts[fact.department_id].update(fact.metrics)
    overdue = (
        Incident.objects.overdue(on=day)
        .filter(unit_kind=UnitKind.DEPARTMENT)
        .values_list("department")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for department_id, n in overdue:
        counts[department_id]["incidents_overdue_open"] += n
    return {key: dict(value) for key, value in counts.items()}


def daily_clear_items(day: date) -> list[dict]:
    """日清, the incident side: the incidents open at the end of `day` that nobody acted on
    during it (registering one is not acting on it: an incident registered that day and not
    dispatched is on the list). Read from the events' times, so a back-fill of an old day
    gives what that night's run gave."""
    start, end = local_day_bounds(day)
    status_then = Subquery(
        IncidentEvent.objects.filter(incident=OuterRef("pk"), at__lte=end)
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    # Opening it, from a finding or by converting a dispute, is not acting on it.
    acted = IncidentEvent.objects.filter(incident=OuterRef("pk"), at__range=(start, end)).exclude(
        kind__in=("registered", "converted_from_dispute")
    )
    waiting = (
        Incident.objects.filter(registered_at__lte=end)
        # Closed before the day began: not open that night (closing is final).
        .exclude(closed_on__lt=day)
        .annotate(status_then=status_then)
        .filter(status_then__in=OPEN_INCIDENT_STATUSES)
        .exclude(Exists(acted))
        .values_list("pk", "area_id", "grid_id", "number", "status_then")
        .order_by("registered_at", "pk")
    )
    url = url_maker("incidents:detail")
    return [
        {
            "village_id": area_id,
            "grid_id": grid_id,
            "kind": "incident_untouched",
            "object_id": pk,
            "label": f"{number} · {IncidentStatus(status).label}",
            "url": url(pk),
        }
        for pk, area_id, grid_id, number, status in waiting
    ]

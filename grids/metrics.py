"""The grid facts for the rollup engine (README: Architecture, dependencies point one way:
each app counts its own), registered in GridsConfig.ready(): `daily_counts(day)` (keys
(village id, grid id)), `daily_clear_items(day)` and `worker_assignments(first_day, last_day)`.
Day boundaries are Asia/Shanghai midnight."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from governance.rollups.engine import url_maker
from governance.workdays import local_day_bounds
from grids.models import (
    DEFAULT_PATROLS_PER_DAY,
    Finding,
    FindingEvent,
    FindingStatus,
    Grid,
    GridAssignment,
    GridRole,
    Patrol,
    PatrolTarget,
    ZeroReport,
)
from infra.masking import mask_personal_data


def daily_counts(day: date) -> dict[tuple[int, int], dict[str, int]]:
    start, end = local_day_bounds(day)
    grids = {
        pk: (village, county)
        for pk, village, county in Grid.objects.filter(created_at__lte=end).values_list(
            "pk", "village_id", "village__parent__parent_id"
        )
    }
    targets = dict(PatrolTarget.objects.values_list("county_id", "per_day"))
    counts: dict[int, Counter] = defaultdict(Counter)

    def per_grid(queryset, field, metric):
        for grid_id, n in queryset.values_list(field).annotate(n=Count("pk")).order_by():
            if grid_id in grids:
                counts[grid_id][metric] += n

    per_grid(Finding.objects.filter(found_at__range=(start, end)), "grid", "findings_new")
    per_grid(
        FindingEvent.objects.filter(at__range=(start, end), to_status=FindingStatus.HANDLED),
        "finding__grid",
        "findings_handled",
    )
    per_grid(
        FindingEvent.objects.filter(at__range=(start, end), to_status=FindingStatus.HANDED_UP),
        "finding__grid",
        "findings_handed_up",
    )
    per_grid(Patrol.objects.filter(started_at__range=(start, end)), "grid", "patrols_done")
    zero_reported = set(ZeroReport.objects.filter(day=day).values_list("grid_id", flat=True))

    result = {}
    for grid_id, (village_id, county_id) in grids.items():
        grid = counts[grid_id]
        grid["grids_total"] = 1
        grid["patrols_target"] = targets.get(county_id, DEFAULT_PATROLS_PER_DAY)
        if grid["findings_new"]:
            grid["grids_reported"] = 1
        elif grid_id in zero_reported:
            grid["grids_reported"] = 1
            grid["grids_zero_reported"] = 1
        else:
            grid["grids_not_reported"] = 1
        result[(village_id, grid_id)] = dict(grid)
    return result


def daily_clear_items(day: date) -> list[dict]:
    """日清, the grid side: what was still untouched at the end of `day` ("事不过夜").

    - finding_open: a finding found that day with no change to handled or handed up by
      midnight (a handover does not count: the finding is still waiting);
    - grid_not_reported: a grid with neither a finding nor a zero report that day;
    - patrol_short: a grid with fewer patrols started that day than its county's target
      (`count` = how many were missing).
    Computed from the rows' own times, so a back-fill of an old day gives what that night's
    run gave."""
    start, end = local_day_bounds(day)
    grids = list(
        Grid.objects.filter(created_at__lte=end).values_list(
            "pk", "name", "village_id", "village__parent__parent_id"
        )
    )
    targets = dict(PatrolTarget.objects.values_list("county_id", "per_day"))
    items: list[dict] = []
    finding_url = url_maker("grids:finding_detail")
    grid_url = url_maker("grids:grid_detail")

    touched = FindingEvent.objects.filter(
        finding=OuterRef("pk"),
        at__lte=end,
        to_status__in=[FindingStatus.HANDLED, FindingStatus.HANDED_UP],
    )
    untouched = (
        Finding.objects.filter(found_at__range=(start, end))
        .exclude(Exists(touched))
        .values_list("pk", "grid_id", "grid__village_id", "description")
        .order_by("found_at", "pk")
    )
    for pk, grid_id, village_id, description in untouched:
        items.append(
            {
                "village_id": village_id,
                "grid_id": grid_id,
                "kind": "finding_open",
                "object_id": pk,
                # Masked before it is cut, so that no number is cut into a piece the mask
                # no longer knows; the lists it goes to are read by those not handling it.
                "label": mask_personal_data(description)[:80],
                "url": finding_url(pk),
            }
        )

    found = set(
        Finding.objects.filter(found_at__range=(start, end)).values_list("grid_id", flat=True)
    )
    zero_reported = set(ZeroReport.objects.filter(day=day).values_list("grid_id", flat=True))
    patrols = dict(
        Patrol.objects.filter(started_at__range=(start, end))
        .values_list("grid")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for grid_id, name, village_id, county_id in grids:
        url = grid_url(grid_id)
        if grid_id not in found and grid_id not in zero_reported:
            items.append(
                {
                    "village_id": village_id,
                    "grid_id": grid_id,
                    "kind": "grid_not_reported",
                    "label": name,
                    "url": url,
                }
            )
        target = targets.get(county_id, DEFAULT_PATROLS_PER_DAY)
        done = patrols.get(grid_id, 0)
        if done < target:
            items.append(
                {
                    "village_id": village_id,
                    "grid_id": grid_id,
                    "kind": "patrol_short",
                    "count": target - done,
                    "label": f"{name} {done}/{target}",
                    "url": url,
                }
            )
    return items


def worker_assignments(first_day: date, last_day: date) -> list[tuple[int, int, date, date]]:
    """(person id, grid id, from, to): who served which grid as its grid worker on which
    days between `first_day` and `last_day`, each span clipped to those days."""
    assignments = (
        GridAssignment.objects.filter(role=GridRole.WORKER, starts_on__lte=last_day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first_day))
        .values_list("person_id", "grid_id", "starts_on", "ends_on")
        .order_by("pk")
    )
    return [
        (person_id, grid_id, max(starts_on, first_day), min(ends_on or last_day, last_day))
        for person_id, grid_id, starts_on, ends_on in assignments
    ]

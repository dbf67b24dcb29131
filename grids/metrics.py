"""The grid facts of one day, for the rollup engine (ARCHITECTURE.md: each app counts its
own). Keys are (village id, grid id); day boundaries are Asia/Shanghai midnight."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count

from grids.models import (
    DEFAULT_PATROLS_PER_DAY,
    Finding,
    FindingEvent,
    FindingStatus,
    Grid,
    Patrol,
    PatrolTarget,
    ZeroReport,
)
from grids.selectors import local_day_bounds


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

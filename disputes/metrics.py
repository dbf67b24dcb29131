"""The dispute facts of one day, for the rollup engine. Keys are (village id, grid id or
None). Flows (new, accepted, resolved, escalated, revisits) are counted from the day's
events; the states (overdue, under supervision) are as they stand when the job runs, which
is the night that ends the day."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Sum

from disputes.models import OPEN_STATUSES, Dispute, DisputeEvent, Revisit
from grids.selectors import local_day_bounds

RESOLVED_BY_LEVEL = {
    "grid": "disputes_resolved_grid",
    "village": "disputes_resolved_village",
    "township": "disputes_resolved_township",
    "county": "disputes_resolved_county",
}


def daily_counts(day: date) -> dict[tuple[int, int | None], dict[str, int]]:
    start, end = local_day_bounds(day)
    counts: dict[tuple[int, int | None], Counter] = defaultdict(Counter)

    def add(rows, metric):
        for village, grid, n in rows:
            counts[(village, grid)][metric] += n

    def grouped(queryset, prefix=""):
        return (
            queryset.values_list(f"{prefix}village", f"{prefix}grid")
            .annotate(n=Count("pk"))
            .order_by()
        )

    events = DisputeEvent.objects.filter(at__range=(start, end))
    add(grouped(Dispute.objects.filter(registered_at__range=(start, end))), "disputes_new")
    add(grouped(events.filter(kind="accept"), "dispute__"), "disputes_accepted")
    add(
        grouped(events.filter(kind__in=["escalate", "auto_escalated"]), "dispute__"),
        "disputes_escalated",
    )
    resolved = (
        events.filter(kind="resolve")
        .values_list("dispute__village", "dispute__grid", "dispute__due_on", "details")
        .order_by()
    )
    for village, grid, due_on, details in resolved:
        key = counts[(village, grid)]
        key["disputes_resolved"] += 1
        level = (details or {}).get("resolved_level")
        if level in RESOLVED_BY_LEVEL:
            key[RESOLVED_BY_LEVEL[level]] += 1
        if due_on is None or due_on >= day:
            key["disputes_resolved_on_time"] += 1
    open_ = Dispute.objects.filter(status__in=OPEN_STATUSES)
    add(grouped(open_.filter(due_on__lt=day)), "disputes_overdue_open")
    add(grouped(open_.filter(under_supervision=True)), "disputes_supervised")
    revisits = (
        Revisit.objects.filter(visited_at__range=(start, end))
        .values_list("dispute__village", "dispute__grid")
        .annotate(n=Count("pk"), points=Sum("satisfaction"))
        .order_by()
    )
    for village, grid, n, points in revisits:
        counts[(village, grid)]["revisits"] += n
        counts[(village, grid)]["satisfaction_total"] += points or 0
    return {key: dict(value) for key, value in counts.items()}

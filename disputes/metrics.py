"""The dispute facts for the rollup engine, registered in DisputesConfig.ready():
`daily_counts(day)`, `daily_clear_items(day)` and `mediator_case_counts(first_day, last_day)`.
Keys of the daily counts are (village id, grid id or None). Flows (new, accepted, resolved,
terminated, escalated, sent back, revisits) are counted from the day's events; the states
(overdue, under supervision) are as they stand when the job runs, which is the night that ends
the day.

Resolved means mediated successfully (a written or oral agreement), nothing else: a dispute
withdrawn, referred to a court or arbitration, or without agreement is counted as terminated,
by kind. Events are never edited, so the outcome is read from each event's details: an old
`resolve` event whose outcome was a withdrawal or a referral (before the outcomes were made
honest) counts as that termination, and an old `fail` as "no agreement". Only independent
revisits (by a revisit officer, not a handler) are counted."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, Exists, OuterRef, Sum

from disputes.models import (
    SUCCESS_OUTCOMES,
    Assignment,
    Dispute,
    DisputeEvent,
    Outcome,
    Revisit,
    Status,
)
from governance.rollups.engine import url_maker
from governance.workdays import local_day_bounds

RESOLVED_BY_LEVEL = {
    "grid": "disputes_resolved_grid",
    "village": "disputes_resolved_village",
    "township": "disputes_resolved_township",
    "county": "disputes_resolved_county",
}
TERMINATED_BY_OUTCOME = {
    Outcome.WITHDRAWN: "disputes_terminated_withdrawn",
    Outcome.REFERRED: "disputes_terminated_referred",
    Outcome.NOT_AGREED: "disputes_terminated_not_agreed",
}
# The event kinds that end a dispute: `fail` and the termination outcomes of `resolve` are
# the events written before the outcomes were made honest.
ENDING_EVENTS = ["resolve", "terminate", "fail"]


def ending(kind: str, details: dict | None) -> str | None:
    """What an ending event was: "resolved" (mediated successfully), a termination outcome,
    or None (not an ending)."""
    outcome = (details or {}).get("outcome")
    if kind == "fail":
        return Outcome.NOT_AGREED
    if kind == "resolve":
        # An old resolve event without an outcome was an agreement.
        return "resolved" if outcome in SUCCESS_OUTCOMES or not outcome else outcome
    if kind == "terminate":
        return outcome if outcome in TERMINATED_BY_OUTCOME else Outcome.NOT_AGREED
    return None


def is_success(kind: str, details: dict | None) -> bool:
    return ending(kind, details) == "resolved"


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
    add(grouped(events.filter(kind="return"), "dispute__"), "disputes_returned")
    ended = (
        events.filter(kind__in=ENDING_EVENTS)
        .values_list("kind", "dispute__village", "dispute__grid", "dispute__due_on", "details")
        .order_by()
    )
    for kind, village, grid, due_on, details in ended:
        key = counts[(village, grid)]
        how = ending(kind, details)
        if how in TERMINATED_BY_OUTCOME:
            key[TERMINATED_BY_OUTCOME[how]] += 1
            continue
        key["disputes_resolved"] += 1
        level = (details or {}).get("resolved_level")
        if level in RESOLVED_BY_LEVEL:
            key[RESOLVED_BY_LEVEL[level]] += 1
        if due_on is None or due_on >= day:
            key["disputes_resolved_on_time"] += 1
    add(grouped(Dispute.objects.overdue(on=day)), "disputes_overdue_open")
    add(grouped(Dispute.objects.open_().filter(under_supervision=True)), "disputes_supervised")
    revisits = (
        Revisit.objects.filter(visited_at__range=(start, end), independent=True)
        .values_list("dispute__village", "dispute__grid")
        .annotate(n=Count("pk"), points=Sum("satisfaction"))
        .order_by()
    )
    for village, grid, n, points in revisits:
        counts[(village, grid)]["revisits"] += n
        counts[(village, grid)]["satisfaction_total"] += points or 0
    return {key: dict(value) for key, value in counts.items()}


def daily_clear_items(day: date) -> list[dict]:
    """日清, the dispute side: disputes registered on `day` that were still registered (not
    accepted, nor moved on in any way) at midnight. Computed from the events' times, so a
    back-fill of an old day gives what that night's run gave."""
    start, end = local_day_bounds(day)
    moved_on = DisputeEvent.objects.filter(
        dispute=OuterRef("pk"), at__lte=end, from_status=Status.REGISTERED
    )
    waiting = (
        Dispute.objects.filter(registered_at__range=(start, end))
        .exclude(Exists(moved_on))
        .values_list("pk", "village_id", "grid_id", "number")
        .order_by("registered_at", "pk")
    )
    url = url_maker("disputes:detail")
    return [
        {
            "village_id": village_id,
            "grid_id": grid_id,
            "kind": "dispute_unaccepted",
            "object_id": pk,
            "label": number,
            "url": url(pk),
        }
        for pk, village_id, grid_id, number in waiting
    ]


def mediator_case_counts(first_day: date, last_day: date) -> dict[tuple[int, int], int]:
    """以案定补: {(person id, village id): disputes} mediated successfully between
    `first_day` and `last_day` (Asia/Shanghai days, both included) whose lead handler at the
    moment of resolution was that person; a withdrawn, referred or unagreed dispute is not
    counted. A dispute resolved twice in the period (reopened) counts
    once, for the lead of its last resolution; a department as lead counts for nobody."""
    start, _end = local_day_bounds(first_day)
    _start, end = local_day_bounds(last_day)
    last_resolution: dict[int, tuple] = {}
    resolutions = (
        DisputeEvent.objects.filter(kind="resolve", at__range=(start, end))
        .values_list("dispute_id", "dispute__village_id", "at", "details")
        .order_by("at", "pk")
    )
    for dispute_id, village_id, at, details in resolutions:
        if is_success("resolve", details):
            last_resolution[dispute_id] = (village_id, at)
    leads: dict[int, list] = defaultdict(list)
    for dispute_id, person_id, assigned_at, ended_at in (
        Assignment.objects.filter(
            dispute_id__in=list(last_resolution), lead=True, person__isnull=False
        )
        .values_list("dispute_id", "person_id", "assigned_at", "ended_at")
        .order_by("assigned_at", "pk")
    ):
        leads[dispute_id].append((person_id, assigned_at, ended_at))
    counts: Counter = Counter()
    for dispute_id, (village_id, at) in last_resolution.items():
        lead = None
        for person_id, assigned_at, ended_at in leads[dispute_id]:
            if assigned_at <= at and (ended_at is None or ended_at > at):
                lead = person_id
        if lead is not None:
            counts[(lead, village_id)] += 1
    return dict(counts)

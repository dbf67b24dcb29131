"""The rollups' numbers recounted straight from the raw rows, in plain Python, without the
apps' metrics functions: what the tables must hold, by the definitions of
governance.rollups.models.METRICS (flows by the Asia/Shanghai day they happened on; states
such as "overdue" as they stand now)."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from disputes.models import OPEN_STATUSES, Assignment, Dispute, DisputeEvent, Revisit, Summons
from governance.models import Area
from governance.workdays import working_days_between
from grids.models import Finding, FindingEvent, Grid, GridAssignment, Patrol, ZeroReport
from incidents.models import Incident
from petitions.models import OPEN_PETITION_STATUSES, Petition, PetitionEvent

# The warning period where no county sets one: yellow when at most this many working days
# remain before the due date.
WARNING_DAYS = 2

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEVEL_METRIC = {
    "grid": "disputes_resolved_grid",
    "village": "disputes_resolved_village",
    "township": "disputes_resolved_township",
    "county": "disputes_resolved_county",
}


def local_day(moment) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def expected_daily(first: date, last: date) -> dict:
    """{(day, "area" | "grid", id): Counter(metric → n)}, zero counts left out."""
    parent = dict(Area.objects.values_list("pk", "parent_id"))
    result: dict = defaultdict(Counter)

    def add(day, village_id, grid_id, metric, n=1):
        if not first <= day <= last or not n:
            return
        if grid_id is not None:
            result[(day, "grid", grid_id)][metric] += n
        node = village_id
        while node is not None:
            result[(day, "area", node)][metric] += n
            node = parent[node]

    grids = {grid.pk: grid for grid in Grid.objects.all()}
    found = Counter()
    for finding in Finding.objects.all():
        found[(local_day(finding.found_at), finding.grid_id)] += 1
    handled, handed_up = Counter(), Counter()
    for event in FindingEvent.objects.select_related("finding"):
        if event.to_status == "handled":
            handled[(local_day(event.at), event.finding.grid_id)] += 1
        elif event.to_status == "handed_up":
            handed_up[(local_day(event.at), event.finding.grid_id)] += 1
    patrols = Counter((local_day(p.started_at), p.grid_id) for p in Patrol.objects.all())
    zero = {(z.day, z.grid_id) for z in ZeroReport.objects.all()}
    for day in days(first, last):
        for grid in grids.values():
            if local_day(grid.created_at) > day:
                continue
            village = grid.village_id
            key = (day, grid.pk)
            add(day, village, grid.pk, "grids_total")
            add(day, village, grid.pk, "patrols_target", 3)
            add(day, village, grid.pk, "patrols_done", patrols[key])
            add(day, village, grid.pk, "findings_new", found[key])
            add(day, village, grid.pk, "findings_handled", handled[key])
            add(day, village, grid.pk, "findings_handed_up", handed_up[key])
            if found[key]:
                add(day, village, grid.pk, "grids_reported")
            elif key in zero:
                add(day, village, grid.pk, "grids_reported")
                add(day, village, grid.pk, "grids_zero_reported")
            else:
                add(day, village, grid.pk, "grids_not_reported")

    all_disputes = list(Dispute.objects.all())
    for dispute in all_disputes:
        add(local_day(dispute.registered_at), dispute.village_id, dispute.grid_id, "disputes_new")
    for event in DisputeEvent.objects.select_related("dispute"):
        dispute, day = event.dispute, local_day(event.at)
        where = (dispute.village_id, dispute.grid_id)
        if event.kind == "accept":
            add(day, *where, "disputes_accepted")
        elif event.kind in ("escalate", "auto_escalated"):
            add(day, *where, "disputes_escalated")
        elif event.kind == "terminate":
            add(day, *where, f"disputes_terminated_{event.details['outcome']}")
        elif event.kind == "return":
            add(day, *where, "disputes_returned")
        elif event.kind == "resolve":
            add(day, *where, "disputes_resolved")
            level = event.details.get("resolved_level")
            if level in LEVEL_METRIC:
                add(day, *where, LEVEL_METRIC[level])
            if dispute.due_on is None or dispute.due_on >= day:
                add(day, *where, "disputes_resolved_on_time")
    for day in days(first, last):
        for dispute in all_disputes:
            if dispute.status in OPEN_STATUSES:
                if dispute.due_on is not None and dispute.due_on < day:
                    add(day, dispute.village_id, dispute.grid_id, "disputes_overdue_open")
                if dispute.under_supervision:
                    add(day, dispute.village_id, dispute.grid_id, "disputes_supervised")
    for revisit in Revisit.objects.filter(independent=True).select_related("dispute"):
        where = (revisit.dispute.village_id, revisit.dispute.grid_id)
        add(local_day(revisit.visited_at), *where, "revisits")
        add(local_day(revisit.visited_at), *where, "satisfaction_total", revisit.satisfaction)

    all_petitions = list(Petition.objects.all())
    for petition in all_petitions:
        add(local_day(petition.registered_at), petition.area_id, None, "petitions_new")
        if petition.replied_on:
            add(petition.replied_on, petition.area_id, None, "petitions_concluded")
            if petition.conclusion_due and petition.replied_on <= petition.conclusion_due:
                add(petition.replied_on, petition.area_id, None, "petitions_concluded_on_time")
    for event in PetitionEvent.objects.filter(kind="accept").select_related("petition"):
        add(local_day(event.at), event.petition.area_id, None, "petitions_accepted")
    for day in days(first, last):
        for petition in all_petitions:
            if petition.status not in OPEN_PETITION_STATUSES:
                continue
            waiting_decision = petition.decided_on is None and petition.acceptance_due < day
            waiting_reply = (
                petition.replied_on is None
                and petition.conclusion_due is not None
                and petition.conclusion_due < day
            )
            waiting_review = (
                petition.reviewed_on is None
                and petition.review_due is not None
                and petition.review_due < day
            )
            if waiting_decision or waiting_reply or waiting_review:
                add(day, petition.area_id, None, "petitions_overdue")

    # The lights: every open case by the deadline it works to now; red past it, yellow when at
    # most WARNING_DAYS working days remain.
    def light(day, due, village_id, grid_id):
        if due is None:
            return
        if due < day:
            add(day, village_id, grid_id, "cases_red")
        elif working_days_between(day, due) <= WARNING_DAYS:
            add(day, village_id, grid_id, "cases_yellow")

    incidents = list(Incident.objects.exclude(status__in=["new", "closed"]))
    summonses = list(Summons.objects.filter(reported_at__isnull=True).select_related("dispute"))
    for day in days(first, last):
        for dispute in all_disputes:
            if dispute.status in OPEN_STATUSES:
                light(day, dispute.due_on, dispute.village_id, dispute.grid_id)
        for petition in all_petitions:
            if petition.status not in OPEN_PETITION_STATUSES:
                continue
            if petition.decided_on is None:
                due = petition.acceptance_due
            elif petition.conclusion_due is not None and petition.replied_on is None:
                due = petition.conclusion_due
            elif petition.review_due is not None and petition.reviewed_on is None:
                due = petition.review_due
            else:
                due = None
            light(day, due, petition.area_id, None)
        for incident in incidents:
            light(day, incident.close_due, incident.area_id, incident.grid_id)
        for summons in summonses:
            light(day, summons.due_on, summons.dispute.village_id, summons.dispute.grid_id)
    return {key: Counter(+counts) for key, counts in result.items() if +counts}


def sum_days(expected: dict, kind: str, first: date, last: date, ids=None) -> dict:
    """{id: Counter} summed over the days from `first` to `last`."""
    sums: dict = defaultdict(Counter)
    for (day, key_kind, pk), counts in expected.items():
        if key_kind == kind and first <= day <= last and (ids is None or pk in ids):
            sums[pk].update(counts)
    return {pk: +counts for pk, counts in sums.items()}


def expected_workers(expected: dict, first: date, last: date) -> dict:
    """{person id: Counter}: the grid rows of the days each grid worker served each grid."""
    sums: dict = defaultdict(Counter)
    for assignment in GridAssignment.objects.filter(role="worker"):
        for day in days(first, last):
            if assignment.starts_on <= day and (
                assignment.ends_on is None or day <= assignment.ends_on
            ):
                sums[assignment.person_id].update(
                    expected.get((day, "grid", assignment.grid_id), Counter())
                )
    return {pk: +counts for pk, counts in sums.items()}


def expected_mediator_counts(first: date, last: date) -> Counter:
    """Counter((person id) → disputes resolved in the period with that person as the lead
    handler when it was (last) resolved."""
    last_resolution = {}
    for event in DisputeEvent.objects.filter(kind="resolve").order_by("at", "pk"):
        if first <= local_day(event.at) <= last:
            last_resolution[event.dispute_id] = event.at
    counts = Counter()
    for dispute_id, resolved_at in last_resolution.items():
        leads = [
            assignment.person_id
            for assignment in Assignment.objects.filter(
                dispute_id=dispute_id, lead=True, person__isnull=False
            )
            if assignment.assigned_at <= resolved_at
            and (assignment.ended_at is None or assignment.ended_at > resolved_at)
        ]
        if leads:
            counts[leads[-1]] += 1
    return counts


def nonzero(metrics: dict) -> Counter:
    return +Counter({name: n for name, n in metrics.items() if n})

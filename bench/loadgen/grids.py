"""Generated load, the grid side (see `bench.loadgen`): grids and their teams for every
village, about three patrols per grid per day with times and GPS near the village, findings
(about 0.4 per grid per day) in every category, severity and status with their event rows,
and zero reports on most days without a finding. Runs first after the core step
(`bench.loadgen.steps`).

Rows are written a month at a time in time order, as a live system would have written them,
so the tables' physical order follows the time columns.
"""

from datetime import timedelta
from uuid import UUID

from bench.loadgen import GridInfo, LoadContext, local_datetime
from governance.models import Role
from grids.demo import ACTIONS_TAKEN as ACTIONS
from grids.demo import DEMO_DESCRIPTIONS as DESCRIPTIONS
from grids.demo import pick as _pick
from grids.models import (
    Finding,
    FindingCategory,
    FindingEvent,
    FindingEventKind,
    FindingStatus,
    Grid,
    GridAssignment,
    GridKind,
    GridRole,
    Patrol,
    Severity,
    ZeroReport,
)

# How many patrols a grid has in a day (the target is three: "一日三巡").
PATROLS_PER_DAY = [(3, 0.86), (4, 0.03), (2, 0.07), (1, 0.02), (0, 0.02)]
# Findings per grid per day, about Poisson(0.4).
FINDINGS_PER_DAY = [(0, 0.670), (1, 0.268), (2, 0.054), (3, 0.008)]
ZERO_REPORT_SHARE = 0.93
# The three rounds of the day (seconds after midnight) and how far each may drift.
ROUNDS = [8 * 3600, 13 * 3600 + 1800, 19 * 3600]
CATEGORIES = [
    (FindingCategory.SAFETY_HAZARD, 0.18),
    (FindingCategory.DISPUTE, 0.14),
    (FindingCategory.PUBLIC_ORDER, 0.10),
    (FindingCategory.FIRE, 0.06),
    (FindingCategory.ENVIRONMENT, 0.14),
    (FindingCategory.HOUSEHOLD_VISIT, 0.22),
    (FindingCategory.SPECIAL_CARE_VISIT, 0.10),
    (FindingCategory.OTHER, 0.06),
]
SEVERITIES = [(Severity.LOW, 0.70), (Severity.MEDIUM, 0.24), (Severity.HIGH, 0.06)]
# What becomes of a finding: handled on the spot, handed up, or still open.
OUTCOMES = [(FindingStatus.HANDLED, 0.58), (FindingStatus.HANDED_UP, 0.30), (None, 0.12)]


def _teams(ctx: LoadContext) -> None:
    """Grids for every village that has none, one grid worker per grid and a grid chief per
    village; villages that already have grids (the demo village) keep theirs and their team."""
    first = ctx.first_day
    created = local_datetime(first - timedelta(days=1), 9 * 3600)
    existing: dict[int, list] = {}
    for grid in Grid.objects.filter(village_id__in=[v.id for v in ctx.villages]).order_by("code"):
        existing.setdefault(grid.village_id, []).append(grid)
    # Grids that were already there (the demo village's) have served the whole period.
    kept = [grid.pk for grids in existing.values() for grid in grids]
    Grid.objects.filter(pk__in=kept, created_at__gt=created).update(created_at=created)
    GridAssignment.objects.filter(grid_id__in=kept, starts_on__gt=first).update(starts_on=first)
    workers = dict(
        GridAssignment.objects.filter(role=GridRole.WORKER, ends_on__isnull=True)
        .order_by("-pk")
        .values_list("grid_id", "person_id")
    )
    chiefs = dict(
        GridAssignment.objects.filter(role=GridRole.CHIEF, ends_on__isnull=True)
        .order_by("-pk")
        .values_list("grid_id", "person_id")
    )
    rng = ctx.random("grids")
    new_grids, specs, grants, layout = [], [], [], []
    for village in ctx.villages:
        if village.id in existing:
            for grid in existing[village.id]:
                layout.append((village, grid.pk, grid.code, grid.name, None, None))
            continue
        urban = "社区" in village.name
        chief_spec = len(specs)
        specs.append((f"gc{village.code}", f"格长{village.code[-3:]}"))
        grants.append((village.id, Role.GRID_CHIEF))
        for n in range(1, ctx.grids_per_village + 1):
            code = f"{village.code}-{n:02d}"
            name = f"{village.name}第{n}网格"
            households = rng.randrange(80, 400)
            new_grids.append(
                (
                    code,
                    name,
                    GridKind.URBAN if urban else GridKind.RURAL,
                    village.id,
                    households,
                    households * rng.randrange(2, 4),
                    created,
                )
            )
            layout.append((village, None, code, name, len(specs), chief_spec))
            specs.append((f"gw{code}", f"网格员{code[-6:]}"))
            grants.append((village.id, Role.GRID_WORKER))
    grid_ids = iter(ctx.ids(Grid, len(new_grids)))
    new_grid_ids = {row[0]: next(grid_ids) for row in new_grids}
    ctx.write(
        Grid,
        ["id", "code", "name", "kind", "village", "households", "population", "created_at"],
        ((new_grid_ids[row[0]], *row) for row in new_grids),
    )
    people = ctx.people(specs, first - timedelta(days=1)) if specs else []
    ctx.memberships([(people[i], area, role) for i, (area, role) in enumerate(grants)])
    assignments = []
    for village, grid_id, code, name, worker_spec, chief_spec in layout:
        if grid_id is None:
            grid_id = new_grid_ids[code]
            worker_id, chief_id = people[worker_spec], people[chief_spec]
            assignments.append((grid_id, worker_id, GridRole.WORKER))
            assignments.append((grid_id, chief_id, GridRole.CHIEF))
        else:
            worker_id = workers.get(grid_id)
            chief_id = chiefs.get(grid_id, worker_id)
            if worker_id is None:
                continue
        ctx.grids.append(GridInfo(grid_id, code, name, village, worker_id, chief_id or worker_id))
    ids = ctx.ids(GridAssignment, len(assignments))
    ctx.write(
        GridAssignment,
        ["id", "grid", "person", "role", "starts_on"],
        ((pk, *row, first) for pk, row in zip(ids, assignments, strict=True)),
    )


def _block(ctx, rng, days, next_ids, dispute_findings, incident_findings):
    """Patrols, findings, finding events and zero reports of `days`, in that order. The
    handed-up findings are noted for the later steps: those of the dispute category in
    `dispute_findings`, the others (future incidents) in `incident_findings`."""
    patrols, findings, events, zero_reports = [], [], [], []
    horizon = ctx.last_day
    for day in days:
        iso = day.isoformat()
        for grid in ctx.grids:
            village = grid.village
            worker = grid.worker_id
            windows = []
            for n in range(_pick(rng, PATROLS_PER_DAY)):
                start = ROUNDS[n % 3] + rng.randrange(-2700, 2700) + (n // 3) * 5400
                end = start + rng.randrange(1500, 5400)
                pk = next_ids["patrol"]
                next_ids["patrol"] += 1
                windows.append((pk, start, end))
                patrols.append(
                    (
                        pk,
                        grid.id,
                        worker,
                        local_datetime(day, start),
                        local_datetime(day, end),
                        f"{village.latitude + rng.uniform(-0.01, 0.01):.6f}",
                        f"{village.longitude + rng.uniform(-0.01, 0.01):.6f}",
                        f"{village.latitude + rng.uniform(-0.01, 0.01):.6f}",
                        f"{village.longitude + rng.uniform(-0.01, 0.01):.6f}",
                    )
                )
            found = _pick(rng, FINDINGS_PER_DAY)
            if not found:
                if rng.random() < ZERO_REPORT_SHARE:
                    pk = next_ids["zero"]
                    next_ids["zero"] += 1
                    when = local_datetime(day, rng.randrange(17 * 3600, 23 * 3600))
                    zero_reports.append((pk, grid.id, iso, worker, when))
                continue
            for _n in range(found):
                if windows:
                    patrol, start, end = rng.choice(windows)
                    at = rng.randrange(start, end)
                else:
                    patrol, at = None, rng.randrange(8 * 3600, 20 * 3600)
                category = _pick(rng, CATEGORIES)
                outcome = _pick(rng, OUTCOMES)
                pk = next_ids["finding"]
                next_ids["finding"] += 1
                found_at = local_datetime(day, at)
                # Most are dealt with within hours, some the next days; none after the end.
                delay = (
                    rng.randrange(300, 6 * 3600)
                    if rng.random() < 0.8
                    else rng.randrange(6 * 3600, 4 * 86_400)
                )
                done_day, done_seconds = (
                    day + timedelta(days=(at + delay) // 86_400),
                    (at + delay) % 86_400,
                )
                if outcome is not None and done_day > horizon:
                    outcome = None
                status = outcome or FindingStatus.OPEN
                client_key = UUID(int=rng.getrandbits(128), version=4)
                severity = _pick(rng, SEVERITIES)
                description = rng.choice(DESCRIPTIONS[category])
                findings.append(
                    (
                        pk,
                        client_key,
                        grid.id,
                        patrol,
                        worker,
                        worker,
                        category,
                        severity,
                        description,
                        status,
                        rng.choice(ACTIONS) if outcome == FindingStatus.HANDLED else "",
                        f"{village.latitude + rng.uniform(-0.01, 0.01):.6f}",
                        f"{village.longitude + rng.uniform(-0.01, 0.01):.6f}",
                        found_at,
                        found_at,
                        # A grave finding handed up is reported at once (重大事项直报).
                        severity == Severity.HIGH and outcome == FindingStatus.HANDED_UP,
                    )
                )
                events.append(
                    (pk, worker, found_at, "", FindingStatus.OPEN, FindingEventKind.LOGGED, "")
                )
                if outcome is not None:
                    events.append(
                        (
                            pk,
                            worker,
                            local_datetime(done_day, done_seconds),
                            FindingStatus.OPEN,
                            outcome,
                            outcome,
                            rng.choice(ACTIONS) if outcome == FindingStatus.HANDLED else "",
                        )
                    )
                if outcome == FindingStatus.HANDED_UP:
                    if category == FindingCategory.DISPUTE:
                        dispute_findings.append((pk, grid, done_day, done_seconds))
                    else:
                        incident_findings.append(
                            (pk, grid, done_day, done_seconds, category, severity, description)
                        )
    return patrols, findings, events, zero_reports


def generate_grids(ctx: LoadContext) -> None:
    """The grid step: teams first, then the days a month at a time."""
    _teams(ctx)
    rng = ctx.random("grid-days")
    next_ids = {
        "patrol": ctx.ids(Patrol, 0).start,
        "finding": ctx.ids(Finding, 0).start,
        "zero": ctx.ids(ZeroReport, 0).start,
    }
    event_ids = ctx.ids(FindingEvent, 0).start
    dispute_findings: list = []
    incident_findings: list = []
    days = ctx.days
    for index in range(0, len(days), 31):
        block = days[index : index + 31]
        ctx.report(f" {block[0]} … {block[-1]}")
        patrols, findings, events, zero_reports = _block(
            ctx, rng, block, next_ids, dispute_findings, incident_findings
        )
        ctx.write(
            Patrol,
            [
                "id",
                "grid",
                "worker",
                "started_at",
                "ended_at",
                "start_latitude",
                "start_longitude",
                "end_latitude",
                "end_longitude",
            ],
            patrols,
        )
        ctx.write(
            Finding,
            [
                "id",
                "client_key",
                "grid",
                "patrol",
                "reporter",
                "holder",
                "category",
                "severity",
                "description",
                "status",
                "action_taken",
                "latitude",
                "longitude",
                "found_at",
                "created_at",
                "urgent",
            ],
            findings,
        )
        ctx.write(
            FindingEvent,
            ["id", "finding", "actor", "at", "from_status", "to_status", "kind", "note", "details"],
            (
                (event_ids + n, *row, {})
                for n, row in enumerate(sorted(events, key=lambda event: event[2]))
            ),
        )
        event_ids += len(events)
        ctx.write(ZeroReport, ["id", "grid", "day", "reporter", "created_at"], zero_reports)
    # Reserve what was used, so a later step allocates past it.
    ctx.ids(Patrol, next_ids["patrol"] - ctx.ids(Patrol, 0).start)
    ctx.ids(Finding, next_ids["finding"] - ctx.ids(Finding, 0).start)
    ctx.ids(ZeroReport, next_ids["zero"] - ctx.ids(ZeroReport, 0).start)
    ctx.ids(FindingEvent, event_ids - ctx.ids(FindingEvent, 0).start)
    ctx.shared["dispute_findings"] = dispute_findings
    ctx.shared["incident_findings"] = incident_findings

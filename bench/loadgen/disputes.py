"""Generated load, the dispute side (see `bench.loadgen`): about a hundred thousand
disputes a year at the city's full size, each walked through the workflow with its events —
accepted, escalated, assigned to a mediator or a department, departments summoned, mediation
sessions, extensions, supervision, resolved or not, merged, revisited, closed — and stopped
wherever the generated period ends, so every status and level is present. Parties carry valid
ID numbers and phones, written through the model fields themselves. Runs after the grids
(`bench.loadgen.steps`).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache

from django.urls import reverse

from bench.loadgen import (
    DISPUTES_PER_YEAR,
    LoadContext,
    id_number,
    local_datetime,
    person_name,
    phone,
)
from cases.models import Supervision, SupervisionOrigin, WatchedKind
from disputes.models import (
    Assignment,
    Channel,
    Dispute,
    DisputeEvent,
    DisputeKind,
    ExtensionRequest,
    Level,
    MediationSession,
    Outcome,
    Party,
    Revisit,
    Route,
    Side,
    Status,
    Summons,
)
from disputes.selectors import days_for
from disputes.services import risk_colour
from governance.models import Department
from governance.workdays import add_working_days, calendar_deadline
from grids.demo import pick as _pick

KINDS = [
    (DisputeKind.NEIGHBOUR, 0.26),
    (DisputeKind.FAMILY, 0.20),
    (DisputeKind.DEBT, 0.12),
    (DisputeKind.LAND, 0.14),
    (DisputeKind.REQUISITION, 0.05),
    (DisputeKind.LABOUR, 0.09),
    (DisputeKind.PROPERTY, 0.06),
    (DisputeKind.OTHER, 0.08),
]
CHANNELS = [
    (Channel.WALK_IN, 0.45),
    (Channel.HOTLINE, 0.2),
    (Channel.ONLINE, 0.1),
    (Channel.POLICE, 0.15),
    (Channel.DEPARTMENT, 0.1),
]
FIRST_LEVEL = [
    (Level.GRID, 0.35),
    (Level.VILLAGE, 0.38),
    (Level.TOWNSHIP, 0.22),
    (Level.COUNTY, 0.05),
]
PEOPLE = [(2, 0.6), (3, 0.15), (4, 0.1), (6, 0.1), (15, 0.05)]
ROUTES = [
    (Route.PEOPLES, 0.7),
    (Route.ADMINISTRATIVE, 0.12),
    (Route.FOUR_CHIEFS, 0.08),
    (Route.ARBITRATION, 0.05),
    (Route.FAST_TRACK, 0.05),
]
SATISFACTION = [(5, 0.42), (4, 0.33), (3, 0.15), (2, 0.07), (1, 0.03)]
NEXT_LEVEL = {
    Level.GRID: Level.VILLAGE,
    Level.VILLAGE: Level.TOWNSHIP,
    Level.TOWNSHIP: Level.COUNTY,
}
DESCRIPTIONS = {
    DisputeKind.NEIGHBOUR: "两户因院墙排水问题发生争执，多次协商未果。",
    DisputeKind.FAMILY: "子女就老人赡养费用分担发生分歧。",
    DisputeKind.DEBT: "村民之间借款到期未还，双方对利息有争议。",
    DisputeKind.LAND: "承包地边界不清，双方均主张耕种权。",
    DisputeKind.REQUISITION: "对征地补偿款分配方案有异议。",
    DisputeKind.LABOUR: "务工人员反映工程款拖欠，涉及多人工资。",
    DisputeKind.PROPERTY: "业主与物业就收费标准和服务质量发生纠纷。",
    DisputeKind.OTHER: "群众反映的其他矛盾纠纷。",
}
HOUR = 3600
DAY = 86_400


@cache
def _days_for(level: str, kind: str) -> int:
    return days_for(level=level, kind=kind)


@lru_cache(maxsize=100_000)
def _due(level: str, kind: str, start: date) -> date:
    return calendar_deadline(start, _days_for(level, kind))


@dataclass
class _Case:
    """One dispute being walked through its workflow; `t` is seconds since the first day's
    midnight, and nothing happens after `horizon`."""

    pk: int
    level: str
    kind: str
    status: str = Status.REGISTERED
    version: int = 1
    events: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)


class _Walk:
    def __init__(self, ctx: LoadContext, rng) -> None:
        self.ctx, self.rng = ctx, rng
        self.first = ctx.first_day
        self.horizon = ((ctx.last_day - ctx.first_day).days + 1) * DAY - 1
        self.assignments, self.summons, self.sessions = [], [], []
        self.revisits, self.extensions, self.supervisions = [], [], []

    def day(self, t: int) -> date:
        return self.first + timedelta(days=t // DAY)

    def stamp(self, t: int) -> str:
        return local_datetime(self.day(t), t % DAY)

    def event(self, case, t, actor, kind, to_status=None, note="", details=None, levels=("", "")):
        before = case.status
        if to_status is not None:
            case.status = to_status
        case.version += 1
        case.events.append(
            (case.pk, actor, self.stamp(t), before, case.status, note, details or {}, kind, *levels)
        )

    def staff(self, grid, level):
        """Who acts for `level` over a dispute of `grid`."""
        village = grid.village
        ctx = self.ctx
        if level == Level.GRID:
            return grid.worker_id
        if level == Level.VILLAGE:
            return (ctx.village_staff.get(village.id) or [grid.chief_id])[0]
        if level == Level.TOWNSHIP:
            return self.rng.choice(ctx.township_staff[village.township_id])
        return self.rng.choice(ctx.county_staff[village.county_id])

    def walk(self, case: _Case, grid, t: int) -> None:
        rng, ctx = self.rng, self.ctx
        village = grid.village
        escalations = 0
        lead = None  # (assignment index)
        while True:
            # Accepted: mostly within hours, some only the next days (the clear list).
            t += (
                rng.randrange(HOUR // 2, 5 * HOUR)
                if rng.random() < 0.85
                else rng.randrange(10 * HOUR, 3 * DAY)
            )
            if t > self.horizon:
                return
            actor = self.staff(grid, case.level)
            self.event(case, t, actor, "accept", Status.ACCEPTED)
            if case.level != Level.COUNTY and escalations < 2 and rng.random() < 0.07:
                t += rng.randrange(2 * HOUR, 2 * DAY)
                if t > self.horizon:
                    return
                self._escalate(case, grid, t, actor)
                escalations += 1
                continue
            # Assigned: a mediator (or a department) at township and county, the level's own
            # staff below.
            t += rng.randrange(HOUR, 30 * HOUR)
            if t > self.horizon:
                return
            person, department = None, None
            if case.level in (Level.TOWNSHIP, Level.COUNTY) and rng.random() < 0.15:
                department = rng.choice(ctx.departments[village.township_id])
            elif case.level in (Level.TOWNSHIP, Level.COUNTY):
                person = rng.choice(ctx.mediators[village.township_id])
            else:
                person = self.staff(grid, case.level)
            if lead is not None:
                self.assignments[lead][6] = self.stamp(t)
            lead = len(self.assignments)
            self.assignments.append([case.pk, person, department, True, actor, self.stamp(t), None])
            name = ctx.names.get(person, "") if person else ctx.department_names[department]
            self.event(
                case,
                t,
                actor,
                "assign",
                Status.ASSIGNED,
                details={"handlers": [name], "lead": name},
            )
            handler = person or actor
            if rng.random() < 0.06:
                self._summon(case, grid, t, actor)
            # Mediation starts, sessions are held.
            t += rng.randrange(2 * HOUR, 3 * DAY)
            if t > self.horizon:
                return
            route = _pick(rng, ROUTES)
            case.fields["route"] = route
            self.event(
                case,
                t,
                handler,
                "start_mediation",
                Status.IN_MEDIATION,
                str(Route(route).label),
                {"route": route},
            )
            working_days = _days_for(case.level, case.kind)
            for _n in range(rng.choice((1, 1, 2, 2, 3))):
                t += rng.randrange(4 * HOUR, max(5 * HOUR, working_days * DAY // 3))
                if t > self.horizon:
                    return
                held = self.day(t)
                self.sessions.append(
                    (case.pk, held, "双方当事人、调解员", "", handler, self.stamp(t))
                )
                self.event(
                    case,
                    t,
                    handler,
                    "record_session",
                    note="双方当事人、调解员",
                    details={"held_on": held.isoformat()},
                )
            if rng.random() < 0.05:
                t = self._extension(case, grid, t, handler)
                if t > self.horizon:
                    return
            if rng.random() < 0.04:
                t = self._supervise(case, grid, t, handler)
                if t > self.horizon:
                    return
            t += rng.randrange(HOUR, DAY)
            if t > self.horizon:
                return
            x = rng.random()
            if x < 0.03:
                self.event(case, t, actor, "merge", Status.MERGED, details={})
                case.fields["merge"] = True
                self.assignments[lead][6] = self.stamp(t)
                return
            if x < 0.85:
                outcome = _pick(
                    rng,
                    [(Outcome.AGREEMENT, 0.7), (Outcome.WITHDRAWN, 0.15), (Outcome.REFERRED, 0.15)],
                )
                if outcome == Outcome.AGREEMENT:
                    case.fields.update(
                        outcome=outcome,
                        agreement="双方自愿达成调解协议，按约定履行。",
                        resolved_level=case.level,
                        resolved_at=self.stamp(t),
                    )
                    self.event(
                        case,
                        t,
                        handler,
                        "resolve",
                        Status.RESOLVED,
                        str(Outcome(outcome).label),
                        {"outcome": outcome, "resolved_level": case.level},
                    )
                else:
                    # Withdrawn or referred: the mediation terminates, it is not resolved.
                    case.fields.update(outcome=outcome, agreement="", resolved_level=case.level)
                    self.event(
                        case,
                        t,
                        handler,
                        "terminate",
                        Status.TERMINATED,
                        str(Outcome(outcome).label),
                        {"outcome": outcome, "level": case.level},
                    )
                    return
            else:
                case.fields["outcome"] = Outcome.NOT_AGREED
                self.event(
                    case,
                    t,
                    handler,
                    "terminate",
                    Status.TERMINATED,
                    "双方分歧较大",
                    {"outcome": Outcome.NOT_AGREED, "level": case.level},
                )
                if case.level != Level.COUNTY and escalations < 2 and rng.random() < 0.6:
                    t += rng.randrange(HOUR, 2 * DAY)
                    if t > self.horizon:
                        return
                    case.fields["outcome"] = ""
                    self.assignments[lead][6] = self.stamp(t)
                    lead = None
                    self._escalate(case, grid, t, handler)
                    escalations += 1
                    continue
                return
            # Revisited, then closed.
            t += rng.randrange(DAY, 10 * DAY)
            if t > self.horizon or rng.random() < 0.2:
                return
            satisfaction = _pick(rng, SATISFACTION)
            self.revisits.append((case.pk, satisfaction, "", handler, self.stamp(t)))
            self.event(
                case,
                t,
                handler,
                "revisit",
                Status.REVISITED,
                details={"satisfaction": satisfaction},
            )
            t += rng.randrange(HOUR, 5 * DAY)
            if t > self.horizon or rng.random() < 0.15:
                return
            self.event(case, t, actor, "close", Status.CLOSED)
            return

    def _escalate(self, case, grid, t, actor):
        from_level = case.level
        case.level = NEXT_LEVEL[from_level]
        case.fields["due_on"] = _due(case.level, case.kind, self.day(t))
        case.fields["extended"] = False
        self.event(
            case,
            t,
            actor,
            "escalate",
            Status.REGISTERED,
            "本级无法化解",
            levels=(from_level, case.level),
        )

    def _summon(self, case, grid, t, actor):
        rng = self.rng
        summoned = case.fields.setdefault("summoned", set())
        department = rng.choice(self.ctx.departments[grid.village.township_id])
        if department in summoned:
            return  # one summons per department and dispute
        summoned.add(department)
        due = self.day(t) + timedelta(days=5)
        acknowledged = t + rng.randrange(HOUR, DAY)
        reported = acknowledged + rng.randrange(HOUR, 3 * DAY)
        self.summons.append(
            (
                case.pk,
                department,
                due,
                actor,
                self.stamp(t),
                self.stamp(acknowledged) if acknowledged <= self.horizon else None,
                self.stamp(reported) if reported <= self.horizon else None,
                "已到场参与调处" if reported <= self.horizon else "",
            )
        )
        name = self.ctx.department_names[department]
        self.event(
            case, t, actor, "summon", details={"departments": [name], "due_on": due.isoformat()}
        )
        liaison = actor
        if acknowledged <= self.horizon:
            self.event(
                case, acknowledged, liaison, "acknowledge_summons", details={"department": name}
            )
        if reported <= self.horizon:
            self.event(case, reported, liaison, "report_summons", details={"department": name})

    def _extension(self, case, grid, t, handler) -> int:
        rng = self.rng
        t += rng.randrange(HOUR, DAY)
        if t > self.horizon:
            return t
        days = rng.choice((5, 10))
        decider = self.staff(grid, NEXT_LEVEL.get(case.level, Level.COUNTY))
        decided = t + rng.randrange(HOUR, 2 * DAY)
        approved = rng.random() < 0.8 if decided <= self.horizon else None
        self.extensions.append(
            [
                case.pk,
                days,
                "调解需要更多时间",
                handler,
                self.stamp(t),
                approved,
                decider if approved is not None else None,
                self.stamp(decided) if approved is not None else None,
            ]
        )
        self.event(case, t, handler, "request_extension", note="调解需要更多时间")
        if approved is None:
            return decided
        if approved:
            start = max(case.fields.get("due_on") or self.day(decided), self.day(decided))
            case.fields["due_on"] = add_working_days(start, days)
            case.fields["extended"] = True
        self.event(
            case,
            decided,
            decider,
            "extension_approved" if approved else "extension_refused",
            details={"approved": approved},
        )
        return decided

    def _supervise(self, case, grid, t, handler) -> int:
        rng = self.rng
        t += rng.randrange(HOUR, DAY)
        if t > self.horizon:
            return t
        superior = self.staff(grid, NEXT_LEVEL.get(case.level, Level.COUNTY))
        case.fields["under_supervision"] = True
        answered = t + rng.randrange(HOUR, 3 * DAY)
        self.event(case, t, superior, "supervise", note="请加快化解进度")
        # The supervision a superior opens by hand (cases.Supervision, origin "manual").
        row = [
            SupervisionOrigin.MANUAL,
            WatchedKind.DISPUTE,
            case.pk,
            f"JF{case.fields['year']}{case.pk:07d}",
            reverse("disputes:detail", args=[case.pk]),
            grid.village.id,
            case.level,
            NEXT_LEVEL.get(case.level, Level.COUNTY),
            "",
            self.stamp(t),
            "请加快化解进度",
            superior,
            self.stamp(t),
            "",
            None,
            None,
        ]
        if answered <= self.horizon and rng.random() < 0.7:
            case.fields["under_supervision"] = False
            row[-3:] = ["已制定化解方案", handler, self.stamp(answered)]
            self.event(case, answered, handler, "answer_supervision", note="已制定化解方案")
        self.supervisions.append(tuple(row))
        return max(t, answered if row[-2] else t)


def generate_disputes(ctx: LoadContext) -> None:
    rng = ctx.random("disputes")
    _departments(ctx)
    if not ctx.grids:
        return
    total = round(DISPUTES_PER_YEAR * ctx.scale)
    days = len(ctx.days)
    ids = ctx.ids(Dispute, total)
    walk = _Walk(ctx, rng)
    findings = list(ctx.shared.get("dispute_findings", []))
    rng.shuffle(findings)
    # A quarter of the handed-up dispute findings become disputes of their own.
    findings = findings[: total // 5]
    by_village: dict[int, list[_Case]] = {}
    cases, rows, parties = [], [], []
    starts = []
    for n in range(total):
        if n < len(findings):
            finding, grid, day, seconds = findings[n]
            t = (day - ctx.first_day).days * DAY + seconds + rng.randrange(HOUR, 6 * HOUR)
            channel = Channel.GRID
        else:
            finding, grid = None, rng.choice(ctx.grids)
            t = rng.randrange(days) * DAY + rng.randrange(8 * HOUR, 18 * HOUR)
            channel = _pick(rng, CHANNELS)
        if t <= walk.horizon:
            starts.append((t, finding, grid, channel))
    starts.sort(key=lambda start: start[0])
    for pk, (t, finding, grid, channel) in zip(ids, starts, strict=False):
        village = grid.village
        kind = _pick(rng, KINDS)
        level = _pick(rng, FIRST_LEVEL)
        with_grid = level == Level.GRID or rng.random() < 0.8
        people = _pick(rng, PEOPLE)
        earlier = by_village.get(village.id)
        repeat = earlier[-1] if earlier and rng.random() < 0.05 else None
        case = _Case(pk=pk, level=level, kind=kind)
        day = walk.day(t)
        case.fields.update(
            due_on=_due(level, kind, day),
            extended=False,
            under_supervision=False,
            outcome="",
            agreement="",
            resolved_level="",
            resolved_at=None,
            route="",
        )
        registrar = walk.staff(grid, level)
        walk.event(
            case,
            t,
            registrar,
            "registered",
            Status.REGISTERED,
            details={"repeat_of": f"JF{repeat.fields['year']}{repeat.pk:07d}" if repeat else None},
        )
        case.version = 1
        case.fields["year"] = day.year
        walk.walk(case, grid, t)
        merged_into = None
        if case.fields.pop("merge", False):
            targets = [
                c
                for c in (earlier or [])
                if c.status
                in {Status.REGISTERED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_MEDIATION}
            ]
            if targets:
                target = targets[-1]
                merged_into = target.pk
                at = case.events[-1][2]
                target.events.append(
                    (
                        target.pk,
                        registrar,
                        at,
                        target.status,
                        target.status,
                        str(pk),
                        {"merged": pk},
                        "merged_in",
                        "",
                        "",
                    )
                )
            else:
                # Nothing open to merge into: it stays in mediation.
                case.events.pop()
                case.status = Status.IN_MEDIATION
        by_village.setdefault(village.id, []).append(case)
        cases.append(case)
        f = case.fields
        rows.append(
            (
                pk,
                f"JF{day.year}{pk:07d}",
                f["under_supervision"],
                registrar,
                walk.stamp(t),
                case.version,
                kind,
                channel,
                DESCRIPTIONS[kind],
                people,
                village.id,
                grid.id if with_grid else None,
                finding,
                case.level,
                case.status,
                risk_colour(people_involved=people, kind=kind, is_repeat=repeat is not None),
                repeat.pk if repeat else None,
                f["route"],
                f["outcome"],
                f["agreement"],
                f["resolved_level"]
                if case.status in {Status.RESOLVED, Status.REVISITED, Status.CLOSED}
                else "",
                f["resolved_at"]
                if case.status in {Status.RESOLVED, Status.REVISITED, Status.CLOSED}
                else None,
                f["due_on"],
                f["extended"],
                merged_into,
            )
        )
        county = ctx.areas[village.county_id][0]
        sides = [Side.APPLICANT, Side.RESPONDENT] + [Side.APPLICANT] * (rng.random() < 0.1)
        for side in sides:
            parties.append((pk, side, person_name(rng), id_number(rng, county), phone(rng)))
    ctx.write(
        Dispute,
        [
            "id",
            "number",
            "under_supervision",
            "registered_by",
            "registered_at",
            "version",
            "kind",
            "channel",
            "description",
            "people_involved",
            "village",
            "grid",
            "source_finding",
            "level",
            "status",
            "risk",
            "repeat_of",
            "route",
            "outcome",
            "agreement",
            "resolved_level",
            "resolved_at",
            "due_on",
            "extended",
            "merged_into",
        ],
        rows,
    )
    party_ids = ctx.ids(Party, len(parties))
    ctx.write(
        Party,
        ["id", "dispute", "side", "name", "id_number", "phone"],
        ((pk, *row) for pk, row in zip(party_ids, parties, strict=True)),
        prepared=("id_number", "phone"),
    )
    events = sorted((e for case in cases for e in case.events), key=lambda e: e[2])
    event_ids = ctx.ids(DisputeEvent, len(events))
    ctx.write(
        DisputeEvent,
        [
            "id",
            "dispute",
            "actor",
            "at",
            "from_status",
            "to_status",
            "note",
            "details",
            "kind",
            "from_level",
            "to_level",
        ],
        ((pk, *row) for pk, row in zip(event_ids, events, strict=True)),
    )
    _write_side_rows(ctx, walk)
    ctx.shared["disputes"] = [
        (case.pk, row[10], row[4]) for case, row in zip(cases, rows, strict=True)
    ]


def _write_side_rows(ctx, walk) -> None:
    tables = [
        (
            Assignment,
            ["dispute", "person", "department", "lead", "assigned_by", "assigned_at", "ended_at"],
            walk.assignments,
        ),
        (
            Summons,
            [
                "dispute",
                "department",
                "due_on",
                "summoned_by",
                "summoned_at",
                "acknowledged_at",
                "reported_at",
                "report",
            ],
            walk.summons,
        ),
        (
            MediationSession,
            ["dispute", "held_on", "participants", "agreed", "recorded_by", "recorded_at"],
            walk.sessions,
        ),
        (
            Revisit,
            ["dispute", "satisfaction", "remarks", "visited_by", "visited_at"],
            walk.revisits,
        ),
        (
            ExtensionRequest,
            [
                "dispute",
                "working_days",
                "reason",
                "requested_by",
                "requested_at",
                "approved",
                "decided_by",
                "decided_at",
            ],
            walk.extensions,
        ),
        (
            Supervision,
            [
                "origin",
                "kind",
                "object_id",
                "number",
                "url",
                "area",
                "case_level",
                "level",
                "clock",
                "opened_at",
                "note",
                "instructed_by",
                "instructed_at",
                "answer",
                "answered_by",
                "answered_at",
            ],
            walk.supervisions,
        ),
    ]
    for model, fields, rows in tables:
        ids = ctx.ids(model, len(rows))
        ctx.write(model, ["id", *fields], ((pk, *row) for pk, row in zip(ids, rows, strict=True)))


def _departments(ctx: LoadContext) -> None:
    """Two departments for each township that has none (the demo township keeps its own)."""
    townships = sorted({v.township_id for v in ctx.villages})
    ctx.department_names = {}
    for pk, area_id, name in Department.objects.filter(area_id__in=townships).values_list(
        "pk", "area_id", "name"
    ):
        ctx.departments.setdefault(area_id, []).append(pk)
        ctx.department_names[pk] = name
    missing = [t for t in townships if t not in ctx.departments]
    ids = iter(ctx.ids(Department, 2 * len(missing)))
    rows = []
    for township_id in missing:
        for suffix in ("司法所", "派出所"):
            pk = next(ids)
            name = f"{ctx.areas[township_id][3]}{suffix}"
            rows.append((pk, name, township_id))
            ctx.departments.setdefault(township_id, []).append(pk)
            ctx.department_names[pk] = name
    ctx.write(Department, ["id", "name", "area"], rows)

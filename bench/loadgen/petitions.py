"""Generated load, the petition side (see `bench.loadgen`): about thirty thousand
petitions a year at the city's full size, on the statutory clocks — accepted or not within
15 days, assigned, extended once now and then, handled and replied within 60, the petitioner
satisfied or asking for a review, closed — with their events, repeats (same ID number, same
area) and links to disputes of their village. Petitioners' ID numbers and phones are written
through the model fields themselves. Runs after the disputes (`bench.loadgen.steps`).
"""

from datetime import date, timedelta
from functools import cache, lru_cache

from bench.loadgen import (
    PETITIONS_PER_YEAR,
    LoadContext,
    id_number,
    local_datetime,
    person_name,
    phone,
)
from governance.workdays import calendar_deadline
from petitions.models import (
    Petition,
    PetitionAssignment,
    PetitionChannel,
    Petitioner,
    PetitionEvent,
    PetitionLevel,
    PetitionStatus,
)
from petitions.selectors import clock_days

S = PetitionStatus
CHANNELS = [
    (PetitionChannel.VISIT, 0.35),
    (PetitionChannel.LETTER, 0.15),
    (PetitionChannel.ONLINE, 0.35),
    (PetitionChannel.PHONE, 0.15),
]
SUBJECTS = [
    "反映征地补偿款未足额发放",
    "反映拖欠农民工工资",
    "反映宅基地审批问题",
    "反映低保评定不公",
    "反映道路修建占用耕地",
    "反映企业排污影响生活",
    "反映物业服务问题",
    "反映村务公开不及时",
]
DAY = 86_400


@cache
def _days(name: str) -> int:
    return clock_days(name)


@lru_cache(maxsize=50_000)
def _deadline(start: date, days: int) -> date:
    return calendar_deadline(start, days)


def generate_petitions(ctx: LoadContext) -> None:
    if not ctx.grids:
        return
    rng = ctx.random("petitions")
    total = round(PETITIONS_PER_YEAR * ctx.scale)
    first, last = ctx.first_day, ctx.last_day
    span = (last - first).days + 1
    received = sorted(
        (first + timedelta(days=rng.randrange(span)), rng.randrange(8 * 3600, 18 * 3600))
        for _n in range(total)
    )
    disputes_by_village: dict[int, list] = {}
    for dispute_id, village_id, registered_at in ctx.shared.get("disputes", []):
        disputes_by_village.setdefault(village_id, []).append((registered_at, dispute_id))
    ids = ctx.ids(Petition, total)
    earlier: dict[int, list] = {}
    rows, petitioners, events, assignments, links = [], [], [], [], []

    for pk, (day, seconds) in zip(ids, received, strict=True):
        grid = rng.choice(ctx.grids)
        village = grid.village
        if rng.random() < 0.75:
            area_id = village.id
            # A village committee is not a petition body: the township or county handles it.
            level = rng.choices([PetitionLevel.TOWNSHIP, PetitionLevel.COUNTY], [0.9, 0.1])[0]
        else:
            area_id = village.township_id
            level = rng.choices([PetitionLevel.TOWNSHIP, PetitionLevel.COUNTY], [0.8, 0.2])[0]
        unit, staff = {
            PetitionLevel.TOWNSHIP: (village.township_id, ctx.township_staff[village.township_id]),
            PetitionLevel.COUNTY: (village.county_id, ctx.county_staff[village.county_id]),
        }[level]
        staff = staff or [grid.chief_id]
        superior = rng.choice(
            ctx.county_staff[village.county_id]
            if level != PetitionLevel.TOWNSHIP or rng.random() < 0.5
            else ctx.township_staff[village.township_id]
        )
        actor = rng.choice(staff)
        state = {
            "status": "",
            "version": 1,
            "decided_on": None,
            "not_accepted_reason": "",
            "conclusion_due": None,
            "extension_days": 0,
            "extension_reason": "",
            "handling_opinion": "",
            "replied_on": None,
            "reply": "",
            "review_request_due": None,
            "review_requested_on": None,
            "review_due": None,
            "reviewed_on": None,
            "review_opinion": "",
            "satisfaction": None,
            "under_supervision": False,
        }

        def event(on: date, at: int, who, kind, to=None, note="", details=None, pk=pk, s=state):
            before = s["status"]
            if to is not None:
                s["status"] = to
            s["version"] += 1
            events.append(
                (pk, who, local_datetime(on, at), before, s["status"], note, details or {}, kind)
            )

        same_area = earlier.get(area_id)
        repeat = same_area[-1] if same_area and rng.random() < 0.08 else None
        event(day, seconds, actor, "registered", S.RECEIVED)
        state["version"] = 1
        acceptance_due = _deadline(day, _days("acceptance"))
        county_code = ctx.areas[village.county_id][0]
        group = rng.random() < 0.05
        people = [repeat[1]] if repeat else []
        while len(people) < (3 if group else 1):
            people.append((person_name(rng), id_number(rng, county_code), phone(rng)))
        for person in people:
            petitioners.append((pk, *person))
        candidates = [
            d
            for d in disputes_by_village.get(village.id, ())
            if d[0] < local_datetime(day, seconds)
        ]
        if candidates and rng.random() < 0.1:
            links.append((pk, rng.choice(candidates[-20:])[1]))
        _walk(rng, ctx, day, last, state, event, actor, superior, pk, assignments)
        rows.append(
            (
                pk,
                f"XF{day.year}{pk:07d}",
                state["under_supervision"],
                actor,
                local_datetime(day, seconds),
                state["version"],
                _pick_channel(rng),
                rng.choice(SUBJECTS),
                "信访人反映的具体情况及诉求。",
                rng.randrange(5, 30) if group else 1,
                area_id,
                unit,
                level,
                state["status"],
                repeat[0] if repeat else None,
                day,
                acceptance_due,
                *(
                    state[name]
                    for name in (
                        "decided_on",
                        "not_accepted_reason",
                        "conclusion_due",
                        "extension_days",
                        "extension_reason",
                        "handling_opinion",
                        "replied_on",
                        "reply",
                        "review_request_due",
                        "review_requested_on",
                        "review_due",
                        "reviewed_on",
                        "review_opinion",
                        "satisfaction",
                    )
                ),
            )
        )
        earlier.setdefault(area_id, []).append((pk, people[0]))

    ctx.write(
        Petition,
        [
            "id",
            "number",
            "under_supervision",
            "registered_by",
            "registered_at",
            "version",
            "channel",
            "subject",
            "content",
            "group_size",
            "area",
            "registering_unit",
            "level",
            "status",
            "repeat_of",
            "received_on",
            "acceptance_due",
            "decided_on",
            "not_accepted_reason",
            "conclusion_due",
            "extension_days",
            "extension_reason",
            "handling_opinion",
            "replied_on",
            "reply",
            "review_request_due",
            "review_requested_on",
            "review_due",
            "reviewed_on",
            "review_opinion",
            "satisfaction",
        ],
        rows,
    )
    petitioner_ids = ctx.ids(Petitioner, len(petitioners))
    ctx.write(
        Petitioner,
        ["id", "petition", "name", "id_number", "phone"],
        ((pk, *row) for pk, row in zip(petitioner_ids, petitioners, strict=True)),
        prepared=("id_number", "phone"),
    )
    events.sort(key=lambda e: e[2])
    event_ids = ctx.ids(PetitionEvent, len(events))
    ctx.write(
        PetitionEvent,
        ["id", "petition", "actor", "at", "from_status", "to_status", "note", "details", "kind"],
        ((pk, *row) for pk, row in zip(event_ids, events, strict=True)),
    )
    assignment_ids = ctx.ids(PetitionAssignment, len(assignments))
    ctx.write(
        PetitionAssignment,
        ["id", "petition", "person", "assigned_by", "assigned_at", "ended_at"],
        ((pk, *row) for pk, row in zip(assignment_ids, assignments, strict=True)),
    )
    through = Petition.disputes.through
    link_ids = ctx.ids(through, len(links))
    ctx.write(
        through,
        ["id", "petition", "dispute"],
        ((pk, *row) for pk, row in zip(link_ids, links, strict=True)),
    )


def _pick_channel(rng) -> str:
    return rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]


def _walk(rng, ctx, day, last, s, event, actor, superior, pk, assignments) -> None:
    """Move the petition along the statutory clocks from `day`, stopping at `last`."""

    def later(on: date, low: int, high: int) -> date | None:
        result = on + timedelta(days=rng.randrange(low, high + 1))
        return result if result <= last else None

    def at() -> int:
        return rng.randrange(9 * 3600, 17 * 3600)

    decided = later(day, 1, 13)
    if decided is None or rng.random() < 0.03:
        return
    if rng.random() < 0.12:
        s["decided_on"] = decided
        s["not_accepted_reason"] = "不属于本机关职责范围，已告知向有权机关提出"
        event(decided, at(), actor, "not_accept", S.NOT_ACCEPTED, s["not_accepted_reason"])
        closed = later(decided, 1, 20)
        if closed is not None and rng.random() < 0.6:
            event(closed, at(), actor, "close", S.CLOSED)
        return
    s["decided_on"] = decided
    s["conclusion_due"] = _deadline(decided, _days("conclusion"))
    event(decided, at(), actor, "accept", S.ACCEPTED)
    assigned = later(decided, 0, 3)
    if assigned is None:
        return
    assigned_at = local_datetime(assigned, at())
    assignments.append((pk, actor, actor, assigned_at, None))
    event(assigned, at(), actor, "assign", S.ASSIGNED)
    if rng.random() < 0.06:
        extended = later(assigned, 5, 40)
        if extended is None:
            return
        days = rng.choice((15, 30))
        s["extension_days"] = days
        s["extension_reason"] = "情况复杂，需进一步调查核实"
        s["conclusion_due"] = _deadline(decided, _days("conclusion") + days)
        # Approved by the handling body's head (信访工作条例): the superior stands in for one.
        event(extended, at(), superior, "approve_extension", None, s["extension_reason"])
    if rng.random() < 0.03:
        flagged = later(assigned, 3, 30)
        if flagged is None:
            return
        s["under_supervision"] = True
        event(flagged, at(), superior, "supervise", None, "请按期办结")
        answered = later(flagged, 1, 5)
        if answered is not None:
            s["under_supervision"] = False
            event(answered, at(), actor, "answer_supervision", None, "正在办理")
    handled = later(assigned, 5, 55 if rng.random() < 0.9 else 80)
    if handled is None:
        return
    s["handling_opinion"] = "经调查核实，依法依规提出处理意见。"
    event(handled, at(), actor, "handle", S.HANDLED, s["handling_opinion"])
    replied = later(handled, 1, 7)
    if replied is None:
        return
    s["replied_on"] = replied
    s["reply"] = "经研究，现将处理意见答复如下。"
    s["review_request_due"] = _deadline(replied, _days("review_request"))
    event(replied, at(), actor, "reply", S.REPLIED, s["reply"])
    x = rng.random()
    if x < 0.55:
        satisfied = later(replied, 1, 10)
        if satisfied is None:
            return
        s["satisfaction"] = rng.choices([5, 4, 3], [0.6, 0.3, 0.1])[0]
        event(
            satisfied,
            at(),
            actor,
            "record_satisfied",
            S.SATISFIED,
            "",
            {"satisfaction": s["satisfaction"]},
        )
        closed = later(satisfied, 1, 10)
    elif x < 0.65:
        requested = later(replied, 3, 28)
        if requested is None:
            return
        s["review_requested_on"] = requested
        s["review_due"] = _deadline(requested, _days("review"))
        event(requested, at(), actor, "request_review", S.REVIEW_REQUESTED, "对答复意见不服")
        reviewed = later(requested, 5, 29)
        if reviewed is None:
            return
        s["reviewed_on"] = reviewed
        s["review_opinion"] = "经复查，维持原处理意见。"
        event(reviewed, at(), superior, "review", S.REVIEWED, s["review_opinion"])
        closed = later(reviewed, 1, 10)
    else:
        closed = s["review_request_due"] + timedelta(days=rng.randrange(1, 10))
        closed = closed if closed <= last else None
    if closed is not None and rng.random() < 0.85:
        event(closed, at(), actor, "close", S.CLOSED)

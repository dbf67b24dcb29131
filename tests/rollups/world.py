"""Two months of a small part of 潞城区, made through the services at explicit times.

Three villages in two townships (店上村 and 河湃村 of 店上镇, a village of 微子镇), five grids,
five grid workers (one grid changes hands in the middle of the month, one worker serves two
grids), village and township staff, mediators. Every day grid workers patrol, log findings,
handle some of them, file zero reports; disputes are registered at the grid, the village and
the township, accepted, assigned to a lead, mediated, resolved (or terminated: withdrawn,
referred to court, no agreement), revisited by the county's revisit officer (a dissatisfied
revisit sends a few back to work, 回头办), and a few are escalated; townships register, accept
and answer petitions.

The services stamp rows with the real clock; `at(moment)` moves whatever a service wrote in
its block to `moment`, so the data lies where the test wants it in time. Dates the services
derive from today (deadlines, reply days) are set explicitly right after.
"""

import heapq
import itertools
import random
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from disputes import services as disputes
from disputes.models import Assignment, Dispute, DisputeEvent, Revisit, RevisitSetting
from governance.models import Area, Role
from grids import services as grids
from grids.models import (
    Finding,
    FindingCategory,
    FindingEvent,
    FindingStatus,
    Grid,
    GridAssignment,
    GridKind,
    GridRole,
    Patrol,
    Severity,
    ZeroReport,
)
from petitions import services as petitions
from petitions.models import Petition, PetitionAssignment, PetitionEvent
from tests.factories import MembershipFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
LUCHENG = "140406"
DIANSHANG, WEIZI = "140406100", "140406101"
VILLAGE_CODES = ["140406100200", "140406100201", "140406101204"]

# Every time column a service sets from the real clock, by the kind of thing done.
PATROLS = [(Patrol, ["started_at", "ended_at"])]
FINDINGS = [(Finding, ["found_at", "created_at"]), (FindingEvent, ["at"])]
ZERO_REPORTS = [(ZeroReport, ["created_at"])]
DISPUTES = [
    (Dispute, ["registered_at", "resolved_at"]),
    (DisputeEvent, ["at"]),
    (Assignment, ["assigned_at", "ended_at"]),
    (Revisit, ["visited_at"]),
]
PETITIONS = [
    (Petition, ["registered_at"]),
    (PetitionEvent, ["at"]),
    (PetitionAssignment, ["assigned_at", "ended_at"]),
]
EVERYTHING = PATROLS + FINDINGS + ZERO_REPORTS + DISPUTES + PETITIONS


@contextmanager
def rewriting_history():
    """On PostgreSQL the event tables refuse any UPDATE (cases.append_only); dating what
    the services just wrote is the one rewrite the tests need, so the triggers are lifted for
    this session while they do it, and put back."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


@contextmanager
def at(moment: datetime, tables=EVERYTHING):
    """Whatever the services write inside the block (to `tables`) happened at `moment`."""
    real_start = timezone.now()
    yield
    with rewriting_history():
        for model, names in tables:
            for name in names:
                model.objects.filter(**{f"{name}__gte": real_start}).update(**{name: moment})


def moment(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SHANGHAI)


def person(role: str, area: Area, username: str | None = None):
    # No password: hashing one costs more than the rest of a person.
    user = get_user_model().objects.create(username=username or f"p{uuid.uuid4().hex[:10]}")
    MembershipFactory(user=user, area=area, role=role)
    return user


@dataclass
class World:
    month: date  # the first day of the month the tests assess
    first_day: date  # the first day generated (the first of the month before)
    last_day: date
    county: Area = None
    townships: dict = field(default_factory=dict)
    villages: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    official: object = None
    village_staff: dict = field(default_factory=dict)
    township_staff: dict = field(default_factory=dict)
    mediators: dict = field(default_factory=dict)
    revisitor: object = None
    # The ways a mediation is terminated, taken in turn so that the month holds each.
    endings: itertools.cycle = field(
        default_factory=lambda: itertools.cycle(["withdrawn", "referred", "not_agreed"])
    )
    workers: dict = field(default_factory=dict)  # name → user
    # grid code → [(worker, first day, last day or None)]
    serving: dict = field(default_factory=lambda: defaultdict(list))
    agenda: dict = field(default_factory=lambda: defaultdict(list))
    counter: itertools.count = field(default_factory=itertools.count)

    @property
    def mid(self) -> date:
        return self.month + timedelta(days=14)

    def worker_of(self, grid: Grid, day: date):
        for worker, start, end in self.serving[grid.code]:
            if start <= day and (end is None or day <= end):
                return worker
        raise AssertionError(f"nobody serves {grid} on {day}")

    def schedule(self, when: datetime, action) -> None:
        if when.date() > self.last_day:
            return  # beyond the generated days: the case stays as it stands
        heapq.heappush(self.agenda[when.date()], (when, next(self.counter), action))

    def chain(self, when: datetime, steps: list, tables=EVERYTHING) -> None:
        """Run `steps` [(delay, action)] one after another, each `delay` after the last."""
        if not steps:
            return
        delay, action = steps[0]
        then = when + delay

        def run():
            with at(then, tables):
                action()
            self.chain(then, steps[1:], tables)

        self.schedule(then, run)


def build_world(month: date, *, seed: int = 20260401, busy_before: int = 3) -> World:
    """Generate the month before `month` (every `busy_before`-th day) and `month` (every day).
    Needs the `changzhi_slice` fixture's areas."""
    rng = random.Random(seed)
    first_day = (month - timedelta(days=1)).replace(day=1)
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    world = World(month=month, first_day=first_day, last_day=last_day)
    world.county = Area.objects.get(code=LUCHENG)
    world.townships = {code: Area.objects.get(code=code) for code in (DIANSHANG, WEIZI)}
    world.villages = [Area.objects.get(code=code) for code in VILLAGE_CODES]
    world.official = person(Role.COUNTY_OFFICIAL, world.county, username="official")
    # The county's revisit officer revisits as soon as a day after the agreement.
    world.revisitor = person(Role.REVISITOR, world.county, username="revisitor")
    RevisitSetting.objects.create(county=world.county, after_days=0)
    for code, township in world.townships.items():
        world.township_staff[code] = person(Role.TOWNSHIP_STAFF, township)
        world.mediators[code] = [person(Role.MEDIATOR, township) for _ in range(2)]
    for village in world.villages:
        world.village_staff[village.code] = person(Role.VILLAGE_STAFF, village)

    layout = [(0, "A1"), (0, "A2"), (1, "B1"), (2, "C1"), (2, "C2")]
    for index, name in layout:
        village = world.villages[index]
        grid = grids.grid_create(
            actor=None, village=village, code=f"W-{name}", name=f"{name}网格", kind=GridKind.RURAL
        )
        world.grids.append(grid)
    Grid.objects.update(created_at=moment(first_day - timedelta(days=1), 9))

    def serve(name, grid_codes, start, end=None):
        worker = world.workers.get(name)
        if worker is None:
            grid = next(g for g in world.grids if g.code == grid_codes[0])
            worker = world.workers[name] = person(Role.GRID_WORKER, grid.village, username=name)
        for code in grid_codes:
            grid = next(g for g in world.grids if g.code == code)
            grids.grid_assign(
                actor=None, grid=grid, person=worker, role=GridRole.WORKER, starts_on=start
            )
            world.serving[code].append((worker, start, end))

    serve("worker_a1", ["W-A1"], first_day)
    serve("worker_a2", ["W-A2"], first_day, world.mid - timedelta(days=1))
    serve("worker_a2b", ["W-A2"], world.mid)
    serve("worker_b1", ["W-B1"], first_day)
    serve("worker_c", ["W-C1", "W-C2"], first_day)

    day = first_day
    while day <= last_day:
        if day == world.mid:
            # worker_a2 leaves the grid the day before worker_a2b takes it over.
            GridAssignment.objects.filter(person=world.workers["worker_a2"]).update(
                ends_on=world.mid - timedelta(days=1)
            )
        busy = day >= month or (day - first_day).days % busy_before == 0
        if busy:
            _plan_day(world, rng, day)
        queue = world.agenda[day]
        while queue:
            _when, _n, action = heapq.heappop(queue)
            action()
        day += timedelta(days=1)
    return world


def _plan_day(world: World, rng: random.Random, day: date) -> None:
    for grid in world.grids:
        _plan_grid_day(world, rng, grid, day)
    for village in world.villages:
        if rng.random() < 0.55:
            _plan_dispute(world, rng, village, day)
    for code in world.townships:
        if rng.random() < 0.25:
            _plan_petition(world, rng, code, day)


def _plan_grid_day(world: World, rng: random.Random, grid: Grid, day: date) -> None:
    worker = world.worker_of(grid, day)
    for _ in range(rng.choice([0, 1, 2, 3, 3])):
        start = moment(day, rng.randint(7, 20), rng.randint(0, 59))

        def patrol(worker=worker, grid=grid):
            started = grids.patrol_start(actor=worker, grid=grid)
            grids.patrol_end(actor=worker, patrol=started)

        world.chain(start, [(timedelta(0), patrol)], PATROLS)
    findings = rng.choice([0, 0, 1, 1, 2])
    for _ in range(findings):
        when = moment(day, rng.randint(8, 21), rng.randint(0, 59))
        status = rng.choice(
            [FindingStatus.OPEN, FindingStatus.OPEN, FindingStatus.HANDLED, FindingStatus.HANDED_UP]
        )
        holder = {}

        def log(worker=worker, grid=grid, status=status, holder=holder):
            holder["finding"], _created = grids.finding_log(
                actor=worker,
                grid=grid,
                client_key=uuid.uuid4(),
                category=rng.choice(FindingCategory.values),
                severity=Severity.LOW,
                description="路灯损坏，夜间照明不足",
                status=status,
                action_taken="已现场处置" if status == FindingStatus.HANDLED else "",
            )

        steps = [(timedelta(0), log)]
        if status == FindingStatus.OPEN and rng.random() < 0.6:
            # Handled later: the same evening, or only the next day (not cleared overnight).
            later = timedelta(hours=rng.choice([1, 2, 26]))

            def handle(worker=worker, holder=holder):
                grids.finding_handle(actor=worker, finding=holder["finding"], action_taken="已处理")

            steps.append((later, handle))
        world.chain(when, steps, FINDINGS)
    if not findings and rng.random() < 0.6:

        def zero(worker=worker, grid=grid, day=day):
            grids.zero_report_file(actor=worker, grid=grid, day=day)

        world.chain(moment(day, 22, rng.randint(0, 50)), [(timedelta(0), zero)], ZERO_REPORTS)


PARTIES = [{"side": "applicant", "name": "张某"}, {"side": "respondent", "name": "李某"}]


def _plan_dispute(world: World, rng: random.Random, village: Area, day: date) -> None:
    township_code = village.code[:9]
    village_grids = [g for g in world.grids if g.village_id == village.pk]
    level = rng.choices(["grid", "village", "township"], weights=[3, 5, 2])[0]
    grid = rng.choice(village_grids) if level == "grid" or rng.random() < 0.5 else None
    if level == "grid":
        staff = world.worker_of(grid, day)
        lead = staff
    elif level == "village":
        staff = world.village_staff[village.code]
        lead = rng.choice(world.mediators[township_code])
    else:
        staff = world.township_staff[township_code]
        lead = rng.choice(world.mediators[township_code])
    holder = {}
    # Late evening registrations wait for the morning: the clear list's disputes.
    # (A grid's registrations stay within the day: its worker may leave the grid overnight.)
    hour = rng.choice([9, 10, 14, 16] if level == "grid" else [9, 10, 14, 16, 23])
    due_in = rng.randint(2, 9)

    def register():
        holder["d"] = disputes.dispute_register(
            actor=staff,
            kind=rng.choice(["neighbour", "family", "debt", "land"]),
            channel=rng.choice(["walk_in", "hotline", "grid"]),
            description="因宅基地界线发生争执",
            people_involved=rng.choice([2, 2, 3, 4]),
            village=village,
            level=level,
            grid=grid,
            parties=PARTIES,
        )
        Dispute.objects.filter(pk=holder["d"].pk).update(due_on=day + timedelta(days=due_in))

    def act(function, actor, **kwargs):
        def step():
            holder["d"].refresh_from_db()
            function(actor=actor, dispute=holder["d"], **kwargs)

        return step

    accept_delay = timedelta(hours=10) if hour == 23 else timedelta(minutes=rng.randint(5, 90))
    steps = [
        (timedelta(0), register),
        (accept_delay, act(disputes.dispute_accept, staff)),
        (timedelta(minutes=20), act(disputes.dispute_assign, staff, lead=lead)),
        (timedelta(hours=1), act(disputes.dispute_start_mediation, lead, route="peoples")),
    ]
    fate = rng.random()
    if fate < 0.12 and level != "township":
        # Beyond this level: up to the next, where the township (or village) takes it on.
        above_staff = (
            world.village_staff[village.code]
            if level == "grid"
            else world.township_staff[township_code]
        )
        mediator = rng.choice(world.mediators[township_code])
        steps += [
            (timedelta(days=1), act(disputes.dispute_escalate, lead, reason="本级无法化解")),
            (timedelta(hours=2), act(disputes.dispute_accept, above_staff)),
            (timedelta(minutes=10), act(disputes.dispute_assign, above_staff, lead=mediator)),
            (timedelta(hours=1), act(disputes.dispute_start_mediation, mediator, route="peoples")),
            (
                timedelta(days=rng.randint(1, 6)),
                act(
                    disputes.dispute_resolve,
                    mediator,
                    outcome="agreement",
                    agreement="双方达成协议",
                ),
            ),
        ]
        mediated = True
    elif fate < 0.6:
        steps.append(
            (
                timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 5)),
                act(disputes.dispute_resolve, lead, outcome="agreement", agreement="双方和解"),
            )
        )
        mediated = True
    elif fate < 0.85:
        # Terminated: withdrawn, referred to the court, or no agreement.
        ending = {"outcome": next(world.endings)}
        if ending["outcome"] == "referred":
            ending.update(
                referral_kind="court",
                referral_body="潞城区人民法院",
                referral_case_number=f"（2026）晋0406民初{rng.randint(1, 999)}号",
            )
        steps.append(
            (
                timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 5)),
                act(disputes.dispute_terminate, lead, reason="调解终止", **ending),
            )
        )
        mediated = False
    else:
        mediated = False  # still open at the end
    if mediated and rng.random() < 0.7:
        steps.append(
            (
                timedelta(days=rng.randint(1, 3)),
                act(
                    disputes.dispute_revisit,
                    world.revisitor,
                    # A dissatisfied revisit now and then: the dispute goes back to work.
                    satisfaction=rng.choice([2, 3, 4, 5, 5]),
                    fulfilment="carried_out",
                ),
            )
        )
    world.chain(moment(day, hour, rng.randint(0, 50)), steps, DISPUTES)


def _plan_petition(world: World, rng: random.Random, township_code: str, day: date) -> None:
    staff = world.township_staff[township_code]
    village = rng.choice([v for v in world.villages if v.code.startswith(township_code)])
    holder = {}
    late = rng.random() < 0.3

    def register():
        holder["p"] = petitions.petition_register(
            actor=staff,
            channel="letter",
            subject="反映村道路灯不亮",
            content="村道路灯已坏，夜间出行不便。",
            area=village,
            level="township",
            petitioners=[{"name": "王某"}],
            received_on=day,
        )

    def act(function, **kwargs):
        def step():
            holder["p"].refresh_from_db()
            function(actor=staff, petition=holder["p"], **kwargs)

        return step

    steps = [(timedelta(0), register)]
    accepted_on = day + timedelta(days=1)

    def accepted():
        act(petitions.petition_accept)()
        Petition.objects.filter(pk=holder["p"].pk).update(
            decided_on=accepted_on,
            conclusion_due=accepted_on + timedelta(days=2 if late else 60),
        )

    replied_on = accepted_on + timedelta(days=rng.randint(1, 5))

    def replied():
        act(petitions.petition_reply, reply="已修复路灯，特此答复。")()
        Petition.objects.filter(pk=holder["p"].pk).update(
            replied_on=replied_on, review_request_due=replied_on + timedelta(days=30)
        )

    steps += [
        (timedelta(days=1), accepted),
        (timedelta(minutes=30), act(petitions.petition_assign, person=staff)),
        (timedelta(hours=2), act(petitions.petition_handle, opinion="已协调供电所修复")),
    ]
    reply_at = moment(replied_on, 15)
    world.chain(moment(day, 11), steps, PETITIONS)
    world.schedule(reply_at, lambda: _at_and(reply_at, replied, holder))


def _at_and(when: datetime, action, holder) -> None:
    if "p" not in holder:
        return
    holder["p"].refresh_from_db()
    if holder["p"].status != "handled":
        return
    with at(when, PETITIONS):
        action()

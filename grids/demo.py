"""Grids and a full "1+1+N" team for the demo village 店上村. Demo use only."""

import uuid
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from governance.demo import (
    DEMO_PASSWORD,
    DEMO_VILLAGE,
    DemoPerson,
    demo_clock,
    demo_moment,
    demo_month,
)
from governance.models import Area, Role
from governance.services import membership_grant
from grids.models import (
    FindingCategory,
    FindingStatus,
    Grid,
    GridKind,
    GridRole,
    Patrol,
    Severity,
)
from grids.services import (
    finding_handle,
    finding_log,
    grid_assign,
    grid_create,
    patrol_end,
    patrol_start,
    zero_report_file,
)

DEMO_GRIDS = [
    ("140406100200-01", "店上村第一网格", GridKind.RURAL, 196, 612),
    ("140406100200-02", "店上村第二网格", GridKind.RURAL, 204, 655),
    ("140406100200-03", "店上小学专属网格", GridKind.DEDICATED, 0, 430),
]

# Beyond the one-per-role people of governance.demo: an assistant and a second grid worker.
DEMO_GRID_PEOPLE = [
    DemoPerson("grid_assistant", "孙协管", Role.GRID_WORKER, DEMO_VILLAGE),
    DemoPerson("grid_worker2", "钱网格", Role.GRID_WORKER, DEMO_VILLAGE),
]

# (sign-in name, team role, grid codes)
DEMO_TEAMS = [
    ("grid_chief", GridRole.CHIEF, ["-01", "-02", "-03"]),
    ("grid_worker", GridRole.WORKER, ["-01", "-02"]),
    ("grid_worker2", GridRole.WORKER, ["-03"]),
    ("grid_assistant", GridRole.ASSISTANT, ["-01", "-02", "-03"]),
    ("police_liaison", GridRole.POLICE, ["-01", "-02", "-03"]),
]


def _create_grid(village, code, name, kind, households, population):
    return grid_create(
        actor=None,
        village=village,
        code=code,
        name=name,
        kind=kind,
        households=households,
        population=population,
    )


def seed_demo_grids() -> list[DemoPerson]:
    """Create the demo grids and teams; safe to run again. Returns the extra demo people."""
    village = Area.objects.get(code=DEMO_VILLAGE)
    user_model = get_user_model()
    with transaction.atomic():
        for person in DEMO_GRID_PEOPLE:
            user, _created = user_model.objects.get_or_create(username=person.username)
            user.first_name = person.full_name
            user.set_password(DEMO_PASSWORD)
            user.save()
            membership_grant(actor=None, user=user, area=village, role=person.role)
        grids = {}
        # The grids are drawn before the demo month begins: the rollups count a grid from the
        # day it was created, and the month's patrols must count.
        drawn = demo_moment(demo_month()[0] - timedelta(days=1), 8)
        for code, name, kind, households, population in DEMO_GRIDS:
            grid = Grid.objects.filter(code=code).first()
            if grid is None:
                with demo_clock(drawn):
                    grid = _create_grid(village, code, name, kind, households, population)
            grids[code[-3:]] = grid
        start = date(2026, 1, 1)
        for username, role, suffixes in DEMO_TEAMS:
            person = user_model.objects.get(username=username)
            for suffix in suffixes:
                grid_assign(
                    actor=None, grid=grids[suffix], person=person, role=role, starts_on=start
                )
    return DEMO_GRID_PEOPLE


# --- The demo month: patrols and findings (governance.demo.seed_demo_activity) --------------
# Rates as the benchmark's generated load has them (bench/loadgen/grids.py): about three
# patrols per grid a day ("一日三巡"), about 0.4 findings per grid a day.
PATROLS_PER_DAY = [(3, 0.86), (4, 0.03), (2, 0.07), (1, 0.02), (0, 0.02)]
FINDINGS_PER_DAY = [(0, 0.670), (1, 0.268), (2, 0.054), (3, 0.008)]
ROUND_HOURS = [8, 13, 19]
DEMO_CATEGORIES = [
    (FindingCategory.SAFETY_HAZARD, 0.18),
    (FindingCategory.DISPUTE, 0.14),
    (FindingCategory.PUBLIC_ORDER, 0.10),
    (FindingCategory.FIRE, 0.06),
    (FindingCategory.ENVIRONMENT, 0.14),
    (FindingCategory.HOUSEHOLD_VISIT, 0.22),
    (FindingCategory.SPECIAL_CARE_VISIT, 0.10),
    (FindingCategory.OTHER, 0.06),
]
DEMO_SEVERITIES = [(Severity.LOW, 0.70), (Severity.MEDIUM, 0.25), (Severity.HIGH, 0.05)]
# A visit is recorded, not handed up; the rest are handled on the spot, handed up or left
# open for later that day.
VISITS = {FindingCategory.HOUSEHOLD_VISIT, FindingCategory.SPECIAL_CARE_VISIT}
OUTCOMES = [
    (FindingStatus.HANDLED, 0.55),
    (FindingStatus.HANDED_UP, 0.33),
    (FindingStatus.OPEN, 0.12),
]
DEMO_DESCRIPTIONS = {
    FindingCategory.SAFETY_HAZARD: [
        "村口电线杆倾斜",
        "危房墙体开裂",
        "河道护栏缺失",
        "煤气罐露天堆放",
    ],
    FindingCategory.DISPUTE: [
        "邻里因宅基地边界争吵",
        "家庭赡养纠纷",
        "承包地界线争议",
        "工钱拖欠引发争执",
    ],
    FindingCategory.PUBLIC_ORDER: ["夜间有人聚集喧哗", "外来人员可疑滞留", "道路乱停车堵塞"],
    FindingCategory.FIRE: ["柴草堆靠近民房", "楼道堆放杂物", "私拉电线充电"],
    FindingCategory.ENVIRONMENT: ["垃圾未及时清运", "污水外溢", "秸秆焚烧"],
    FindingCategory.HOUSEHOLD_VISIT: ["入户走访，情况正常", "走访独居老人", "走访新迁入住户"],
    FindingCategory.SPECIAL_CARE_VISIT: [
        "走访社区矫正对象",
        "走访精神障碍患者家庭",
        "走访留守儿童",
    ],
    FindingCategory.OTHER: ["群众反映路灯损坏", "反映自来水停供"],
}
ACTIONS_TAKEN = ["现场劝导，已解决", "已联系村委处理", "已督促整改", "已登记并回访"]


def pick(rng, table):
    x = rng.random()
    for value, weight in table:
        x -= weight
        if x < 0:
            return value
    return table[-1][0]


def demo_grid_workers() -> list[tuple[Grid, object]]:
    """Each demo grid with its worker, in the order of DEMO_GRIDS."""
    user_model = get_user_model()
    pairs = []
    for username, role, suffixes in DEMO_TEAMS:
        if role != GridRole.WORKER:
            continue
        worker = user_model.objects.get(username=username)
        for suffix in suffixes:
            pairs.append((Grid.objects.get(code=f"{DEMO_VILLAGE}{suffix}"), worker))
    return pairs


def make_demo_patrols(days: list[date], rng) -> int:
    """A month of patrols, findings and zero reports on the demo grids, through the services;
    nothing when the demo grids were patrolled before the month's end already."""
    pairs = demo_grid_workers()
    grids = [grid for grid, _worker in pairs]
    if Patrol.objects.filter(grid__in=grids, started_at__date__lte=days[-1]).exists():
        return 0
    made = 0
    for day in days:
        with transaction.atomic():
            made += _demo_day(day, pairs, rng, last=day == days[-1])
    return made


def _demo_day(day: date, pairs, rng, *, last: bool) -> int:
    made = 0
    left_open = []
    for index, (grid, worker) in enumerate(pairs):
        patrols = pick(rng, PATROLS_PER_DAY)
        findings = pick(rng, FINDINGS_PER_DAY)
        moments = []
        for n in range(patrols):
            hour = ROUND_HOURS[n % len(ROUND_HOURS)] + (n // len(ROUND_HOURS))
            start = demo_moment(day, hour) + timedelta(minutes=10 + 25 * index + rng.randrange(5))
            with demo_clock(start):
                patrol = patrol_start(actor=worker, grid=grid)
            with demo_clock(start + timedelta(minutes=20)):
                patrol_end(actor=worker, patrol=patrol)
            moments.append(start + timedelta(minutes=10))
            made += 1
        for n in range(findings):
            category = pick(rng, DEMO_CATEGORIES)
            status = FindingStatus.HANDLED if category in VISITS else pick(rng, OUTCOMES)
            if category == FindingCategory.DISPUTE and status == FindingStatus.HANDLED:
                status = FindingStatus.HANDED_UP
            found_at = moments[n % len(moments)] if moments else demo_moment(day, 10)
            with demo_clock(found_at):
                finding, _created = finding_log(
                    actor=worker,
                    grid=grid,
                    client_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    category=category,
                    severity=pick(rng, DEMO_SEVERITIES),
                    description=rng.choice(DEMO_DESCRIPTIONS[category]),
                    status=status,
                    action_taken=rng.choice(ACTIONS_TAKEN)
                    if status == FindingStatus.HANDLED
                    else "",
                    found_at=found_at,
                )
            if status == FindingStatus.OPEN:
                left_open.append((finding, worker))
        if not findings and rng.random() < ZERO_REPORT_SHARE:
            with demo_clock(demo_moment(day, 20)):
                zero_report_file(actor=worker, grid=grid, day=day)
    # 日清日结: what was left open is handled that evening, except on the last day, whose
    # open findings wait on the worker's phone.
    if not last:
        for finding, worker in left_open:
            with demo_clock(demo_moment(day, 21)):
                finding_handle(actor=worker, finding=finding, action_taken=ACTIONS_TAKEN[0])
    return made


ZERO_REPORT_SHARE = 0.93

"""The demo slice: one person per role in 潞城区 → 店上镇 → 店上村. Demo use only."""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from governance.models import Area, Role
from governance.services import membership_grant

DEMO_PASSWORD = "Pingan-2026-demo"
DEMO_CITY = "1404"  # 长治市
DEMO_COUNTY = "140406"  # 潞城区
DEMO_TOWNSHIP = "140406100"  # 店上镇
DEMO_VILLAGE = "140406100200"  # 店上村村委会


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role: str
    area_code: str


DEMO_PEOPLE = [
    DemoPerson("grid_worker", "李网格", Role.GRID_WORKER, DEMO_VILLAGE),
    DemoPerson("grid_chief", "王格长", Role.GRID_CHIEF, DEMO_VILLAGE),
    DemoPerson("village_staff", "赵村委", Role.VILLAGE_STAFF, DEMO_VILLAGE),
    DemoPerson("police_liaison", "张民警", Role.POLICE_LIAISON, DEMO_VILLAGE),
    DemoPerson("township_staff", "刘综治", Role.TOWNSHIP_STAFF, DEMO_TOWNSHIP),
    DemoPerson("mediator", "陈调解", Role.MEDIATOR, DEMO_TOWNSHIP),
    DemoPerson("department_liaison", "杨部门", Role.DEPARTMENT_LIAISON, DEMO_COUNTY),
    DemoPerson("county_official", "黄区委", Role.COUNTY_OFFICIAL, DEMO_COUNTY),
    DemoPerson("city_official", "周市委", Role.CITY_OFFICIAL, DEMO_CITY),
    DemoPerson("admin", "吴管理", Role.ADMINISTRATOR, DEMO_COUNTY),
    # 回访员: revisits the disputes of the county, independent of those who handled them.
    DemoPerson("revisitor", "孙回访", Role.REVISITOR, DEMO_COUNTY),
]


class DemoAreasMissing(Exception):
    pass


# Other apps add their demo data here from their AppConfig.ready(): each function takes no
# argument, is safe to run again, and returns the extra demo people it made.
DEMO_EXTENSIONS: list = []


def seed_demo_people() -> list[DemoPerson]:
    """Create (or reset) the demo people and their memberships; safe to run again."""
    codes = {person.area_code for person in DEMO_PEOPLE}
    areas = {area.code: area for area in Area.objects.filter(code__in=codes)}
    missing = sorted(codes - areas.keys())
    if missing:
        raise DemoAreasMissing(", ".join(missing))
    user_model = get_user_model()
    with transaction.atomic():
        for person in DEMO_PEOPLE:
            user, _created = user_model.objects.get_or_create(username=person.username)
            user.first_name = person.full_name
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            membership_grant(actor=None, user=user, area=areas[person.area_code], role=person.role)
        people = list(DEMO_PEOPLE)
        for extension in DEMO_EXTENSIONS:
            people.extend(extension())
    return people


# --- A month of activity ------------------------------------------------------------------
#
# A newcomer's first look should be a working portal, not empty pages. So the demo also
# replays the last DEMO_MONTH_DAYS days of the demo county's work (patrols, findings,
# incidents, disputes, petitions) through the services, day by day with the clock set to the
# moment each step happens, so that events, notifications and lights are the ones real use
# would leave; then rolls the days, weeks and months up. Each app registers the part it owns
# in its AppConfig.ready(); a part does nothing when its cases are already there, so seeding
# twice adds nothing.

DEMO_MONTH_DAYS = 30


@dataclass(frozen=True)
class DemoActivity:
    name: str
    # make(days, rng) -> how many cases (or patrols) it made; 0 when they already exist.
    make: Callable[[list[date], random.Random], int]
    order: int


DEMO_ACTIVITY: list[DemoActivity] = []


def register_demo_activity(name: str, make: Callable, *, order: int) -> None:
    if any(activity.name == name for activity in DEMO_ACTIVITY):
        return
    DEMO_ACTIVITY.append(DemoActivity(name, make, order))
    DEMO_ACTIVITY.sort(key=lambda activity: activity.order)


@contextmanager
def demo_clock(moment: datetime) -> Iterator[None]:
    """The services read the time from `timezone.now()` (and `localdate()` from it): set it to
    `moment` while one step of the demo month is taken."""
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield


def demo_moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def demo_month(today: date | None = None) -> list[date]:
    """The days the demo replays: the DEMO_MONTH_DAYS days that ended before today."""
    today = today or timezone.localdate()
    return [today - timedelta(days=n) for n in range(DEMO_MONTH_DAYS, 0, -1)]


def seed_demo_activity(today: date | None = None) -> dict[str, int]:
    """Replay the demo month (each app's part, in order), then roll it up."""
    days = demo_month(today)
    made = {}
    for activity in DEMO_ACTIVITY:
        made[activity.name] = activity.make(days, random.Random(f"demo:{activity.name}"))
    made["rollups"] = roll_up_demo_month(days, today=today)
    return made


def roll_up_demo_month(days: list[date], *, today: date | None = None) -> int:
    """Run the daily clear for each day of `days`, the weekly review for each week and the
    monthly assessment for each month that has ended, skipping the periods already done (a
    second seeding runs nothing). Returns how many jobs ran."""
    from governance.rollups.engine import month_bounds, run_daily, run_monthly, run_weekly
    from governance.rollups.models import JobRun

    today = today or timezone.localdate()
    done = set(JobRun.objects.filter(outcome=JobRun.Outcome.DONE).values_list("job", "period"))
    jobs = [("daily", day.isoformat(), run_daily, day) for day in days]
    monday = days[0] - timedelta(days=days[0].weekday())
    while monday + timedelta(days=6) < today:
        jobs.append(("weekly", monday.isoformat(), run_weekly, monday))
        monday += timedelta(days=7)
    month = days[0].replace(day=1)
    while month_bounds(month)[1] < today:
        jobs.append(("monthly", f"{month:%Y-%m}", run_monthly, month))
        month = month_bounds(month)[1] + timedelta(days=1)
    ran = 0
    for job, period, run, argument in jobs:
        if (job, period) not in done:
            run(argument)
            ran += 1
    return ran

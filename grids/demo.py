"""Grids and a full "1+1+N" team for the demo village 店上村. Demo use only."""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from governance.demo import DEMO_PASSWORD, DEMO_VILLAGE, DemoPerson
from governance.models import Area, Role
from governance.services import membership_grant
from grids.models import Grid, GridKind, GridRole
from grids.services import grid_assign, grid_create

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
        for code, name, kind, households, population in DEMO_GRIDS:
            grid = Grid.objects.filter(code=code).first() or grid_create(
                actor=None,
                village=village,
                code=code,
                name=name,
                kind=kind,
                households=households,
                population=population,
            )
            grids[code[-3:]] = grid
        start = date(2026, 1, 1)
        for username, role, suffixes in DEMO_TEAMS:
            person = user_model.objects.get(username=username)
            for suffix in suffixes:
                grid_assign(
                    actor=None, grid=grids[suffix], person=person, role=role, starts_on=start
                )
    return DEMO_GRID_PEOPLE

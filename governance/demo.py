"""The demo slice: one person per role in 潞城区 → 店上镇 → 店上村. Demo use only."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

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

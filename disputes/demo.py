"""Departments for the demo township and county, so disputes can be assigned and summoned."""

from django.contrib.auth import get_user_model
from django.db import transaction

from governance.demo import DEMO_COUNTY, DEMO_TOWNSHIP
from governance.models import Area, Department

DEMO_DEPARTMENTS = [
    (DEMO_TOWNSHIP, "店上镇司法所", ["mediator"]),
    (DEMO_TOWNSHIP, "店上派出所", ["police_liaison"]),
    (DEMO_TOWNSHIP, "店上镇自然资源所", []),
    (DEMO_COUNTY, "潞城区人力资源和社会保障局", ["department_liaison"]),
    (DEMO_COUNTY, "潞城区住房和城乡建设局", ["department_liaison"]),
]


def seed_demo_departments() -> list:
    user_model = get_user_model()
    with transaction.atomic():
        for area_code, name, liaisons in DEMO_DEPARTMENTS:
            department, _created = Department.objects.get_or_create(
                area=Area.objects.get(code=area_code), name=name
            )
            department.liaisons.add(*user_model.objects.filter(username__in=liaisons))
    return []

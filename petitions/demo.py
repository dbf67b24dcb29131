"""The heads who approve a petition's extension in the demo: the 店上镇 centre's head, and the
head of a county department that petitions are sent to. Demo use only."""

from django.contrib.auth import get_user_model
from django.db import transaction

from governance.demo import DEMO_COUNTY, DEMO_PASSWORD, DEMO_TOWNSHIP, DemoPerson
from governance.models import Area, Department, Role
from governance.services import membership_grant

DEMO_HEAD_PEOPLE = [
    DemoPerson("township_head", "孟主任", Role.TOWNSHIP_STAFF, DEMO_TOWNSHIP),
    DemoPerson("department_head", "冯局长", Role.DEPARTMENT_LIAISON, DEMO_COUNTY),
]
# The department `department_head` heads (seeded by disputes.demo, made here if missing).
DEMO_HEADED_DEPARTMENT = "潞城区住房和城乡建设局"


def seed_demo_heads() -> list[DemoPerson]:
    """Create the demo heads; safe to run again. Returns the extra demo people."""
    user_model = get_user_model()
    with transaction.atomic():
        users = {}
        for person in DEMO_HEAD_PEOPLE:
            user, _created = user_model.objects.get_or_create(username=person.username)
            user.first_name = person.full_name
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            area = Area.objects.get(code=person.area_code)
            membership_grant(
                actor=None,
                user=user,
                area=area,
                role=person.role,
                is_head=person.username == "township_head",
            )
            users[person.username] = user
        department, _created = Department.objects.get_or_create(
            area=Area.objects.get(code=DEMO_COUNTY), name=DEMO_HEADED_DEPARTMENT
        )
        department.liaisons.add(users["department_head"])
        department.head = users["department_head"]
        department.save(update_fields=["head"])
    return list(DEMO_HEAD_PEOPLE)

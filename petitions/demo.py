"""The heads who approve a petition's extension in the demo: the 店上镇 centre's head, and the
head of a county department that petitions are sent to. Demo use only."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from disputes.demo import demo_name
from governance.demo import (
    DEMO_COUNTY,
    DEMO_PASSWORD,
    DEMO_TOWNSHIP,
    DemoPerson,
    demo_clock,
    demo_moment,
)
from governance.models import Area, Department, Role
from governance.services import membership_grant
from grids.demo import pick
from petitions.models import Petition, PetitionChannel, PetitionLevel
from petitions.services import (
    petition_accept,
    petition_assign,
    petition_handle,
    petition_register,
    petition_reply,
    petition_send_to_department,
)

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


# --- The demo month: petitions (governance.demo.seed_demo_activity) --------------------------
# About two hundred petitions a year reach a township centre (the benchmark's thirty thousand
# a year over 149 townships): one every two days or so.
PETITIONS_PER_DAY = [(0, 0.6), (1, 0.35), (2, 0.05)]
DEMO_CHANNELS = [
    (PetitionChannel.VISIT, 0.45),
    (PetitionChannel.LETTER, 0.2),
    (PetitionChannel.PHONE, 0.2),
    (PetitionChannel.ONLINE, 0.15),
]
DEMO_SUBJECTS = [
    ("反映村道硬化质量问题", "村道硬化后不到一年出现大面积开裂，请求有关部门查处。"),
    ("反映低保评定不公", "认为本村低保评定程序不公开，请求复核。"),
    ("反映房屋漏雨维修问题", "易地搬迁安置房屋漏雨，多次反映未解决。"),
    ("反映土地流转款未兑现", "土地流转款至今未发放，请求督促兑现。"),
    ("反映噪声扰民", "附近加工厂夜间生产噪声扰民。"),
]
# Sent to the county department (转送), else handled by the township centre itself.
SENT_TO_DEPARTMENT = 0.3


def make_demo_petitions(days: list[date], rng) -> int:
    """A month of the demo township's petitions, through the services: registered at the
    township centre, accepted within days, handled by its staff or sent to a county
    department, answered; the later ones are still open at the month's end."""
    township = Area.objects.get(code=DEMO_TOWNSHIP)
    villages = list(Area.objects.filter(parent=township).order_by("code"))
    if Petition.objects.filter(registering_unit=township, received_on__lte=days[-1]).exists():
        return 0
    user_model = get_user_model()
    staff = user_model.objects.get(username="township_staff")
    department = Department.objects.get(name=DEMO_HEADED_DEPARTMENT)
    agenda: dict[date, list] = {}
    made = 0
    for day in days:
        with transaction.atomic():
            for step in agenda.pop(day, []):
                step(day)
            for n in range(pick(rng, PETITIONS_PER_DAY)):
                subject, content = rng.choice(DEMO_SUBJECTS)
                with demo_clock(demo_moment(day, 10 + n, 30)):
                    petition = petition_register(
                        actor=staff,
                        channel=pick(rng, DEMO_CHANNELS),
                        subject=subject,
                        content=content,
                        area=rng.choice(villages),
                        level=PetitionLevel.TOWNSHIP,
                        petitioners=[{"name": demo_name(rng)}],
                    )
                _plan(petition, day, agenda, rng, staff, department)
                made += 1
    return made


def _plan(petition, day, agenda, rng, staff, department) -> None:
    accept_on = day + timedelta(days=rng.randint(1, 6))
    handle_on = accept_on + timedelta(days=rng.randint(3, 15))
    reply_on = handle_on + timedelta(days=rng.randint(1, 3))
    sent = rng.random() < SENT_TO_DEPARTMENT

    def accept(on):
        with demo_clock(demo_moment(on, 9)):
            petition_accept(actor=staff, petition=petition)
            if sent:
                petition_send_to_department(
                    actor=staff, petition=petition, department=department, note="请依职责办理"
                )
            else:
                petition_assign(actor=staff, petition=petition, person=staff)

    def handle(on):
        with demo_clock(demo_moment(on, 15)):
            petition_handle(actor=staff, petition=petition, opinion="经调查核实，已责成整改")

    def reply(on):
        with demo_clock(demo_moment(on, 16)):
            petition_reply(actor=staff, petition=petition, reply="您反映的问题已处理，特此答复")

    agenda.setdefault(accept_on, []).append(accept)
    # A petition sent to the department waits there: its handling is the department's work.
    if not sent:
        agenda.setdefault(handle_on, []).append(handle)
        agenda.setdefault(reply_on, []).append(reply)

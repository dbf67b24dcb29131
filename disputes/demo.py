"""Departments for the demo township and county, so disputes can be assigned and summoned;
and the demo month's disputes. Demo use only."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from disputes.models import Channel, Dispute, DisputeKind, Level, Outcome, Route, Side
from disputes.services import (
    dispute_accept,
    dispute_assign,
    dispute_record_session,
    dispute_register,
    dispute_resolve,
    dispute_start_mediation,
    dispute_summon,
    dispute_terminate,
    summons_acknowledge,
    summons_report,
)
from governance.demo import (
    DEMO_COUNTY,
    DEMO_TOWNSHIP,
    DEMO_VILLAGE,
    demo_clock,
    demo_moment,
)
from governance.models import Area, Department
from grids.demo import pick
from grids.models import Finding, FindingCategory, FindingStatus

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


# --- The demo month: disputes (governance.demo.seed_demo_activity) ---------------------------
# A township of Changzhi sees about 670 disputes a year (the benchmark's hundred thousand a
# year over 149 townships): about 1.8 a day, most walking in at the township centre, the rest
# handed up by the grids of the demo village.
WALK_INS_PER_DAY = [(0, 0.25), (1, 0.35), (2, 0.25), (3, 0.15)]
WALK_IN_CHANNELS = [
    (Channel.WALK_IN, 0.45),
    (Channel.HOTLINE, 0.2),
    (Channel.POLICE, 0.15),
    (Channel.DEPARTMENT, 0.1),
    (Channel.ONLINE, 0.1),
]
DEMO_KINDS = [
    (DisputeKind.NEIGHBOUR, 0.3),
    (DisputeKind.FAMILY, 0.2),
    (DisputeKind.DEBT, 0.15),
    (DisputeKind.LAND, 0.15),
    (DisputeKind.LABOUR, 0.1),
    (DisputeKind.PROPERTY, 0.1),
]
DEMO_DISPUTE_TEXT = {
    DisputeKind.NEIGHBOUR: "两户因排水沟堵塞发生争执",
    DisputeKind.FAMILY: "子女对老人赡养费分担有争议",
    DisputeKind.DEBT: "借款到期未还引发纠纷",
    DisputeKind.LAND: "承包地边界界桩移位",
    DisputeKind.LABOUR: "务工人员工资被拖欠",
    DisputeKind.PROPERTY: "小区物业费与维修责任争议",
    DisputeKind.OTHER: "其他纠纷",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
# What becomes of a dispute, and in how many days from its registration.
ENDS = [("resolve", 0.72), ("terminate", 0.1), ("stalls", 0.18)]
SUMMONED = 0.2


def demo_name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _parties(rng) -> list[dict]:
    return [
        {"side": Side.APPLICANT, "name": demo_name(rng)},
        {"side": Side.RESPONDENT, "name": demo_name(rng)},
    ]


def make_demo_disputes(days: list[date], rng) -> int:
    """A month of the demo township's disputes, through the services: registered (walking in
    at the township, or from a grid's handed-up finding at the village), accepted, assigned
    (to the mediator, the township's staff, the village's staff), mediated, summoning a county
    department now and then, and ended, or still open at the month's end as real work is;
    nothing when the demo township already has disputes from before the month's end."""
    township = Area.objects.get(code=DEMO_TOWNSHIP)
    villages = list(Area.objects.filter(parent=township).order_by("code"))
    if Dispute.objects.filter(village__in=villages, registered_at__date__lte=days[-1]).exists():
        return 0
    people = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ACTORS)}
    summoned = Department.objects.get(name=SUMMONED_DEPARTMENT)
    findings = {
        day: list(
            Finding.objects.filter(
                grid__village__code=DEMO_VILLAGE,
                category=FindingCategory.DISPUTE,
                status=FindingStatus.HANDED_UP,
                found_at__date=day,
            ).select_related("grid", "grid__village")
        )
        for day in days
    }
    agenda: dict[date, list] = {}
    made = 0
    for day in days:
        with transaction.atomic():
            for step in agenda.pop(day, []):
                step(day)
            for finding in findings.get(day - timedelta(days=1), []):
                with demo_clock(demo_moment(day, 9, 30)):
                    dispute = dispute_register(
                        actor=people["village_staff"],
                        kind=pick(rng, DEMO_KINDS),
                        channel=Channel.GRID,
                        description=finding.description,
                        people_involved=2,
                        village=finding.grid.village,
                        level=Level.VILLAGE,
                        parties=_parties(rng),
                        grid=finding.grid,
                        source_finding=finding,
                    )
                _plan(dispute, day, days, agenda, rng, people, people["village_staff"], summoned)
                made += 1
            for n in range(pick(rng, WALK_INS_PER_DAY)):
                kind = pick(rng, DEMO_KINDS)
                with demo_clock(demo_moment(day, 9 + 2 * n, 15)):
                    dispute = dispute_register(
                        actor=people["township_staff"],
                        kind=kind,
                        channel=pick(rng, WALK_IN_CHANNELS),
                        description=DEMO_DISPUTE_TEXT[kind],
                        people_involved=rng.choice([2, 2, 2, 3, 4, 6]),
                        village=rng.choice(villages),
                        level=Level.TOWNSHIP,
                        parties=_parties(rng),
                    )
                _plan(dispute, day, days, agenda, rng, people, people["township_staff"], summoned)
                made += 1
            # The steps planned for the day of registration itself.
            for step in agenda.pop(day, []):
                step(day)
    return made


DEMO_ACTORS = ["village_staff", "township_staff", "mediator", "department_liaison"]
SUMMONED_DEPARTMENT = "潞城区住房和城乡建设局"


def _plan(dispute, day, days, agenda, rng, people, staff, summoned) -> None:
    """Accept the dispute now and put its next steps on the agenda of later days; the steps
    that fall after the month are simply not taken: that is the work still open."""
    with demo_clock(demo_moment(day, 11)):
        dispute_accept(actor=staff, dispute=dispute)
    if dispute.level == Level.TOWNSHIP:
        handler = people["mediator"] if rng.random() < 0.65 else staff
    else:
        handler = staff
    end = pick(rng, ENDS)
    assign_on = day + timedelta(days=rng.choice([0, 1, 1, 2]))
    session_on = assign_on + timedelta(days=rng.randint(1, 6))
    end_on = session_on + timedelta(days=rng.randint(1, 14))
    summon = dispute.level == Level.TOWNSHIP and rng.random() < SUMMONED
    # The department reports while the dispute is still being worked.
    report_on = min(assign_on + timedelta(days=rng.randint(1, 8)), end_on - timedelta(days=1))

    def assign(on):
        with demo_clock(demo_moment(on, 14)):
            dispute_assign(actor=staff, dispute=dispute, lead=handler)
        if summon:
            with demo_clock(demo_moment(on, 14, 30)):
                dispute_summon(
                    actor=staff,
                    dispute=dispute,
                    departments=[summoned],
                    due_on=on + timedelta(days=7),
                    note="请派员到场，共同化解",
                )

    def session(on):
        with demo_clock(demo_moment(on, 10)):
            dispute_start_mediation(actor=handler, dispute=dispute, route=Route.PEOPLES)
            dispute_record_session(
                actor=handler,
                dispute=dispute,
                held_on=on,
                participants="双方当事人、调解员",
                agreed="双方同意再协商",
            )

    def finish(on):
        with demo_clock(demo_moment(on, 16)):
            if end == "resolve":
                dispute_resolve(
                    actor=handler,
                    dispute=dispute,
                    outcome=rng.choice([Outcome.AGREEMENT, Outcome.ORAL_AGREEMENT]),
                    agreement="双方达成一致，按约履行",
                )
            else:
                dispute_terminate(
                    actor=handler,
                    dispute=dispute,
                    outcome=Outcome.WITHDRAWN,
                    reason="当事人撤回申请",
                )

    def report(on):
        liaison = people["department_liaison"]
        with demo_clock(demo_moment(on, 10)):
            summons_acknowledge(actor=liaison, dispute=dispute)
            summons_report(actor=liaison, dispute=dispute, report="已派员到场，提出处理意见")

    agenda.setdefault(assign_on, []).append(assign)
    agenda.setdefault(session_on, []).append(session)
    if end != "stalls":
        agenda.setdefault(end_on, []).append(finish)
    if summon and rng.random() < 0.7:
        agenda.setdefault(report_on, []).append(report)

"""Generated load, the incident side (see `bench.loadgen`): most findings a grid worker handed
up that are not disputes become incidents (事件), registered by the township's or the
village's staff, dispatched to the unit the county's matters list (事项清单) names, signed for
(mostly on time, some late, a few returned as not theirs and dispatched again), handled
(mostly within the list's working days), checked on the spot by the worker who found it
(most pass; a failed check sends it back for rework) and closed, each step an event row as
the services write it; the walk stops wherever the generated period ends, and a few are
never handled, so every status, and overdue incidents, are present. Runs after the grids
(`bench.loadgen.steps`), which note the handed-up findings.

Each county gets a matters list where it has none for a category (kept where it has), the
county departments the list names (kept where a department of that name exists) and a liaison
for each such department that has none.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import translation

from bench.loadgen import LoadContext, local_datetime, person_name
from governance.models import Department, Role
from governance.workdays import add_working_days
from grids.models import FindingCategory
from incidents.models import (
    INCIDENT_CATEGORIES,
    Incident,
    IncidentEvent,
    IncidentLevel,
    IncidentStatus,
    MatterRule,
    UnitKind,
)

S = IncidentStatus
HOUR = 3600
DAY = 86_400
SIGN_IN_WORKING_DAYS = 1  # as incidents.services dispatches

# The matters list a generated county gets: category → (unit, the county department's name
# after the county's, working days). Categories a county already lists keep their line.
RULES = {
    FindingCategory.SAFETY_HAZARD: (UnitKind.DEPARTMENT, "应急管理局", 3),
    FindingCategory.FIRE: (UnitKind.DEPARTMENT, "应急管理局", 2),
    FindingCategory.ENVIRONMENT: (UnitKind.DEPARTMENT, "生态环境分局", 5),
    FindingCategory.OTHER: (UnitKind.DEPARTMENT, "住房和城乡建设局", 5),
    FindingCategory.PUBLIC_ORDER: (UnitKind.TOWNSHIP, None, 3),
    FindingCategory.HOUSEHOLD_VISIT: (UnitKind.VILLAGE, None, 5),
    FindingCategory.SPECIAL_CARE_VISIT: (UnitKind.VILLAGE, None, 5),
}
# Shares of the walk.
BECOMES_INCIDENT = 0.92  # the rest of the handed-up findings wait on the workbench
TOWNSHIP_DISPATCHES = 0.7  # registered and dispatched by the township, else by the village
AGAINST_THE_LIST = 0.03  # dispatched to another unit than the list's, with a reason
RETURNED = 0.04  # the unit returns it as not theirs, within its sign-in clock
SIGNED_IN_LATE = 0.1
NEVER_HANDLED = 0.03  # signed for and left: overdue
HANDLED_LATE = 0.12
CHECK_FAILS = 0.1
REASON_ELSEWHERE = "经核实，由属地先行处置"
REASON_RETURN = "不属于本单位职责范围"
REASON_REWORK = "现场复核，问题仍未整改到位"
DONE = {
    FindingCategory.SAFETY_HAZARD: "已设置警示标志并完成加固",
    FindingCategory.FIRE: "已清理堆放物，消除火灾隐患",
    FindingCategory.ENVIRONMENT: "已清运垃圾，恢复环境卫生",
    FindingCategory.OTHER: "已安排维修，恢复正常使用",
    FindingCategory.PUBLIC_ORDER: "已到场劝导疏散，秩序恢复",
    FindingCategory.HOUSEHOLD_VISIT: "已上门走访，落实帮扶措施",
    FindingCategory.SPECIAL_CARE_VISIT: "已落实帮扶责任人，定期走访",
}


@lru_cache(maxsize=10_000)
def _working_days_after(start: date, count: int) -> date:
    return add_working_days(start, count)


@dataclass
class _Incident:
    pk: int
    category: str
    status: str = ""  # registration makes it new
    version: int = 1
    unit_kind: str = ""
    department: int | None = None
    dispatched_on: date | None = None
    sign_in_due: date | None = None
    close_due: date | None = None
    # Stamped as the services stamp them: the day of the sign-in since the latest dispatch;
    # the day of the passed check that closed it.
    signed_in_on: date | None = None
    closed_on: date | None = None
    what_was_done: str = ""
    rework_count: int = 0
    events: list = field(default_factory=list)


class _Walk:
    def __init__(self, ctx: LoadContext, rng, rules, liaisons, department_names, unit_labels):
        self.ctx, self.rng = ctx, rng
        self.first = ctx.first_day
        self.horizon = ((ctx.last_day - ctx.first_day).days + 1) * DAY - 1
        self.rules = rules  # {county id: {category: (unit kind, department id, days)}}
        self.liaisons = liaisons  # {department id: [person ids]}
        self.department_names = department_names
        self.unit_labels = unit_labels

    def day(self, t: int) -> date:
        return self.first + timedelta(days=t // DAY)

    def stamp(self, t: int) -> str:
        return local_datetime(self.day(t), t % DAY)

    def end_of(self, day: date) -> int:
        """The last second of `day`, in the walk's seconds."""
        return (day - self.first).days * DAY + DAY - 1

    def event(self, case, t, actor, kind, to_status=None, note="", details=None):
        before = case.status
        if to_status is not None:
            case.status = to_status
        if kind != "registered":  # registration creates the row at version 1
            case.version += 1
        case.events.append(
            (case.pk, actor, self.stamp(t), before, case.status, note, details or {}, kind)
        )

    def label(self, unit_kind, department) -> str:
        if unit_kind == UnitKind.DEPARTMENT:
            return self.department_names[department]
        return self.unit_labels[unit_kind]

    def unit_person(self, case, grid) -> int | None:
        village = grid.village
        if case.unit_kind == UnitKind.DEPARTMENT:
            return self.rng.choice(self.liaisons[case.department])
        if case.unit_kind == UnitKind.VILLAGE:
            return (self.ctx.village_staff.get(village.id) or [grid.chief_id])[0]
        return self.rng.choice(self.ctx.township_staff[village.township_id])

    def dispatch(self, case, t, actor, unit_kind, department, days, *, reason=""):
        case.unit_kind, case.department = unit_kind, department
        today = self.day(t)
        case.dispatched_on = today
        case.sign_in_due = _working_days_after(today, SIGN_IN_WORKING_DAYS)
        case.close_due = _working_days_after(today, days)
        case.signed_in_on = None  # a new dispatch awaits a new sign-in, as the service has it
        self.event(
            case,
            t,
            actor,
            "dispatch",
            S.DISPATCHED,
            reason,
            {
                "unit": self.label(unit_kind, department),
                "proposed": not reason,
                "close_due": case.close_due.isoformat(),
            },
        )

    def walk(self, case: _Incident, grid, t: int, dispatcher: int) -> None:
        """From registration at `t` on, as far as the period goes."""
        rng = self.rng
        village = grid.village
        unit_kind, department, days = self.rules[village.county_id][case.category]
        # Dispatched: mostly within hours of registration.
        t += (
            rng.randrange(HOUR // 2, 4 * HOUR)
            if rng.random() < 0.8
            else rng.randrange(4 * HOUR, 2 * DAY)
        )
        if t > self.horizon:
            return
        if rng.random() < AGAINST_THE_LIST:
            unit_kind, department = self._elsewhere(unit_kind)
            self.dispatch(case, t, dispatcher, unit_kind, department, days, reason=REASON_ELSEWHERE)
        else:
            self.dispatch(case, t, dispatcher, unit_kind, department, days)
        # Returned as not theirs, within the sign-in clock, then dispatched elsewhere.
        if rng.random() < RETURNED:
            t = min(t + rng.randrange(HOUR, 20 * HOUR), self.end_of(case.sign_in_due))
            if t > self.horizon:
                return
            label = self.label(case.unit_kind, case.department)
            self.event(
                case,
                t,
                self.unit_person(case, grid),
                "return",
                S.RETURNED,
                REASON_RETURN,
                {"unit": label},
            )
            case.unit_kind, case.department = "", None
            t += rng.randrange(HOUR, DAY)
            if t > self.horizon:
                return
            unit_kind, department = self._elsewhere(unit_kind)
            self.dispatch(case, t, dispatcher, unit_kind, department, days, reason=REASON_ELSEWHERE)
        # Signed for: mostly within the working day allowed.
        due = self.end_of(case.sign_in_due)
        if rng.random() < SIGNED_IN_LATE:
            t = due + rng.randrange(2 * HOUR, 3 * DAY)
        else:
            t += rng.randrange(HOUR // 4, max(HOUR // 2, min(20 * HOUR, due - t)))
        if t > self.horizon:
            return
        unit = self.unit_person(case, grid)
        case.signed_in_on = self.day(t)
        self.event(
            case,
            t,
            unit,
            "sign_in",
            S.SIGNED_IN,
            details={"unit": self.label(case.unit_kind, case.department)},
        )
        if rng.random() < NEVER_HANDLED:
            return
        late = rng.random() < HANDLED_LATE
        for rework in range(3):
            # Handled: mostly before the close due, a rework within days.
            due = self.end_of(case.close_due)
            if rework:
                t += rng.randrange(4 * HOUR, 3 * DAY)
            elif late:
                t = max(t, due) + rng.randrange(4 * HOUR, 5 * DAY)
            else:
                t += rng.randrange(2 * HOUR, max(3 * HOUR, due - t))
            if t > self.horizon:
                return
            case.what_was_done = DONE.get(case.category, "已处置完毕")
            self.event(case, t, unit, "handle", S.HANDLED, case.what_was_done)
            # Checked on the spot by the worker who found it.
            t += (
                rng.randrange(HOUR, 30 * HOUR)
                if rng.random() < 0.85
                else rng.randrange(DAY, 4 * DAY)
            )
            if t > self.horizon:
                return
            if rework < 2 and rng.random() < CHECK_FAILS:
                case.rework_count += 1
                self.event(
                    case,
                    t,
                    grid.worker_id,
                    "check_failed",
                    S.SIGNED_IN,
                    REASON_REWORK,
                    {"passed": False, "rework": case.rework_count},
                )
                continue
            case.closed_on = self.day(t)
            self.event(case, t, grid.worker_id, "check_passed", S.CLOSED, details={"passed": True})
            return

    def _elsewhere(self, unit_kind) -> tuple[str, None]:
        """Another unit than `unit_kind`: the township, or the village when it was the
        township."""
        return (UnitKind.VILLAGE if unit_kind == UnitKind.TOWNSHIP else UnitKind.TOWNSHIP), None


def generate_incidents(ctx: LoadContext) -> None:
    rng = ctx.random("incidents")
    counties = sorted({v.county_id for v in ctx.villages})
    rules, liaisons, department_names = _matters_lists(ctx, counties)
    with translation.override(settings.LANGUAGE_CODE):
        unit_labels = {kind: str(label) for kind, label in UnitKind.choices}
    walk = _Walk(ctx, rng, rules, liaisons, department_names, unit_labels)
    starts = []
    for pk, grid, day, seconds, category, severity, description in ctx.shared.get(
        "incident_findings", []
    ):
        if rng.random() >= BECOMES_INCIDENT:
            continue
        t = (day - ctx.first_day).days * DAY + seconds
        t += (
            rng.randrange(HOUR // 2, 6 * HOUR)
            if rng.random() < 0.85
            else rng.randrange(6 * HOUR, 3 * DAY)
        )
        if t <= walk.horizon:  # later ones still wait on the workbench
            starts.append((t, pk, grid, category, severity, description))
    starts.sort(key=lambda start: (start[0], start[1]))
    ids = ctx.ids(Incident, len(starts))
    rows, cases = [], []
    for pk, (t, finding, grid, category, severity, description) in zip(ids, starts, strict=True):
        village = grid.village
        if rng.random() < TOWNSHIP_DISPATCHES:
            level = IncidentLevel.TOWNSHIP
            registrar = rng.choice(ctx.township_staff[village.township_id])
        else:
            level = IncidentLevel.VILLAGE
            registrar = (ctx.village_staff.get(village.id) or [grid.chief_id])[0]
        case = _Incident(pk=pk, category=category)
        walk.event(
            case, t, registrar, "registered", S.NEW, details={"finding": finding, "photos": 0}
        )
        walk.walk(case, grid, t, registrar)
        cases.append(case)
        rows.append(
            (
                pk,
                f"SJ{walk.day(t).year}{pk:07d}",
                False,
                registrar,
                walk.stamp(t),
                case.version,
                village.id,
                grid.id,
                finding,
                grid.worker_id,
                category,
                severity,
                grid.name,
                description,
                level,
                case.status,
                case.unit_kind,
                case.department,
                case.dispatched_on,
                case.sign_in_due,
                case.close_due,
                case.signed_in_on,
                case.closed_on,
                case.what_was_done,
                case.rework_count,
            )
        )
    ctx.write(
        Incident,
        [
            "id",
            "number",
            "under_supervision",
            "registered_by",
            "registered_at",
            "version",
            "area",
            "grid",
            "finding",
            "reporter",
            "category",
            "severity",
            "place",
            "description",
            "level",
            "status",
            "unit_kind",
            "department",
            "dispatched_on",
            "sign_in_due",
            "close_due",
            "signed_in_on",
            "closed_on",
            "what_was_done",
            "rework_count",
        ],
        rows,
    )
    events = sorted((e for case in cases for e in case.events), key=lambda e: e[2])
    event_ids = ctx.ids(IncidentEvent, len(events))
    ctx.write(
        IncidentEvent,
        ["id", "incident", "actor", "at", "from_status", "to_status", "note", "details", "kind"],
        ((pk, *row) for pk, row in zip(event_ids, events, strict=True)),
    )


def _matters_lists(ctx: LoadContext, counties: list[int]):
    """Each county's matters list, {county: {category: (unit kind, department, days)}}, with
    the departments it names and their liaisons, created where missing; and the liaisons and
    names of those departments."""
    existing_rules = {
        (county, category): (unit_kind, department, days)
        for county, category, unit_kind, department, days in MatterRule.objects.filter(
            county_id__in=counties
        ).values_list("county_id", "category", "unit_kind", "department_id", "working_days")
    }
    by_name = {
        (area, name): pk
        for pk, area, name in Department.objects.filter(area_id__in=counties).values_list(
            "pk", "area_id", "name"
        )
    }
    department_names = {pk: name for (_area, name), pk in by_name.items()}
    new_departments, new_rules = [], []
    rules: dict[int, dict] = {}
    for county in counties:
        county_name = ctx.areas[county][3]
        rules[county] = {}
        for category in INCIDENT_CATEGORIES:
            if (county, category) in existing_rules:
                rules[county][category] = existing_rules[(county, category)]
                continue
            unit_kind, suffix, days = RULES.get(category, (UnitKind.VILLAGE, None, 5))
            department = None
            if suffix:
                name = f"{county_name}{suffix}"
                department = by_name.get((county, name))
                if department is None:
                    department = ctx.ids(Department, 1)[0]
                    by_name[(county, name)] = department
                    department_names[department] = name
                    new_departments.append((department, name, county))
            rules[county][category] = (unit_kind, department, days)
            new_rules.append((county, category, unit_kind, department, days))
    ctx.write(Department, ["id", "name", "area"], new_departments)
    ids = ctx.ids(MatterRule, len(new_rules))
    ctx.write(
        MatterRule,
        ["id", "county", "category", "unit_kind", "department", "working_days"],
        ((pk, *row) for pk, row in zip(ids, new_rules, strict=True)),
    )
    # A liaison for every department the lists name that has none.
    named = sorted(
        {dep for county in rules.values() for _k, dep, _d in county.values() if dep is not None}
    )
    through = Department.liaisons.through
    liaisons: dict[int, list[int]] = {}
    for department, person in (
        through.objects.filter(department_id__in=named)
        .order_by("user_id")
        .values_list("department_id", "user_id")
    ):
        liaisons.setdefault(department, []).append(person)
    if missing := [d for d in named if d not in liaisons]:
        areas = dict(Department.objects.filter(pk__in=missing).values_list("pk", "area_id"))
        areas.update({pk: area for pk, _name, area in new_departments})
        rng = ctx.random("liaisons")
        specs = [(f"dl{ctx.areas[areas[d]][0]}-{d}", person_name(rng)) for d in missing]
        people = ctx.people(specs, ctx.first_day)
        ctx.memberships(
            [
                (person, areas[department], Role.DEPARTMENT_LIAISON)
                for person, department in zip(people, missing, strict=True)
            ]
        )
        ids = ctx.ids(through, len(missing))
        ctx.write(
            through,
            ["id", "department", "user"],
            ((pk, d, p) for pk, d, p in zip(ids, missing, people, strict=True)),
        )
        for department, person in zip(missing, people, strict=True):
            liaisons[department] = [person]
    return rules, liaisons, department_names

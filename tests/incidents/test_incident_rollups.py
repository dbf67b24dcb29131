"""Incidents in the nightly rollups: a working week of incidents built through the services,
each night's job run as the beat would run it, then what the tables hold compared with what the
events say. Per area and day: new, dispatched, signed for (on time), returned, reworked,
closed (on time), overdue by the incident's clocks. Per department: the same flows, on the
county dashboard's department table for the month and in its Excel file. The daily clear
list: the open incidents nobody acted on all day."""

from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Department
from governance.rollups.engine import run_daily
from governance.rollups.models import (
    DEPARTMENT_METRIC_NAMES,
    DailyClearItem,
    DailyStat,
    DepartmentDailyStat,
)
from governance.workdays import add_working_days, is_working_day
from grids.models import FindingCategory, FindingStatus
from incidents import services
from incidents.models import INCIDENT_CLOCKS, Incident, IncidentEvent, MatterRule, UnitKind
from tests.conftest import LUCHENG
from tests.dashboards.helpers import page_link, page_table, workbook_table
from tests.factories import area, log_finding
from tests.incidents.conftest import a_photo

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FLOWS = [name for name in DEPARTMENT_METRIC_NAMES if name != "incidents_overdue_open"]


@contextmanager
def clock(day: date, hour: int):
    """Whatever runs inside happens at `hour` o'clock of `day`, Beijing time: the services'
    dates, the rows' timestamps and the actions' guards all read this clock."""
    moment = datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield


def working_week() -> list[date]:
    """Monday to Friday of a coming week that is all working days, in one month."""
    day = timezone.localdate() + timedelta(days=7)
    while True:
        monday = day + timedelta(days=-day.weekday() % 7)
        week = [monday + timedelta(days=n) for n in range(5)]
        if all(is_working_day(d) and d.month == monday.month for d in week):
            return week
        day = monday + timedelta(days=7)


class Week:
    """Seven incidents of 店上村's grid over a working week (d0 Monday … d4 Friday):

    A  to 交通局 d0, signed d0, handled d1, check failed d1, handled again and closed d2.
    B  to 交通局 d0, returned d1; to 水务局 d1, signed late d3, handled and closed d3.
    C  (fire: 水务局 in one working day) to 水务局 d0, signed d1 (its due day), closed late d2.
    D  to 交通局 d0, never signed for: overdue from d2.
    E  to the village d0, signed, handled and closed d0.
    F  registered d2, never dispatched.
    G  to 交通局 d0, signed d0; taken over and sent to 水务局 d1, signed d1.
    """

    def __init__(self, *, worker, grid, township_staff, village_staff, roads, water):
        self.days = working_week()
        self.worker, self.grid = worker, grid
        self.staff, self.village_staff = township_staff, village_staff
        (self.roads, self.roads_liaison), (self.water, self.water_liaison) = roads, water
        MatterRule.objects.create(
            county=area(LUCHENG),
            category=FindingCategory.FIRE,
            unit_kind=UnitKind.DEPARTMENT,
            department=self.water,
            working_days=1,
        )
        self.incidents: dict[str, Incident] = {}

    def at(self, day: int, hour: int):
        return clock(self.days[day], hour)

    def register(self, name, category=FindingCategory.SAFETY_HAZARD):
        finding = log_finding(
            actor=self.worker,
            grid=self.grid,
            category=category,
            description=f"事件{name}",
            status=FindingStatus.HANDED_UP,
        )
        self.incidents[name] = services.incident_create_from_finding(
            actor=self.staff, finding=finding
        )

    def send(self, name, department=None, unit_kind=UnitKind.DEPARTMENT):
        services.incident_dispatch(
            actor=self.staff,
            incident=self.incidents[name],
            unit_kind=unit_kind,
            department=department,
            reason="按职责派遣",
        )

    def liaison(self, department):
        return self.roads_liaison if department == self.roads else self.water_liaison

    def sign(self, name, who):
        services.incident_sign_in(actor=who, incident=self.incidents[name])

    def handle(self, name, who):
        services.incident_handle(actor=who, incident=self.incidents[name], what_was_done="已处置")

    def check(self, name, passed=True):
        services.incident_check(
            actor=self.worker,
            incident=self.incidents[name],
            passed=passed,
            reason="" if passed else "仍未修好",
            photos=[] if passed else [a_photo()],
        )

    def night(self, day: int):
        with self.at(day, 23):
            run_daily(self.days[day])

    def play(self):
        roads, water = self.roads, self.water
        road_man, water_man = self.roads_liaison, self.water_liaison
        with self.at(0, 9):
            for name in "ABDG":
                self.register(name)
            self.register("C", FindingCategory.FIRE)
            self.register("E", FindingCategory.OTHER)
        with self.at(0, 10):
            for name in "ABDG":
                self.send(name, roads)
            self.send("C", water)
            self.send("E", unit_kind=UnitKind.VILLAGE)
        with self.at(0, 11):
            self.sign("A", road_man)
            self.sign("G", road_man)
            self.sign("E", self.village_staff)
        with self.at(0, 15):
            self.handle("E", self.village_staff)
        with self.at(0, 16):
            self.check("E")
        self.night(0)

        with self.at(1, 8):
            self.sign("C", water_man)  # on its due day: on time
        with self.at(1, 9):
            services.incident_return(actor=road_man, incident=self.incidents["B"], reason="非本局")
        with self.at(1, 10):
            self.send("B", water)
            self.send("G", water)
        with self.at(1, 11):
            self.sign("G", water_man)
        with self.at(1, 14):
            self.handle("A", road_man)
        with self.at(1, 16):
            self.check("A", passed=False)
        self.night(1)

        with self.at(2, 9):
            self.register("F", FindingCategory.OTHER)
        with self.at(2, 10):
            self.handle("A", road_man)
        with self.at(2, 11):
            self.check("A")
        with self.at(2, 14):
            self.handle("C", water_man)
        with self.at(2, 15):
            self.check("C")
        self.night(2)

        with self.at(3, 9):
            self.sign("B", water_man)
        with self.at(3, 10):
            self.handle("B", water_man)
        with self.at(3, 11):
            self.check("B")
        self.night(3)
        self.night(4)
        return self


@pytest.fixture
def week(worker, grid, township_staff, village_staff, roads, water):
    return Week(
        worker=worker,
        grid=grid,
        township_staff=township_staff,
        village_staff=village_staff,
        roads=roads,
        water=water,
    ).play()


def what_the_events_say(first: date, last: date) -> dict[int, Counter]:
    """{department id: Counter(flow → n)} from the incident events of the days, replayed in
    order: each event belongs to the department the dispatch before it named, and is on time
    when its day is not after the due date that dispatch set."""
    result: dict[int, Counter] = defaultdict(Counter)
    dispatch = {}
    for event in IncidentEvent.objects.order_by("at", "pk"):
        day = timezone.localtime(event.at, SHANGHAI).date()
        if event.kind == "dispatch":
            dispatch[event.incident_id] = event.details
        sent = dispatch.get(event.incident_id) or {}
        department = sent.get("department")
        if department is None or not first <= day <= last:
            continue
        counts = result[department]
        if event.kind == "dispatch":
            counts["incidents_dispatched"] += 1
        elif event.kind == "sign_in":
            counts["incidents_signed_in"] += 1
            counts["incidents_signed_in_on_time"] += day <= date.fromisoformat(sent["sign_in_due"])
        elif event.kind == "return":
            counts["incidents_returned"] += 1
        elif event.kind == "check_failed":
            counts["incidents_reworked"] += 1
        elif event.kind == "check_passed":
            counts["incidents_closed"] += 1
            counts["incidents_closed_on_time"] += day <= date.fromisoformat(sent["close_due"])
    return result


def stored_flows(first: date, last: date) -> dict[int, Counter]:
    result: dict[int, Counter] = defaultdict(Counter)
    for row in DepartmentDailyStat.objects.filter(day__range=(first, last)):
        result[row.department_id].update({name: getattr(row, name) for name in FLOWS})
    return {key: +counts for key, counts in result.items()}


def test_the_department_figures_match_the_events(week):
    first, last = week.days[0], week.days[-1]
    said = what_the_events_say(first, last)
    assert stored_flows(first, last) == {key: +counts for key, counts in said.items()}
    roads, water = week.roads.pk, week.water.pk
    assert said[roads] == Counter(
        incidents_dispatched=4,  # A, B, D, G
        incidents_signed_in=2,  # A, G
        incidents_signed_in_on_time=2,
        incidents_returned=1,  # B
        incidents_reworked=1,  # A
        incidents_closed=1,  # A
        incidents_closed_on_time=1,
    )
    assert said[water] == Counter(
        incidents_dispatched=3,  # C, then B and G sent on
        incidents_signed_in=3,
        incidents_signed_in_on_time=2,  # B was signed for a day late
        incidents_closed=2,  # C late, B on time
        incidents_closed_on_time=1,
    )


def test_overdue_is_the_incident_clocks_reading_each_night(week):
    """D, never signed for, is overdue from the day after its sign-in due date: the nights'
    rows say what `Incident.objects.overdue` (cases.clocks) said that night."""
    overdue = dict(
        DepartmentDailyStat.objects.filter(department=week.roads).values_list(
            "day", "incidents_overdue_open"
        )
    )
    assert [overdue.get(day, 0) for day in week.days] == [0, 0, 1, 1, 1]
    assert not DepartmentDailyStat.objects.filter(
        department=week.water, incidents_overdue_open__gt=0
    ).exists()
    d = Incident.objects.get(pk=week.incidents["D"].pk)
    assert INCIDENT_CLOCKS.running(d).name == "sign_in"
    assert list(Incident.objects.overdue(on=week.days[2])) == [d]
    village = DailyStat.objects.filter(area=week.grid.village, grid=None)
    assert [
        village.get(day=day).incidents_overdue_open if village.filter(day=day).exists() else 0
        for day in week.days
    ] == [0, 0, 1, 1, 1]


def test_the_areas_figures_per_day(week):
    """The village's row (and its grid's, and every area's above) holds the day's incidents."""
    names = [
        "incidents_new",
        "incidents_dispatched",
        "incidents_signed_in",
        "incidents_signed_in_on_time",
        "incidents_returned",
        "incidents_reworked",
        "incidents_closed",
        "incidents_closed_on_time",
        "incidents_overdue_open",
    ]
    expected = [
        [6, 6, 3, 3, 0, 0, 1, 1, 0],  # A B C D E G registered and sent; E closed
        [0, 2, 2, 2, 1, 1, 0, 0, 0],  # C signed; B returned and sent on, G taken over; A reworked
        [1, 0, 0, 0, 0, 0, 2, 1, 1],  # F; A closed on time, C late; D overdue
        [0, 0, 1, 0, 0, 0, 1, 1, 1],  # B signed late, closed on time
        [0, 0, 0, 0, 0, 0, 0, 0, 1],
    ]
    village = week.grid.village
    for day, numbers in zip(week.days, expected, strict=True):
        rows = {
            "village": DailyStat.objects.filter(day=day, area=village, grid=None),
            "grid": DailyStat.objects.filter(day=day, grid=week.grid),
            "county": DailyStat.objects.filter(day=day, area=area(LUCHENG), grid=None),
        }
        for where, row in rows.items():
            assert list(row.values_list(*names).get()) == numbers, (day, where)


def test_the_untouched_incidents_join_the_daily_clear_list(week):
    """Each night, the open incidents nobody acted on that day; registering one is no action
    (F), closing one takes it off for good (E)."""
    number = {incident.number: name for name, incident in week.incidents.items()}

    def cleared(day):
        return sorted(
            number[label.split(" · ")[0]]
            for label in DailyClearItem.objects.filter(
                day=day, kind="incident_untouched"
            ).values_list("label", flat=True)
        )

    assert [cleared(day) for day in week.days] == [
        [],
        ["D"],
        ["B", "D", "F", "G"],
        ["D", "F", "G"],
        ["D", "F", "G"],
    ]
    item = DailyClearItem.objects.get(day=week.days[1], object_id=week.incidents["D"].pk)
    assert item.village == week.grid.village and item.grid == week.grid
    assert item.url == reverse("incidents:detail", args=[week.incidents["D"].pk])
    assert "已派遣" in item.label


def test_running_a_night_again_changes_nothing(week):
    """A rollup upserts its day: run again (even later, a back-fill), the flows and the clear
    list are the same; the overdue count is, as ever, what stands when it runs."""

    def snapshot(day):
        return (
            list(
                DepartmentDailyStat.objects.filter(day=day)
                .order_by("department_id")
                .values_list("department_id", *FLOWS)
            ),
            list(
                DailyStat.objects.filter(day=day)
                .order_by("area_id", "grid_id")
                .values_list("area_id", "grid_id", "incidents_new", "incidents_closed")
            ),
            list(
                DailyClearItem.objects.filter(day=day)
                .order_by("object_id")
                .values_list("object_id", "label")
            ),
        )

    before = [snapshot(day) for day in week.days]
    for index in range(len(week.days)):
        week.night(4)
        week.night(index)
    assert [snapshot(day) for day in week.days] == before


def test_the_county_dashboard_shows_and_exports_what_the_events_say(week, client, county_official):
    first, last = week.days[0], week.days[-1]
    said = what_the_events_say(last.replace(day=1), last)
    client.force_login(county_official)
    page = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    header, rows = page_table(page, "departments")
    assert header[0] == "部门"
    shown = {row[0]: row for row in rows}

    def percent(part, whole):
        return "—" if not whole else round(100 * part / whole, 1)

    for department in (week.roads, week.water):
        counts = said[department.pk]
        overdue = DepartmentDailyStat.objects.filter(department=department, day=last).first()
        assert shown[department.name] == [
            department.name,
            counts["incidents_dispatched"],
            counts["incidents_signed_in"],
            percent(counts["incidents_signed_in_on_time"], counts["incidents_signed_in"]),
            counts["incidents_closed"],
            percent(counts["incidents_closed_on_time"], counts["incidents_closed"]),
            counts["incidents_reworked"],
            percent(
                counts["incidents_reworked"],
                counts["incidents_reworked"] + counts["incidents_closed"],
            ),
            counts["incidents_returned"],
            overdue.incidents_overdue_open if overdue else 0,
        ]
    assert shown["交通局"] == ["交通局", 4, 2, 100, 1, 100, 1, 50, 1, 1]
    assert shown["水务局"] == ["水务局", 3, 3, 66.7, 2, 50, 0, 0, 0, 0]
    assert first >= last.replace(day=1)
    exported = workbook_table(
        client.get(page_link(page, "departments", "export-departments")).content
    )
    assert exported == (header, rows)
    # Another county's official sees none of these departments.
    assert set(shown) == set(
        Department.objects.filter(area__code__startswith=LUCHENG).values_list("name", flat=True)
    )


def test_the_services_stamp_the_days_the_clocks_were_met(week):
    a, b, g, d = (Incident.objects.get(pk=week.incidents[n].pk) for n in "ABGD")
    assert a.signed_in_on == week.days[0] and a.closed_on == week.days[2]
    assert b.signed_in_on == week.days[3] and b.closed_on == week.days[3]
    # Taken over on d1: the new unit's sign-in is the one recorded.
    assert g.signed_in_on == week.days[1] and g.closed_on is None
    assert INCIDENT_CLOCKS.running(g).name == "close"
    assert g.close_due == add_working_days(week.days[1], 5)
    assert d.signed_in_on is None and d.closed_on is None


def test_a_department_removed_since_its_dispatch_does_not_stop_the_night(
    incident, township_staff, water
):
    from tests.factories import DepartmentFactory

    gone = DepartmentFactory(name="临时指挥部", area=area(LUCHENG))
    for department in (gone, water[0]):
        services.incident_dispatch(
            actor=township_staff,
            incident=incident,
            unit_kind=UnitKind.DEPARTMENT,
            department=department,
            reason="按职责派遣",
        )
    gone.delete()
    run = run_daily(timezone.localdate())
    assert run.outcome == "done"
    rows = DepartmentDailyStat.objects.values_list("department", "incidents_dispatched")
    assert list(rows) == [(water[0].pk, 1)]

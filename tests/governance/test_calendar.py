"""The working-day calendar corrected by the city's administrator: holidays and make-up
working days entered over the published calendar count in the next deadline (and not in one
already set), every change is checked and audited, only the city's administrator reaches the
page, and the administrator is warned from November when next year has no make-up day.

The 2027 schedule below is entered by hand. The State Council's notice for 2027 was not at
hand when it was written: it is a plausible schedule after the 2025 rules (Spring Festival
from its eve, National Day 10/1-10/7), not the official one. What the tests check does not
depend on it: a make-up Saturday or Sunday entered counts as a working day, a holiday entered
does not. The expected dates are worked out by hand, not with the functions under test.

    Spring Festival  2/5 (Fri) - 2/14 (Sun) off; the package has 2/5-2/10, 2/11 and 2/12 entered;
                     Sunday 1/31 and Saturday 2/20 worked
    Labour Day       5/1 (Sat) - 5/5 (Wed) off; the package has 5/1-5/4, 5/5 entered;
                     Saturday 5/8 worked
    National Day     10/1 (Fri) - 10/7 (Thu) off; the package has 10/1-10/5, 10/6 and 10/7
                     entered; Sunday 9/26 and Saturday 10/9 worked
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from disputes.models import DeadlineRule, Level
from governance.audit.models import AuditEntry, AuditKind
from governance.configuration.calendar import calendar_day_add, calendar_day_remove
from governance.models import CalendarDay, CalendarDayKind, Role
from governance.workdays import (
    add_working_days,
    is_working_day,
    working_days_between,
    year_lacking_make_up_days,
)
from tests.conftest import CITY, DIANSHANG, LUCHENG
from tests.disputes.helpers import register
from tests.factories import person_with_role

HOLIDAY, WORKDAY = CalendarDayKind.HOLIDAY, CalendarDayKind.WORKDAY
NOTICE = "国办发明电〔2026〕号 2027年部分节假日安排（测试用）"

HOLIDAYS_2027 = [date(2027, 2, 11), date(2027, 2, 12), date(2027, 5, 5)]
HOLIDAYS_2027 += [date(2027, 10, 6), date(2027, 10, 7)]
MAKE_UP_DAYS_2027 = [date(2027, 1, 31), date(2027, 2, 20), date(2027, 5, 8)]
MAKE_UP_DAYS_2027 += [date(2027, 9, 26), date(2027, 10, 9)]


@pytest.fixture
def today(monkeypatch):
    """Make `timezone.localdate()` answer a fixed day (the calendar's years and the warning
    depend on it)."""
    original = timezone.localdate

    def set_today(day: date) -> None:
        def localdate(value=None, timezone=None):
            return day if value is None else original(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    set_today(date(2026, 12, 3))
    return set_today


@pytest.fixture
def city_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, CITY, first_name="市管理员")


def enter_2027(actor) -> None:
    for day in HOLIDAYS_2027:
        calendar_day_add(actor=actor, day=day, kind=HOLIDAY, note=NOTICE)
    for day in MAKE_UP_DAYS_2027:
        calendar_day_add(actor=actor, day=day, kind=WORKDAY, note=NOTICE)


def page(year=2026):
    return reverse("working_calendar", args=[year])


# --- The service and the counting -------------------------------------------------------------


def test_the_2027_schedule_entered_by_hand_counts_in_the_deadlines(today, city_admin):
    # The package alone: Wed 10/6 is a working day, Sat 10/9 is not.
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 6)
    assert add_working_days(date(2027, 9, 30), 5) == date(2027, 10, 12)

    enter_2027(city_admin)

    # Thu 9/30: 10/1-10/7 off; Fri 10/8 is the first, the make-up Saturday 10/9 the second,
    # Sun 10/10 off, Mon 10/11 to Wed 10/13 the third to the fifth.
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 8)
    assert add_working_days(date(2027, 9, 30), 2) == date(2027, 10, 9)
    assert add_working_days(date(2027, 9, 30), 5) == date(2027, 10, 13)
    # The make-up Sunday before it: from Fri 9/24, Sat 9/25 off, Sun 9/26 worked.
    assert add_working_days(date(2027, 9, 24), 1) == date(2027, 9, 26)
    # Spring Festival: from Wed 2/10, 2/11-2/14 off: Mon 2/15; from Fri 2/19, Sat 2/20 worked.
    assert add_working_days(date(2027, 2, 10), 1) == date(2027, 2, 15)
    assert add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)
    # Labour Day: from Fri 4/30, 5/1-5/5 off: Thu 5/6, Fri 5/7, Sat 5/8 (worked).
    assert add_working_days(date(2027, 4, 30), 3) == date(2027, 5, 8)
    assert not is_working_day(date(2027, 5, 5)) and is_working_day(date(2027, 5, 8))
    # The whole year: 261 weekdays (2027 starts and ends on a Friday), 18 of them holidays
    # (1/1; 2/5, 2/8-2/12; 4/5; 5/3-5/5; 6/9; 9/15; 10/1, 10/4-10/7), 5 make-up days.
    assert working_days_between(date(2026, 12, 31), date(2027, 12, 31)) == 261 - 18 + 5


def test_a_deadline_already_set_keeps_its_date_and_the_next_one_uses_the_correction(
    today, city_admin
):
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    DeadlineRule.objects.create(level=Level.TOWNSHIP, kind="", days=70)
    # From Thu 2026-12-03, 70 calendar days end on Thu 2027-02-11, a working day by the
    # package.
    before = register(staff)
    assert before.due_on == date(2027, 2, 11)

    enter_2027(city_admin)
    after = register(staff)

    before.refresh_from_db()
    assert before.due_on == date(2027, 2, 11)
    # Entered as a holiday, with Fri 2/12 and the weekend after it: the period ends on the
    # next working day, Mon 2/15.
    assert after.due_on == date(2027, 2, 15)


def test_a_published_holiday_removed_is_worked_and_added_back_is_the_package_again(
    today, city_admin
):
    national_day_monday = date(2026, 10, 5)
    calendar_day_remove(actor=city_admin, day=national_day_monday, kind=HOLIDAY, note="更正")
    assert is_working_day(national_day_monday)
    assert CalendarDay.objects.get().kind == CalendarDayKind.ORDINARY

    calendar_day_add(actor=city_admin, day=national_day_monday, kind=HOLIDAY, note="恢复")
    assert not is_working_day(national_day_monday)
    # Nothing left to say over the package.
    assert not CalendarDay.objects.exists()


def test_every_change_is_audited_with_the_kind_before_and_after(today, city_admin):
    calendar_day_add(actor=city_admin, day=date(2027, 10, 9), kind=WORKDAY, note=NOTICE)
    calendar_day_remove(actor=city_admin, day=date(2027, 10, 9), kind=WORKDAY)

    entries = AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).order_by("pk")
    assert [(e.detail["key"], e.detail["old"], e.detail["new"]) for e in entries] == [
        ("2027-10-09", "ordinary", "workday"),
        ("2027-10-09", "workday", "ordinary"),
    ]
    assert entries[0].detail["note"] == NOTICE
    assert entries[0].actor == city_admin
    assert entries[0].area.code == CITY


@pytest.mark.parametrize(
    ("change", "day", "kind", "message"),
    [
        ("add", date(2024, 10, 1), HOLIDAY, "只能更正"),  # out of range: before last year
        ("add", date(2028, 1, 1), HOLIDAY, "只能更正"),  # out of range: after next year
        ("add", date(2026, 10, 1), HOLIDAY, "已是"),  # National Day is published
        ("add", date(2026, 10, 10), WORKDAY, "已是"),  # a published make-up Saturday
        ("add", date(2027, 10, 8), WORKDAY, "调休上班日是周六或周日"),  # a Friday
        ("remove", date(2027, 10, 8), HOLIDAY, "不是"),  # an ordinary Friday
        ("remove", date(2027, 10, 9), WORKDAY, "不是"),  # a Saturday not yet entered
        ("remove", date(2026, 10, 1), WORKDAY, "不是"),  # a holiday, not a make-up day
    ],
)
def test_a_bad_change_is_refused_in_chinese_and_writes_nothing(
    today, city_admin, change, day, kind, message
):
    service = calendar_day_add if change == "add" else calendar_day_remove
    with pytest.raises(ValidationError) as refused:
        service(actor=city_admin, day=day, kind=kind, note=NOTICE)

    assert message in " ".join(refused.value.messages)
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).exists()


def test_a_holiday_added_twice_is_refused_the_second_time(today, city_admin):
    calendar_day_add(actor=city_admin, day=date(2027, 10, 6), kind=HOLIDAY, note=NOTICE)
    with pytest.raises(ValidationError, match="已是"):
        calendar_day_add(actor=city_admin, day=date(2027, 10, 6), kind=HOLIDAY, note=NOTICE)
    assert CalendarDay.objects.count() == 1


def test_a_change_needs_its_source_and_a_city_administrator(today, city_admin):
    with pytest.raises(ValidationError, match="来源"):
        calendar_day_add(actor=city_admin, day=date(2027, 10, 6), kind=HOLIDAY, note=" ")
    county_admin = person_with_role(Role.ADMINISTRATOR, LUCHENG)
    with pytest.raises(PermissionDenied):
        calendar_day_add(actor=county_admin, day=date(2027, 10, 6), kind=HOLIDAY, note=NOTICE)
    assert not CalendarDay.objects.exists()


def test_a_deadline_costs_one_query_at_most_and_none_once_cached(
    today, city_admin, django_assert_num_queries
):
    calendar_day_add(actor=city_admin, day=date(2027, 10, 6), kind=HOLIDAY, note=NOTICE)
    with django_assert_num_queries(1):
        assert add_working_days(date(2026, 12, 3), 250) > date(2027, 10, 6)
    with django_assert_num_queries(0):
        add_working_days(date(2026, 12, 3), 250)
        working_days_between(date(2026, 12, 3), date(2027, 12, 31))


def test_a_change_reaches_the_next_computation_though_the_calendar_was_cached(today, city_admin):
    assert is_working_day(date(2027, 10, 6))  # the corrections are now in the cache
    calendar_day_add(actor=city_admin, day=date(2027, 10, 6), kind=HOLIDAY, note=NOTICE)
    assert not is_working_day(date(2027, 10, 6))


# --- The page ----------------------------------------------------------------------------------


def test_the_city_administrator_finds_the_page_from_home_with_published_and_entered_days(
    client, today, city_admin
):
    client.force_login(city_admin)
    assert reverse("working_calendar_now") in client.get(reverse("home")).content.decode()
    assert client.get(reverse("working_calendar_now")).url == page(2026)

    html = client.get(page(2026)).content.decode()
    assert "2026-10-01" in html and "国庆节" in html and "已发布" in html
    assert 'data-day="2026-10-10" data-kind="workday"' in html  # a published make-up day

    calendar_day_add(actor=city_admin, day=date(2027, 10, 9), kind=WORKDAY, note=NOTICE)
    html = client.get(page(2027)).content.decode()
    assert 'data-day="2027-10-09" data-kind="workday"' in html
    assert NOTICE in html and "市管理员" in html


def test_adding_and_removing_on_the_page(client, today, city_admin):
    client.force_login(city_admin)
    response = client.post(
        reverse("calendar_day_add", args=[2026]),
        {"day": "2027-10-09", "kind": "workday", "note": NOTICE},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page(2027)
    assert "2027-10-09 现为调休上班日" in response.content.decode()
    assert is_working_day(date(2027, 10, 9))

    response = client.post(
        reverse("calendar_day_remove", args=[2027]),
        {"day": "2027-10-09", "kind": "workday", "note": ""},
        follow=True,
    )
    assert "2027-10-09 不再是调休上班日" in response.content.decode()
    assert not is_working_day(date(2027, 10, 9))
    assert AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).count() == 2


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("calendar_day_add", {"day": "2031-05-01", "kind": "holiday", "note": "x"}, "只能更正"),
        ("calendar_day_add", {"day": "2026-10-01", "kind": "holiday", "note": "x"}, "已是"),
        ("calendar_day_add", {"day": "2026-02-30", "kind": "holiday", "note": "x"}, "有效的日期"),
        ("calendar_day_add", {"day": "2027-10-06", "kind": "holiday", "note": ""}, "必填"),
        ("calendar_day_add", {"day": "2027-10-06", "kind": "weekend", "note": "x"}, "有效的选项"),
        ("calendar_day_remove", {"day": "2027-10-08", "kind": "holiday"}, "没有可移除"),
        ("calendar_day_remove", {"day": "abc", "kind": "holiday"}, "有效的日期"),
    ],
)
def test_bad_input_on_the_page_is_answered_in_chinese_and_writes_nothing(
    client, today, city_admin, url, data, message
):
    client.force_login(city_admin)
    response = client.post(reverse(url, args=[2026]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.SETTING_CHANGED).exists()


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.ADMINISTRATOR, LUCHENG),  # a county's administrator
        (Role.ADMINISTRATOR, DIANSHANG),  # a township's administrator
        (Role.CITY_OFFICIAL, CITY),  # the city, but not its administrator
        (Role.TOWNSHIP_STAFF, DIANSHANG),
    ],
)
def test_everyone_else_gets_the_answer_a_page_that_does_not_exist_gets(
    client, today, changzhi_slice, role, code
):
    client.force_login(person_with_role(role, code))
    urls = [reverse("working_calendar_now")] + [
        reverse(name, args=[year])
        for name in ("working_calendar", "calendar_day_add", "calendar_day_remove")
        for year in (2026, 1900)
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        data = {"day": "2027-10-06", "kind": "holiday", "note": "x"}
        assert client.post(url, data).status_code == 404, url
    assert not CalendarDay.objects.exists()
    assert reverse("working_calendar_now") not in client.get(reverse("home")).content.decode()


def test_a_year_out_of_range_is_not_there_even_for_the_city_administrator(
    client, today, city_admin
):
    client.force_login(city_admin)
    assert client.get(page(2025)).status_code == 200
    assert client.get(page(2024)).status_code == 404
    assert client.get(page(2028)).status_code == 404


def test_signing_in_comes_first(client, today, changzhi_slice):
    response = client.get(page(2026))
    assert response.status_code == 302 and reverse("login") in response.url


# --- The warning on the administrator's home ----------------------------------------------------


def test_from_november_the_city_administrator_is_warned_until_next_year_has_make_up_days(
    client, today, city_admin
):
    client.force_login(city_admin)

    today(date(2026, 10, 31))
    assert 'data-testid="calendar-warning"' not in client.get(reverse("home")).content.decode()

    today(date(2026, 11, 1))
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="calendar-warning"' in html
    assert "2027年尚无调休上班日" in html and page(2027) in html

    calendar_day_add(actor=city_admin, day=date(2027, 1, 31), kind=WORKDAY, note=NOTICE)
    assert 'data-testid="calendar-warning"' not in client.get(reverse("home")).content.decode()


def test_a_year_the_package_already_carries_brings_no_warning(db):
    # 2026's make-up days are published: no warning in November 2025; 2027's are not.
    assert year_lacking_make_up_days(date(2025, 11, 1)) is None
    assert year_lacking_make_up_days(date(2026, 11, 1)) == 2027
    assert year_lacking_make_up_days(date(2026, 10, 31)) is None


def test_a_county_administrator_is_not_warned_of_what_they_cannot_change(
    client, today, changzhi_slice
):
    today(date(2026, 11, 15))
    client.force_login(person_with_role(Role.ADMINISTRATOR, LUCHENG))
    assert 'data-testid="calendar-warning"' not in client.get(reverse("home")).content.decode()

"""The dashboards show the rolled-up figures of the person's jurisdiction: the latest day,
its week and its month, what stands overdue, the last 30 days, and the ranking of the
children, drilled down the tree to a grid. In Chinese."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from governance.models import Role
from governance.rollups.models import DailyStat, DepartmentDailyStat
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, LUCHENG, WEIZI
from tests.dashboards.conftest import DAY, MONTH_START, WEEK_START
from tests.dashboards.helpers import page_table, roll_up, stored_sums
from tests.factories import area, person_with_role

GLANCE_LABELS = {
    "发现": "findings_new",
    "新增纠纷": "disputes_new",
    "新增信访": "petitions_new",
    "新增事件": "incidents_new",
    "按时办结事件": "incidents_closed_on_time",
}


@pytest.fixture
def rolled_up(grids):
    roll_up(end=DAY, days=45)
    return grids


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "top"),
    [("county_official", LUCHENG), ("city_official", CITY), ("township_staff", DIANSHANG)],
)
def test_the_dashboard_opens_at_the_top_of_the_persons_jurisdiction(client, request, who, top):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("dashboards:root"))
    assert response.status_code == 302
    assert response.url == reverse("dashboards:area", args=[top])


def test_someone_holding_dashboards_in_two_townships_chooses_one(client, township_staff):
    from tests.factories import MembershipFactory

    MembershipFactory(user=township_staff, area=area(WEIZI), role=Role.TOWNSHIP_STAFF)
    client.force_login(township_staff)
    page = client.get(reverse("dashboards:root")).content.decode()
    assert reverse("dashboards:area", args=[DIANSHANG]) in page
    assert reverse("dashboards:area", args=[WEIZI]) in page


def test_a_grid_worker_has_no_dashboard_and_no_menu_entry(client, changzhi_slice):
    worker = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    client.force_login(worker)
    assert client.get(reverse("dashboards:root")).status_code == 404
    assert client.get(reverse("dashboards:area", args=[DIANSHANG_VILLAGE])).status_code == 404
    assert (
        reverse("dashboards:root")
        not in client.get(reverse("area_root"), follow=True).content.decode()
    )


def test_officials_find_the_dashboard_in_their_menu(client, county_official):
    client.force_login(county_official)
    page = client.get(reverse("area_root"), follow=True).content.decode()
    assert f'href="{reverse("dashboards:root")}"' in page
    assert "数据看板" in page


def test_the_glance_is_the_sum_of_the_stored_rows_for_the_day_week_and_month(
    client, county_official, rolled_up
):
    county = area(LUCHENG)
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    header, rows = page_table(page, "glance")
    assert header == [
        "指标",
        f"当日（{DAY}）",
        f"本周（{WEEK_START} 至 {DAY}）",
        f"本月（{MONTH_START} 至 {DAY}）",
    ]
    shown = {row[0]: row[1:] for row in rows}
    expected = [
        stored_sums(start=start, end=DAY, area=county, grid=None)
        for start in (DAY, WEEK_START, MONTH_START)
    ]
    for label, metric in GLANCE_LABELS.items():
        assert shown[label] == [sums[metric] for sums in expected], label
    assert shown["新增纠纷"][2] > shown["新增纠纷"][1] > 0  # the month holds more than a week
    assert f"数据截至 {DAY}" in page


def test_overdue_and_supervised_are_as_they_stood_on_the_latest_day(
    client, county_official, rolled_up
):
    row = DailyStat.objects.get(area=area(LUCHENG), grid=None, day=DAY)
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    header, rows = page_table(page, "state")
    assert header == ["指标", f"截至 {DAY}"]
    assert rows == [
        ["逾期未结纠纷", row.disputes_overdue_open],
        ["督办中纠纷", row.disputes_supervised],
        ["逾期信访", row.petitions_overdue],
        ["逾期事件", row.incidents_overdue_open],
        ["红灯案件（超期）", row.cases_red],
        ["黄灯案件（临期）", row.cases_yellow],
    ]


def test_the_trend_shows_the_last_30_days_with_zeros_where_nothing_was_rolled_up(
    client, township_staff, rolled_up
):
    township = area(DIANSHANG)
    DailyStat.objects.filter(area=township, grid=None, day=DAY - timedelta(days=3)).delete()
    page = get(client, township_staff, reverse("dashboards:area", args=[DIANSHANG]))
    header, rows = page_table(page, "trend")
    assert header[:3] == ["日期", "发现", "新增纠纷"]
    assert len(rows) == 30
    assert rows[0][0] == str(DAY) and rows[-1][0] == str(DAY - timedelta(days=29))
    by_day = {
        str(row.day): row
        for row in DailyStat.objects.filter(area=township, grid=None, day__lte=DAY)
    }
    for line in rows:
        stored = by_day.get(line[0])
        assert line[1] == (stored.findings_new if stored else 0)
        assert line[2] == (stored.disputes_new if stored else 0)
    assert rows[3][1:] == [0] * (len(header) - 1)

    # The chart is drawn from the same numbers, oldest first, from a JSON block.
    data = json.loads(
        re.search(
            r'<script id="trend-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    assert data["series"][0]["name"] == "发现"
    assert data["series"][0]["data"] == [line[1] for line in reversed(rows)]
    assert 'data-chart="trend"' in page


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_the_ranking_holds_each_childs_sums_for_the_period_best_first(
    client, county_official, rolled_up, period
):
    start = {"day": DAY, "week": WEEK_START, "month": MONTH_START}[period]
    url = reverse("dashboards:area", args=[LUCHENG]) + f"?period={period}&sort=disputes_new"
    header, rows = page_table(get(client, county_official, url), "children")
    assert header[:4] == ["名次", "乡镇（街道）", "发现", "就地处置"]
    names = {row[1] for row in rows}
    assert names == {township.name for township in area(LUCHENG).get_children()}
    column = header.index("新增纠纷")
    for row in rows:
        township = area(LUCHENG).get_children().get(name=row[1])
        sums = stored_sums(start=start, end=DAY, area=township, grid=None)
        assert row[column] == sums["disputes_new"]
        assert row[header.index("逾期未结纠纷")] == sums["disputes_overdue_open"]
    values = [row[column] for row in rows]
    assert values == sorted(values, reverse=True)
    assert rows[0][0] == 1


def test_the_ranking_can_be_sorted_by_another_column(client, county_official, rolled_up):
    url = reverse("dashboards:area", args=[DIANSHANG]) + "?period=month&sort=patrols_done"
    page = get(client, county_official, url)
    header, rows = page_table(page, "children")
    column = header.index("巡查")
    values = [row[column] for row in rows]
    assert values == sorted(values, reverse=True)
    assert 'aria-sort="descending"><a href="?period=month&amp;sort=patrols_done#ranking"' in page


def test_unknown_period_and_sort_fall_back_to_the_defaults(client, county_official, rolled_up):
    url = reverse("dashboards:area", args=[LUCHENG]) + "?period=year&sort=password"
    header, _rows = page_table(get(client, county_official, url), "children")
    assert header[2] == "发现"


def test_drilling_down_from_the_county_to_a_grid(client, county_official, rolled_up):
    """County → township → village → its grids → a grid, each link on the ranking."""
    client.force_login(county_official)
    url = reverse("dashboards:area", args=[LUCHENG])
    for code in (DIANSHANG, DIANSHANG_VILLAGE):
        page = client.get(url).content.decode()
        link = re.search(rf'href="(/dashboard/{code}/[^"]*)"', page)
        assert link, code
        url = link.group(1).replace("&amp;", "&")
    page = client.get(url).content.decode()
    header, rows = page_table(page, "children")
    assert header[1] == "网格"
    assert "新增信访" not in header  # a petition concerns an area, never a grid
    assert {row[1] for row in rows} == {"店上村第一网格", "店上村第二网格"}
    grid = rolled_up["first"]
    link = re.search(rf'href="(/dashboard/grid/{grid.pk}/[^"]*)"', page).group(1)
    grid_page = client.get(link.replace("&amp;", "&")).content.decode()
    assert "店上村第一网格" in grid_page
    _header, glance = page_table(grid_page, "glance")
    sums = stored_sums(start=MONTH_START, end=DAY, grid=grid)
    assert {row[0]: row[3] for row in glance}["发现"] == sums["findings_new"]
    assert reverse("grids:grid_detail", args=[grid.pk]) in grid_page


def test_a_village_ranking_lists_its_grids_even_those_without_rows(
    client, township_staff, rolled_up
):
    DailyStat.objects.filter(grid=rolled_up["first"], day=DAY).update(findings_new=5)
    DailyStat.objects.filter(grid=rolled_up["second"], day=DAY).delete()
    page = get(client, township_staff, reverse("dashboards:area", args=[DIANSHANG_VILLAGE]))
    header, rows = page_table(page, "children")
    second = next(row for row in rows if row[1] == "店上村第二网格")
    assert second[2:] == [0] * (len(header) - 2)
    assert second[0] == 2  # last, behind the grid that has figures


def test_breadcrumbs_stop_at_the_top_of_the_persons_jurisdiction(client, township_staff, rolled_up):
    page = get(client, township_staff, reverse("dashboards:area", args=[DIANSHANG_VILLAGE]))
    crumbs = re.search(r'data-testid="breadcrumbs">(.*?)</ol>', page, re.S).group(1)
    assert "店上镇" in crumbs and "店上村村委会" in crumbs
    assert "潞城区" not in crumbs and "长治市" not in crumbs


def test_before_the_first_run_the_dashboard_says_so(client, county_official):
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    assert 'data-testid="no-figures"' in page
    assert "尚未汇总" in page
    client.force_login(county_official)
    export = reverse("dashboards:area_export", args=[LUCHENG, "glance"])
    assert client.get(export).status_code == 404


def test_the_pages_speak_chinese_and_load_only_their_own_files(client, county_official, rolled_up):
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    for text in ("数据看板", "概览", "近 30 天趋势", "导出 Excel", "当日", "本周", "本月"):
        assert text in page, text
    assert "<script>" not in page and " style=" not in page
    for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page):
        assert src.startswith("/static/"), src
    # ECharts is fetched by the chart's script when the chart nears the screen, not up front.
    assert 'data-library="/static/vendor/echarts/echarts.min.js"' in page
    assert 'src="/static/vendor/echarts/' not in page


def _percent(part, whole):
    return "—" if not whole else round(100 * part / whole, 1)


def test_a_county_sees_each_of_its_departments_incidents_this_month(
    client, county_official, grids, departments
):
    """The county's departments, then its townships', with what the stored department rows
    of the month hold: flows summed, the rates worked out from them, overdue as on the latest
    day. Another county's department is not there."""
    roll_up(end=DAY, days=45)
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    header, rows = page_table(page, "departments")
    assert header == [
        "部门",
        "派遣事件",
        "签收事件",
        "按时签收率（%）",
        "办结事件",
        "按时办结率（%）",
        "返工事件",
        "返工率（%）",
        "退回事件",
        f"截至 {DAY} 逾期",
    ]
    assert f"本月（{MONTH_START} 至 {DAY}）" in page
    expected = []
    for key in ("roads", "water", "township"):
        department = departments[key]
        month = DepartmentDailyStat.objects.filter(
            department=department, day__range=(MONTH_START, DAY)
        )
        sums = {
            name: sum(getattr(row, name) for row in month)
            for name in (
                "incidents_dispatched",
                "incidents_signed_in",
                "incidents_signed_in_on_time",
                "incidents_closed",
                "incidents_closed_on_time",
                "incidents_reworked",
                "incidents_returned",
            )
        }
        last = month.filter(day=DAY).first()
        expected.append(
            [
                department.name,
                sums["incidents_dispatched"],
                sums["incidents_signed_in"],
                _percent(sums["incidents_signed_in_on_time"], sums["incidents_signed_in"]),
                sums["incidents_closed"],
                _percent(sums["incidents_closed_on_time"], sums["incidents_closed"]),
                sums["incidents_reworked"],
                _percent(
                    sums["incidents_reworked"],
                    sums["incidents_reworked"] + sums["incidents_closed"],
                ),
                sums["incidents_returned"],
                last.incidents_overdue_open if last else 0,
            ]
        )
    assert rows == expected
    assert sum(row[1] for row in rows) > 0
    assert "上党区住建局" not in page


def test_a_department_with_nothing_this_month_shows_zeros_and_no_rates(
    client, county_official, grids, departments
):
    roll_up(end=DAY, days=45)
    DepartmentDailyStat.objects.filter(
        department=departments["water"], day__gte=MONTH_START
    ).delete()
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    _header, rows = page_table(page, "departments")
    assert rows[1] == ["水务局", 0, 0, "—", 0, "—", 0, "—", 0, 0]


def test_only_a_county_dashboard_has_the_departments_table(
    client, city_official, grids, departments
):
    roll_up(end=DAY, days=3)
    client.force_login(city_official)
    for code in (CITY, DIANSHANG, DIANSHANG_VILLAGE):
        page = client.get(reverse("dashboards:area", args=[code])).content.decode()
        assert 'data-testid="table-departments"' not in page, code
        export = reverse("dashboards:area_export", args=[code, "departments"])
        assert client.get(export).status_code == 404, code
    page = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    assert 'data-testid="table-departments"' in page


def test_every_table_that_scrolls_sideways_is_a_named_keyboard_stop(
    client, county_official, rolled_up
):
    """A keyboard user can reach each scrolling table (to scroll it with the arrow keys), and a
    screen reader names it by the heading above it."""
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    containers = re.findall(r'<div class="table-responsive"[^>]*>', page)
    assert len(containers) >= 4
    for container in containers:
        assert 'tabindex="0"' in container and 'role="region"' in container, container
        heading = re.search(r'aria-labelledby="([^"]+)"', container).group(1)
        assert re.search(rf'<h2[^>]* id="{heading}"[^>]*>[^<]+</h2>', page), heading


def test_a_period_header_wraps_between_words_never_inside_a_date(
    client, county_official, rolled_up
):
    page = get(client, county_official, reverse("dashboards:area", args=[LUCHENG]))
    week = f"{WEEK_START:%Y-%m-%d}"
    assert (
        f'<span class="text-nowrap">本周（{week}</span> <span class="text-nowrap">至</span>' in page
    )

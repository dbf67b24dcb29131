"""The weekly review (周评) and the daily clear list (日清), as the rollup jobs wrote them,
on the county's and the township's dashboards, and in their Excel files."""

from datetime import date

import pytest
from django.urls import reverse

from governance.rollups.engine import run_weekly
from governance.rollups.models import DailyClearItem, WeeklyRanking
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.dashboards.conftest import DAY
from tests.dashboards.helpers import page_link, page_table, roll_up, workbook_table
from tests.factories import area

LAST_WEEK = date(2026, 3, 9)  # the Monday of the week before DAY's


@pytest.fixture
def reviewed(grids):
    roll_up(end=DAY, days=21)
    run_weekly(LAST_WEEK)
    return grids


def test_the_county_shows_last_weeks_review_of_its_townships_until_this_week_is_run(
    client, county_official, reviewed
):
    client.force_login(county_official)
    page = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    header, rows = page_table(page, "weekly")
    assert "周评（2026-03-09 至 2026-03-15）" in page
    assert header[:4] == ["名次", "乡镇（街道）", "得分", "名次变化"]
    stored = {
        row.area.name: row
        for row in WeeklyRanking.objects.filter(week_start=LAST_WEEK, parent=area(LUCHENG))
    }
    assert {row[1] for row in rows} == set(stored) and rows
    for row in rows:
        assert row[0] == stored[row[1]].rank
        assert row[2] == round(stored[row[1]].score, 2)
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)

    # Once this week is reviewed, it takes last week's place.
    run_weekly(date(2026, 3, 16))
    page = client.get(reverse("dashboards:area", args=[LUCHENG])).content.decode()
    assert "周评（2026-03-16 至 2026-03-22）" in page


def test_the_weekly_review_exports_as_shown_and_leads_down_the_tree(
    client, township_staff, reviewed
):
    client.force_login(township_staff)
    page = client.get(reverse("dashboards:area", args=[DIANSHANG])).content.decode()
    header, rows = page_table(page, "weekly")
    assert header[1] == "村（社区）"
    file_header, file_rows = workbook_table(
        client.get(page_link(page, "weekly", "export-weekly")).content
    )
    assert (file_header, file_rows) == (header, rows)
    assert f'href="/dashboard/{DIANSHANG_VILLAGE}/' in page


def test_no_weekly_review_above_the_county_or_below_the_township(client, city_official, reviewed):
    client.force_login(city_official)
    for code in (CITY, DIANSHANG_VILLAGE):
        page = client.get(reverse("dashboards:area", args=[code])).content.decode()
        assert 'data-testid="table-weekly"' not in page
    export = reverse("dashboards:area_export", args=[CITY, "weekly"])
    assert client.get(export).status_code == 404


def test_the_village_and_township_see_the_days_clear_list(client, township_staff, reviewed):
    village, grid = area(DIANSHANG_VILLAGE), reviewed["first"]
    DailyClearItem.objects.bulk_create(
        [
            DailyClearItem(
                day=DAY,
                village=village,
                grid=grid,
                kind=DailyClearItem.Kind.FINDING_OPEN,
                object_id=7,
                label="村口路灯损坏",
                url="/grid/findings/7/",
            ),
            DailyClearItem(
                day=DAY, village=village, grid=grid, kind=DailyClearItem.Kind.PATROL_SHORT, count=2
            ),
            DailyClearItem(  # the day before: already cleared from today's list
                day=date(2026, 3, 17), village=village, kind=DailyClearItem.Kind.PATROL_SHORT
            ),
        ]
    )
    client.force_login(township_staff)
    for code in (DIANSHANG, DIANSHANG_VILLAGE):
        page = client.get(reverse("dashboards:area", args=[code])).content.decode()
        header, rows = page_table(page, "clear")
        assert header == ["村（社区）", "网格", "事项", "数量", "详情"]
        assert rows == [
            ["店上村村委会", "店上村第一网格", "发现未处置", 1, "村口路灯损坏"],
            ["店上村村委会", "店上村第一网格", "巡查不足", 2, ""],
        ]
        assert 'href="/grid/findings/7/">村口路灯损坏' in page
        exported = client.get(page_link(page, "clear", "export-clear"))
        assert workbook_table(exported.content) == (
            header,
            [row[:4] + [row[4] or None] for row in rows],
        )
    page = client.get(reverse("dashboards:area", args=[LUCHENG]))
    assert page.status_code == 404  # township staff see no county


def test_a_clear_day_says_so(client, township_staff, reviewed):
    client.force_login(township_staff)
    page = client.get(reverse("dashboards:area", args=[DIANSHANG_VILLAGE])).content.decode()
    _header, rows = page_table(page, "clear")
    assert rows == [["没有遗留事项，当日已清。"]]

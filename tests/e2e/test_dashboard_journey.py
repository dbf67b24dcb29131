"""A county official's morning: the dashboard of 潞城区 with today's figures rolled up, its
30-day chart, down the ranking to 店上镇, to 店上村 and to one of its grids, and the Excel
files of what the pages show."""

import re
import uuid
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from disputes.services import dispute_register
from governance.rollups.engine import run_daily
from grids.models import Grid
from grids.services import finding_log
from tests.e2e.test_sign_in_journey import sign_in

GRID = "店上村第一网格"


def some_activity_rolled_up():
    """A finding logged and a dispute registered in 店上村 today, then the daily job."""
    people = get_user_model().objects
    grid = Grid.objects.get(name=GRID)
    finding_log(
        actor=people.get(username="grid_worker"),
        grid=grid,
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description="村口路灯损坏",
        status="open",
    )
    dispute_register(
        actor=people.get(username="township_staff"),
        kind="neighbour",
        channel="walk_in",
        description="两户因宅基地边界发生争执",
        people_involved=2,
        village=grid.village,
        grid=grid,
        level="township",
        parties=[{"side": "applicant", "name": "王大山", "id_number": "", "phone": ""}],
    )
    run_daily(timezone.localdate())


# Counts the pixels of a canvas in ECharts' first series colour (#5470c6), give or take.
LINE_PIXELS = """canvas => {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
        if (Math.abs(r - 84) < 24 && Math.abs(g - 112) < 24 && Math.abs(b - 198) < 24) count++;
    }
    return count;
}"""


def as_number(text: str):
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def shown(page, key):
    """The header and rows of the table `key` as the page shows them."""
    table = page.get_by_test_id(f"table-{key}")
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    rows = [
        [as_number(text) for text in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    return header, rows


def downloaded(page, key, tmp_path):
    with page.expect_download() as info:
        page.get_by_test_id(f"export-{key}").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    return download.suggested_filename, [str(cell) for cell in lines[0]], lines[1:]


def test_a_county_official_drills_from_the_county_to_a_grid_and_exports_what_they_see(
    page, demo_portal, tmp_path
):
    base_url = demo_portal.url
    some_activity_rolled_up()
    today = timezone.localdate().isoformat()
    hosts, refused = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))

    sign_in(page, base_url, "county_official")
    page.get_by_role("link", name="数据看板").first.click()
    expect(page).to_have_url(f"{base_url}/dashboard/140406/")
    expect(page.get_by_test_id("dashboard-title")).to_have_text("潞城区 · 数据看板")
    expect(page.get_by_test_id("figures-day")).to_contain_text(today)

    # The chart draws itself on a canvas inside its container, lines included: the first
    # line's colour (ECharts' first palette colour) is on the canvas, which it is not when the
    # bundle lacks the line chart and only the axes are drawn.
    canvas = page.get_by_test_id("trend-chart").locator("canvas").first
    expect(canvas).to_be_attached()
    assert canvas.evaluate(LINE_PIXELS) > 20

    _header, glance = shown(page, "glance")
    figures = {row[0]: row[1:] for row in glance}
    assert figures["发现"][0] == 1
    assert figures["新增纠纷"][0] == 1

    # The county's ranking of its townships, exported: the file is the table.
    header, rows = shown(page, "children")
    assert header[:2] == ["名次", "乡镇（街道）"]
    name, file_header, file_rows = downloaded(page, "children", tmp_path)
    assert name.endswith(".xlsx")
    assert (file_header, file_rows) == (header, rows)
    dianshang = next(row for row in rows if row[1] == "店上镇")
    assert dianshang[0] == 1 and dianshang[header.index("新增纠纷")] == 1

    # Down the tree: the township, the village, its grids.
    page.get_by_test_id("table-children").get_by_role("link", name="店上镇").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("店上镇 · 数据看板")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("潞城区")
    page.get_by_test_id("table-children").get_by_role("link", name="店上村村委会").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("店上村村委会 · 数据看板")
    header, rows = shown(page, "children")
    assert header[1] == "网格"
    grid_row = next(row for row in rows if row[1] == GRID)
    assert grid_row[header.index("发现")] == 1

    page.get_by_test_id("table-children").get_by_role("link", name=GRID).click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text(f"{GRID} · 数据看板")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("店上村村委会")
    expect(page.get_by_test_id("trend-chart").locator("canvas").first).to_be_attached()
    header, rows = shown(page, "glance")
    _name, file_header, file_rows = downloaded(page, "glance", tmp_path)
    assert (file_header, file_rows) == (header, rows)
    assert {row[0]: row[1] for row in file_rows}["发现"] == 1

    # Nothing was refused by the content security policy, and nothing came from elsewhere.
    assert refused == []
    assert hosts == {urlsplit(base_url).netloc}


def test_on_a_phone_the_chart_is_fetched_and_drawn_when_scrolled_to(phone_page, demo_portal):
    """The overview fills a phone's first screen; ECharts (most of the page's weight) comes
    only when the trend is scrolled near, and then draws its lines."""
    page = phone_page
    some_activity_rolled_up()
    fetched = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    sign_in(page, demo_portal.url, "county_official")
    # The menu opens from its button (the portal's own script, not Bootstrap's).
    menu = page.get_by_role("button", name="菜单")
    # The menu's own link (the home also offers "打开数据看板", in the page, not the menu).
    menu_link = page.get_by_role("link", name="数据看板", exact=True)
    expect(menu_link).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    menu_link.click()
    expect(page).to_have_url(f"{demo_portal.url}/dashboard/140406/")
    expect(page.get_by_test_id("table-glance")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not any("echarts" in path for path in fetched)

    chart = page.get_by_test_id("trend-chart")
    chart.scroll_into_view_if_needed()
    canvas = chart.locator("canvas").first
    expect(canvas).to_be_attached()
    assert any("echarts" in path for path in fetched)
    page.wait_for_function(f"({LINE_PIXELS})(document.querySelector('[data-chart] canvas')) > 20")

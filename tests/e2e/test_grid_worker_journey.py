"""A grid worker's day on a phone: a patrol, findings with and without a network, a zero report.

The phone keeps every finding until the portal has it, so a dead zone loses nothing and a
retry stores nothing twice.
"""

import re

from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from grids.models import Finding, ZeroReport
from tests.e2e.test_sign_in_journey import sign_in

# Somewhere in 店上镇, 潞城区.
PHONE_LOCATION = {"latitude": 36.334512, "longitude": 113.221876}
FLUSH_TIMEOUT = 45_000  # the outbox also retries every 30 s; the online event is faster


def a_photo(tmp_path):
    path = tmp_path / "road.jpg"
    Image.new("RGB", (640, 480), (150, 120, 90)).save(path, format="JPEG", quality=85)
    return path


def findings_not_carried(context):
    """A network that loads pages but does not carry a finding through (a weak signal at the
    edge of a dead zone): every post of a finding fails as an unreachable server does. Returns
    the function that lets them through again."""
    pattern = "**/grid/findings/new/"

    def handle(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route(pattern, handle)
    return lambda: context.unroute(pattern, handle)


def network_returns(context):
    """The phone goes off and on the network again: the browser says it is back online."""
    context.set_offline(True)
    context.set_offline(False)


def my_grid(page, name):
    return page.get_by_test_id("my-grids").get_by_role("listitem").filter(has_text=name)


def fill_finding(page, *, grid, category, description, disposal):
    page.get_by_label("网格").select_option(label=grid)
    page.get_by_label("类别").select_option(label=category)
    page.get_by_label("发现了什么？").fill(description)
    page.get_by_label(disposal).check()


def test_grid_worker_logs_findings_with_and_without_network_and_files_a_zero_report(
    phone_page, demo_portal, tmp_path
):
    page = phone_page
    base_url = demo_portal.url
    context = page.context
    context.grant_permissions(["geolocation"], origin=base_url)
    context.set_geolocation(PHONE_LOCATION)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, base_url, "grid_worker")
    expect(page).to_have_url(f"{base_url}/grid/today/")
    waiting = page.locator("[data-outbox-list]")
    expect(waiting).to_be_hidden()

    my_grid(page, "店上村第一网格").get_by_role("button", name="开始巡查").click()
    expect(page.get_by_test_id("patrols-today")).to_have_text(re.compile(r"^1/"))

    # Online: a finding with a photo and the phone's location. The form refuses it while
    # "handled on the spot" says nothing of what was done, and keeps what was typed.
    page.get_by_role("link", name="记录发现").click()
    fill_finding(
        page,
        grid="店上村第一网格",
        category="安全隐患",
        description="村西路口路灯不亮，夜间有安全隐患",
        disposal="就地处置",
    )
    page.get_by_label("照片（最多 6 张）").set_input_files(a_photo(tmp_path))
    expect(page.locator("input[name=latitude]")).to_have_value("36.334512")
    page.get_by_role("button", name="保存").click()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("没有保存")
    expect(status).to_contain_text("就地处置时请填写处置情况。")
    expect(page.get_by_label("发现了什么？")).to_have_value("村西路口路灯不亮，夜间有安全隐患")
    assert not Finding.objects.exists()

    # Corrected, and saved with a double tap: sent once.
    page.get_by_label("待处置").check()
    page.get_by_role("button", name="保存").dblclick()
    expect(page).to_have_url(f"{base_url}/grid/today/")
    expect(page.locator("[data-outbox-status]")).to_have_text("发现已保存。")
    expect(page.get_by_test_id("findings-today")).to_have_text("1")
    expect(waiting).to_be_hidden()

    # The same submission again, as a retry after a lost answer would send it: stored once.
    worker = get_user_model().objects.get(username="grid_worker")
    first = Finding.objects.get(reporter=worker)
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    replay = page.request.post(
        f"{base_url}/grid/findings/new/",
        headers={"Accept": "application/json", "X-CSRFToken": csrf},
        multipart={
            "client_key": str(first.client_key),
            "grid": str(first.grid_id),
            "category": "safety_hazard",
            "severity": "low",
            "description": "村西路口路灯不亮，夜间有安全隐患",
            "status": "open",
        },
    )
    assert replay.status == 200
    assert replay.json() == {"ok": True, "created": False, "url": f"/grid/findings/{first.pk}/"}
    assert Finding.objects.filter(reporter=worker).count() == 1

    # A dead zone: the form was open, the network is gone when the worker saves.
    page.get_by_role("link", name="记录发现").click()
    fill_finding(
        page,
        grid="店上村第一网格",
        category="矛盾纠纷",
        description="两户因宅基地边界争吵，已劝开",
        disposal="就地处置",
    )
    page.get_by_label("处置情况").fill("现场劝解，约定明天村委会调解")
    context.set_offline(True)
    page.get_by_role("button", name="保存").click()
    expect(status).to_contain_text("已保存在手机上")
    expect(status).to_contain_text("网络恢复后会自动发送")
    expect(page.get_by_label("发现了什么？")).to_have_value("")  # ready for the next one

    # Back on the home page: pages are never kept in the phone's cache (a shared phone must
    # not show them to its next person), so it loads again, over a signal that still does not
    # carry the finding through: one waiting.
    let_findings_through = findings_not_carried(context)
    context.set_offline(False)
    page.go_back()
    expect(page).to_have_url(f"{base_url}/grid/today/")
    expect(waiting).to_be_visible()
    expect(waiting.locator("[data-outbox-count]")).to_have_text("1")
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    expect(waiting.get_by_role("listitem")).to_contain_text("矛盾纠纷 · 两户因宅基地边界争吵")
    assert Finding.objects.filter(reporter=worker).count() == 1

    # The network returns: the waiting finding goes by itself, once.
    let_findings_through()
    network_returns(context)
    expect(waiting).to_be_hidden(timeout=FLUSH_TIMEOUT)
    expect(page.locator("[data-outbox-status]")).to_contain_text("已发送 1 条")
    page.reload()
    expect(page.get_by_test_id("findings-today")).to_have_text("2")
    expect(waiting).to_be_hidden()

    findings = list(Finding.objects.filter(reporter=worker).order_by("created_at"))
    assert len(findings) == 2
    assert findings[0].client_key != findings[1].client_key
    assert findings[0].description == "村西路口路灯不亮，夜间有安全隐患"
    assert findings[0].photos.count() == 1
    assert (float(findings[0].latitude), float(findings[0].longitude)) == (
        PHONE_LOCATION["latitude"],
        PHONE_LOCATION["longitude"],
    )
    assert findings[1].description == "两户因宅基地边界争吵，已劝开"
    assert findings[1].action_taken == "现场劝解，约定明天村委会调解"
    assert findings[1].photos.count() == 0

    # Nothing happened in the second grid today: the worker says so, and confirms it on the
    # page that names the grid and the day.
    second = my_grid(page, "店上村第二网格")
    second.get_by_role("link", name="今日无事可报").click()
    expect(page.get_by_test_id("confirm-statement")).to_have_text(
        f"将为店上村第二网格报告 {timezone.localdate():%Y-%m-%d} 无事可报（零报告）。"
    )
    assert not ZeroReport.objects.filter(grid__name="店上村第二网格").exists()
    page.get_by_role("button", name="确认零报告").click()
    expect(page).to_have_url(f"{base_url}/grid/today/")
    expect(page.get_by_role("alert").filter(has_text="零报告")).to_contain_text("店上村第二网格")
    expect(second.get_by_text("已零报告")).to_be_visible()
    assert ZeroReport.objects.filter(grid__name="店上村第二网格", reporter=worker).count() == 1

    assert errors == []


def test_a_finding_saved_after_the_session_ended_is_sent_once_the_worker_signs_in_again(
    phone_page, demo_portal
):
    page = phone_page
    base_url = demo_portal.url
    sign_in(page, base_url, "grid_worker")
    page.get_by_role("link", name="记录发现").click()
    fill_finding(
        page,
        grid="店上村第二网格",
        category="社会治安",
        description="小卖部门口有人聚集饮酒",
        disposal="待处置",
    )

    # The session ends (idle too long) while the form is open.
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="保存").click()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("已保存在手机上")
    expect(status).to_contain_text("请重新登录")
    assert not Finding.objects.exists()

    sign_in(page, base_url, "grid_worker")
    expect(page).to_have_url(f"{base_url}/grid/today/")
    expect(page.locator("[data-outbox-status]")).to_contain_text("已发送 1 条")
    expect(page.locator("[data-outbox-list]")).to_be_hidden()
    finding = Finding.objects.get()
    assert (finding.reporter.username, finding.grid.name) == ("grid_worker", "店上村第二网格")
    assert finding.description == "小卖部门口有人聚集饮酒"


def test_a_kept_finding_the_portal_refuses_is_shown_with_the_reason_until_deleted(
    phone_page, demo_portal, tmp_path
):
    page = phone_page
    base_url = demo_portal.url
    sign_in(page, base_url, "grid_worker")
    page.get_by_role("link", name="记录发现").click()
    # A photo the phone cannot read (a format the browser does not know), kept as chosen;
    # offline, the phone cannot know that the portal will not take it either.
    fill_finding(
        page,
        grid="店上村第一网格",
        category="环境卫生",
        description="河道边堆放生活垃圾",
        disposal="待处置",
    )
    photo = tmp_path / "IMG_0001.heic"
    photo.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200)
    page.get_by_label("照片（最多 6 张）").set_input_files(photo)
    page.context.set_offline(True)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("已保存在手机上")

    # The home page is loaded again (pages are not kept in the phone's cache), over a signal
    # that does not carry the finding through yet.
    let_findings_through = findings_not_carried(page.context)
    page.context.set_offline(False)
    page.go_back()
    waiting = page.locator("[data-outbox-list]")
    expect(waiting.locator("[data-outbox-count]")).to_have_text("1")
    let_findings_through()
    network_returns(page.context)
    refused = waiting.get_by_role("listitem").filter(has_text="河道边堆放生活垃圾")
    expect(refused).to_contain_text("IMG_0001.heic 不是照片", timeout=FLUSH_TIMEOUT)
    expect(page.locator("[data-outbox-status]")).to_contain_text("服务器未接受")
    expect(waiting.locator("[data-outbox-count]")).to_have_text("0")
    expect(waiting.locator("[data-outbox-refused-count]")).to_have_text("1")
    assert not Finding.objects.exists()

    refused.get_by_role("button", name="删除").click()
    expect(waiting).to_be_hidden()
    page.reload()
    expect(waiting).to_be_hidden()

"""An incident (事件) from the grid to the closed file, on 360 px phones.

A grid worker hands up a hazard; the township's centre registers it as an incident and sends
it to the department the county's matters list names; the department's liaison signs for it
and records what was done, with a photo; the worker checks it on the spot: the first time it
fails (with a photo and the reason, sent while the network is down, and recorded once when it
returns), the second time it passes and the incident closes. The timeline shows every step, and
each step tells the next person.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from governance.demo import DEMO_COUNTY
from governance.models import Area, Department, Notification
from incidents.models import Incident, IncidentEvent, IncidentPhoto, IncidentStatus, MatterRule
from tests.e2e.test_grid_worker_journey import fill_finding, network_returns
from tests.e2e.test_sign_in_journey import sign_in

SHOTS = Path("/tmp/incphone-shots")
DEPARTMENT = "潞城区交通运输局"
HAZARD = "村口桥护栏断裂，有人掉下去的危险"
FLUSH_TIMEOUT = 45_000  # the outbox also retries every 30 s; the online event is faster


def phone(browser):
    """A cheap phone, 360 px wide, of one person: a context of its own (its own session)."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def watch(page, errors):
    """Note every script error and console error (a CSP violation, a missing file), except the
    failed post this journey makes on purpose while the network is down."""
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "ERR_INTERNET_DISCONNECTED" not in message.text
            and errors.append(message.text)
        ),
    )


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def a_photo(folder: Path, name: str, colour) -> Path:
    path = folder / name
    Image.new("RGB", (1280, 960), colour).save(path, format="JPEG", quality=85)
    return path


def act(page, action):
    """Open an action's panel on the incident page; return it."""
    panel = page.locator(f'details[data-action="{action}"]')
    panel.locator("summary").click()
    return panel


def expect_status(page, text):
    expect(page.get_by_test_id("incident-status")).to_have_text(text)


def no_sideways_scroll(page):
    """The page fits the phone's width: nothing to scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_hazard_is_dispatched_by_the_matters_list_handled_reworked_checked_and_closed(
    browser, demo_portal, tmp_path
):
    base_url = demo_portal.url
    errors: list[str] = []
    county = Area.objects.get(code=DEMO_COUNTY)
    liaison_user = get_user_model().objects.get(username="department_liaison")
    department = Department.objects.create(name=DEPARTMENT, area=county)
    department.liaisons.add(liaison_user)
    MatterRule.objects.create(
        county=county,
        category="safety_hazard",
        unit_kind="department",
        department=department,
        working_days=5,
    )

    # --- The grid worker hands up a hazard. -------------------------------------------------
    worker = phone(browser)
    watch(worker, errors)
    sign_in(worker, base_url, "grid_worker")
    worker.get_by_role("link", name="记录发现").click()
    fill_finding(
        worker, grid="店上村第一网格", category="安全隐患", description=HAZARD, disposal="已上报"
    )
    worker.get_by_role("button", name="保存").click()
    expect(worker).to_have_url(f"{base_url}{reverse('grids:worker_home')}")
    expect(worker.locator("[data-outbox-status]")).to_have_text("发现已保存。")

    # --- The township's centre registers it and dispatches it. ------------------------------
    township = phone(browser)
    watch(township, errors)
    sign_in(township, base_url, "township_staff")
    township.goto(f"{base_url}{reverse('disputes:workbench')}")
    queue = township.get_by_test_id("incident-findings")
    queue.get_by_role("listitem").filter(has_text="村口桥护栏断裂").get_by_role(
        "button", name="登记为事件"
    ).click()
    expect_status(township, "待派遣")
    incident = Incident.objects.get()
    shot(township, "01-township-new-incident")
    no_sideways_scroll(township)

    panel = act(township, "dispatch")
    # The matters list proposes the department: nothing to choose, no reason to give.
    expect(panel.get_by_label("承办单位")).to_have_value("department")
    expect(panel.get_by_label("部门", exact=True)).to_have_value(str(department.pk))
    shot(township, "02-township-dispatch-form")
    panel.get_by_role("button", name="确认：派遣").click()
    expect_status(township, "已派遣")
    expect(township.get_by_test_id("incident-facts")).to_contain_text(DEPARTMENT)

    # --- The department's liaison signs for it and records what was done, with a photo. -----
    liaison = phone(browser)
    watch(liaison, errors)
    sign_in(liaison, base_url, "department_liaison")
    liaison.goto(f"{base_url}{reverse('incidents:list')}")
    liaison.get_by_role("link", name=incident.number).click()
    expect_status(liaison, "已派遣")
    act(liaison, "sign_in").get_by_role("button", name="确认：签收").click()
    expect_status(liaison, "已签收")
    # The one who dispatched it and the worker who reported it are told.
    assert Notification.objects.filter(
        recipient__username="township_staff", kind="incident_signed_in"
    ).exists()
    assert Notification.objects.filter(
        recipient__username="grid_worker", kind="incident_signed_in"
    ).exists()

    panel = act(liaison, "handle")
    panel.get_by_label("处置情况").fill("已设置警示桩，护栏焊接修复。")
    panel.get_by_label("照片（最多 6 张）").set_input_files(
        a_photo(tmp_path, "修复.jpg", (70, 120, 160))
    )
    shot(liaison, "03-liaison-handle-form")
    panel.get_by_role("button", name="确认：登记处置情况").click()
    expect_status(liaison, "已处置，待核查")
    timeline = liaison.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("event-photos").locator("img")).to_have_count(1)
    shot(liaison, "04-liaison-handled")
    no_sideways_scroll(liaison)

    # --- The worker checks on the spot: not fixed yet, and the network is down. -------------
    worker.goto(f"{base_url}{reverse('grids:worker_home')}")
    to_check = worker.get_by_test_id("incidents-to-check")
    expect(to_check).to_contain_text(incident.number)
    shot(worker, "05-worker-home-to-check")
    no_sideways_scroll(worker)
    to_check.get_by_role("link").filter(has_text=incident.number).click()
    expect(worker.get_by_test_id("what-was-done")).to_contain_text("护栏焊接修复")
    expect(worker.get_by_test_id("what-was-done").locator("img")).to_have_count(1)
    worker.get_by_label("未通过：返工").check()
    worker.get_by_label("仍存在的问题").fill("护栏焊点开裂，仍晃动")
    worker.get_by_label("仍存在问题的照片").set_input_files(
        a_photo(tmp_path, "IMG_0101.jpg", (160, 60, 40))
    )
    shot(worker, "06-worker-check-form")
    no_sideways_scroll(worker)

    check_url = reverse("incidents:check_phone", args=[incident.pk])
    context = worker.context

    def unreachable(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route(f"**{check_url}", unreachable)
    worker.get_by_role("button", name="提交核查结果").click()
    status = worker.locator("[data-outbox-status]")
    expect(status).to_contain_text("网络不通：核查已保存在手机上")
    # Kept once: the form does not invite a second check.
    expect(worker.get_by_role("button", name="提交核查结果")).to_be_disabled()
    shot(worker, "07-worker-check-offline")
    assert Incident.objects.get().status == IncidentStatus.HANDLED

    context.unroute(f"**{check_url}", unreachable)
    network_returns(context)
    expect(status).to_contain_text("已发送 1 条", timeout=FLUSH_TIMEOUT)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.SIGNED_IN and incident.rework_count == 1
    failed = IncidentEvent.objects.get(incident=incident, kind="check_failed")
    assert failed.note == "护栏焊点开裂，仍晃动"
    assert IncidentPhoto.objects.filter(event=failed).count() == 1
    assert Notification.objects.filter(
        recipient__username="department_liaison", kind="incident_rework"
    ).exists()

    # --- The department does it again. -------------------------------------------------------
    liaison.reload()
    expect_status(liaison, "已签收")
    expect(liaison.get_by_test_id("rework")).to_be_visible()
    panel = act(liaison, "handle")
    panel.get_by_label("处置情况").fill("更换整段护栏，重新焊接并加固。")
    panel.get_by_label("照片（最多 6 张）").set_input_files(
        a_photo(tmp_path, "加固.jpg", (60, 160, 90))
    )
    panel.get_by_role("button", name="确认：登记处置情况").click()
    expect_status(liaison, "已处置，待核查")

    # --- The worker checks again: it passes, and the incident closes. -----------------------
    worker.goto(f"{base_url}{reverse('grids:worker_home')}")
    worker.get_by_test_id("incidents-to-check").get_by_role("link").filter(
        has_text=incident.number
    ).click()
    expect(worker.get_by_test_id("what-was-done")).to_contain_text("更换整段护栏")
    worker.get_by_label("通过：办结").check()
    worker.get_by_role("button", name="提交核查结果").click()
    expect(worker).to_have_url(f"{base_url}{reverse('grids:worker_home')}")
    expect(worker.locator("[data-outbox-status]")).to_have_text("核查已保存。")
    expect(worker.get_by_test_id("incidents-to-check")).to_have_count(0)
    shot(worker, "08-worker-home-after-check")
    assert Notification.objects.filter(
        recipient__username="township_staff", kind="incident_closed"
    ).exists()
    assert Notification.objects.filter(
        recipient__username="department_liaison", kind="incident_closed"
    ).exists()

    # --- The timeline shows every step, with who and the photos. ----------------------------
    township.reload()
    expect_status(township, "已办结")
    labels = township.get_by_test_id("timeline").get_by_test_id("event-label")
    expect(labels).to_have_text(
        [
            "由网格上报事项登记",
            "派遣",
            "签收",
            "登记处置情况",
            "核查未通过，返工",
            "登记处置情况",
            "核查通过",
        ]
    )
    actors = township.get_by_test_id("timeline").get_by_test_id("event-actor")
    expect(actors).to_have_text(
        ["刘综治", "刘综治", "杨部门", "杨部门", "李网格", "杨部门", "李网格"]
    )
    photos = township.get_by_test_id("timeline").get_by_test_id("event-photos")
    expect(photos).to_have_count(3)
    # The photos open for those who see the incident.
    first_photo = photos.first.locator("img")
    expect(first_photo).to_have_js_property("complete", True)
    assert first_photo.evaluate("img => img.naturalWidth") == 1280
    shot(township, "09-township-closed-timeline")
    no_sideways_scroll(township)

    assert Incident.objects.get().status == IncidentStatus.CLOSED
    assert IncidentEvent.objects.filter(kind="check_failed").count() == 1
    assert errors == []
    for page in (worker, township, liaison):
        page.context.close()

"""A letter petition from the township's desk to the closed file.

The township centre's 刘综治 registers a letter that came in a few days ago, tells the
petitioner it is accepted well within the 15 days, takes it on, records the handling, replies
with a letter printed on A4, records that the petitioner is satisfied and closes it. Every
step is on the timeline with who and when; no request leaves the portal.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import expect

from petitions.models import Petition, PetitionStatus
from tests.e2e.test_sign_in_journey import sign_in

PETITIONER_ID = "140406198001011236"
REPLY = "经镇村两级协调，供电所已于本周更换店上村村道全部路灯，并安排专人定期巡查。"
WHEN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def act(page, action, *, confirm=None):
    """Open an action's panel on the petition page; return it, or submit it if `confirm`."""
    panel = page.locator(f'details[data-action="{action}"]')
    panel.locator("summary").click()
    if confirm:
        panel.get_by_role("button", name=confirm).click()
    return panel


def expect_status(page, text):
    expect(page.get_by_test_id("petition-status")).to_have_text(text)


def test_a_letter_is_registered_accepted_handled_answered_in_print_and_closed(
    page, demo_portal, tmp_path
):
    base_url = demo_portal.url
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    today = timezone.localdate()
    received = today - timedelta(days=3)

    # --- 刘综治 registers a letter that arrived three days ago. -----------------------------
    sign_in(page, base_url, "township_staff")
    page.get_by_role("link", name="信访", exact=True).first.click()
    expect(page.get_by_role("heading", name="信访")).to_be_visible()
    page.get_by_role("link", name="登记信访件").click()

    page.get_by_label("渠道").select_option(label="来信")
    page.get_by_label("收到日期").fill(received.isoformat())
    page.get_by_label("涉及区域").select_option(label="店上镇 · 店上村村委会")
    page.get_by_label("办理层级").select_option(label="乡镇（街道）级")
    page.get_by_label("事由").fill("店上村村道路灯长期不亮")
    page.get_by_label("主要内容").fill("村道路灯已坏三个月，夜间出行不便，多次向村里反映未解决。")
    petitioner = page.get_by_test_id("petitioner-0")
    petitioner.get_by_label("姓名").fill("郭春生")
    petitioner.get_by_label("身份证号码").fill(PETITIONER_ID)
    petitioner.get_by_label("联系电话").fill("13935501234")
    page.get_by_role("button", name="登记", exact=True).click()

    expect(page.locator(".alert-success")).to_contain_text("已登记")
    expect_status(page, "已收到")
    petition = Petition.objects.get()
    petition_url = page.url
    assert urlsplit(petition_url).path == f"/petitions/{petition.pk}/"
    assert petition.channel == "letter"
    assert petition.received_on == received
    expect(page.get_by_test_id("petitioners")).to_contain_text(PETITIONER_ID)
    clocks = page.get_by_test_id("clocks")
    acceptance = clocks.locator("tbody tr").first
    expect(acceptance).to_contain_text("告知是否受理")
    expect(acceptance).to_contain_text(petition.acceptance_due.isoformat())
    expect(page.get_by_test_id("next-clock")).to_contain_text("告知是否受理")

    # Accepted the same day: well within the 15 days.
    act(page, "accept", confirm="确认：受理")
    expect_status(page, "已受理")
    expect(acceptance).to_contain_text(today.isoformat())
    petition.refresh_from_db()
    assert petition.decided_on == today <= petition.acceptance_due
    expect(page.get_by_test_id("next-clock")).to_contain_text(petition.conclusion_due.isoformat())

    panel = act(page, "assign")
    panel.get_by_label("承办人").select_option(label="刘综治")
    panel.get_by_role("button", name="确认：分派").click()
    expect_status(page, "已分派")
    expect(page.get_by_test_id("handlers")).to_contain_text("刘综治")

    panel = act(page, "handle")
    panel.get_by_label("意见").fill("已联系供电所现场查看，确定更换灯具。")
    panel.get_by_role("button", name="确认：录入处理意见").click()
    expect_status(page, "已办理")

    panel = act(page, "reply")
    panel.get_by_label("答复信访人").fill(REPLY)
    panel.get_by_role("button", name="确认：答复").click()
    expect_status(page, "已答复")

    # --- The reply letter, laid out for A4 paper. -------------------------------------------
    page.get_by_role("link", name="信访事项处理意见书").click()
    expect(page.get_by_role("heading", name="信访事项处理意见书")).to_be_visible()
    expect(page.get_by_test_id("reply-text")).to_have_text(REPLY)
    expect(page.get_by_test_id("letter-to")).to_contain_text("郭春生")
    expect(page.get_by_test_id("letter-unit")).to_have_text("店上镇")
    print_css = page.locator('link[rel="stylesheet"][href*="css/print"]')
    expect(print_css).to_have_count(1)
    page.emulate_media(media="print")
    expect(page.get_by_test_id("reply-text")).to_be_visible()
    # The way back is for the screen only.
    expect(page.get_by_test_id("letter-toolbar")).to_be_hidden()
    pdf = tmp_path / "reply.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    page.emulate_media(media="screen")
    expect(page.get_by_test_id("letter-toolbar")).to_be_visible()
    page.get_by_role("link", name="返回信访件").click()
    expect_status(page, "已答复")

    # --- The petitioner is satisfied; the file is closed. ------------------------------------
    panel = act(page, "record_satisfied")
    panel.get_by_label("5").check()
    panel.get_by_role("button", name="确认：信访人满意").click()
    expect_status(page, "满意")
    act(page, "close", confirm="确认：结案")
    expect_status(page, "已办结")
    expect(page.locator("details[data-action]")).to_have_count(0)

    # The timeline holds every step, each with who and when.
    steps = ["已登记", "受理", "分派", "录入处理意见", "答复", "信访人满意", "结案"]
    events = page.get_by_test_id("timeline").locator("li")
    expect(events).to_have_count(len(steps))
    for index, label in enumerate(steps):
        event = events.nth(index)
        expect(event.get_by_test_id("event-label")).to_have_text(label)
        expect(event.get_by_test_id("event-actor")).to_have_text("刘综治")
        expect(event.locator("time")).to_have_text(WHEN)
    expect(events.nth(4)).to_contain_text(REPLY)

    petition.refresh_from_db()
    assert petition.status == PetitionStatus.CLOSED
    assert petition.satisfaction == 5
    assert petition.reply == REPLY
    # Every request of the journey went to the portal itself: no CDN, no web font.
    assert hosts == {urlsplit(base_url).netloc}


HELP = "村委会入户走访信访人，说明供电线路改造安排，协助核实路灯损坏情况。"


def switch_to(page, base_url, username, url):
    """Sign out whoever is signed in, sign in as `username`, open `url`."""
    page.context.clear_cookies()
    sign_in(page, base_url, username)
    page.goto(url)


def test_the_village_helps_the_township_sends_it_to_a_department_whose_head_extends_it(
    page, demo_portal
):
    """The village committee records its help and is offered nothing else; the township
    centre sends the letter to the county's housing bureau (转送), whose liaison accepts it
    and asks for more time; the bureau's head approves, and the liaison could not have."""
    from django.contrib.auth import get_user_model

    from governance.demo import DEMO_VILLAGE
    from governance.models import Area
    from petitions import services

    base_url = demo_portal.url
    petition = services.petition_register(
        actor=get_user_model().objects.get(username="township_staff"),
        channel="letter",
        subject="店上村村道路灯长期不亮",
        content="村道路灯已坏三个月，夜间出行不便。",
        area=Area.objects.get(code=DEMO_VILLAGE),
        level="township",
        petitioners=[{"name": "郭春生"}],
    )
    url = f"{base_url}/petitions/{petition.pk}/"

    # --- 赵村委 of 店上村 records what the committee did; accepting is not theirs. -----------
    switch_to(page, base_url, "village_staff", url)
    expect_status(page, "已收到")
    expect(page.locator('details[data-action="accept"]')).to_have_count(0)
    expect(page.locator('details[data-action="handle"]')).to_have_count(0)
    panel = act(page, "assist")
    panel.get_by_label("村（居）所做工作").fill(HELP)
    panel.get_by_role("button", name="确认：记录村（居）协助").click()
    expect(page.get_by_test_id("timeline")).to_contain_text(HELP)
    expect_status(page, "已收到")

    # --- 刘综治 sends it to the county's housing bureau. ------------------------------------
    switch_to(page, base_url, "township_staff", url)
    panel = act(page, "send_to_department")
    panel.get_by_label("部门").select_option(label="潞城区住房和城乡建设局")
    panel.get_by_label("交办意见").fill("请依职责办理并答复信访人。")
    panel.get_by_role("button", name="确认：转送交办职能部门").click()
    expect(page.get_by_test_id("department")).to_contain_text("潞城区住房和城乡建设局")
    # The centre no longer accepts it: the bureau does.
    expect(page.locator('details[data-action="accept"]')).to_have_count(0)

    # --- 杨部门, the bureau's liaison, accepts it and asks for 30 more days. -----------------
    switch_to(page, base_url, "department_liaison", url)
    act(page, "accept", confirm="确认：受理")
    expect_status(page, "已受理")
    panel = act(page, "request_extension")
    panel.get_by_label("延长天数").fill("30")
    panel.get_by_label("理由").fill("涉及供电线路改造，需等待施工。")
    panel.get_by_role("button", name="确认：申请延长办结期限").click()
    expect(page.get_by_test_id("extension-asked")).to_contain_text("申请延期 30 天")
    expect(page.locator('details[data-action="approve_extension"]')).to_have_count(0)

    # --- 冯局长, the bureau's head, approves it. --------------------------------------------
    switch_to(page, base_url, "department_head", url)
    act(page, "approve_extension", confirm="确认：批准延期")
    expect(page.get_by_text("已延期 30 天")).to_be_visible()
    petition.refresh_from_db()
    assert petition.extension_days == 30
    steps = [
        "已登记",
        "记录村（居）协助",
        "转送交办职能部门",
        "受理",
        "申请延长办结期限",
        "批准延期",
    ]
    actors = ["刘综治", "赵村委", "刘综治", "杨部门", "杨部门", "冯局长"]
    events = page.get_by_test_id("timeline").locator("li")
    expect(events).to_have_count(len(steps))
    for index, (label, actor) in enumerate(zip(steps, actors, strict=True)):
        expect(events.nth(index).get_by_test_id("event-label")).to_have_text(label)
        expect(events.nth(index).get_by_test_id("event-actor")).to_have_text(actor)

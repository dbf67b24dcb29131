"""A walk-in dispute from the township's desk to the closed file.

The township centre registers it, accepts it and gives it to a mediator; the mediator, on
their own machine, mediates, records a session and ends it mediated successfully with a
written agreement that prints on A4; the county's revisit officer, who handled none of it,
revisits the parties once the county's days have passed; the township closes it. Every step
is on the timeline with who and when. A county official sees the same dispute with the
parties' ID numbers masked.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import expect

from disputes.models import Dispute, Status
from tests.e2e.test_sign_in_journey import sign_in

# A valid GB 11643 number (the standard's own example): its check character is X.
APPLICANT_ID = "11010519491231002X"
APPLICANT_ID_MASKED = "110***********002X"
AGREEMENT = "被申请人于2026年12月31日前拆除越界围墙，双方互不追究。"
WHEN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def new_page(browser):
    """A second person at their own computer: a fresh context, so a separate session."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def watch(page, hosts, errors):
    """Note every host the page asks, and every script error or console error (a CSP
    violation, a missing file)."""
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))


def act(page, action, *, confirm=None):
    """Open an action's panel on the dispute page; return it, or submit it if `confirm`."""
    panel = page.locator(f'details[data-action="{action}"]')
    panel.locator("summary").click()
    if confirm:
        panel.get_by_role("button", name=confirm).click()
    return panel


def expect_status(page, text):
    expect(page.get_by_test_id("dispute-status")).to_have_text(text)


def test_a_walk_in_dispute_is_registered_mediated_agreed_revisited_and_closed(
    browser, page, demo_portal, tmp_path
):
    base_url = demo_portal.url
    hosts: set[str] = set()
    errors: list[str] = []
    watch(page, hosts, errors)

    # --- The township centre registers a walk-in dispute with two parties. -----------------
    sign_in(page, base_url, "township_staff")
    page.get_by_role("link", name="矛盾纠纷").first.click()
    expect(page.get_by_role("heading", name="矛盾纠纷工作台")).to_be_visible()
    page.get_by_role("link", name="登记纠纷").click()

    page.get_by_label("纠纷类型").select_option(label="邻里纠纷")
    page.get_by_label("受理渠道").select_option(label="群众来访")
    page.get_by_label("村（社区）").select_option(label="店上镇 · 店上村村委会")
    # The level the township centre staffs is already chosen.
    expect(page.get_by_label("办理层级")).to_have_value("township")
    page.get_by_label("涉及人数").fill("2")
    page.get_by_label("纠纷情况").fill("两户因宅基地边界围墙发生争执，多次口角。")
    applicant = page.get_by_test_id("party-0")
    applicant.get_by_label("姓名").fill("王大山")
    applicant.get_by_label("身份证号码").fill(APPLICANT_ID)
    applicant.get_by_label("联系电话").fill("13912345678")
    respondent = page.get_by_test_id("party-1")
    expect(respondent.get_by_label("当事方")).to_have_value("respondent")
    respondent.get_by_label("姓名").fill("李小河")
    page.get_by_role("button", name="登记", exact=True).click()

    expect(page.locator(".alert-success")).to_contain_text("已登记")
    expect_status(page, "已登记")
    dispute = Dispute.objects.get()
    assert dispute.status == Status.REGISTERED
    dispute_url = page.url
    assert urlsplit(dispute_url).path == f"/disputes/{dispute.pk}/"
    parties = page.get_by_test_id("parties")
    expect(parties).to_contain_text(APPLICANT_ID)  # those handling it see it whole
    expect(parties).to_contain_text("13912345678")

    # Accept it and give it to the township's mediator.
    act(page, "accept", confirm="确认：受理")
    expect_status(page, "已受理")
    panel = act(page, "assign")
    panel.get_by_label("主办人").select_option(label="陈调解（调解员）")
    panel.get_by_role("button", name="确认：分派").click()
    expect_status(page, "已分派")
    expect(page.get_by_test_id("handlers")).to_contain_text("陈调解")

    # --- The mediator, at their own computer, mediates and resolves it. ---------------------
    mediator = new_page(browser)
    watch(mediator, hosts, errors)
    sign_in(mediator, base_url, "mediator")
    # The bell tells them; its list leads to the dispute.
    expect(mediator.get_by_test_id("notification-count")).to_have_text("1")
    mediator.get_by_test_id("notification-bell").click()
    notice = mediator.get_by_test_id("notification")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(f"纠纷 {dispute.number} 已分派给您。")
    expect(mediator.get_by_test_id("notification-count")).to_have_count(0)
    notice.get_by_role("link").click()
    expect(mediator).to_have_url(dispute_url)
    expect_status(mediator, "已分派")
    expect(mediator.get_by_test_id("parties")).to_contain_text(APPLICANT_ID)

    panel = act(mediator, "start_mediation")
    panel.get_by_label("化解方式").select_option(label="人民调解")
    panel.get_by_role("button", name="确认：开始调解").click()
    expect_status(mediator, "调解中")

    panel = act(mediator, "record_session")
    panel.get_by_label("参加人员").fill("王大山、李小河、村调委会委员")
    panel.get_by_label("达成内容").fill("双方同意以原宅基地界址为准。")
    panel.get_by_role("button", name="确认：记录调解").click()
    expect(mediator.get_by_test_id("sessions")).to_contain_text("王大山、李小河、村调委会委员")

    panel = act(mediator, "resolve")
    panel.get_by_label("书面调解协议").check()
    panel.get_by_label("协议内容").fill(AGREEMENT)
    panel.get_by_role("button", name="确认：调解成功").click()
    expect_status(mediator, "调解成功")

    # The mediation agreement, laid out for A4 paper.
    mediator.get_by_role("link", name="调解协议书").click()
    expect(mediator.get_by_role("heading", name="调解协议书")).to_be_visible()
    expect(mediator.get_by_test_id("agreement-text")).to_have_text(AGREEMENT)
    expect(mediator.locator("article")).to_contain_text("王大山")
    print_css = mediator.locator('link[rel="stylesheet"][href$="css/print.css"]')
    expect(print_css).to_have_count(1)
    mediator.emulate_media(media="print")
    expect(mediator.get_by_test_id("agreement-text")).to_be_visible()
    # The navigation and the print button are for the screen only.
    expect(mediator.get_by_test_id("print-button")).to_be_hidden()
    pdf = tmp_path / "agreement.pdf"
    mediator.pdf(path=str(pdf), prefer_css_page_size=True)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    pages = re.search(rb"/Type /Pages\s*/Count (\d+)", content)
    assert pages and int(pages[1]) >= 1
    # Every page is A4: 210 × 297 mm, 595 × 842 points, give or take rounding.
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", content)
    assert boxes
    for box in boxes:
        assert abs(float(box[0]) - 595.3) < 2 and abs(float(box[1]) - 841.9) < 2
    mediator.emulate_media(media="screen")
    mediator.context.close()

    # --- The county's revisit officer, once the county's days have passed. ------------------
    # The township staff are not independent of the case: no revisit for them.
    page.goto(dispute_url)
    expect_status(page, "调解成功")
    expect(page.locator('details[data-action="revisit"]')).to_have_count(0)
    Dispute.objects.filter(pk=dispute.pk).update(resolved_at=timezone.now() - timedelta(days=20))
    revisitor = new_page(browser)
    watch(revisitor, hosts, errors)
    sign_in(revisitor, base_url, "revisitor")
    revisitor.goto(dispute_url)
    expect_status(revisitor, "调解成功")
    panel = act(revisitor, "revisit")
    panel.get_by_label("5 · 非常满意").check()
    panel.get_by_label("已履行", exact=True).check()
    panel.get_by_label("回访意见").fill("双方满意，围墙已拆除。")
    panel.get_by_role("button", name="确认：回访").click()
    expect_status(revisitor, "已回访")
    expect(revisitor.get_by_test_id("revisits")).to_contain_text("已履行")
    revisitor.context.close()

    # --- Back at the township: the close. ----------------------------------------------------
    page.goto(dispute_url)
    act(page, "close", confirm="确认：结案")
    expect_status(page, "已办结")
    # A closed dispute can only be reopened.
    actions = page.locator("details[data-action]")
    expect(actions).to_have_count(1)
    expect(actions).to_have_attribute("data-action", "reopen")

    # The timeline holds every step, each with who and when.
    steps = [
        ("已登记", "刘综治"),
        ("受理", "刘综治"),
        ("分派", "刘综治"),
        ("开始调解", "陈调解"),
        ("记录调解", "陈调解"),
        ("调解成功", "陈调解"),
        ("回访", "孙回访"),
        ("结案", "刘综治"),
    ]
    events = page.get_by_test_id("timeline").locator("li")
    expect(events).to_have_count(len(steps))
    for index, (label, who) in enumerate(steps):
        event = events.nth(index)
        expect(event.locator("[data-testid=event-label]")).to_have_text(label)
        expect(event.locator("[data-testid=event-actor]")).to_have_text(who)
        expect(event.locator("time")).to_have_text(WHEN)

    # --- A county official sees the same dispute, the personal data masked. ----------------
    official = new_page(browser)
    watch(official, hosts, errors)
    sign_in(official, base_url, "county_official")
    official.goto(dispute_url)
    expect_status(official, "已办结")
    parties = official.get_by_test_id("parties")
    expect(parties).to_contain_text(APPLICANT_ID_MASKED)
    expect(parties).not_to_contain_text(APPLICANT_ID)
    expect(parties).not_to_contain_text("13912345678")
    official.context.close()

    dispute.refresh_from_db()
    assert dispute.status == Status.CLOSED
    assert dispute.agreement == AGREEMENT
    # Every request of the journey, by all four people, went to the portal itself.
    assert hosts == {urlsplit(base_url).netloc}
    assert errors == []

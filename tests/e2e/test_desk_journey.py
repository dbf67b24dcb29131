"""A walk-in at the front desk (一窗受理), on 360 px phones.

A resident walks into the township's centre about a neighbour's wall. 刘综治 receives the
matter at the desk, prints the receipt with its number and query code, classifies the matter
as a dispute (registered on the dispute services, the resident as the applicant), and the
resident, at home and without an account, follows its progress by number and code: routed as
a dispute, then concluded with the public reply. No request leaves the portal.
"""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from desk.models import Matter, MatterStatus
from disputes.models import Dispute
from disputes.services.handling import dispute_accept, dispute_terminate
from tests.e2e.test_sign_in_journey import sign_in

WIDTH = 360


def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def watch(page, errors):
    """Every script error and console error (a CSP violation, a missing file)."""
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_walk_in_is_received_classified_as_a_dispute_and_followed_by_its_code(
    browser, demo_portal
):
    base_url = demo_portal.url
    hosts: set[str] = set()
    errors: list[str] = []

    # --- 刘综治 receives the walk-in at the desk. --------------------------------------------
    clerk = phone(browser)
    watch(clerk, errors)
    clerk.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    sign_in(clerk, base_url, "township_staff")
    # The desk is in the menu (collapsed behind the toggler on a phone).
    clerk.locator(".navbar-toggler").click()
    clerk.get_by_role("link", name="一窗受理").click()
    expect(clerk.get_by_role("heading", name="受理登记")).to_be_visible()
    no_sideways_scroll(clerk)

    clerk.get_by_label("渠道").select_option(label="来访")
    clerk.get_by_label("来访/来电人姓名").fill("郭春生")
    clerk.get_by_label("联系电话").fill("13935501234")
    clerk.get_by_label("所在地").select_option(label="店上镇 · 店上村村委会")
    clerk.get_by_label("具体地点").fill("村东头第三户")
    clerk.get_by_label("反映事项").fill("邻居加高院墙挡住通道")
    clerk.get_by_label("详情").fill("邻居加高院墙，挡住了我家的出入通道，协商未果。")
    clerk.get_by_role("button", name="受理并打印回执").click()

    # --- The receipt: number and query code, printed. ---------------------------------------
    expect(clerk.get_by_role("heading", name="受理回执")).to_be_visible()
    matter = Matter.objects.get()
    number = clerk.get_by_test_id("receipt-number").inner_text()
    code = clerk.get_by_test_id("query-code").inner_text()
    assert number == matter.number
    assert len(code) == 6 and matter.check_query_code(code)
    expect(clerk.locator('link[rel="stylesheet"][href$="css/print.css"]')).to_have_count(1)
    clerk.emulate_media(media="print")
    expect(clerk.get_by_test_id("query-code")).to_be_visible()
    expect(clerk.get_by_test_id("receipt-number")).to_be_visible()
    expect(clerk.get_by_test_id("print")).to_be_hidden()
    clerk.emulate_media(media="screen")

    # --- Classified as a dispute: registered on the dispute services and linked. ------------
    clerk.get_by_test_id("to-matter").click()
    expect(clerk.get_by_test_id("matter-number")).to_have_text(number)
    expect(clerk.get_by_test_id("requester-phone")).to_have_text("13935501234")
    no_sideways_scroll(clerk)
    form = clerk.get_by_test_id("classify-form")
    form.get_by_label("事项类别").select_option(label="矛盾纠纷")
    form.get_by_label("纠纷类型").select_option(label="邻里纠纷")
    form.get_by_label("对方当事人（纠纷类）").fill("郭二保")
    form.get_by_role("button", name="分类").click()
    expect(clerk.locator(".alert-success")).to_contain_text("事项已分类")
    expect(clerk.get_by_test_id("matter-status")).to_have_text("已分流")
    dispute = Dispute.objects.get()
    expect(clerk.get_by_test_id("case-link")).to_have_text(dispute.number)
    assert {p.name for p in dispute.parties.all()} == {"郭春生", "郭二保"}

    # --- At home, the resident follows the matter by its number and code. -------------------
    resident = phone(browser)
    watch(resident, errors)
    resident.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    resident.goto(f"{base_url}/desk/query/")
    expect(resident.get_by_role("heading", name="办理进度查询")).to_be_visible()
    resident.get_by_label("受理编号").fill(number)
    resident.get_by_label("查询码").fill(code.lower())
    resident.get_by_role("button", name="查询").click()
    expect(resident.get_by_test_id("query-status")).to_have_text("已分流")
    steps = resident.get_by_test_id("query-steps")
    expect(steps).to_contain_text("窗口受理")
    expect(steps).to_contain_text("已分流：矛盾纠纷")
    result = resident.get_by_test_id("query-result")
    for private in ("郭春生", "13935501234", "刘综治", "郭二保"):
        expect(result).not_to_contain_text(private)
    no_sideways_scroll(resident)

    # The mediation ends (the parties withdraw); the resident sees the matter concluded.
    staff = dispute.registered_by
    dispute = dispute_accept(actor=staff, dispute=dispute)
    dispute_terminate(actor=staff, dispute=dispute, outcome="withdrawn", reason="双方自行和解撤回")
    assert Matter.objects.get().status == MatterStatus.ANSWERED
    resident.get_by_label("受理编号").fill(number)
    resident.get_by_label("查询码").fill(code)
    resident.get_by_role("button", name="查询").click()
    expect(resident.get_by_test_id("query-status")).to_have_text("已办结")
    expect(resident.get_by_test_id("query-reply")).to_contain_text("您反映的事项已办理")
    expect(resident.get_by_test_id("query-steps")).to_contain_text("承办案件已办结")

    assert errors == []
    assert hosts == {urlsplit(base_url).netloc}
    clerk.context.close()
    resident.context.close()

"""The now board: a dispute the township let run past its deadline stays at the township and
turns red; the nightly job opens a supervision. The county sees it on its board and writes its
instruction; the township, on its own board, reads the instruction and answers; the county's
board shows the answer."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from cases.supervision import supervise_red_cases
from disputes import services
from disputes.models import Dispute
from governance.models import Area
from tests.e2e.test_dispute_journey import new_page
from tests.e2e.test_sign_in_journey import sign_in


def test_a_red_dispute_is_supervised_by_the_county_and_answered_by_the_township(
    browser, page, demo_portal
):
    base_url = demo_portal.url
    hosts: set[str] = set()
    errors: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    township_staff = get_user_model().objects.get(username="township_staff")
    dispute = services.dispute_register(
        actor=township_staff,
        kind="land",
        channel="walk_in",
        description="两户因承包地边界发生争执",
        people_involved=2,
        village=Area.objects.get(code="140406100200"),
        level="township",
        parties=[{"side": "applicant", "name": "王大山", "id_number": "", "phone": ""}],
    )
    Dispute.objects.filter(pk=dispute.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    assert supervise_red_cases() == 1  # the nightly job

    # --- The county opens its board from the menu: the dispute is red, and supervised. -----
    sign_in(page, base_url, "county_official")
    page.get_by_role("link", name="实时").first.click()
    expect(page.get_by_test_id("board-title")).to_have_text("实时")
    red = page.get_by_test_id("board-red")
    expect(red.get_by_role("link", name=dispute.number)).to_be_visible()
    expect(red.locator('[data-light="red"]').first).to_be_visible()
    supervision = page.locator(f'[data-testid="supervision"][data-number="{dispute.number}"]')
    expect(supervision.get_by_test_id("supervision-state")).to_contain_text("请于")
    # The county does not answer for the township.
    expect(supervision.get_by_test_id("answer-form")).to_have_count(0)

    supervision.get_by_label("督办意见").fill("三个工作日内入户调处，结果报区综治中心")
    supervision.get_by_role("button", name="督办").click()
    expect(page.get_by_text("督办意见已发送。")).to_be_visible()
    expect(supervision.get_by_test_id("supervision-note")).to_have_text(
        "三个工作日内入户调处，结果报区综治中心"
    )

    # --- The township reads the instruction on its board and answers. -----------------------
    township = new_page(browser)
    sign_in(township, base_url, "township_staff")
    township.goto(f"{base_url}/board/")
    theirs = township.locator(f'[data-testid="supervision"][data-number="{dispute.number}"]')
    expect(theirs.get_by_test_id("supervision-note")).to_have_text(
        "三个工作日内入户调处，结果报区综治中心"
    )
    expect(theirs.get_by_test_id("instruct-form")).to_have_count(0)
    theirs.get_by_label("答复").fill("已约双方周五到镇调解室调解")
    theirs.get_by_role("button", name="答复督办").click()
    expect(township.get_by_text("答复已发送。")).to_be_visible()
    township.context.close()

    # --- The county's board shows the answer; the dispute is still the township's. ----------
    page.reload()
    expect(supervision.get_by_test_id("supervision-state")).to_have_text("已答复")
    expect(supervision.get_by_test_id("supervision-answer")).to_have_text(
        "已约双方周五到镇调解室调解"
    )
    expect(supervision.get_by_test_id("instruct-form")).to_have_count(0)
    assert Dispute.objects.get(pk=dispute.pk).level == "township"
    # The dispute's page shows the red light and the supervision on its timeline.
    page.get_by_test_id("board-red").get_by_role("link", name=dispute.number).click()
    expect(page.locator('[data-light="red"]').first).to_be_visible()
    expect(page.get_by_text("超期：上级督办")).to_be_visible()
    expect(page.get_by_text("督办已答复")).to_be_visible()

    assert hosts == {urlsplit(base_url).netloc}
    assert errors == []

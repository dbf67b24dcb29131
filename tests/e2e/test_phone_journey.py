"""The portal on a small phone (360 px wide): the case lists are cards, not tables squeezed
to a character a column; the area of the dispute filter is picked by its name; every control
of a grid worker's pages is a finger's size; the finding form checks itself before the phone
keeps anything, and a finding the portal refused can be opened again, corrected and sent."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from disputes import services as disputes
from governance.models import Area
from grids.models import Finding, FindingCategory, FindingStatus, Grid
from incidents import services as incidents
from tests.e2e.test_grid_worker_journey import (
    FLUSH_TIMEOUT,
    findings_not_carried,
    my_grid,
    network_returns,
)
from tests.e2e.test_sign_in_journey import sign_in
from tests.factories import PetitionFactory, log_finding

TAP_SIZE = 44  # px, WCAG 2.5.5

DIANSHANG_VILLAGE = "140406100200"  # 店上村, where the demo grids are
HEPAI_VILLAGE = "140406100201"  # 河湃村, another village of 店上镇


def too_small_to_tap(page) -> list[str]:
    """Every control shown on the page that is less than TAP_SIZE px high or wide. A radio
    button or a tick box is tapped through its label, which is measured instead."""
    return page.evaluate(
        """(size) => {
          const small = [];
          const controls = document.querySelectorAll(
            "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=option]"
          );
          for (const control of controls) {
            const boxed = control.type === "radio" || control.type === "checkbox";
            const target = boxed && control.labels.length ? control.labels[0] : control;
            const box = target.getBoundingClientRect();
            if (!box.width || !box.height || getComputedStyle(target).visibility === "hidden") {
              continue; // not shown
            }
            if (box.width < size - 0.5 || box.height < size - 0.5) {
              const name = (target.textContent || control.name || "").trim().slice(0, 24);
              const measured = `${Math.round(box.width)}x${Math.round(box.height)}`;
              small.push(`${control.tagName} "${name}" ${measured}`);
            }
          }
          return small;
        }""",
        TAP_SIZE,
    )


def assert_fits_the_phone(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def card_of(page, list_test_id: str, number: str):
    """The first cell of a case's card, and the widths and labels of all its cells."""
    row = page.get_by_test_id(list_test_id).locator("tbody tr").filter(has_text=number)
    return row.evaluate(
        """(row) => Array.from(row.cells, (cell) => ({
             width: cell.getBoundingClientRect().width,
             top: cell.getBoundingClientRect().top,
             label: getComputedStyle(cell, "::before").content,
           }))"""
    )


def assert_shown_as_cards(page, list_test_id: str, number: str, labels: list[str]):
    assert_fits_the_phone(page)
    expect(page.get_by_test_id(list_test_id).locator("thead")).to_be_hidden()
    cells = card_of(page, list_test_id, number)
    # Not a column of one character: every cell has room for words, and they stack.
    assert min(cell["width"] for cell in cells) > 120, cells
    assert len({cell["top"] for cell in cells}) >= len(cells) // 2, cells
    shown = " ".join(cell["label"] for cell in cells)
    for label in labels:
        assert label in shown, (label, shown)


def test_the_case_lists_are_cards_and_the_area_is_picked_by_name(small_phone, demo_portal):
    page = small_phone
    base_url = demo_portal.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    staff = get_user_model().objects.get(username="township_staff")
    worker = get_user_model().objects.get(username="grid_worker")
    here, there = (
        disputes.dispute_register(
            actor=staff,
            kind="land",
            channel="walk_in",
            description=description,
            people_involved=2,
            village=Area.objects.get(code=code),
            level="township",
            parties=[{"side": "applicant", "name": "王大山", "id_number": "", "phone": ""}],
        )
        for code, description in [
            (DIANSHANG_VILLAGE, "两户因承包地边界发生争执"),
            (HEPAI_VILLAGE, "河湃村两户因宅基地边界争吵"),
        ]
    )
    petition = PetitionFactory(registered_by=staff)
    finding = log_finding(
        actor=worker,
        grid=Grid.objects.get(name="店上村第一网格"),
        category=FindingCategory.SAFETY_HAZARD,
        description="村口井盖缺失，夜间行人易跌落",
        status=FindingStatus.HANDED_UP,
    )
    incident = incidents.incident_create_from_finding(actor=staff, finding=finding)

    sign_in(page, base_url, "township_staff")
    page.goto(f"{base_url}/disputes/list/")
    assert_shown_as_cards(page, "dispute-list", here.number, ["纠纷类型", "状态", "期限"])
    page.goto(f"{base_url}/petitions/")
    assert_shown_as_cards(page, "petition-list", petition.number, ["事由", "状态"])
    page.goto(f"{base_url}/incidents/")
    assert_shown_as_cards(page, "incidents", incident.number, ["类别", "状态"])

    # The whole card opens the case.
    page.get_by_test_id("incidents").locator("tbody tr").filter(has_text=incident.number).click(
        position={"x": 200, "y": 60}
    )
    expect(page).to_have_url(f"{base_url}/incidents/{incident.pk}/")

    # The area is found by its name; the township's own villages only.
    page.goto(f"{base_url}/disputes/list/")
    box = page.get_by_role("combobox", name="区域")
    choices = page.get_by_role("listbox", name="区域").get_by_role("option")
    box.fill("秦家山")  # a village of 微子镇, not this township's
    expect(page.get_by_text("您的辖区内没有这个名称的区域。")).to_be_visible()
    expect(choices).to_have_count(0)
    box.fill("河湃")
    expect(choices).to_have_count(1)
    expect(choices.first).to_contain_text("店上镇 · 河湃村村委会")
    assert too_small_to_tap(page.get_by_role("listbox", name="区域")) == []
    choices.first.click()
    expect(box).to_have_value("潞城区 · 店上镇 · 河湃村村委会")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf"area={HEPAI_VILLAGE}"))
    rows = page.get_by_test_id("dispute-list").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(there.number)
    # The filtered page names the area, not its code.
    expect(box).to_have_value("潞城区 · 店上镇 · 河湃村村委会")

    # A name typed but not chosen: with one match, that one is taken.
    box.fill("店上村")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf"area={DIANSHANG_VILLAGE}"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(here.number)

    assert errors == []


def test_a_worker_page_fits_a_finger_and_the_outbox_checks_and_reopens_findings(
    small_phone, demo_portal, tmp_path
):
    page = small_phone
    base_url = demo_portal.url
    context = page.context
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    worker = get_user_model().objects.get(username="grid_worker")

    sign_in(page, base_url, "grid_worker")
    expect(page).to_have_url(f"{base_url}/grid/today/")
    assert_fits_the_phone(page)
    assert too_small_to_tap(page) == []

    # The language is changed from the menu, not from beside its button, and is named in
    # itself.
    switch = page.get_by_role("button", name="English")
    expect(switch).to_be_hidden()
    menu = page.get_by_role("button", name="菜单")
    menu.click()
    expect(switch).to_be_visible()
    assert too_small_to_tap(page) == []
    menu_box, switch_box = menu.bounding_box(), switch.bounding_box()
    assert switch_box["y"] >= menu_box["y"] + menu_box["height"] + TAP_SIZE
    menu.click()

    # A patrol of the second grid is under way: the finding form has that grid chosen, and no
    # disposal yet.
    my_grid(page, "店上村第二网格").get_by_role("button", name="开始巡查").click()
    page.get_by_role("link", name="记录发现").click()
    expect(page.get_by_label("网格")).to_have_value(str(Grid.objects.get(name="店上村第二网格").pk))
    for disposal in ["待处置", "就地处置", "已上报"]:
        expect(page.get_by_label(disposal)).not_to_be_checked()
    assert_fits_the_phone(page)
    assert too_small_to_tap(page) == []

    # An incomplete finding is stopped by the form: nothing is kept on the phone.
    status = page.locator("[data-outbox-status]")
    page.get_by_label("发现了什么？").fill("河道边堆放生活垃圾")
    page.get_by_role("button", name="保存").click()
    expect(status).to_contain_text("没有保存")
    expect(status).to_contain_text("处置方式：这个字段是必填项。")
    page.get_by_label("就地处置").check()
    page.get_by_role("button", name="保存").click()
    expect(status).to_contain_text("处置情况：就地处置时请填写处置情况。")
    expect(page.get_by_label("处置情况")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("就地处置时请填写处置情况。", exact=True)).to_be_visible()
    assert too_small_to_tap(page) == []

    # Completed, with a photo the phone cannot read (the portal cannot either), saved where
    # there is no network: kept on the phone.
    page.get_by_label("处置情况").fill("已通知保洁员清运")
    expect(page.get_by_label("处置情况")).not_to_have_attribute("aria-invalid", "true")
    photo = tmp_path / "IMG_0001.heic"
    photo.write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200)
    page.get_by_label("照片（最多 6 张）").set_input_files(photo)
    context.set_offline(True)
    page.get_by_role("button", name="保存").click()
    expect(status).to_contain_text("已保存在手机上")

    # Home again, over a signal that does not carry the finding: one waiting, counted so.
    let_findings_through = findings_not_carried(context)
    context.set_offline(False)
    page.goto(f"{base_url}/grid/today/")
    waiting = page.get_by_test_id("outbox-waiting")
    refused = page.get_by_test_id("outbox-refused")
    expect(waiting.locator("[data-outbox-count]")).to_have_text("1")
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    expect(refused).to_be_hidden()

    # The portal refuses the photo: the finding moves from the waiting to the refused, and
    # each count still matches its list.
    let_findings_through()
    network_returns(context)
    expect(refused).to_be_visible(timeout=FLUSH_TIMEOUT)
    expect(waiting).to_be_hidden()
    expect(refused.locator("[data-outbox-refused-count]")).to_have_text("1")
    expect(refused.get_by_role("listitem")).to_have_count(1)
    expect(refused.get_by_role("listitem")).to_contain_text("河道边堆放生活垃圾")
    expect(refused.get_by_role("listitem")).to_contain_text("照片")
    assert not Finding.objects.exists()
    assert too_small_to_tap(page) == []
    page.screenshot(path=tmp_path / "refused.png", full_page=True)

    # Opened again: the form holds the finding as it was sent, with the portal's reason.
    refused.get_by_role("link", name="修改").click()
    expect(page).to_have_url(re.compile(r"/grid/findings/new/#outbox=[0-9a-f-]+$"))
    expect(status).to_contain_text("服务器未接受这一条")
    expect(page.get_by_label("发现了什么？")).to_have_value("河道边堆放生活垃圾")
    expect(page.get_by_label("就地处置")).to_be_checked()
    expect(page.get_by_label("处置情况")).to_have_value("已通知保洁员清运")
    expect(page.get_by_label("网格")).to_have_value(str(Grid.objects.get(name="店上村第二网格").pk))
    photos = page.get_by_label("照片（最多 6 张）")
    assert photos.evaluate("(input) => input.files.length") == 1

    # Corrected (without the photo) and saved: sent, and nothing is left on the phone.
    photos.set_input_files([])
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{base_url}/grid/today/")
    expect(status).to_have_text("发现已保存。")
    expect(page.locator("[data-outbox-list]")).to_be_hidden()
    finding = Finding.objects.get(reporter=worker)
    assert finding.description == "河道边堆放生活垃圾"
    assert finding.action_taken == "已通知保洁员清运"
    assert finding.grid.name == "店上村第二网格"
    assert finding.photos.count() == 0

    # Its page, where a finding is handled or handed up, fits a finger too.
    page.goto(f"{base_url}/grid/findings/{finding.pk}/")
    expect(page.get_by_test_id("finding-description")).to_have_text("河道边堆放生活垃圾")
    assert_fits_the_phone(page)
    assert too_small_to_tap(page) == []

    assert errors == []

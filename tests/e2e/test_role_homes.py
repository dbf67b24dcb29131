"""Every demo role signs in after `seed_demo` (the people and their month of work) and lands
on its work: the home shows that role's items, on a 360 px phone and a 1366 px desktop, and
axe finds no serious or critical accessibility violation on it."""

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from governance.demo import DEMO_PASSWORD

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = [(360, 740), (1366, 800)]

# Each role, and what on its home holds its work items.
ROLE_WORK = {
    "grid_worker": '[data-testid="my-grids"] > li',
    "police_liaison": '[data-testid="my-grids"] > li',
    "grid_chief": '[data-testid="work-item"]',
    "village_staff": '[data-testid="work-item"]',
    "township_staff": '[data-testid="work-item"]',
    "mediator": '[data-testid="my-cases"] [data-testid="work-item"]',
    "department_liaison": '[data-testid="my-cases"] [data-testid="work-item"]',
    "county_official": '[data-testid="home-dashboard"] [data-testid="work-item"]',
    "city_official": '[data-testid="home-dashboard"] [data-testid="work-item"]',
    "admin": '[data-testid="home-administrator"] [data-testid="work-item"]',
    "revisitor": '[data-testid="home-revisits"] [data-testid="work-item"]',
}
# Where the screenshots go, to be looked at (not kept in the repository).
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS") or tempfile.gettempdir()) / "role-homes"


@pytest.fixture
def seeded_portal(demo_portal):
    """The demo portal with the demo month replayed through the services and rolled up."""
    from governance.demo import seed_demo_activity

    seed_demo_activity()
    return demo_portal


def _first_message(node) -> str:
    checks = node.get("any") or node.get("all") or node.get("none") or []
    return checks[0].get("message", "") if checks else ""


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{node['target'][0]} {_first_message(node)}" for node in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_demo_role_lands_on_its_work_at_phone_and_desktop_width(browser, seeded_portal):
    base_url = seeded_portal.url
    problems = {}
    for username, work in ROLE_WORK.items():
        # The pages' strict CSP would refuse the injected axe script: the test bypasses it.
        context = browser.new_context(locale="zh-CN", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base_url}/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_test_id("current-user")).to_be_visible()
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base_url}/")
            items = page.locator(work)
            expect(items.first).to_be_visible()
            assert items.count() > 0, f"{username} at {width} px sees no work"
            # Nothing wider than the screen: the phone scrolls down, not sideways.
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{username} at {width} px scrolls sideways by {overflow} px"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{username}-{width}.png"), full_page=True)
            found = serious_violations(page)
            if found:
                problems[f"{username} at {width} px"] = found
        context.close()
    if problems:
        pytest.fail(
            "\n".join(f"{where}: {line}" for where, lines in problems.items() for line in lines)
        )

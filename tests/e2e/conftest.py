"""Browser tests: Playwright driving the system Chromium against a live server.

Playwright cannot download a browser on an intranet machine, so it is pointed at the
Chromium installed from the distribution. Without one, the browser tests are skipped and say
so, except under CI, where a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian packages: chromium, chromium-driver)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _chromium_missing_reason()
    if reason is None:
        return
    browser_items = [item for item in items if "e2e" in item.nodeid.split("/")]
    if not browser_items:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests must run in CI, but {reason}.")
    marker = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in browser_items:
        item.add_marker(marker)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop in the test thread; Django would
    # refuse database access from it, though the tests themselves never await anything.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_portal(transactional_db, live_server):
    """A live portal holding the demo slice of Changzhi and the demo people."""
    from governance.demo import seed_demo_people
    from tests.conftest import DIANSHANG, HANDIAN, WEIZI
    from tests.factories import import_changzhi_slice

    import_changzhi_slice(DIANSHANG, WEIZI, HANDIAN)
    seed_demo_people()
    return live_server


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def small_phone(browser):
    """A cheap phone: 360 px wide."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()

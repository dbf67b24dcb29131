"""A township's staff member signs in, looks around their own area, and signs out."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from governance.demo import DEMO_PASSWORD


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_township_staff_sign_in_see_their_township_open_a_village_and_sign_out(page, demo_portal):
    base_url = demo_portal.url
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    # An English browser still gets the Chinese portal.
    sign_in(page, base_url, "township_staff")
    expect(page.get_by_test_id("current-user")).to_have_text("刘综治")
    expect(page.get_by_test_id("home-role")).to_have_text("乡镇（街道）综治中心工作人员")

    page.get_by_role("link", name="区域").first.click()
    expect(page.get_by_test_id("area-name")).to_have_text("店上镇")
    expect(page.get_by_test_id("breadcrumbs")).not_to_contain_text("潞城区")
    children = page.get_by_test_id("children")
    expect(children).to_contain_text("店上村村委会")
    expect(children).not_to_contain_text("秦家山村")  # a village of the neighbouring 微子镇

    children.get_by_role("link", name="河湃村村委会").click()
    expect(page.get_by_test_id("area-name")).to_have_text("河湃村村委会")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("店上镇")

    # A guessed address outside the jurisdiction looks like one that does not exist.
    response = page.goto(f"{base_url}/areas/140406101/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")

    page.goto(f"{base_url}/")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.goto(f"{base_url}/areas/140406100/")
    assert urlsplit(page.url).path == "/accounts/login/"

    # Every request of the whole journey went to the portal itself: no CDN, no web font.
    assert hosts == {urlsplit(base_url).netloc}

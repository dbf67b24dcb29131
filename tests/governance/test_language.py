"""Chinese first, whatever the browser says; English when the person chooses it."""

from django.urls import reverse

from governance.models import Role
from tests.conftest import DIANSHANG
from tests.factories import person_with_role


def test_pages_are_chinese_even_for_an_english_browser(client, changzhi_slice):
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "退出登录" in page
    assert "乡镇（街道）综治中心工作人员" in page


def test_english_can_be_chosen(client, changzhi_slice):
    client.force_login(person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG))
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    assert "Sign out" in page


def test_times_are_beijing_time(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ

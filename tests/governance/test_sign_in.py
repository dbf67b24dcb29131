"""Sign-in, sign-out, lockout of a name at an address, its cool-off, and the idle timeout."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from tests.conftest import DIANSHANG
from tests.factories import TEST_PASSWORD, person_with_role

OFFICE = "10.1.1.1"
OTHER_OFFICE = "10.2.2.2"


@pytest.fixture
def staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, username="liu")


def sign_in(client, username, password, address=OFFICE):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_until_locked(client, username, address=OFFICE):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "wrong-password", address)


def test_the_sign_in_page_is_in_chinese(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page
    assert "密码" in page


def test_a_good_password_signs_in_and_sign_out_ends_the_session(client, staff):
    response = sign_in(client, "liu", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("logout"))

    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_is_refused_in_chinese(client, staff):
    response = sign_in(client, "liu", "wrong-password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_repeated_failures_lock_the_name_at_that_address(client, staff):
    fail_until_locked(client, "liu")

    response = sign_in(client, "liu", TEST_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert "15 分钟" in page


def test_the_lockout_spares_colleagues_at_the_same_address(client, staff):
    person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, username="chen")
    fail_until_locked(client, "liu")

    assert sign_in(client, "chen", TEST_PASSWORD).status_code == 302


def test_the_lockout_spares_the_same_name_from_another_address(client, staff):
    fail_until_locked(client, "liu")

    assert sign_in(client, "liu", TEST_PASSWORD, address=OTHER_OFFICE).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, staff):
    fail_until_locked(client, "liu")
    assert sign_in(client, "liu", TEST_PASSWORD).status_code == 429

    # Let the cool-off pass: the failures now lie further back than it lasts.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    assert sign_in(client, "liu", TEST_PASSWORD).status_code == 302


def test_thirty_minutes_idle_end_the_session(client, staff):
    sign_in(client, "liu", TEST_PASSWORD)
    session = Session.objects.get()
    assert session.expire_date - timezone.now() > timedelta(minutes=29)
    assert session.expire_date - timezone.now() <= timedelta(minutes=30)

    # Each request pushes the expiry forward; thirty idle minutes let it pass.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_password_validators_are_on(staff):
    from django.contrib.auth.password_validation import get_default_password_validators

    names = {type(v).__name__ for v in get_default_password_validators()}
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= names

"""grant_role: appoints the first administrator from the command line, refuses bad input."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from governance.models import Membership, Role
from tests.conftest import CITY, DIANSHANG_VILLAGE
from tests.factories import UserFactory


def test_an_existing_person_is_granted_a_role(changzhi_slice):
    person = UserFactory(username="wu")
    call_command("grant_role", "wu", CITY, "administrator", stdout=io.StringIO())
    assert Membership.objects.filter(user=person, area__code=CITY, role=Role.ADMINISTRATOR)


def test_a_new_person_is_created_with_a_valid_password(changzhi_slice, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Strong-admin-2026")
    call_command("grant_role", "wu", CITY, "administrator", stdout=io.StringIO())
    assert get_user_model().objects.get(username="wu").check_password("Strong-admin-2026")


@pytest.mark.parametrize(
    ("area", "role", "message"),
    [
        ("9999", "administrator", "9999"),
        (CITY, "emperor", "emperor"),
        (DIANSHANG_VILLAGE, "administrator", "不能设在"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    changzhi_slice, area, role, message
):
    UserFactory(username="wu")
    with pytest.raises(CommandError) as raised:
        call_command("grant_role", "wu", area, role, stdout=io.StringIO())
    assert message in str(raised.value)
    assert not Membership.objects.exists()


def test_a_weak_password_for_a_new_person_is_refused(changzhi_slice, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "123")
    with pytest.raises(CommandError):
        call_command("grant_role", "wu", CITY, "administrator", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="wu").exists()

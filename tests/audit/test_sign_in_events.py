"""Sign-ins, sign-outs, failed sign-ins and lockouts each leave one audit entry, with the
person, their area, and the address they came from."""

from django.conf import settings
from django.urls import reverse

from governance.audit.models import AuditEntry, AuditKind
from tests.audit.conftest import entries
from tests.conftest import DIANSHANG
from tests.factories import TEST_PASSWORD

OFFICE = "10.1.1.1"


def sign_in(client, username, password, **extra):
    extra.setdefault("REMOTE_ADDR", OFFICE)
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_a_sign_in_and_a_sign_out_are_recorded_with_person_area_and_address(client, people):
    sign_in(client, "liu", TEST_PASSWORD, HTTP_USER_AGENT="Mozilla/5.0 test")
    client.post(reverse("logout"), REMOTE_ADDR=OFFICE)

    signed_in, signed_out = entries(sign_ins=True)
    assert signed_in.kind == AuditKind.SIGN_IN
    assert signed_in.actor == people["staff"]
    assert "liu" in signed_in.actor_name
    assert signed_in.area.code == DIANSHANG
    assert signed_in.ip_address == OFFICE
    assert signed_in.user_agent == "Mozilla/5.0 test"
    assert signed_out.kind == AuditKind.SIGN_OUT
    assert signed_out.actor == people["staff"]


def test_a_wrong_password_is_recorded_once_against_the_person(client, people):
    sign_in(client, "liu", "wrong-password")

    (failed,) = entries()
    assert failed.kind == AuditKind.SIGN_IN_FAILED
    assert failed.actor == people["staff"]
    assert failed.area.code == DIANSHANG
    assert failed.target == "liu"
    assert failed.ip_address == OFFICE
    assert "wrong-password" not in str(failed.detail)


def test_a_failed_sign_in_under_an_unknown_name_keeps_the_name_tried(client, people):
    sign_in(client, "nobody-here", "whatever")

    (failed,) = entries()
    assert failed.kind == AuditKind.SIGN_IN_FAILED
    assert failed.actor is None
    assert failed.area is None
    assert failed.actor_name == "nobody-here"


def test_the_lockout_is_recorded_once_and_each_refused_attempt_once(client, people):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "liu", "wrong-password")

    assert AuditEntry.objects.filter(kind=AuditKind.SIGN_IN_FAILED).count() == (
        settings.AXES_FAILURE_LIMIT
    )
    (locked,) = entries(kind=AuditKind.LOCKED_OUT)
    assert locked.actor == people["staff"]
    assert locked.ip_address == OFFICE
    assert locked.detail["failures"] == settings.AXES_FAILURE_LIMIT

    # The right password while locked out: refused, recorded once, as a lockout.
    before = AuditEntry.objects.count()
    sign_in(client, "liu", TEST_PASSWORD)
    assert AuditEntry.objects.count() == before + 1
    refused = AuditEntry.objects.latest("pk")
    assert refused.kind == AuditKind.LOCKED_OUT
    assert refused.detail["refused_while_locked"] is True
    assert not AuditEntry.objects.filter(kind=AuditKind.SIGN_IN).exists()


def test_behind_a_trusted_proxy_the_clients_address_is_recorded(client, people, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the first address itself; the proxy appended the one it saw.
    sign_in(
        client,
        "liu",
        "wrong-password",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
    )

    assert AuditEntry.objects.get().ip_address == "203.0.113.9"


def test_without_a_proxy_a_forwarded_header_is_not_believed(client, people, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    sign_in(client, "liu", "wrong-password", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert AuditEntry.objects.get().ip_address == OFFICE


def test_behind_a_proxy_the_lockout_is_per_client_not_per_proxy(client, people, settings):
    """Every office reaches the portal through the same proxy: one person's failures at one
    office must not lock out the same name at another."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            client, "liu", "wrong-password", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.9.9.9"
        )

    response = sign_in(
        client, "liu", TEST_PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.8.8.8"
    )

    assert response.status_code == 302
    assert AuditEntry.objects.filter(kind=AuditKind.SIGN_IN, ip_address="10.8.8.8").count() == 1

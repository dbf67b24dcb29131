"""Refusals, exports and changes of roles each leave exactly one audit entry with the right
person, event and area; a refusal is kept even when the work around it rolls back."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from disputes.selectors import dispute_get_for_user_or_404
from governance.audit.middleware import AuditMiddleware
from governance.audit.models import AuditEntry, AuditKind
from governance.audit.services import audit_record
from governance.models import Membership, Role
from governance.rollups.engine import run_daily
from governance.services import membership_grant, membership_revoke, person_create
from tests.audit.conftest import entries
from tests.conftest import CITY, DIANSHANG, DIANSHANG_VILLAGE, LUCHENG, WEIZI
from tests.factories import DisputeFactory, UserFactory, area, person_with_role


@pytest.fixture
def dispute(people):
    return DisputeFactory(village=area(DIANSHANG_VILLAGE))


# --- Refusals --------------------------------------------------------------------------------


def test_a_403_is_recorded_with_the_person_the_page_and_their_area(client, people):
    client.force_login(people["staff"])

    response = client.get(reverse("people_list"), REMOTE_ADDR="10.1.1.9")

    assert response.status_code == 403
    (denied,) = entries()
    assert denied.kind == AuditKind.ACCESS_DENIED
    assert denied.actor == people["staff"]
    assert denied.area.code == DIANSHANG
    assert denied.target == reverse("people_list")
    assert denied.ip_address == "10.1.1.9"


def test_a_case_outside_ones_jurisdiction_answers_404_and_is_recorded(client, people, dispute):
    client.force_login(people["weizi_staff"])

    response = client.get(reverse("disputes:detail", args=[dispute.pk]))

    assert response.status_code == 404
    (denied,) = entries()
    assert denied.kind == AuditKind.ACCESS_DENIED
    assert denied.actor == people["weizi_staff"]
    assert denied.area.code == WEIZI  # the person's area, for their administrators
    assert denied.target == f"dispute {dispute.pk}"
    assert denied.detail["object_area"] == DIANSHANG_VILLAGE


def test_the_refused_404_is_the_same_page_as_a_missing_one(client, people, dispute):
    client.force_login(people["weizi_staff"])
    refused = client.get(reverse("disputes:detail", args=[dispute.pk]))
    missing = client.get(reverse("disputes:detail", args=[987654321]))

    assert refused.status_code == missing.status_code == 404
    assert [t.name for t in refused.templates] == [t.name for t in missing.templates]


def test_a_missing_object_or_ones_own_is_not_a_refusal(client, people, dispute):
    client.force_login(people["staff"])

    assert client.get(reverse("disputes:detail", args=[987654321])).status_code == 404
    assert client.get(reverse("disputes:detail", args=[dispute.pk])).status_code == 200
    assert client.get(reverse("area_detail", args=["999999999999"])).status_code == 404

    assert entries() == []


def test_an_area_outside_ones_jurisdiction_is_recorded(client, people):
    client.force_login(people["staff"])

    assert client.get(reverse("area_detail", args=[WEIZI])).status_code == 404

    (denied,) = entries()
    assert denied.kind == AuditKind.ACCESS_DENIED
    assert denied.target == f"area {WEIZI}"
    assert denied.area.code == DIANSHANG


def _request_as(user):
    request = RequestFactory().get("/somewhere/", REMOTE_ADDR="10.3.3.3")
    request.user = user
    return request


def test_a_refusal_survives_the_transaction_around_it_rolling_back(people, dispute):
    """A refusal is usually followed by an exception that rolls back the transaction it
    happened in; what it did inside is undone, the refusal stays."""
    outsider = people["weizi_staff"]

    def view(request):
        try:
            with transaction.atomic():
                audit_record(kind=AuditKind.EXPORT, target="rolled back")
                dispute_get_for_user_or_404(user=request.user, pk=dispute.pk)
        except Http404:
            return HttpResponse(status=404)
        return HttpResponse()

    response = AuditMiddleware(view)(_request_as(outsider))

    assert response.status_code == 404
    (denied,) = entries()
    assert denied.kind == AuditKind.ACCESS_DENIED
    assert denied.actor == outsider
    assert denied.ip_address == "10.3.3.3"


def test_a_refusal_inside_a_transaction_that_commits_is_written_once(
    people, dispute, django_capture_on_commit_callbacks
):
    outsider = people["weizi_staff"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(Http404):
            dispute_get_for_user_or_404(user=outsider, pk=dispute.pk)
        assert entries() == []  # not yet: the transaction might still roll back

    (denied,) = entries()
    assert denied.actor == outsider


def test_a_failing_insert_does_not_break_the_request(client, people, monkeypatch):
    """Recording must never break what it records: the page still answers."""

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditEntry, "save", broken_save)
    client.force_login(people["staff"])

    assert client.get(reverse("people_list")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


# --- Exports ---------------------------------------------------------------------------------


def test_an_export_is_recorded_with_what_was_exported_and_the_area(client, people, dispute):
    client.force_login(people["staff"])

    response = client.get(reverse("disputes:export") + "?status=registered")

    assert response.status_code == 200
    (exported,) = entries()
    assert exported.kind == AuditKind.EXPORT
    assert exported.actor == people["staff"]
    assert exported.area.code == DIANSHANG
    assert exported.target.startswith("disputes-")
    assert exported.detail["rows"] == 1
    assert exported.detail["query"] == "status=registered"


def test_a_dashboard_export_is_recorded_for_the_area_exported(client, people):
    official = person_with_role(Role.COUNTY_OFFICIAL, LUCHENG, username="qian")
    run_daily(date(2026, 3, 18))
    client.force_login(official)

    url = reverse("dashboards:area_export", args=[DIANSHANG, "children"])
    assert client.get(url).status_code == 200

    (exported,) = entries()
    assert exported.kind == AuditKind.EXPORT
    assert exported.actor == official
    assert exported.area.code == DIANSHANG


# --- Changes of roles ------------------------------------------------------------------------


def test_a_role_granted_and_revoked_is_recorded_by_whom_to_whom_where(people):
    admin, worker = people["admin"], UserFactory(username="zhou")

    membership = membership_grant(
        actor=admin, user=worker, area=area(DIANSHANG_VILLAGE), role=Role.GRID_WORKER
    )
    membership_grant(actor=admin, user=worker, area=area(DIANSHANG_VILLAGE), role="grid_worker")
    membership_revoke(actor=admin, membership=membership, reason="调往其他村")

    granted, revoked = entries()  # granting it again changed nothing, and recorded nothing
    assert granted.kind == AuditKind.ROLE_GRANTED
    assert revoked.kind == AuditKind.ROLE_REVOKED
    assert revoked.detail["reason"] == "调往其他村"
    assert "reason" not in granted.detail
    for entry in (granted, revoked):
        assert entry.actor == admin
        assert entry.area.code == DIANSHANG_VILLAGE
        assert entry.target == "zhou"
        assert entry.detail["role"] == Role.GRID_WORKER


def test_a_person_created_with_a_role_is_recorded(people):
    person_create(
        actor=people["admin"],
        username="zheng",
        full_name="郑某",
        password="Strong-password-2026",
        area=area(DIANSHANG),
        role=Role.MEDIATOR,
    )

    created, granted = entries()
    assert (created.kind, granted.kind) == (AuditKind.PERSON_CREATED, AuditKind.ROLE_GRANTED)
    assert created.actor == granted.actor == people["admin"]
    assert granted.detail["role"] == Role.MEDIATOR
    assert granted.area.code == DIANSHANG


def test_a_refused_grant_records_no_grant(people):
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied; the point is what is left)
        membership_grant(
            actor=people["staff"], user=UserFactory(), area=area(DIANSHANG), role="mediator"
        )

    assert not AuditEntry.objects.filter(kind=AuditKind.ROLE_GRANTED).exists()
    assert not Membership.objects.filter(role=Role.MEDIATOR).exists()


def test_grant_role_at_the_command_line_is_recorded(changzhi_slice):
    UserFactory(username="wu")

    call_command("grant_role", "wu", CITY, "administrator", stdout=io.StringIO())

    (granted,) = entries()
    assert granted.kind == AuditKind.ROLE_GRANTED
    assert granted.actor is None
    assert granted.detail["via"] == "command line"
    assert granted.area.code == CITY
    assert granted.target == "wu"


def test_revoking_a_role_outside_ones_jurisdiction_answers_404_and_is_recorded(client, people):
    """The revoke page looks the role up as every other page does: refused, it is the 404 of
    a missing role, and one audit entry."""
    role = Membership.objects.get(user=people["staff"])
    client.force_login(people["other_admin"])

    response = client.post(reverse("membership_revoke", args=[role.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=role.pk).exists()
    (denied,) = entries()
    assert denied.kind == AuditKind.ACCESS_DENIED
    assert denied.actor == people["other_admin"]
    assert denied.target == f"membership {role.pk}"
    assert denied.detail["object_area"] == DIANSHANG

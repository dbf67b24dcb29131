"""Administrators manage people, but only inside their own jurisdiction."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from governance.audit.models import AuditEntry, AuditKind
from governance.models import Membership, Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, HANDIAN, LUCHENG, WEIZI_VILLAGE
from tests.factories import person_with_role

User = get_user_model()


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG)


def new_person(area_code, role=Role.GRID_WORKER, password="Grid-worker-2026", username="newbie"):
    return {
        "username": username,
        "full_name": "新网格员",
        "password": password,
        "area": area_code,
        "role": role,
    }


def test_an_administrator_adds_a_person_in_their_county(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(DIANSHANG_VILLAGE))

    person = User.objects.get(username="newbie")
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    assert (membership.area.code, membership.role) == (DIANSHANG_VILLAGE, Role.GRID_WORKER)
    assert person.check_password("Grid-worker-2026")


def test_an_area_outside_the_county_is_refused_and_nothing_is_written(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(HANDIAN, Role.TOWNSHIP_STAFF))

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_weak_password_is_refused_with_a_clear_message(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(DIANSHANG_VILLAGE, password="123"))

    assert "密码" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_role_at_the_wrong_level_is_refused(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("person_create"), new_person(DIANSHANG, Role.GRID_WORKER))
    assert "不能设在" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_township_administrator_cannot_see_people_elsewhere(client, changzhi_slice):
    township_admin = person_with_role(Role.ADMINISTRATOR, DIANSHANG)
    neighbour = person_with_role(Role.GRID_WORKER, WEIZI_VILLAGE)
    local = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    client.force_login(township_admin)

    listing = client.get(reverse("people_list")).content.decode()
    assert local.username in listing
    assert neighbour.username not in listing
    assert client.get(reverse("person_detail", args=[neighbour.pk])).status_code == 404
    neighbours_role = Membership.objects.get(user=neighbour)
    response = client.post(
        reverse("membership_revoke", args=[neighbours_role.pk]),
        {"confirm": "1", "reason": "调离"},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=neighbours_role.pk).exists()


def test_an_administrator_grants_and_revokes_a_role(client, county_admin):
    worker = person_with_role(Role.GRID_WORKER, DIANSHANG_VILLAGE)
    client.force_login(county_admin)

    client.post(
        reverse("person_detail", args=[worker.pk]),
        {"area": DIANSHANG_VILLAGE, "role": Role.POLICE_LIAISON},
    )
    granted = Membership.objects.get(user=worker, role=Role.POLICE_LIAISON)

    client.post(
        reverse("membership_revoke", args=[granted.pk]), {"confirm": "1", "reason": "不再兼任"}
    )
    assert not Membership.objects.filter(pk=granted.pk).exists()


# --- Revoking a role asks first, and needs a reason --------------------------------------------


@pytest.fixture
def worker_role(county_admin):
    worker = person_with_role(
        Role.GRID_WORKER, DIANSHANG_VILLAGE, username="zhaowg", first_name="赵网格"
    )
    return Membership.objects.get(user=worker)


# Who loses which role in which area, as the confirmation page says it.
REVOKE_STATEMENT = "赵网格（zhaowg）将不再担任店上村村委会（140406100200）的网格员。"


def revocations():
    return AuditEntry.objects.filter(kind=AuditKind.ROLE_REVOKED)


def test_the_person_page_leads_to_the_confirmation_not_to_the_revocation(
    client, county_admin, worker_role
):
    client.force_login(county_admin)
    page = client.get(reverse("person_detail", args=[worker_role.user_id])).content.decode()
    assert f'href="{reverse("membership_revoke", args=[worker_role.pk])}"' in page

    confirmation = client.get(reverse("membership_revoke", args=[worker_role.pk]))

    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert REVOKE_STATEMENT in text
    assert 'name="confirm"' in text and 'name="reason"' in text
    assert f'href="{reverse("person_detail", args=[worker_role.user_id])}"' in text  # cancel
    assert Membership.objects.filter(pk=worker_role.pk).exists()


@pytest.mark.parametrize("data", [{}, {"reason": "调离"}], ids=["nothing", "a reason alone"])
def test_a_revocation_posted_without_confirmation_changes_nothing_and_asks(
    client, county_admin, worker_role, data
):
    client.force_login(county_admin)

    response = client.post(reverse("membership_revoke", args=[worker_role.pk]), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("membership_revoke", args=[worker_role.pk])
    assert REVOKE_STATEMENT in response.content.decode()
    assert Membership.objects.filter(pk=worker_role.pk).exists()
    assert not revocations().exists()


def test_the_confirmed_revocation_revokes_and_is_audited_with_who_and_why(
    client, county_admin, worker_role
):
    client.force_login(county_admin)

    response = client.post(
        reverse("membership_revoke", args=[worker_role.pk]),
        {"confirm": "1", "reason": "本人调往微子镇工作"},
        follow=True,
    )

    assert "已撤销角色。" in response.content.decode()
    assert not Membership.objects.filter(pk=worker_role.pk).exists()
    (entry,) = revocations()
    assert entry.actor == county_admin
    assert entry.target == "zhaowg"
    assert entry.area.code == DIANSHANG_VILLAGE
    assert entry.detail["role"] == Role.GRID_WORKER
    assert entry.detail["reason"] == "本人调往微子镇工作"


@pytest.mark.parametrize("reason", ["", "   \n "], ids=["empty", "blank"])
def test_a_revocation_without_a_reason_is_refused_with_a_message(
    client, county_admin, worker_role, reason
):
    client.force_login(county_admin)

    response = client.post(
        reverse("membership_revoke", args=[worker_role.pk]), {"confirm": "1", "reason": reason}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "请填写撤销该角色的原因。" in text
    assert REVOKE_STATEMENT in text  # still the confirmation page, to give a reason on
    assert Membership.objects.filter(pk=worker_role.pk).exists()
    assert not revocations().exists()


def test_the_reason_is_read_in_the_audit_log(client, county_admin, worker_role):
    client.force_login(county_admin)
    client.post(
        reverse("membership_revoke", args=[worker_role.pk]),
        {"confirm": "1", "reason": "<b>长期</b>未履职"},
    )

    page = client.get(reverse("audit:list"), {"kind": AuditKind.ROLE_REVOKED}).content.decode()

    assert "理由：</strong>&lt;b&gt;长期&lt;/b&gt;未履职" in page
    assert county_admin.username in page  # who did it
    assert "zhaowg" in page  # to whom


def test_people_pages_are_for_administrators_only(client, changzhi_slice):
    client.force_login(person_with_role(Role.COUNTY_OFFICIAL, LUCHENG))
    assert client.get(reverse("people_list")).status_code == 403
    assert client.get(reverse("person_create")).status_code == 403

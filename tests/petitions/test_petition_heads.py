"""The head of a centre (主任), who approves a petition's extension, is appointed on the person's
page by an administrator of the area: a flag on the person's township or county centre staff
role, not a role of its own, so it changes nothing of what they see. The appointment is
audited. A department's head is its `head`."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from governance.audit.models import AuditEntry, AuditKind
from governance.models import Membership, Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.factories import person_with_role
from tests.petitions.helpers import text_of


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG, password=None)


def grant(client, person, **fields):
    return client.post(reverse("person_detail", args=[person.pk]), fields)


def test_an_administrator_appoints_the_head_of_a_township_centre(client, county_admin):
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="孟主任", password=None)
    client.force_login(county_admin)

    response = grant(client, staff, area=DIANSHANG, role=Role.TOWNSHIP_STAFF, is_head="on")

    assert response.status_code == 302
    membership = Membership.objects.get(user=staff)
    assert membership.is_head
    entry = AuditEntry.objects.filter(kind=AuditKind.ROLE_GRANTED, actor=county_admin).get()
    assert entry.detail["head"] is True
    page = text_of(client.get(reverse("person_detail", args=[staff.pk])))
    assert "乡镇（街道）综治中心工作人员（中心负责人）" in page


def test_only_centre_staff_can_head_a_centre(client, county_admin):
    person = person_with_role(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE, password=None)
    client.force_login(county_admin)
    before = list(Membership.objects.values())

    response = grant(client, person, area=DIANSHANG_VILLAGE, role=Role.GRID_CHIEF, is_head="on")

    assert response.status_code == 200
    assert "只有乡镇（街道）或县（区）综治中心工作人员可以担任中心负责人。" in text_of(response)
    assert list(Membership.objects.values()) == before


def test_the_database_refuses_a_head_of_another_role(changzhi_slice):
    person = person_with_role(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE, password=None)

    with pytest.raises(IntegrityError):
        Membership.objects.filter(user=person).update(is_head=True)


def test_the_new_person_form_does_not_appoint_heads(client, county_admin):
    client.force_login(county_admin)

    page = client.get(reverse("person_create")).content.decode()

    assert 'name="is_head"' not in page

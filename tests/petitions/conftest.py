"""The people of 店上镇 (潞城区) around a petition, their superiors, and a neighbouring township
that must not see it. Names are Chinese, as they are on the pages."""

import pytest

from governance.models import Area, Department, Membership, Role
from tests.conftest import DIANSHANG, LUCHENG, person
from tests.petitions.helpers import register


@pytest.fixture
def township_head(changzhi_slice):
    """The head (主任) of the 店上镇 centre, who approves an extension asked for by others."""
    head = person(Role.TOWNSHIP_STAFF, DIANSHANG, "孟主任")
    Membership.objects.filter(user=head).update(is_head=True)
    return head


@pytest.fixture
def county_head(changzhi_slice):
    head = person(Role.COUNTY_OFFICIAL, LUCHENG, "郑主任")
    Membership.objects.filter(user=head).update(is_head=True)
    return head


@pytest.fixture
def liaison(changzhi_slice):
    """The liaison of 潞城区住房和城乡建设局, who acts for it."""
    return person(Role.DEPARTMENT_LIAISON, LUCHENG, "杨联络")


@pytest.fixture
def department_head(changzhi_slice):
    return person(Role.DEPARTMENT_LIAISON, LUCHENG, "冯局长")


@pytest.fixture
def department(liaison, department_head):
    """A department of 潞城区 that petitions about street lights can be sent to."""
    department = Department.objects.create(
        area=Area.objects.get(code=LUCHENG), name="潞城区住房和城乡建设局", head=department_head
    )
    department.liaisons.add(liaison, department_head)
    return department


@pytest.fixture
def other_department(changzhi_slice):
    """A department of 潞城区 the petition was not sent to, with its own liaison."""
    department = Department.objects.create(
        area=Area.objects.get(code=LUCHENG), name="潞城区人力资源和社会保障局"
    )
    department.liaisons.add(person(Role.DEPARTMENT_LIAISON, LUCHENG, "何联络"))
    return department


@pytest.fixture
def petition(township_staff):
    """A letter about 店上村's street lights, registered today at the 店上镇 centre."""
    return register(township_staff)

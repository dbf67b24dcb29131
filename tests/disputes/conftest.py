"""The people of 店上镇 (潞城区) around a dispute, and a neighbour township that must not see it.

Names are Chinese, as they are on the pages; each person holds the one role the tests need.
"""

import pytest

from governance.models import Role
from grids.models import GridRole
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE, LUCHENG
from tests.disputes.helpers import register
from tests.factories import (
    GridFactory,
    area,
    department_with_liaison,
    person_with_role,
    team_member,
)


@pytest.fixture
def village(changzhi_slice):
    return area(DIANSHANG_VILLAGE)


@pytest.fixture
def grid(village):
    return GridFactory(village=village, code="140406100200-01", name="店上村第一网格")


@pytest.fixture
def grid_worker(grid):
    return team_member(grid, GridRole.WORKER, first_name="张网格")


@pytest.fixture
def second_township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="冯镇干")


@pytest.fixture
def revisitor(changzhi_slice):
    """潞城区's revisit officer (回访员): handles no dispute, staffs no level."""
    return person_with_role(Role.REVISITOR, LUCHENG, first_name="孙回访")


@pytest.fixture
def justice_office(changzhi_slice):
    department, _liaison = department_with_liaison("店上镇司法所", DIANSHANG, first_name="周司法")
    return department


@pytest.fixture
def justice_liaison(justice_office):
    return justice_office.liaisons.get()


@pytest.fixture
def resources_office(changzhi_slice):
    department, _liaison = department_with_liaison(
        "店上镇自然资源所", DIANSHANG, first_name="郑资源"
    )
    return department


@pytest.fixture
def resources_liaison(resources_office):
    return resources_office.liaisons.get()


@pytest.fixture
def dispute(township_staff):
    """A neighbours' dispute that walked in to the 店上镇 centre, registered there."""
    return register(township_staff)

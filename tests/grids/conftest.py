import pytest

from governance.models import Role
from grids.models import GridRole
from tests.conftest import DIANSHANG_VILLAGE
from tests.factories import GridFactory, area, person_with_role, team_member


@pytest.fixture
def village(changzhi_slice):
    return area(DIANSHANG_VILLAGE)


@pytest.fixture
def grid(village):
    return GridFactory(village=village, code="140406100200-01", name="店上村第一网格")


@pytest.fixture
def other_grid(village):
    """A second grid of the same village, with its own team."""
    return GridFactory(village=village, code="140406100200-02", name="店上村第二网格")


@pytest.fixture
def worker(grid):
    return team_member(grid, GridRole.WORKER, first_name="张网格")


@pytest.fixture
def other_worker(other_grid):
    return team_member(other_grid, GridRole.WORKER, first_name="李网格")


@pytest.fixture
def village_staff(village):
    return person_with_role(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE, first_name="王村委")

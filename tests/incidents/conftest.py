"""The people of 店上镇 (潞城区) around an incident: the grid worker who found it, the village
and township staff, a department of the county and its liaison, another department's liaison,
and a department of a neighbouring county."""

import pytest

from grids.models import FindingCategory, FindingStatus
from tests.conftest import LUCHENG, SHANGDANG
from tests.factories import (
    GridFactory,
    UserFactory,
    department_with_liaison,
    image_bytes,
    log_finding,
    photo_upload,
    team_member,
)


def a_photo(color=(90, 140, 60)):
    """A photo as the services take it: checked and re-encoded by `grids.photos`."""
    from grids.photos import process_photo

    return process_photo(photo_upload(content=image_bytes(size=(800, 600), color=color)))


@pytest.fixture
def grid(changzhi_slice):
    return GridFactory()


@pytest.fixture
def worker(grid):
    someone = UserFactory(first_name="周网格员", password=None)
    team_member(grid, person=someone)
    return someone


@pytest.fixture
def roads(changzhi_slice):
    """潞城区 交通局 and its liaison: (department, liaison)."""
    return department_with_liaison("交通局", LUCHENG, first_name="陈联络员", password=None)


@pytest.fixture
def water(changzhi_slice):
    return department_with_liaison("水务局", LUCHENG, first_name="郑联络员", password=None)


@pytest.fixture
def foreign_department(changzhi_slice):
    """A department of 上党区, another county."""
    return department_with_liaison("上党区住建局", SHANGDANG)[0]


@pytest.fixture
def finding(worker, grid):
    return log_finding(
        actor=worker,
        grid=grid,
        category=FindingCategory.SAFETY_HAZARD,
        description="路口井盖缺失，电话13812345678",
        status=FindingStatus.HANDED_UP,
    )


@pytest.fixture
def dispute_finding(worker, grid):
    return log_finding(
        actor=worker,
        grid=grid,
        category=FindingCategory.DISPUTE,
        description="两户因排水沟争执",
        status=FindingStatus.HANDED_UP,
    )


@pytest.fixture
def incident(township_staff, finding):
    from incidents.services import incident_create_from_finding

    return incident_create_from_finding(actor=township_staff, finding=finding)

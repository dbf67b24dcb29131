"""The people of 店上镇 of the dispute tests, and a county administrator."""

import pytest

from governance.models import Role
from tests.conftest import LUCHENG
from tests.disputes.conftest import (  # noqa: F401
    grid,
    grid_worker,
    justice_liaison,
    justice_office,
    village,
)
from tests.factories import person_with_role


@pytest.fixture
def county_admin(changzhi_slice):
    return person_with_role(Role.ADMINISTRATOR, LUCHENG)

from datetime import date

import pytest

from governance.models import Role
from grids.services import grid_create
from tests.conftest import (
    CITY,
    DIANSHANG,
    DIANSHANG_VILLAGE,
    HANDIAN,
    LUCHENG,
    SHANGDANG,
    WEIZI,
    WEIZI_VILLAGE,
)
from tests.factories import DepartmentFactory, area, person_with_role

# The latest rolled-up day of these tests: a Wednesday, so its week began two days earlier.
DAY = date(2026, 3, 18)
WEEK_START = date(2026, 3, 16)
MONTH_START = date(2026, 3, 1)


@pytest.fixture
def grids(changzhi_slice):
    """Two grids in 店上村, one in a village of 微子镇, one in 上党区's 韩店街道."""
    handian_village = area(HANDIAN).get_children().order_by("code").first()
    dianshang, weizi = area(DIANSHANG_VILLAGE), area(WEIZI_VILLAGE)

    def grid(village, code, name):
        return grid_create(actor=None, village=village, code=code, name=name, kind="rural")

    return {
        "first": grid(dianshang, "140406100200-01", "店上村第一网格"),
        "second": grid(dianshang, "140406100200-02", "店上村第二网格"),
        "weizi": grid(weizi, "140406101204-01", "微子第一网格"),
        "handian": grid(handian_village, f"{handian_village.code}-01", "韩店第一网格"),
    }


@pytest.fixture
def departments(changzhi_slice):
    """Two departments of 潞城区, one of its township 店上镇, one of 上党区."""
    return {
        "roads": DepartmentFactory(name="交通局", area=area(LUCHENG)),
        "water": DepartmentFactory(name="水务局", area=area(LUCHENG)),
        "township": DepartmentFactory(name="店上镇综合执法队", area=area(DIANSHANG)),
        "other": DepartmentFactory(name="上党区住建局", area=area(SHANGDANG)),
    }


@pytest.fixture
def county_official(changzhi_slice):
    return person_with_role(Role.COUNTY_OFFICIAL, LUCHENG, first_name="黄区委")


@pytest.fixture
def city_official(changzhi_slice):
    return person_with_role(Role.CITY_OFFICIAL, CITY, first_name="周市委")


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="刘综治")


@pytest.fixture
def other_county_official(changzhi_slice):
    return person_with_role(Role.COUNTY_OFFICIAL, SHANGDANG, first_name="上党区委")


@pytest.fixture
def other_township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, WEIZI, first_name="微子综治")

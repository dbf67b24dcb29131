import pytest
from django.core.cache import cache

from governance.models import Role
from tests.factories import import_changzhi_slice, person_with_role

# 潞城区 (140406): 店上镇 holds the demo village 店上村; 微子镇 is its neighbour.
# 上党区 (140404): 韩店街道, another county altogether.
DIANSHANG = "140406100"
WEIZI = "140406101"
HANDIAN = "140404001"
DIANSHANG_VILLAGE = "140406100200"
WEIZI_VILLAGE = "140406101204"
LUCHENG = "140406"
SHANGDANG = "140404"
CITY = "1404"


@pytest.fixture
def changzhi_slice(db):
    """Two townships of 潞城区 and one of 上党区, under the real city of 长治市."""
    import_changzhi_slice(DIANSHANG, WEIZI, HANDIAN)


def person(role, area_code, name):
    """Tests sign these people in with `force_login`: no password to hash (it is slow)."""
    return person_with_role(role, area_code, first_name=name, password=None)


# The people of 店上镇 (潞城区) that the case types' tests share, each with the one role the
# tests need; names are Chinese, as they are on the pages.
@pytest.fixture
def township_staff(changzhi_slice):
    return person(Role.TOWNSHIP_STAFF, DIANSHANG, "赵镇干")


@pytest.fixture
def village_staff(changzhi_slice):
    return person(Role.VILLAGE_STAFF, DIANSHANG_VILLAGE, "王村委")


@pytest.fixture
def weizi_staff(changzhi_slice):
    """Staff of the neighbouring township 微子镇: nothing of 店上镇 is theirs."""
    return person(Role.TOWNSHIP_STAFF, WEIZI, "钱镇干")


@pytest.fixture
def mediator(changzhi_slice):
    return person(Role.MEDIATOR, DIANSHANG, "李调解")


@pytest.fixture
def county_official(changzhi_slice):
    return person(Role.COUNTY_OFFICIAL, LUCHENG, "孙区干")


@pytest.fixture
def city_official(changzhi_slice):
    return person(Role.CITY_OFFICIAL, CITY, "吴市干")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs about a second per person; the tests make hundreds of people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded photos and attachments go to a folder of this test alone, never the portal's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Person ids repeat from test to test: no cached value (the bell's count) may outlive its
    test."""
    cache.clear()
    yield
    cache.clear()

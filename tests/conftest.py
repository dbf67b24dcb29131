import pytest
from django.core.cache import cache

from tests.factories import import_changzhi_slice

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

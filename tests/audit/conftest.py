import pytest

from governance.audit.models import AuditEntry
from governance.models import Role
from tests.conftest import DIANSHANG, LUCHENG, SHANGDANG, WEIZI
from tests.factories import person_with_role


@pytest.fixture
def people(changzhi_slice):
    """Administrators of 潞城区 and of 上党区, and staff of two townships of 潞城区."""
    return {
        "admin": person_with_role(Role.ADMINISTRATOR, LUCHENG, username="wu"),
        "other_admin": person_with_role(Role.ADMINISTRATOR, SHANGDANG, username="zhao"),
        "staff": person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, username="liu"),
        "weizi_staff": person_with_role(Role.TOWNSHIP_STAFF, WEIZI, username="sun"),
    }


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("pk"))

import pytest

from governance.audit.models import AuditEntry, AuditKind
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


def entries(*, sign_ins=False, **filters):
    """The audit entries in the order written; without sign-ins unless asked (signing a test
    person in writes one)."""
    found = AuditEntry.objects.filter(**filters).order_by("pk")
    if not sign_ins:
        found = found.exclude(kind=AuditKind.SIGN_IN)
    return list(found)

"""One definition of "overdue" per case type (`cases/clocks.py`): for cases in every
state, the case page, the list's overdue queue and the night's rollup (what the dashboard
shows) name the same cases overdue. A case due today is still on time; a closed one is never
overdue; a petition under review past its review clock (复查) is overdue, while a reply whose
window for requesting a review has run out is not (that window is the petitioner's)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Dispute, Status
from governance.models import Role
from governance.rollups.engine import run_daily
from governance.rollups.models import DailyStat
from petitions.models import Petition, PetitionStatus
from tests.conftest import DIANSHANG
from tests.factories import DisputeFactory, PetitionFactory, area, person_with_role

TODAY = timezone.localdate()
DAY = timedelta(days=1)

# (what the case is, its fields, whether it is overdue today)
DISPUTES = [
    ("due in five days", {"status": Status.ACCEPTED, "due_on": TODAY + 5 * DAY}, False),
    ("due today", {"status": Status.ASSIGNED, "due_on": TODAY}, False),
    ("due yesterday", {"status": Status.IN_MEDIATION, "due_on": TODAY - DAY}, True),
    ("registered, past due", {"status": Status.REGISTERED, "due_on": TODAY - 3 * DAY}, True),
    ("no deadline", {"status": Status.REGISTERED, "due_on": None}, False),
    ("resolved after its day", {"status": Status.RESOLVED, "due_on": TODAY - 9 * DAY}, False),
    ("closed after its day", {"status": Status.CLOSED, "due_on": TODAY - 9 * DAY}, False),
    ("merged after its day", {"status": Status.MERGED, "due_on": TODAY - 9 * DAY}, False),
]

RECEIVED = TODAY - 40 * DAY
PETITIONS = [
    ("acceptance due in three days", {"acceptance_due": TODAY + 3 * DAY}, False),
    ("acceptance due today", {"acceptance_due": TODAY}, False),
    ("acceptance due yesterday", {"acceptance_due": TODAY - DAY}, True),
    (
        "not accepted, in time",
        {"status": PetitionStatus.NOT_ACCEPTED, "decided_on": RECEIVED + 3 * DAY},
        False,
    ),
    (
        "accepted, conclusion due yesterday",
        {
            "status": PetitionStatus.ASSIGNED,
            "decided_on": RECEIVED,
            "conclusion_due": TODAY - DAY,
        },
        True,
    ),
    (
        "extended, conclusion due in ten days",
        {
            "status": PetitionStatus.HANDLED,
            "decided_on": RECEIVED,
            "extension_days": 30,
            "conclusion_due": TODAY + 10 * DAY,
        },
        False,
    ),
    (
        "replied, the window to request a review ran out",
        {
            "status": PetitionStatus.REPLIED,
            "decided_on": RECEIVED,
            "conclusion_due": TODAY - 20 * DAY,
            "replied_on": TODAY - 30 * DAY,
            "review_request_due": TODAY - DAY,
        },
        False,
    ),
    (
        "under review past its review clock",
        {
            "status": PetitionStatus.REVIEW_REQUESTED,
            "decided_on": RECEIVED,
            "conclusion_due": TODAY - 20 * DAY,
            "replied_on": TODAY - 35 * DAY,
            "review_request_due": TODAY - 5 * DAY,
            "review_requested_on": TODAY - 32 * DAY,
            "review_due": TODAY - DAY,
        },
        True,
    ),
    (
        "under review, due tomorrow",
        {
            "status": PetitionStatus.REVIEW_REQUESTED,
            "decided_on": RECEIVED,
            "conclusion_due": TODAY - 10 * DAY,
            "replied_on": TODAY - 30 * DAY,
            "review_request_due": TODAY,
            "review_requested_on": TODAY - 29 * DAY,
            "review_due": TODAY + DAY,
        },
        False,
    ),
    (
        "reviewed after its review clock",
        {
            "status": PetitionStatus.REVIEWED,
            "decided_on": RECEIVED,
            "replied_on": TODAY - 40 * DAY,
            "review_requested_on": TODAY - 38 * DAY,
            "review_due": TODAY - 8 * DAY,
            "reviewed_on": TODAY - 2 * DAY,
        },
        False,
    ),
    (
        "closed without a decision",
        {"status": PetitionStatus.CLOSED, "acceptance_due": TODAY - 9 * DAY},
        False,
    ),
]


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="赵镇干", password=None)


def night_figure(metric: str) -> int:
    """What the township's dashboard shows for tonight."""
    run_daily(TODAY)
    row = DailyStat.objects.get(day=TODAY, area=area(DIANSHANG), grid=None)
    return getattr(row, metric)


def test_dispute_page_overdue_queue_and_rollup_agree(client, township_staff):
    disputes = {
        name: DisputeFactory(registered_by=township_staff, **fields)
        for name, fields, _overdue in DISPUTES
    }
    expected = {name for name, _fields, overdue in DISPUTES if overdue}
    client.force_login(township_staff)

    on_page = {
        name
        for name, dispute in disputes.items()
        if 'data-light="red">已超期'
        in client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    }
    listed = client.get(reverse("disputes:list"), {"queue": "overdue"}).content.decode()
    in_queue = {name for name, dispute in disputes.items() if dispute.number in listed}
    in_memory = {name for name, dispute in disputes.items() if dispute.is_overdue(on=TODAY)}
    in_database = set(Dispute.objects.overdue(on=TODAY).values_list("number", flat=True))

    assert on_page == in_queue == in_memory == expected
    assert in_database == {disputes[name].number for name in expected}
    assert night_figure("disputes_overdue_open") == len(expected)


def test_petition_page_and_rollup_agree_on_every_clock(client, township_staff):
    petitions = {
        name: PetitionFactory(
            registered_by=township_staff,
            **{"status": PetitionStatus.RECEIVED, "received_on": RECEIVED, **fields},
        )
        for name, fields, _overdue in PETITIONS
    }
    expected = {name for name, _fields, overdue in PETITIONS if overdue}
    client.force_login(township_staff)

    def page_says_overdue(petition) -> bool:
        html = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
        next_due = re.search(r'class="alert (alert-\w+)" data-testid="next-clock"', html)
        red_rows = html.count('<tr class="table-danger">')
        assert red_rows <= 1
        return bool(next_due) and next_due.group(1) == "alert-danger" and red_rows == 1

    on_page = {name for name, petition in petitions.items() if page_says_overdue(petition)}
    in_memory = {name for name, petition in petitions.items() if petition.is_overdue(on=TODAY)}
    in_database = set(Petition.objects.overdue(on=TODAY).values_list("number", flat=True))

    assert on_page == in_memory == expected
    assert in_database == {petitions[name].number for name in expected}
    assert night_figure("petitions_overdue") == len(expected)


@pytest.mark.parametrize(("name", "fields", "overdue"), PETITIONS, ids=[p[0] for p in PETITIONS])
def test_the_running_petition_clock_names_its_due_date(name, fields, overdue, changzhi_slice):
    petition = PetitionFactory.build(
        **{"status": PetitionStatus.RECEIVED, "received_on": RECEIVED, **fields}
    )

    clock = petition.running_clock()

    assert (clock is not None and clock.overdue(TODAY)) == overdue
    if overdue:
        assert clock.due == TODAY - DAY

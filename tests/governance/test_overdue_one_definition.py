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
from tests.factories import (
    DayFromToday,
    DisputeFactory,
    PetitionFactory,
    area,
    person_with_role,
    with_days_resolved,
)

DAY = timedelta(days=1)

# (what the case is, its fields, whether it is overdue today)
DISPUTES = [
    ("due in five days", {"status": Status.ACCEPTED, "due_on": DayFromToday(5)}, False),
    ("due today", {"status": Status.ASSIGNED, "due_on": DayFromToday(0)}, False),
    ("due yesterday", {"status": Status.IN_MEDIATION, "due_on": DayFromToday(-1)}, True),
    ("registered, past due", {"status": Status.REGISTERED, "due_on": DayFromToday(-3)}, True),
    ("no deadline", {"status": Status.REGISTERED, "due_on": None}, False),
    ("resolved after its day", {"status": Status.RESOLVED, "due_on": DayFromToday(-9)}, False),
    ("closed after its day", {"status": Status.CLOSED, "due_on": DayFromToday(-9)}, False),
    ("merged after its day", {"status": Status.MERGED, "due_on": DayFromToday(-9)}, False),
]

RECEIVED = DayFromToday(-40)
PETITIONS = [
    ("acceptance due in three days", {"acceptance_due": DayFromToday(3)}, False),
    ("acceptance due today", {"acceptance_due": DayFromToday(0)}, False),
    ("acceptance due yesterday", {"acceptance_due": DayFromToday(-1)}, True),
    (
        "not accepted, in time",
        {"status": PetitionStatus.NOT_ACCEPTED, "decided_on": DayFromToday(-37)},
        False,
    ),
    (
        "accepted, conclusion due yesterday",
        {
            "status": PetitionStatus.ASSIGNED,
            "decided_on": RECEIVED,
            "conclusion_due": DayFromToday(-1),
        },
        True,
    ),
    (
        "extended, conclusion due in ten days",
        {
            "status": PetitionStatus.HANDLED,
            "decided_on": RECEIVED,
            "extension_days": 30,
            "conclusion_due": DayFromToday(10),
        },
        False,
    ),
    (
        "replied, the window to request a review ran out",
        {
            "status": PetitionStatus.REPLIED,
            "decided_on": RECEIVED,
            "conclusion_due": DayFromToday(-20),
            "replied_on": DayFromToday(-30),
            "review_request_due": DayFromToday(-1),
        },
        False,
    ),
    (
        "under review past its review clock",
        {
            "status": PetitionStatus.REVIEW_REQUESTED,
            "decided_on": RECEIVED,
            "conclusion_due": DayFromToday(-20),
            "replied_on": DayFromToday(-35),
            "review_request_due": DayFromToday(-5),
            "review_requested_on": DayFromToday(-32),
            "review_due": DayFromToday(-1),
        },
        True,
    ),
    (
        "under review, due tomorrow",
        {
            "status": PetitionStatus.REVIEW_REQUESTED,
            "decided_on": RECEIVED,
            "conclusion_due": DayFromToday(-10),
            "replied_on": DayFromToday(-30),
            "review_request_due": DayFromToday(0),
            "review_requested_on": DayFromToday(-29),
            "review_due": DayFromToday(1),
        },
        False,
    ),
    (
        "reviewed after its review clock",
        {
            "status": PetitionStatus.REVIEWED,
            "decided_on": RECEIVED,
            "replied_on": DayFromToday(-40),
            "review_requested_on": DayFromToday(-38),
            "review_due": DayFromToday(-8),
            "reviewed_on": DayFromToday(-2),
        },
        False,
    ),
    (
        "closed without a decision",
        {"status": PetitionStatus.CLOSED, "acceptance_due": DayFromToday(-9)},
        False,
    ),
]


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="赵镇干", password=None)


def night_figure(metric: str) -> int:
    """What the township's dashboard shows for tonight."""
    run_daily(timezone.localdate())
    row = DailyStat.objects.get(day=timezone.localdate(), area=area(DIANSHANG), grid=None)
    return getattr(row, metric)


def test_dispute_page_overdue_queue_and_rollup_agree(client, township_staff):
    disputes = {
        name: DisputeFactory(
            registered_by=township_staff, **with_days_resolved(fields, as_dates=True)
        )
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
    in_memory = {
        name for name, dispute in disputes.items() if dispute.is_overdue(on=timezone.localdate())
    }
    in_database = set(
        Dispute.objects.overdue(on=timezone.localdate()).values_list("number", flat=True)
    )

    assert on_page == in_queue == in_memory == expected
    assert in_database == {disputes[name].number for name in expected}
    assert night_figure("disputes_overdue_open") == len(expected)


def test_petition_page_and_rollup_agree_on_every_clock(client, township_staff):
    petitions = {
        name: PetitionFactory(
            registered_by=township_staff,
            **with_days_resolved(
                {"status": PetitionStatus.RECEIVED, "received_on": RECEIVED, **fields},
                as_dates=True,
            ),
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
    in_memory = {
        name for name, petition in petitions.items() if petition.is_overdue(on=timezone.localdate())
    }
    in_database = set(
        Petition.objects.overdue(on=timezone.localdate()).values_list("number", flat=True)
    )

    assert on_page == in_memory == expected
    assert in_database == {petitions[name].number for name in expected}
    assert night_figure("petitions_overdue") == len(expected)


@pytest.mark.parametrize(("name", "fields", "overdue"), PETITIONS, ids=[p[0] for p in PETITIONS])
def test_the_running_petition_clock_names_its_due_date(name, fields, overdue, changzhi_slice):
    petition = PetitionFactory.build(
        **with_days_resolved(
            {"status": PetitionStatus.RECEIVED, "received_on": RECEIVED, **fields},
            as_dates=True,
        )
    )

    clock = petition.running_clock()

    assert (clock is not None and clock.overdue(timezone.localdate())) == overdue
    if overdue:
        assert clock.due == timezone.localdate() - DAY

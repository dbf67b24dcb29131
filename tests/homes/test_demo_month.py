"""`seed_demo` replays a stretch of the demo county's work through the services and rolls it
up; seeding again adds nothing."""

import pytest

from disputes.models import Dispute, DisputeEvent
from governance.demo import seed_demo_activity, seed_demo_people
from governance.models import Notification
from governance.rollups.models import DailyStat, JobRun
from grids.models import Finding, Patrol
from petitions.models import Petition

pytestmark = pytest.mark.usefixtures("changzhi_slice")


def counts():
    return [
        Patrol.objects.count(),
        Finding.objects.count(),
        Dispute.objects.count(),
        DisputeEvent.objects.count(),
        Petition.objects.count(),
        Notification.objects.count(),
        JobRun.objects.count(),
    ]


def test_the_demo_month_goes_through_the_services_is_rolled_up_and_is_made_once(
    monkeypatch,
):
    # A week rather than a month: the same code, in a test's time.
    monkeypatch.setattr("governance.demo.DEMO_MONTH_DAYS", 7)
    seed_demo_people()

    made = seed_demo_activity()

    assert made["patrols"] > 0 and made["disputes"] > 0
    # Through the services: each dispute has its registration event, and the steps after it
    # (accepted, assigned, mediated) wrote theirs.
    assert DisputeEvent.objects.filter(kind="registered").count() == Dispute.objects.count()
    assert DisputeEvent.objects.filter(kind="accept").count() == Dispute.objects.count()
    # Rolled up: a done daily clear for each of the seven days, with the county's figures.
    assert JobRun.objects.filter(job="daily", outcome=JobRun.Outcome.DONE).count() == 7
    assert DailyStat.objects.filter(area__code="140406", disputes_new__gt=0).exists()
    # The grids' patrols count too: the demo grids were drawn before the month began.
    assert DailyStat.objects.filter(area__code="140406", patrols_done__gt=0).exists()

    before = counts()
    again = seed_demo_activity()

    assert set(again.values()) == {0}
    assert counts() == before

"""The workbench lists the disputes the grids handed up and nobody has registered as a dispute
yet, each with the way to register it; other findings wait on the incidents queue
(tests/incidents/test_incident_pages.py)."""

from django.urls import reverse

from grids.models import FindingCategory, FindingStatus
from tests.disputes.helpers import register
from tests.factories import log_finding


def workbench(client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("disputes:workbench"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_handed_up_finding_waits_on_the_workbench_until_a_dispute_is_opened_from_it(
    client, grid, grid_worker, township_staff
):
    finding = log_finding(
        actor=grid_worker,
        grid=grid,
        status=FindingStatus.HANDED_UP,
        category=FindingCategory.DISPUTE,
        description="两家因排水沟走向吵架",
    )
    log_finding(actor=grid_worker, grid=grid, description="井盖缺失，今天处理")

    page = workbench(client, township_staff)

    assert "两家因排水沟走向吵架" in page
    assert f'href="{reverse("disputes:register")}?finding={finding.pk}"' in page
    assert "井盖缺失" not in page  # still the grid's own to handle

    register(township_staff, grid=grid, source_finding=finding)

    assert "两家因排水沟走向吵架" not in workbench(client, township_staff)


def test_another_townships_handed_up_findings_are_not_listed(
    client, grid, grid_worker, weizi_staff
):
    log_finding(
        actor=grid_worker, grid=grid, status=FindingStatus.HANDED_UP, description="店上村的事"
    )

    assert "店上村的事" not in workbench(client, weizi_staff)

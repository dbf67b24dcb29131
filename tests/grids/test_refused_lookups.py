"""A worker from another grid who posts to end someone else's patrol, or to file a zero report
or start a patrol on a grid they do not serve, gets the 404 a missing one gets, nothing
changes, and the refusal is in the audit log once: the same rule as every other look-up."""

import pytest
from django.urls import reverse

from governance.audit.models import AuditEntry, AuditKind
from grids import services
from grids.models import Patrol, ZeroReport
from tests.conftest import DIANSHANG_VILLAGE


def refusals():
    return list(AuditEntry.objects.filter(kind=AuditKind.ACCESS_DENIED).order_by("pk"))


def test_ending_another_workers_patrol_answers_404_and_is_audited_once(
    client, grid, worker, other_worker
):
    patrol = services.patrol_start(actor=worker, grid=grid)
    client.force_login(other_worker)

    response = client.post(reverse("grids:patrol_end", args=[patrol.pk]))

    assert response.status_code == 404
    assert Patrol.objects.get(pk=patrol.pk).ended_at is None
    (refused,) = refusals()
    assert refused.actor == other_worker
    assert refused.target == f"patrol {patrol.pk}"
    assert refused.detail["object_area"] == DIANSHANG_VILLAGE


def test_ending_a_patrol_that_does_not_exist_is_a_404_and_no_refusal(client, other_worker):
    client.force_login(other_worker)

    response = client.post(reverse("grids:patrol_end", args=[987654]))

    assert response.status_code == 404
    assert refusals() == []


@pytest.mark.parametrize("url_name", ["grids:zero_report", "grids:patrol_start"])
def test_acting_on_a_grid_one_does_not_serve_answers_404_and_is_audited_once(
    client, grid, other_worker, url_name
):
    client.force_login(other_worker)

    response = client.post(reverse(url_name, args=[grid.pk]))

    assert response.status_code == 404
    assert not ZeroReport.objects.filter(grid=grid).exists()
    assert not Patrol.objects.filter(grid=grid).exists()
    (refused,) = refusals()
    assert refused.actor == other_worker
    assert refused.target == f"grid {grid.pk}"
    assert refused.detail["object_area"] == DIANSHANG_VILLAGE


def test_a_worker_ends_their_own_patrol_without_a_refusal(client, grid, worker):
    patrol = services.patrol_start(actor=worker, grid=grid)
    client.force_login(worker)

    response = client.post(reverse("grids:patrol_end", args=[patrol.pk]))

    assert response.status_code == 302
    assert Patrol.objects.get(pk=patrol.pk).ended_at is not None
    assert refusals() == []

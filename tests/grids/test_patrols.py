"""Patrols: a grid worker starts and ends them on their own grids, one at a time, and sees the
day's count against the county's target ("一日三巡")."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse

from grids import services
from grids.models import Patrol, PatrolTarget
from tests.conftest import DIANSHANG, LUCHENG
from tests.factories import (
    GridAssignmentFactory,
    GridFactory,
    area,
    import_changzhi_slice,
    team_member,
)


def test_a_worker_starts_a_patrol_of_their_grid_with_its_location(grid, worker):
    patrol = services.patrol_start(
        actor=worker, grid=grid, latitude=Decimal("36.331200"), longitude=Decimal("113.228100")
    )

    assert (patrol.grid, patrol.worker) == (grid, worker)
    assert patrol.ended_at is None
    assert patrol.start_latitude == Decimal("36.331200")


def test_ending_a_patrol_records_when_and_where(grid, worker):
    patrol = services.patrol_start(actor=worker, grid=grid)

    services.patrol_end(
        actor=worker, patrol=patrol, latitude=Decimal("36.3"), longitude=Decimal("113.2")
    )

    patrol.refresh_from_db()
    assert patrol.ended_at >= patrol.started_at
    assert (patrol.end_latitude, patrol.end_longitude) == (Decimal("36.3"), Decimal("113.2"))


def test_ending_a_patrol_twice_keeps_the_first_end(grid, worker):
    patrol = services.patrol_start(actor=worker, grid=grid)
    first = services.patrol_end(actor=worker, patrol=patrol).ended_at

    services.patrol_end(actor=worker, patrol=patrol)

    patrol.refresh_from_db()
    assert patrol.ended_at == first


def test_only_one_patrol_is_under_way_at_a_time(grid, other_grid, worker):
    GridAssignmentFactory(person=worker, grid=other_grid)
    services.patrol_start(actor=worker, grid=grid)

    with pytest.raises(ValidationError) as refused:
        services.patrol_start(actor=worker, grid=other_grid)

    assert refused.value.code == "patrol_under_way"
    assert Patrol.objects.count() == 1


def test_after_ending_a_patrol_the_next_one_may_start(grid, worker):
    services.patrol_end(actor=worker, patrol=services.patrol_start(actor=worker, grid=grid))

    services.patrol_start(actor=worker, grid=grid)

    assert Patrol.objects.count() == 2


def test_nobody_patrols_a_grid_they_are_not_on(grid, other_grid, worker):
    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=worker, grid=other_grid)
    assert not Patrol.objects.exists()


def test_a_worker_whose_assignment_ended_no_longer_patrols_the_grid(grid, worker, changzhi_slice):
    assignment = worker.grid_assignments.get()
    assignment.ends_on = assignment.starts_on
    assignment.save()

    with pytest.raises(PermissionDenied):
        services.patrol_start(actor=worker, grid=grid)


def test_nobody_ends_someone_elses_patrol(grid, worker, other_worker):
    patrol = services.patrol_start(actor=worker, grid=grid)

    with pytest.raises(PermissionDenied):
        services.patrol_end(actor=other_worker, patrol=patrol)

    patrol.refresh_from_db()
    assert patrol.ended_at is None


# --- Through the pages -----------------------------------------------------------------------


def test_the_worker_starts_and_ends_a_patrol_from_the_home_page(client, grid, worker):
    client.force_login(worker)

    started = client.post(
        reverse("grids:patrol_start", args=[grid.pk]),
        {"latitude": "36.331200", "longitude": "113.228100"},
        follow=True,
    )
    patrol = Patrol.objects.get()
    assert "已开始巡查店上村第一网格。" in started.content.decode()
    assert "结束店上村第一网格的巡查" in started.content.decode()

    ended = client.post(reverse("grids:patrol_end", args=[patrol.pk]), follow=True)

    assert "巡查已结束。" in ended.content.decode()
    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    assert 'data-testid="patrols-today">1/3<' in ended.content.decode()


def test_starting_a_second_patrol_is_refused_with_a_message(client, grid, other_grid, worker):
    GridAssignmentFactory(person=worker, grid=other_grid)
    services.patrol_start(actor=worker, grid=grid)
    client.force_login(worker)

    response = client.post(reverse("grids:patrol_start", args=[other_grid.pk]), follow=True)

    assert "您在店上村第一网格的巡查尚未结束，请先结束。" in response.content.decode()
    assert Patrol.objects.count() == 1


def test_another_grid_cannot_be_patrolled_through_the_page(client, other_grid, worker):
    client.force_login(worker)
    assert client.post(reverse("grids:patrol_start", args=[other_grid.pk])).status_code == 404
    assert not Patrol.objects.exists()


def test_someone_elses_patrol_cannot_be_ended_through_the_page(client, grid, worker, other_worker):
    patrol = services.patrol_start(actor=worker, grid=grid)
    client.force_login(other_worker)

    assert client.post(reverse("grids:patrol_end", args=[patrol.pk])).status_code == 404
    patrol.refresh_from_db()
    assert patrol.ended_at is None


@pytest.mark.parametrize(
    "location, message",
    [
        ({"latitude": "north", "longitude": "113.2"}, "纬度：输入一个数字。"),
        ({"latitude": "91", "longitude": "113.2"}, "纬度：确保该值小于或等于90。"),
        ({"latitude": "36.3", "longitude": "1e400"}, "经度：确保该值小于或等于180。"),
        ({"latitude": "36.3", "longitude": "9" * 200}, "经度："),
        ({"latitude": "36.3", "longitude": ""}, "位置需要同时提供纬度和经度。"),
        ({"latitude": "", "longitude": "113.2"}, "位置需要同时提供纬度和经度。"),
        ({"latitude": "NaN", "longitude": "113.2"}, "纬度：输入一个数字。"),
    ],
)
def test_a_bad_location_is_refused_with_a_message_and_no_patrol_starts(
    client, grid, worker, location, message
):
    client.force_login(worker)

    response = client.post(reverse("grids:patrol_start", args=[grid.pk]), location, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "None" not in page
    assert not Patrol.objects.exists()


def test_no_location_at_all_is_fine_the_phone_may_not_have_one(client, grid, worker):
    client.force_login(worker)

    client.post(reverse("grids:patrol_start", args=[grid.pk]), {"latitude": "", "longitude": ""})

    assert Patrol.objects.get().start_latitude is None


def test_a_bad_location_at_the_end_does_not_keep_the_patrol_open(client, grid, worker):
    patrol = services.patrol_start(actor=worker, grid=grid)
    client.force_login(worker)

    client.post(reverse("grids:patrol_end", args=[patrol.pk]), {"latitude": "abc"})

    patrol.refresh_from_db()
    assert patrol.ended_at is not None and patrol.end_latitude is None


# --- Against the target ----------------------------------------------------------------------


def test_the_home_page_counts_todays_patrols_against_three_by_default(client, grid, worker):
    for _ in range(2):
        services.patrol_end(actor=worker, patrol=services.patrol_start(actor=worker, grid=grid))
    client.force_login(worker)

    page = client.get(reverse("grids:worker_home")).content.decode()

    assert 'data-testid="patrols-today">2/3<' in page
    assert "巡查 2/3" in page


def test_the_target_is_the_one_the_county_set(client, grid, worker):
    PatrolTarget.objects.create(county=area(LUCHENG), per_day=2)
    services.patrol_start(actor=worker, grid=grid)
    client.force_login(worker)

    page = client.get(reverse("grids:worker_home")).content.decode()

    assert 'data-testid="patrols-today">1/2<' in page


def test_a_worker_of_two_grids_owes_the_target_for_each(client, grid, other_grid, worker):
    GridAssignmentFactory(person=worker, grid=other_grid)
    services.patrol_start(actor=worker, grid=grid)
    client.force_login(worker)

    page = client.get(reverse("grids:worker_home")).content.decode()

    assert 'data-testid="patrols-today">1/6<' in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two transactions at once need PostgreSQL"
)
def test_a_double_tap_on_start_patrol_starts_one_patrol():
    """Two requests of one tap that arrive together: the second waits and is refused."""
    import_changzhi_slice(DIANSHANG)
    grid = GridFactory()
    worker = team_member(grid)
    both_ready = threading.Barrier(2)
    refused = []

    def tap():
        try:
            both_ready.wait()
            services.patrol_start(actor=worker, grid=grid)
        except ValidationError as error:
            refused.append(error.code)
        finally:
            connections.close_all()

    taps = [threading.Thread(target=tap) for _ in range(2)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join()

    assert Patrol.objects.count() == 1
    assert refused == ["patrol_under_way"]

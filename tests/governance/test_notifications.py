"""The bell: a count of unread notifications on every page, kept in the cache so that ordinary
pages never ask the database for it, and the list that marks them read."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import services
from governance.models import Area, Notification, Role
from governance.notifications import notify, unread_count
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import person_with_role

BELL_COUNT = re.compile(r'data-testid="notification-count">(\d+)<')


@pytest.fixture(autouse=True)
def empty_cache():
    """Person ids repeat from test to test: no cached count may outlive its test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG, first_name="刘综治")


@pytest.fixture
def mediator(changzhi_slice):
    return person_with_role(Role.MEDIATOR, DIANSHANG, first_name="陈调解")


def bell(client) -> int:
    """The number on the bell of an ordinary page (0 when the bell shows none)."""
    response = client.get(reverse("area_root"), follow=True)
    assert response.status_code == 200
    found = BELL_COUNT.search(response.content.decode())
    return int(found[1]) if found else 0


def assign_a_dispute(*, staff, to, capture):
    """A walk-in dispute registered, accepted and assigned to `to`, as the workbench would."""
    dispute = services.dispute_register(
        actor=staff,
        kind="neighbour",
        channel="walk_in",
        description="两户因宅基地边界围墙发生争执",
        people_involved=2,
        village=Area.objects.get(code=DIANSHANG_VILLAGE),
        level="township",
        parties=[{"side": "applicant", "name": "王大山"}],
    )
    services.dispute_accept(actor=staff, dispute=dispute)
    with capture(execute=True):
        services.dispute_assign(actor=staff, dispute=dispute, lead=to)
    return dispute


def send(recipient, text, url="", *, capture):
    with capture(execute=True):
        notify(recipients=[recipient], kind="test", text=text, url=url)


def test_the_bell_shows_the_count_after_an_assignment(
    client, township_staff, mediator, django_capture_on_commit_callbacks
):
    client.force_login(mediator)
    assert bell(client) == 0  # and the count of 0 is now cached

    assign_a_dispute(staff=township_staff, to=mediator, capture=django_capture_on_commit_callbacks)

    assert bell(client) == 1
    client.force_login(township_staff)
    assert bell(client) == 0  # the one who assigned it is not notified


def test_the_list_shows_each_notifications_text_and_link_newest_first(
    client, township_staff, mediator, django_capture_on_commit_callbacks
):
    dispute = assign_a_dispute(
        staff=township_staff, to=mediator, capture=django_capture_on_commit_callbacks
    )
    send(mediator, "第二条通知", "/disputes/", capture=django_capture_on_commit_callbacks)
    client.force_login(mediator)

    page = client.get(reverse("notifications")).content.decode()

    assert f"纠纷 {dispute.number} 已分派给您。" in page
    assert f'href="{reverse("disputes:detail", args=[dispute.pk])}"' in page
    assert page.index("第二条通知") < page.index(f"纠纷 {dispute.number}")
    assert page.count("data-unread") == 2


def test_viewing_the_list_marks_them_read_and_quiets_the_bell(
    client, mediator, django_capture_on_commit_callbacks
):
    send(mediator, "请及时处理", capture=django_capture_on_commit_callbacks)
    client.force_login(mediator)
    assert bell(client) == 1

    first = client.get(reverse("notifications")).content.decode()

    # Shown as new this once, and read from now on.
    assert "data-unread" in first
    assert not Notification.objects.filter(recipient=mediator, read_at__isnull=True).exists()
    assert BELL_COUNT.search(first) is None
    second = client.get(reverse("notifications")).content.decode()
    assert "请及时处理" in second and "data-unread" not in second
    assert bell(client) == 0


def test_someone_elses_notifications_are_never_shown_counted_or_marked_read(
    client, township_staff, mediator, django_capture_on_commit_callbacks
):
    send(township_staff, "只给刘综治的通知", capture=django_capture_on_commit_callbacks)
    client.force_login(mediator)

    assert bell(client) == 0
    page = client.get(reverse("notifications")).content.decode()

    assert "只给刘综治的通知" not in page
    assert Notification.objects.get().read_at is None
    client.force_login(township_staff)
    assert bell(client) == 1


def test_an_ordinary_page_asks_the_database_nothing_for_the_bell_once_it_is_cached(
    client, mediator, django_capture_on_commit_callbacks
):
    send(mediator, "请及时处理", capture=django_capture_on_commit_callbacks)
    client.force_login(mediator)
    assert bell(client) == 1

    with CaptureQueriesContext(connection) as captured:
        assert bell(client) == 1

    assert not [q["sql"] for q in captured if "governance_notification" in q["sql"]]


def test_new_notifications_replace_the_cached_count(
    client, mediator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    assert unread_count(user=mediator) == 0
    with django_assert_num_queries(0):
        assert unread_count(user=mediator) == 0

    send(mediator, "一", capture=django_capture_on_commit_callbacks)
    send(mediator, "二", capture=django_capture_on_commit_callbacks)

    assert unread_count(user=mediator) == 2


def test_a_change_that_is_rolled_back_notifies_nobody(mediator):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[mediator], kind="test", text="不应送达")
        raise RuntimeError

    assert not Notification.objects.exists()
    assert unread_count(user=mediator) == 0


def test_a_link_to_another_site_is_not_followed(client, mediator):
    Notification.objects.create(recipient=mediator, kind="test", text="外链", url="//evil.example/")
    client.force_login(mediator)

    page = client.get(reverse("notifications")).content.decode()

    assert "外链" in page
    assert "evil.example" not in page


def test_the_list_is_for_signed_in_people_only(client, changzhi_slice):
    response = client.get(reverse("notifications"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

"""The unit's handling and a failed check carry photos, which open only for those who see the
incident; the worker checks on their phone through the outbox, once however often it is sent;
the people of the next step are told of the sign-in and of the close."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Notification
from grids.models import GridAssignment
from grids.photos import MAX_PHOTOS
from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentPhoto, IncidentStatus, UnitKind
from tests.factories import (
    UserFactory,
    files_under,
    image_bytes,
    log_finding,
    photo_upload,
    team_member,
)
from tests.incidents.conftest import a_photo

pytestmark = pytest.mark.django_db

S = IncidentStatus


def fresh(incident):
    return Incident.objects.get(pk=incident.pk)


def kinds(incident):
    return list(incident.events.order_by("pk").values_list("kind", flat=True))


def dispatch(incident, township_staff, roads):
    return services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=roads[0],
        reason="路面归交通局",
    )


def signed_in(incident, township_staff, roads):
    dispatch(incident, township_staff, roads)
    services.incident_sign_in(actor=roads[1], incident=incident)
    return fresh(incident)


def handled(incident, township_staff, roads, photos=1):
    incident = signed_in(incident, township_staff, roads)
    services.incident_handle(
        actor=roads[1],
        incident=incident,
        what_was_done="已补装井盖",
        photos=[a_photo((20 * n, 90, 60)) for n in range(photos)],
    )
    return fresh(incident)


def notified(person, kind):
    return Notification.objects.filter(recipient=person, kind=kind).exists()


# --- Photos -------------------------------------------------------------------------------------


def test_the_handling_keeps_its_photos_on_its_event_of_the_timeline(
    client, incident, township_staff, roads, media_root
):
    incident = handled(incident, township_staff, roads, photos=2)
    event = incident.events.get(kind="handle")
    photos = list(event.photos.all())
    assert len(photos) == 2 and all(p.incident_id == incident.pk for p in photos)
    assert event.details["photos"] == 2
    assert len(files_under(media_root)) == 2

    client.force_login(township_staff)
    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    timeline = html.split('data-testid="timeline"')[1]
    for photo in photos:
        assert f'src="{reverse("incidents:photo", args=[photo.pk])}"' in timeline


def test_a_photo_opens_for_those_who_see_the_incident_and_is_a_404_for_others(
    client, incident, township_staff, roads, water, worker, weizi_staff, media_root
):
    incident = handled(incident, township_staff, roads)
    url = reverse("incidents:photo", args=[IncidentPhoto.objects.get().pk])
    for person in (township_staff, roads[1], worker):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    # Another department's liaison and a neighbouring township: as if there were no photo.
    missing = reverse("incidents:photo", args=[987654])
    for person in (water[1], weizi_staff):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(missing).status_code == 404


def test_the_handling_page_takes_photos_and_refuses_a_file_that_is_not_one(
    client, incident, township_staff, roads, media_root
):
    incident = signed_in(incident, township_staff, roads)
    client.force_login(roads[1])
    url = reverse("incidents:act", args=[incident.pk, "handle"])
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page.split('data-action="handle"')[1]

    response = client.post(
        url,
        {
            "version": incident.version,
            "what_was_done": "已补装",
            "photos": [photo_upload("现场.jpg", b"not a photo")],
        },
    )
    assert response.status_code == 400
    assert "现场.jpg 不是照片" in response.content.decode()
    assert fresh(incident).status == S.SIGNED_IN and not IncidentPhoto.objects.exists()

    response = client.post(
        url,
        {"version": incident.version, "what_was_done": "已补装", "photos": [photo_upload()]},
    )
    assert response.status_code == 302
    assert fresh(incident).status == S.HANDLED
    assert IncidentPhoto.objects.get().event.kind == "handle"


def test_more_photos_than_the_limit_are_refused_and_nothing_is_written(
    incident, township_staff, roads, media_root
):
    incident = signed_in(incident, township_staff, roads)
    with pytest.raises(Exception, match="6"):
        services.incident_handle(
            actor=roads[1],
            incident=incident,
            what_was_done="已补装",
            photos=[a_photo() for _ in range(MAX_PHOTOS + 1)],
        )
    assert fresh(incident).status == S.SIGNED_IN
    assert not IncidentPhoto.objects.exists() and files_under(media_root) == []


def test_a_failed_check_needs_a_photo_and_a_reason_and_keeps_them(
    incident, township_staff, roads, worker, media_root
):
    from django.core.exceptions import ValidationError

    incident = handled(incident, township_staff, roads, photos=0)
    with pytest.raises(ValidationError, match="请拍下"):
        services.incident_check(actor=worker, incident=incident, passed=False, reason="井盖松动")
    with pytest.raises(ValidationError):
        services.incident_check(actor=worker, incident=incident, passed=False, photos=[a_photo()])
    incident = fresh(incident)
    assert incident.status == S.HANDLED and incident.rework_count == 0
    assert not IncidentPhoto.objects.exists() and files_under(media_root) == []

    services.incident_check(
        actor=worker, incident=incident, passed=False, reason="井盖松动", photos=[a_photo()]
    )
    failed = incident.events.get(kind="check_failed")
    assert failed.note == "井盖松动"
    assert [p.event_id for p in IncidentPhoto.objects.all()] == [failed.pk]
    assert fresh(incident).status == S.SIGNED_IN


def test_the_check_form_of_the_page_asks_for_the_photo_when_the_check_fails(
    client, incident, township_staff, roads, worker, media_root
):
    incident = handled(incident, township_staff, roads, photos=0)
    client.force_login(worker)
    response = client.post(
        reverse("incidents:act", args=[incident.pk, "check"]),
        {"version": incident.version, "passed": "no", "reason": "井盖松动"},
    )
    assert response.status_code == 400
    assert "请拍下仍存在的问题" in response.content.decode()
    assert fresh(incident).status == S.HANDLED


# --- Notifications ------------------------------------------------------------------------------


def test_the_sign_in_tells_the_dispatcher_and_the_reporter(
    incident, township_staff, roads, worker, django_capture_on_commit_callbacks
):
    dispatch(incident, township_staff, roads)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_sign_in(actor=roads[1], incident=incident)
    assert notified(township_staff, "incident_signed_in")
    assert notified(worker, "incident_signed_in")
    assert not notified(roads[1], "incident_signed_in")
    text = Notification.objects.filter(recipient=worker, kind="incident_signed_in").get().text
    assert incident.number in text and "交通局" in text


def test_the_close_tells_the_dispatcher_and_the_unit(
    incident, township_staff, roads, worker, django_capture_on_commit_callbacks, media_root
):
    incident = handled(incident, township_staff, roads)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_check(actor=worker, incident=incident, passed=True)
    assert notified(township_staff, "incident_closed")
    assert notified(roads[1], "incident_closed")
    assert not notified(worker, "incident_closed")


# --- The check on the phone ---------------------------------------------------------------------


def test_the_worker_home_lists_the_incidents_waiting_for_their_check(
    client, incident, township_staff, roads, worker, grid, media_root
):
    client.force_login(worker)
    home = reverse("grids:worker_home")
    assert 'data-testid="incidents-to-check"' not in client.get(home).content.decode()
    incident = handled(incident, township_staff, roads)
    html = client.get(home).content.decode()
    assert reverse("incidents:check_phone", args=[incident.pk]) in html
    # A teammate does not check what the reporter, still on the grid, reported.
    teammate = UserFactory(first_name="吴网格员", password=None)
    team_member(grid, person=teammate)
    client.force_login(teammate)
    assert 'data-testid="incidents-to-check"' not in client.get(home).content.decode()


def test_when_the_reporter_left_the_grid_its_current_worker_checks_on_the_phone(
    client, incident, township_staff, roads, worker, grid, media_root
):
    incident = handled(incident, township_staff, roads)
    GridAssignment.objects.filter(person=worker).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    successor = UserFactory(first_name="新网格员", password=None)
    team_member(grid, person=successor)
    client.force_login(successor)
    check_url = reverse("incidents:check_phone", args=[incident.pk])
    assert check_url in client.get(reverse("grids:worker_home")).content.decode()
    assert client.get(check_url).status_code == 200
    response = client.post(
        check_url,
        {"version": incident.version, "passed": "yes", "client_key": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    assert response.json()["ok"] is True
    assert fresh(incident).status == S.CLOSED
    # The reporter who left neither lists it nor checks it.
    client.force_login(worker)
    assert check_url not in client.get(reverse("grids:worker_home")).content.decode()


def test_only_the_checker_opens_the_check_page(
    client, incident, township_staff, roads, worker, grid, weizi_staff, media_root
):
    incident = handled(incident, township_staff, roads)
    url = reverse("incidents:check_phone", args=[incident.pk])
    client.force_login(worker)
    html = client.get(url).content.decode()
    assert "已补装井盖" in html and 'data-outbox="incident-checks"' in html
    assert reverse("incidents:photo", args=[IncidentPhoto.objects.get().pk]) in html
    teammate = UserFactory(first_name="吴网格员", password=None)
    team_member(grid, person=teammate)
    for person, status in ((teammate, 403), (township_staff, 403), (roads[1], 403)):
        client.force_login(person)
        assert client.get(url).status_code == status
        answer = client.post(url, {"passed": "yes"}, HTTP_ACCEPT="application/json")
        assert answer.status_code == status and answer.json()["ok"] is False
    client.force_login(weizi_staff)
    assert client.get(url).status_code == 404
    assert fresh(incident).status == S.HANDLED


def check_from_phone(client, incident, key, **fields):
    data = {"version": incident.version, "client_key": key, **fields}
    return client.post(
        reverse("incidents:check_phone", args=[incident.pk]), data, HTTP_ACCEPT="application/json"
    )


def test_a_check_sent_again_with_its_key_is_recorded_once(
    client, incident, township_staff, roads, worker, media_root
):
    incident = handled(incident, township_staff, roads)
    client.force_login(worker)
    key = str(uuid.uuid4())
    photo = image_bytes(size=(1200, 900), color=(200, 30, 30))
    fields = {"passed": "no", "reason": "井盖仍松动"}

    first = check_from_phone(client, incident, key, photos=[photo_upload("a.jpg", photo)], **fields)
    assert first.status_code == 200 and first.json() == {
        "ok": True,
        "created": True,
        "url": reverse("incidents:detail", args=[incident.pk]),
    }
    # The answer was lost on the way: the phone sends the same thing again.
    again = check_from_phone(client, incident, key, photos=[photo_upload("a.jpg", photo)], **fields)
    assert again.status_code == 200 and again.json()["ok"] is True
    assert again.json()["created"] is False

    incident = fresh(incident)
    assert incident.status == S.SIGNED_IN and incident.rework_count == 1
    assert kinds(incident).count("check_failed") == 1
    assert IncidentPhoto.objects.filter(event__kind="check_failed").count() == 1
    assert IncidentEvent.objects.get(kind="check_failed").client_key == uuid.UUID(key)


def test_a_key_used_by_someone_else_is_refused(
    client, incident, township_staff, roads, worker, grid, media_root
):
    incident = handled(incident, township_staff, roads)
    key = uuid.uuid4()
    services.incident_check(actor=worker, incident=incident, passed=True, client_key=key)
    other = services.incident_create_from_finding(
        actor=township_staff,
        finding=log_finding(
            actor=worker,
            grid=grid,
            category="safety_hazard",
            description="路灯",
            status="handed_up",
        ),
    )
    other = handled(other, township_staff, roads)
    client.force_login(worker)
    answer = check_from_phone(client, other, str(key), passed="yes")
    assert answer.status_code == 400
    assert "提交编号已被使用" in " ".join(answer.json()["errors"])
    assert fresh(other).status == S.HANDLED


def test_a_refused_check_from_the_phone_says_why_in_chinese_and_writes_nothing(
    client, incident, township_staff, roads, worker, media_root
):
    incident = handled(incident, township_staff, roads)
    client.force_login(worker)
    answer = check_from_phone(client, incident, str(uuid.uuid4()), passed="no")
    assert answer.status_code == 400
    errors = " ".join(answer.json()["errors"])
    assert "请说明仍存在的问题" in errors and "请拍下仍存在的问题" in errors
    # Without a key, the phone is told so by name (the field is hidden on the page).
    answer = client.post(
        reverse("incidents:check_phone", args=[incident.pk]),
        {"version": incident.version, "passed": "yes"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400 and "提交编号" in " ".join(answer.json()["errors"])
    assert fresh(incident).status == S.HANDLED
    assert kinds(incident)[-1] == "handle"


def test_a_check_of_an_incident_changed_meanwhile_is_refused(
    client, incident, township_staff, roads, worker, media_root
):
    incident = handled(incident, township_staff, roads)
    drawn = incident.version
    services.incident_check(actor=worker, incident=incident, passed=True)
    client.force_login(worker)
    html = client.get(reverse("incidents:check_phone", args=[incident.pk])).content.decode()
    assert 'data-testid="nothing-to-check"' in html and "data-outbox=" not in html
    answer = client.post(
        reverse("incidents:check_phone", args=[incident.pk]),
        {"version": drawn, "passed": "yes", "client_key": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400 and answer.json()["ok"] is False
    assert kinds(fresh(incident)).count("check_passed") == 1


def test_without_javascript_the_check_is_saved_and_the_worker_goes_home(
    client, incident, township_staff, roads, worker, media_root
):
    incident = handled(incident, township_staff, roads)
    client.force_login(worker)
    url = reverse("incidents:check_phone", args=[incident.pk])
    # The page carries a key of its own, for a phone that runs no script.
    key = re.search(r'name="client_key" value="([0-9a-f-]{36})"', client.get(url).content.decode())
    response = client.post(
        url, {"version": incident.version, "passed": "yes", "client_key": key[1]}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("grids:worker_home")
    assert "核查已保存" in response.content.decode()
    assert fresh(incident).status == S.CLOSED

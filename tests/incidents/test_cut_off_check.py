"""A check sent from a phone whose link gave up mid-upload is not recorded (408: the outbox
keeps its copy and sends it again), and the retry records it, with its photo, once."""

import json
import uuid

import pytest
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse

from incidents import services
from incidents.models import Incident, IncidentPhoto, IncidentStatus, UnitKind
from tests.factories import files_under, image_bytes, photo_upload
from tests.grids.test_cut_off_uploads import post_over_a_socket, session_cookie
from tests.incidents.conftest import a_photo

pytestmark = pytest.mark.django_db(transaction=True)


def check_body(incident, key) -> bytes:
    fields = {
        "version": incident.version,
        "client_key": key,
        "passed": "no",
        "reason": "井盖仍松动",
        "photos": [photo_upload("现场.jpg", image_bytes(size=(1200, 900), color=(200, 40, 40)))],
    }
    return encode_multipart(BOUNDARY, fields)


def test_a_check_cut_off_is_refused_and_its_retry_is_recorded_once(
    live_server, client, incident, township_staff, roads, worker, media_root
):
    department, liaison = roads
    services.incident_dispatch(
        actor=township_staff,
        incident=incident,
        unit_kind=UnitKind.DEPARTMENT,
        department=department,
        reason="路面归交通局",
    )
    services.incident_sign_in(actor=liaison, incident=incident)
    services.incident_handle(
        actor=liaison, incident=incident, what_was_done="已补装", photos=[a_photo()]
    )
    incident = Incident.objects.get(pk=incident.pk)
    path = reverse("incidents:check_phone", args=[incident.pk])
    key = str(uuid.uuid4())
    body = check_body(incident, key)
    session = session_cookie(client, worker)

    status, answer = post_over_a_socket(
        live_server, path, body, session=session, send=len(body) // 2
    )
    assert status == 408, answer
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.HANDLED
    assert IncidentPhoto.objects.count() == 1  # the handling's only
    assert len(files_under(media_root)) == 1

    status, answer = post_over_a_socket(live_server, path, body, session=session)
    again, answer_again = post_over_a_socket(live_server, path, body, session=session)
    assert status == 200 and json.loads(answer)["created"] is True
    assert again == 200 and json.loads(answer_again)["created"] is False
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.status == IncidentStatus.SIGNED_IN and incident.rework_count == 1
    assert IncidentPhoto.objects.filter(event__kind="check_failed").count() == 1
    assert len(files_under(media_root)) == 2

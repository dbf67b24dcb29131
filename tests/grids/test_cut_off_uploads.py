"""A post cut off on the way is never stored: a phone on a slow link that gives up mid-upload
keeps its copy and sends it again, and the whole finding (or attachment) is stored once.

These tests talk to a real HTTP server over a socket: they send part of the body, close their
side of the connection as a phone that gave up does, and read what the server answers. Django's
test client cannot do this (it always hands the view the whole body)."""

import json
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from disputes.models import Attachment
from governance.models import Role
from grids.models import Finding, FindingPhoto
from tests.conftest import DIANSHANG
from tests.disputes.helpers import register
from tests.factories import files_under, image_bytes, person_with_role, photo_upload

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_TOKEN = "A" * 32  # any well-formed token does, as long as the cookie and header agree
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def session_cookie(client, person) -> str:
    client.force_login(person)
    return client.cookies["sessionid"].value


def post_over_a_socket(live_server, path, body: bytes, *, session, send: int | None = None):
    """POST `body` to the server, but only its first `send` bytes (all of them if None), then
    close the writing side of the connection. Returns the status code and the answer's body."""
    address = urlsplit(live_server.url)
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        f"Content-Type: {MULTIPART_CONTENT}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Accept: application/json\r\n"
        f"X-CSRFToken: {CSRF_TOKEN}\r\n"
        f"Cookie: sessionid={session}; csrftoken={CSRF_TOKEN}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(head + body[: len(body) if send is None else send])
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode()


def finding_body(grid, key, photos=3) -> bytes:
    fields = {
        "client_key": key,
        "grid": grid.pk,
        "category": "safety_hazard",
        "severity": "medium",
        "description": "桥头护栏断裂，已拉警戒线",
        "status": "open",
        "action_taken": "",
        # Different sizes, so that cutting the body after the first photo is a real cut-off.
        "photos": [
            photo_upload(f"现场{n}.jpg", image_bytes(size=(1200, 900), color=(20 * n, 90, 60)))
            for n in range(1, photos + 1)
        ],
    }
    return encode_multipart(BOUNDARY, fields)


def test_a_finding_cut_off_after_its_first_photo_is_refused_and_stores_nothing(
    live_server, client, grid, worker, media_root
):
    key = str(uuid.uuid4())
    body = finding_body(grid, key)
    second_photo_starts = body.index(b'filename="\xe7\x8e\xb0\xe5\x9c\xba2.jpg"')

    status, answer = post_over_a_socket(
        live_server,
        "/grid/findings/new/",
        body,
        session=session_cookie(client, worker),
        send=second_photo_starts + 2000,
    )

    assert status == 408, answer  # the outbox sends it again, and keeps its copy meanwhile
    answer = json.loads(answer)
    assert answer["ok"] is False and "没有保存" in answer["errors"][0]
    assert not Finding.objects.filter(client_key=key).exists()
    assert FindingPhoto.objects.count() == 0
    assert files_under(media_root) == []


def test_the_retry_of_a_cut_off_finding_stores_all_of_it_once(
    live_server, client, grid, worker, media_root
):
    key = str(uuid.uuid4())
    body = finding_body(grid, key)
    session = session_cookie(client, worker)
    post_over_a_socket(
        live_server, "/grid/findings/new/", body, session=session, send=len(body) // 2
    )

    status, answer = post_over_a_socket(live_server, "/grid/findings/new/", body, session=session)
    again, _answer = post_over_a_socket(live_server, "/grid/findings/new/", body, session=session)

    assert status == 200 and json.loads(answer)["ok"] is True
    assert again == 200
    finding = Finding.objects.get(client_key=key)
    assert finding.photos.count() == 3
    assert len(files_under(media_root)) == 3


def test_a_body_cut_only_before_its_closing_boundary_is_refused_too(
    live_server, client, grid, worker
):
    """Every photo arrived but the post's last line did not: still not known to be whole."""
    key = str(uuid.uuid4())
    body = finding_body(grid, key)

    status, _answer = post_over_a_socket(
        live_server,
        "/grid/findings/new/",
        body,
        session=session_cookie(client, worker),
        send=len(body) - 10,
    )

    assert status == 408
    assert not Finding.objects.filter(client_key=key).exists()


def test_a_dispute_attachment_cut_off_is_refused_and_the_whole_one_is_kept(
    live_server, client, changzhi_slice, media_root
):
    township_staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    dispute = register(township_staff)
    body = encode_multipart(
        BOUNDARY, {"file": photo_upload("协议.pdf", PDF * 400, "application/pdf")}
    )
    session = session_cookie(client, township_staff)
    path = f"/disputes/{dispute.pk}/attachments/"

    cut_status, _answer = post_over_a_socket(live_server, path, body, session=session, send=5000)
    assert cut_status == 408
    assert not Attachment.objects.filter(dispute=dispute).exists()
    assert files_under(media_root) == []

    whole_status, _answer = post_over_a_socket(live_server, path, body, session=session)
    assert whole_status == 302  # back to the dispute page, with "attached"
    assert Attachment.objects.filter(dispute=dispute).count() == 1

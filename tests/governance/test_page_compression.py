"""Pages leave the server gzipped (a phone on a weak signal waits for bytes, not for the
server), with Django's answers to BREACH kept: a CSRF token masked afresh in every response.
Files that are compressed already (Excel exports, photos) go as they are."""

import gzip
import re

import pytest
from django.urls import reverse

from governance.models import Role
from tests.conftest import DIANSHANG
from tests.disputes.helpers import register
from tests.factories import person_with_role

GZIP = {"accept-encoding": "gzip, deflate, br"}


@pytest.fixture
def staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_signed_in_page_is_sent_gzipped_to_a_browser_that_accepts_it(client, staff):
    register(staff)
    client.force_login(staff)

    response = client.get(reverse("disputes:workbench"), headers=GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "矛盾纠纷" in html
    assert len(response.content) < len(html.encode()) / 3


def test_a_browser_that_does_not_accept_gzip_gets_the_page_plain(client, staff):
    client.force_login(staff)

    response = client.get(reverse("disputes:workbench"))

    assert not response.has_header("Content-Encoding")
    assert "矛盾纠纷" in response.content.decode()


def test_the_csrf_token_in_a_compressed_page_differs_in_every_response(client):
    """BREACH guesses a secret that repeats from response to response; the masked token never
    does."""
    tokens = {
        csrf_token(gzip.decompress(client.get(reverse("login"), headers=GZIP).content).decode())
        for _ in range(3)
    }
    assert len(tokens) == 3


def test_an_excel_export_is_sent_as_it_is(client, staff):
    register(staff)
    client.force_login(staff)

    response = client.get(reverse("disputes:export"), headers=GZIP)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not response.has_header("Content-Encoding")
    assert response.content[:2] == b"PK"  # the xlsx itself, a zip

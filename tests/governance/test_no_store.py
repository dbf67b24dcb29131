"""Nothing sent to a signed-in person stays in a cache: a phone or an office computer is
shared, and its next person must not find the last one's pages, photos, evidence or exports in
the browser's cache after they signed out. Static assets keep their long caching."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import Attachment
from governance.models import Role
from grids.models import FindingStatus, GridRole
from grids.photos import process_photo
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.disputes.helpers import register
from tests.factories import (
    GridFactory,
    area,
    log_finding,
    person_with_role,
    photo_upload,
    team_member,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def assert_not_stored(response):
    assert response.status_code == 200, response.status_code
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "no-store" in cache_control, response["Cache-Control"]
    assert "private" in cache_control
    assert not any(part.startswith("max-age=") and part != "max-age=0" for part in cache_control)


@pytest.fixture
def staff(changzhi_slice):
    return person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)


def test_pages_for_a_signed_in_person_are_not_stored(client, staff):
    client.force_login(staff)

    for name in ("home", "disputes:workbench", "notifications", "area_root"):
        response = client.get(reverse(name), follow=True)
        assert response["Content-Type"].startswith("text/html")
        assert_not_stored(response)


def test_a_finding_photo_is_not_stored(client, changzhi_slice):
    grid = GridFactory(village=area(DIANSHANG_VILLAGE))
    worker = team_member(grid, GridRole.WORKER)
    finding = log_finding(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        status=FindingStatus.OPEN,
        photos=[process_photo(photo_upload())],
    )
    client.force_login(worker)

    response = client.get(reverse("grids:finding_photo", args=[finding.photos.get().pk]))

    assert response["Content-Type"] == "image/jpeg"
    assert_not_stored(response)


def test_a_dispute_attachment_is_not_stored(client, staff):
    dispute = register(staff)
    client.force_login(staff)
    client.post(
        reverse("disputes:attachment_add", args=[dispute.pk]),
        {"file": SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")},
    )
    attachment = Attachment.objects.get()

    response = client.get(reverse("disputes:attachment", args=[dispute.pk, attachment.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert_not_stored(response)


def test_an_excel_export_is_not_stored(client, staff):
    register(staff)
    client.force_login(staff)

    response = client.get(reverse("disputes:export"))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_not_stored(response)


def test_the_phones_json_answer_is_not_stored(client, changzhi_slice):
    grid = GridFactory(village=area(DIANSHANG_VILLAGE))
    worker = team_member(grid, GridRole.WORKER)
    client.force_login(worker)

    response = client.post(
        reverse("grids:finding_new"),
        {
            "client_key": str(uuid.uuid4()),
            "grid": grid.pk,
            "category": "safety_hazard",
            "severity": "low",
            "description": "井盖缺失",
            "status": FindingStatus.HANDLED,
            "action_taken": "已处理",
        },
        headers={"Accept": "application/json"},
    )

    assert response.json()["ok"] is True
    assert_not_stored(response)


def test_a_static_asset_keeps_its_caching_for_a_signed_in_person(client, staff, settings):
    # The tests run without collectstatic: WhiteNoise serves from the source folders.
    settings.WHITENOISE_USE_FINDERS = True
    client.force_login(staff)

    response = client.get(f"{settings.STATIC_URL}js/formset.js")

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" not in cache_control and "no-cache" not in cache_control
    assert "max-age=" in cache_control and "max-age=0" not in cache_control

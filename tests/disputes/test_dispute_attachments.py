"""Evidence attached to a dispute: photos and PDFs only, stored under the portal's own names,
recorded in the timeline, and opened by those handling the dispute alone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.attachments import MAX_ATTACHMENTS_PER_DISPUTE
from disputes.models import Attachment
from tests.disputes.helpers import event_kinds, register
from tests.factories import files_under, image_bytes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def attach(client, dispute, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("disputes:attachment_add", args=[dispute.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
    )


def test_a_handler_attaches_a_photo_and_a_pdf_and_opens_them_again(
    client, township_staff, media_root
):
    dispute = register(township_staff)
    client.force_login(township_staff)

    photo_page = attach(client, dispute, "现场照片.png", image_bytes(image_format="PNG"))
    pdf_page = attach(client, dispute, "情况说明.pdf", PDF)

    assert "现场照片.jpg" in photo_page.content.decode()
    assert "情况说明.pdf" in pdf_page.content.decode()
    photo, pdf = Attachment.objects.filter(dispute=dispute).order_by("pk")
    assert (photo.content_type, pdf.content_type) == ("image/jpeg", "application/pdf")
    assert event_kinds(dispute)[-2:] == ["attachment", "attachment"]
    download = client.get(reverse("disputes:attachment", args=[dispute.pk, pdf.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment;" in download["Content-Disposition"]
    # The stored names are the portal's, never what the person's computer called the file.
    stored = files_under(media_root)
    assert len(stored) == 2
    assert all("情况说明" not in path.name and "现场照片" not in path.name for path in stored)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("证据.jpg", b"this is only text", "既不是照片也不是 PDF"),
        ("证据.pdf", b"%PDF-1.4 but cut short", "既不是照片也不是 PDF"),
        ("证据.png", b"PK\x03\x04" + b"\x00" * 64, "既不是照片也不是 PDF"),
        ("空.pdf", b"", "为空"),
    ],
)
def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_is_kept(
    client, township_staff, media_root, name, content, message
):
    dispute = register(township_staff)
    client.force_login(township_staff)

    page = attach(client, dispute, name, content)

    assert message in page.content.decode()
    assert not Attachment.objects.exists()
    assert "attachment" not in event_kinds(dispute)
    assert files_under(media_root) == []


def test_someone_who_sees_the_dispute_but_does_not_handle_it_can_neither_attach_nor_open(
    client, township_staff, county_official
):
    dispute = register(township_staff)
    client.force_login(township_staff)
    attach(client, dispute, "情况说明.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(county_official)

    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    refused_upload = attach(client, dispute, "另一份.pdf", PDF)
    refused_download = client.get(reverse("disputes:attachment", args=[dispute.pk, attachment.pk]))

    assert "情况说明.pdf" in page
    assert reverse("disputes:attachment", args=[dispute.pk, attachment.pk]) not in page
    assert reverse("disputes:attachment_add", args=[dispute.pk]) not in page
    assert refused_upload.status_code == refused_download.status_code == 403
    assert Attachment.objects.count() == 1


def test_an_attachment_is_opened_only_through_its_own_dispute(client, township_staff):
    first, second = register(township_staff), register(township_staff)
    client.force_login(township_staff)
    attach(client, first, "情况说明.pdf", PDF)
    attachment = Attachment.objects.get()

    response = client.get(reverse("disputes:attachment", args=[second.pk, attachment.pk]))

    assert response.status_code == 404


def test_a_dispute_takes_a_limited_number_of_attachments(client, township_staff):
    dispute = register(township_staff)
    client.force_login(township_staff)
    for number in range(MAX_ATTACHMENTS_PER_DISPUTE):
        attach(client, dispute, f"{number}.pdf", PDF)

    page = attach(client, dispute, "one-too-many.pdf", PDF)

    assert f"最多 {MAX_ATTACHMENTS_PER_DISPUTE} 个附件" in page.content.decode()
    assert Attachment.objects.count() == MAX_ATTACHMENTS_PER_DISPUTE


@pytest.mark.parametrize(
    ("uploaded_as", "shown_as"),
    [("evidence.exe", "evidence.pdf"), ("x.jpg", "x.pdf"), ("情况说明", "情况说明.pdf")],
)
def test_a_pdf_is_stored_and_served_as_pdf_whatever_it_was_called(
    client, township_staff, media_root, uploaded_as, shown_as
):
    dispute = register(township_staff)
    client.force_login(township_staff)

    page = attach(client, dispute, uploaded_as, PDF, content_type="image/jpeg")

    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == shown_as
    assert shown_as in page.content.decode()
    [stored] = files_under(media_root)
    assert stored.suffix == ".pdf" and attachment.file.name.endswith(".pdf")
    download = client.get(reverse("disputes:attachment", args=[dispute.pk, attachment.pk]))
    assert download["Content-Type"] == "application/pdf"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert ".exe" not in disposition and ".jpg" not in disposition
    assert disposition.endswith('.pdf"') or disposition.endswith(".pdf")
    assert b"".join(download.streaming_content) == PDF


def test_an_attachment_stored_under_its_uploaded_name_still_downloads_as_pdf(
    client, township_staff
):
    """Attachments stored before the names were corrected keep their name in the database; the
    download gives them the extension of what they are."""
    dispute = register(township_staff)
    client.force_login(township_staff)
    attach(client, dispute, "证据.pdf", PDF)
    attachment = Attachment.objects.get()
    Attachment.objects.filter(pk=attachment.pk).update(original_name="证据.exe")

    download = client.get(reverse("disputes:attachment", args=[dispute.pk, attachment.pk]))

    assert download["Content-Type"] == "application/pdf"
    assert "%E8%AF%81%E6%8D%AE.pdf" in download["Content-Disposition"]
    assert ".exe" not in download["Content-Disposition"]

"""Checking a file attached to a dispute as evidence (a photo of the damage, a scanned
statement, a signed agreement) before it is stored.

Only photos and PDFs are taken. Photos are re-encoded as JPEG, which drops whatever else the
file carried (location data, scripts posing as images); a PDF must look like one from its first
bytes to its end marker. The name the person gave is kept for display and download only; the
file is stored under a name of the portal's own.
"""

import os
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from grids.photos import process_photo

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_DISPUTE = 20
MAX_NAME_LENGTH = 200
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class CheckedAttachment:
    content: ContentFile
    original_name: str
    stored_name: str
    content_type: str


def _display_name(upload) -> str:
    name = os.path.basename(getattr(upload, "name", "") or "").strip()
    # Control characters would break the download header and the page.
    name = "".join(character for character in name if character.isprintable())
    return name[-MAX_NAME_LENGTH:] or _("attachment")


def _looks_like_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(5)
    upload.seek(max(upload.size - 1024, 0))
    tail = upload.read()
    return head == b"%PDF-" and b"%%EOF" in tail


def check_attachment(upload) -> CheckedAttachment:
    """The upload made ready to store, or ValidationError saying why it is refused."""
    name = _display_name(upload)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            code="attachment_too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty_attachment")
    if _looks_like_pdf(upload):
        upload.seek(0)
        return CheckedAttachment(
            content=ContentFile(upload.read()),
            original_name=name,
            stored_name=f"{uuid.uuid4()}.pdf",
            content_type=PDF_TYPE,
        )
    try:
        photo = process_photo(upload)
    except ValidationError:
        raise ValidationError(
            _("%(name)s is neither a photo nor a PDF document.") % {"name": name},
            code="attachment_type",
        ) from None
    stem = os.path.splitext(name)[0] or _("attachment")
    return CheckedAttachment(
        content=photo.content,
        original_name=f"{stem[: MAX_NAME_LENGTH - 4]}.jpg",
        stored_name=f"{uuid.uuid4()}.jpg",
        content_type="image/jpeg",
    )

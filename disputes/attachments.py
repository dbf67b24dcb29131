"""Checking a file attached to a dispute as evidence (a photo of the damage, a scanned
statement, a signed agreement) before it is stored.

Only photos and PDFs are taken. Photos are re-encoded as JPEG, which drops whatever else the
file carried (location data, scripts posing as images); a PDF must look like one from its first
bytes to its end marker. The name the person gave is kept for display and download only, with
the extension of what the file is (a PDF uploaded as `evidence.exe` downloads as
`evidence.pdf`); the file is stored under a name of the portal's own.
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
JPEG_TYPE = "image/jpeg"
# The only two kinds of file stored, each always under its own extension.
EXTENSIONS = {PDF_TYPE: ".pdf", JPEG_TYPE: ".jpg"}


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


def download_name(name: str, content_type: str) -> str:
    """`name` as a person gave it, with the extension of what the file really is: a browser
    or the computer that saves it goes by the extension, never by what was inside."""
    extension = EXTENSIONS[content_type]
    stem = os.path.splitext(name)[0] or _("attachment")
    return f"{stem[: MAX_NAME_LENGTH - len(extension)]}{extension}"


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
            original_name=download_name(name, PDF_TYPE),
            stored_name=f"{uuid.uuid4()}{EXTENSIONS[PDF_TYPE]}",
            content_type=PDF_TYPE,
        )
    try:
        photo = process_photo(upload)
    except ValidationError:
        raise ValidationError(
            _("%(name)s is neither a photo nor a PDF document.") % {"name": name},
            code="attachment_type",
        ) from None
    return CheckedAttachment(
        content=photo.content,
        original_name=download_name(name, JPEG_TYPE),
        stored_name=f"{uuid.uuid4()}{EXTENSIONS[JPEG_TYPE]}",
        content_type=JPEG_TYPE,
    )

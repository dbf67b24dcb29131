"""Photos from the field: only real images, size-capped, re-encoded and shrunk on the server.

The file's name and declared type are ignored: the content is decoded, and what is stored is
a fresh JPEG without the phone's metadata (which may carry the location and the device).
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
LONGEST_SIDE = 1600
# MPO is what many phone cameras write under the name .jpg: a JPEG followed by its previews.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}
# Decoding a small file that claims to be enormous is an attack on memory, not a photo.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class ProcessedPhoto:
    content: ContentFile
    width: int
    height: int


def process_photo(upload) -> ProcessedPhoto:
    """Check an uploaded file and return it re-encoded; raise ValidationError if it is not a
    photo the portal accepts."""
    name = getattr(upload, "name", "") or _("the file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("%(name)s has too many pixels.") % {"name": name}, code="photo_too_big"
                )
            probe.verify()
        if image_format not in ACCEPTED_FORMATS:
            raise UnidentifiedImageError(image_format)
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=80, optimize=True)
            width, height = image.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(name)s is not a photo (JPEG, PNG, WebP, GIF or BMP).") % {"name": name},
            code="not_a_photo",
        ) from None
    return ProcessedPhoto(content=ContentFile(buffer.getvalue()), width=width, height=height)

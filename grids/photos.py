"""Photos from the field: only real images, size-capped, re-encoded and shrunk on the server.

The file's name and declared type are ignored: the content is decoded, and what is stored is
a fresh JPEG without anything the file carried besides its pixels: no EXIF (which may hold the
location and the device), XMP, ICC profile or JPEG comment. This is the portal's one
re-encoder: dispute attachments (`disputes.attachments`) go through it too.
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
# Decoding a small file that claims to be enormous is an attack on memory, not a photo: a
# 6300 × 6300 PNG of one colour is 5 KB and decodes into 120 MB over seconds. The size is read
# from the file's header and anything larger is refused before a pixel is decoded. 36 million
# pixels takes a phone's 12, 24 or 32 megapixel photo (the 48-megapixel and larger modes make
# files over the 10 MB cap anyway).
MAX_PIXELS = 36_000_000
# Pillow's own guard agrees with ours, for any other code that opens an image: it warns above
# this many pixels and refuses twice as many outright.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class ProcessedPhoto:
    content: ContentFile
    width: int
    height: int


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _(
            "%(name)s is too large an image: a photo may have at most %(limit)s pixels "
            "(width × height)."
        )
        % {"name": name, "limit": f"{MAX_PIXELS:,}"},
        code="photo_too_big",
    )


def _draft_box(width: int, height: int) -> tuple[int, int]:
    """The smallest size a JPEG may be decoded at (it can be, at 1/2, 1/4 or 1/8, for a
    fraction of the time and memory) and still give LONGEST_SIDE on its longer side."""
    scale = LONGEST_SIDE / max(width, height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


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
        # Image.open reads the header only: the size is known before anything is decoded.
        with Image.open(upload) as probe:
            image_format = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise _too_many_pixels(name)
            probe.verify()
        if image_format not in ACCEPTED_FORMATS:
            raise UnidentifiedImageError(image_format)
        upload.seek(0)
        with Image.open(upload) as image:
            if image_format in ("JPEG", "MPO"):
                image.draft("RGB", _draft_box(*image.size))
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            # Only the pixels go on: Pillow would write a JPEG comment read from the original
            # (image.info["comment"]) into the new file, so nothing of the file's is kept.
            image.info = {}
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=80, optimize=True)
            width, height = image.size
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, for a file whose header claims more than twice the limit.
        raise _too_many_pixels(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s is not a photo (JPEG, PNG, WebP, GIF or BMP).") % {"name": name},
            code="not_a_photo",
        ) from None
    return ProcessedPhoto(content=ContentFile(buffer.getvalue()), width=width, height=height)

"""The one re-encoder of photos (finding photos and dispute attachments): what is stored holds
the pixels and nothing else the file carried, and an image too large to decode safely is
refused from its header, before a pixel is decoded."""

import io
import struct
import time
import uuid
import warnings
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms, ImageFile

from disputes.models import Attachment
from grids.models import Finding, FindingPhoto, FindingStatus
from grids.photos import MAX_PIXELS, process_photo
from tests.conftest import DIANSHANG
from tests.disputes.helpers import register
from tests.factories import files_under, image_bytes, person_with_role

SECRET = "张三家 13912345678 拍摄于东经113度"


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (36.0, 19.0, 30.0), 3: "E", 4: (113.0, 13.0, 0.0)}
    return exif.tobytes()


def jpeg_with_everything() -> bytes:
    """A phone's JPEG carrying a comment, EXIF with its GPS, XMP and an ICC profile."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><note>{SECRET}</note></x:xmpmeta>'.encode()
    return image_bytes(
        size=(640, 480),
        exif=gps_exif(),
        comment=SECRET.encode(),
        xmp=xmp,
        icc_profile=icc,
    )


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG file's header segments, up to the start of the image data."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            return markers
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        position += 2 + length
    raise AssertionError("no image data")


COMMENT, APP1_EXIF_XMP, APP2_ICC = 0xFE, 0xE1, 0xE2


def assert_only_pixels(data: bytes) -> None:
    markers = jpeg_segments(data)
    assert COMMENT not in markers
    assert APP1_EXIF_XMP not in markers
    assert APP2_ICC not in markers
    assert SECRET.encode() not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert not {"comment", "exif", "xmp", "icc_profile"} & set(stored.info)


def test_the_original_carries_what_must_go():
    """The test's file is what it claims: a comment, EXIF, XMP and an ICC profile."""
    markers = jpeg_segments(jpeg_with_everything())
    assert {COMMENT, APP1_EXIF_XMP, APP2_ICC} <= set(markers)
    with Image.open(io.BytesIO(jpeg_with_everything())) as original:
        assert original.info["comment"] == SECRET.encode()


def finding_form(grid, **fields):
    return {
        "client_key": str(uuid.uuid4()),
        "grid": grid.pk,
        "category": "safety_hazard",
        "severity": "low",
        "description": "路口井盖缺失",
        "status": FindingStatus.HANDLED,
        "action_taken": "放置警示锥",
        **fields,
    }


def test_a_finding_photo_is_stored_without_its_comment_exif_xmp_or_icc(
    client, grid, worker, media_root
):
    client.force_login(worker)
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_everything(), "image/jpeg")

    client.post(reverse("grids:finding_new"), finding_form(grid, photos=[upload]))

    photo = Finding.objects.get().photos.get()
    assert_only_pixels((media_root / photo.image.name).read_bytes())


def test_a_dispute_photo_attachment_is_stored_without_its_comment(
    client, changzhi_slice, media_root
):
    staff = person_with_role("township_staff", DIANSHANG)
    dispute = register(staff)
    client.force_login(staff)
    upload = SimpleUploadedFile("现场.jpg", jpeg_with_everything(), "image/jpeg")

    client.post(reverse("disputes:attachment_add", args=[dispute.pk]), {"file": upload})

    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/jpeg"
    assert_only_pixels((media_root / attachment.file.name).read_bytes())


# --- Too many pixels -------------------------------------------------------------------------


def solid_png(width: int, height: int) -> bytes:
    """A one-colour PNG of any size, written directly (a few KB, in milliseconds): making it
    with Pillow would cost the test the very memory and time the portal must not spend."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then one bit per pixel
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TOO_BIG = "图像过大：照片最多 36,000,000 像素（宽 × 高）。"


@pytest.fixture
def decoding_forbidden(monkeypatch):
    """Any attempt to decode pixels fails the test: the refusal must come from the header."""

    def load(self):
        raise AssertionError(f"{self.size} was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def test_pillows_guard_is_set_to_the_photos_own_limit():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


@pytest.fixture
def pillow_warning_expected():
    """Over the limit but under twice it, Pillow warns of a decompression bomb as it reads the
    header: the warning is Pillow's own record of what is then refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


# 6300 × 6300 is over the limit, under twice it (Pillow warns); 10000 × 10000 is over twice it
# (Pillow refuses by itself). Both get the same message.
@pytest.mark.usefixtures("pillow_warning_expected")
@pytest.mark.parametrize("side", [6300, 10000])
def test_an_image_with_too_many_pixels_is_refused_from_its_header(decoding_forbidden, side):
    assert side * side > MAX_PIXELS
    content = solid_png(side, side)
    assert len(content) < 20_000

    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        process_photo(SimpleUploadedFile("huge.png", content, "image/png"))

    assert refused.value.messages == [f"huge.png {TOO_BIG}"]
    assert time.perf_counter() - started < 0.5


@pytest.mark.usefixtures("pillow_warning_expected")
def test_a_finding_with_a_6300_px_square_png_is_refused_with_the_message_and_nothing_stored(
    client, grid, worker, media_root
):
    client.force_login(worker)
    upload = SimpleUploadedFile("截图.png", solid_png(6300, 6300), "image/png")

    response = client.post(
        reverse("grids:finding_new"),
        finding_form(grid, photos=[upload]),
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert any(f"截图.png {TOO_BIG}" in error for error in response.json()["errors"])
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()
    assert files_under(media_root) == []


def test_a_photo_within_the_limit_is_still_taken():
    processed = process_photo(SimpleUploadedFile("ok.png", solid_png(3000, 2000), "image/png"))

    assert (processed.width, processed.height) == (1600, 1067)

"""A grid worker's photos on a cheap phone and a weak link.

The phone shrinks the camera's photos to the size the portal keeps before it queues them, so a
finding with three photos is a few hundred KB, not ten MB; and a try that runs out of time on
a slow link is told as "slow network, still trying", not "no network", and the finding is
stored once however many tries it takes.
"""

import random

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import expect

from grids.models import Finding
from grids.photos import LONGEST_SIDE
from tests.e2e.test_grid_worker_journey import fill_finding
from tests.e2e.test_sign_in_journey import sign_in

FINDINGS_NEW = "/grid/findings/new/"
EXIF_ROTATED_90 = 6  # "turn clockwise to view": the phone was held upright
SLOW_LINK = {  # a weak mobile link: 50 KB/s up, 400 ms there and back
    "offline": False,
    "latency": 400,
    "uploadThroughput": 50 * 1024,
    "downloadThroughput": 50 * 1024,
}


def camera_photo(path, *, seed, orientation=1):
    """A 12-megapixel JPEG as a phone camera writes it: several MB (a scene with sensor grain),
    with the place and the device in its EXIF."""
    colours = random.Random(seed).randbytes(40 * 30 * 3)
    scene = Image.frombytes("RGB", (40, 30), colours).resize((4000, 3000), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((4000, 3000), 24).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Cheap Phone"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (36.0, 20.0, 4.24), 3: "E", 4: (113.0, 13.0, 18.75)})
    Image.blend(scene, grain, 0.25).save(path, format="JPEG", quality=92, exif=exif)
    return path


@pytest.fixture(scope="module")
def camera_photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("camera")
    return [
        camera_photo(folder / "IMG_0001.jpg", seed=1),
        camera_photo(folder / "IMG_0002.jpg", seed=2),
        camera_photo(folder / "IMG_0003.jpg", seed=3, orientation=EXIF_ROTATED_90),
    ]


def finding_posts(page):
    """Every try at sending a finding, as the browser made it."""
    posts = []
    page.on(
        "request",
        lambda request: (
            posts.append(request)
            if request.method == "POST" and request.url.endswith(FINDINGS_NEW)
            else None
        ),
    )
    return posts


def open_finding_form(page, base_url):
    sign_in(page, base_url, "grid_worker")
    page.get_by_role("link", name="记录发现").click()
    expect(page).to_have_url(f"{base_url}{FINDINGS_NEW}")
    fill_finding(
        page,
        grid="店上村第一网格",
        category="安全隐患",
        description="村西桥护栏断裂，已拍照",
        disposal="待处置",
    )


def test_three_camera_photos_leave_the_phone_shrunk_to_the_size_the_portal_keeps(
    small_phone, demo_portal, camera_photos
):
    page = small_phone
    base_url = demo_portal.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    originals = sum(photo.stat().st_size for photo in camera_photos)
    assert originals > 9_000_000

    open_finding_form(page, base_url)
    page.get_by_label("照片（最多 6 张）").set_input_files(camera_photos)
    # What the browser sends, byte for byte (request events do not carry a body of files).
    bodies = []
    page.route(
        f"**{FINDINGS_NEW}",
        lambda route: (bodies.append(route.request.post_data_buffer), route.continue_()),
    )
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{base_url}/grid/today/", timeout=30_000)
    expect(page.locator("[data-outbox-status]")).to_have_text("发现已保存。")

    finding = Finding.objects.get()
    stored = list(finding.photos.order_by("pk"))
    assert len(stored) == 3
    sizes = []
    for photo in stored:
        with Image.open(photo.image.path) as image:
            sizes.append(image.size)
        assert (photo.width, photo.height) == sizes[-1]
    # Shrunk to the longest side the portal keeps; the upright one stays upright.
    assert sizes == [(1600, 1200), (1600, 1200), (1200, 1600)]
    assert LONGEST_SIDE == 1600

    # One try, of a few hundred KB instead of the camera's ten MB, and without the photos'
    # EXIF (the place where they were taken, the phone): that never left the phone.
    assert len(bodies) == 1
    body = bodies[0]
    assert 100_000 < len(body) < 900_000, len(body)
    assert len(body) < originals / 10
    assert b"Exif\x00\x00" not in body
    assert body.count(b"\xff\xd8\xff") == 3  # three JPEGs
    assert errors == []


def test_on_a_slow_link_the_worker_is_told_slow_network_and_the_finding_is_stored_once(
    small_phone, demo_portal, camera_photos, settings
):
    # The portal assumes a link faster than this phone's: 1 s plus 1 MB/s for each try.
    # Every try until the time given has doubled enough runs out.
    settings.OUTBOX_SEND_SECONDS = 1
    settings.OUTBOX_SLOW_BYTES_PER_SECOND = 1024 * 1024
    page = small_phone
    base_url = demo_portal.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    open_finding_form(page, base_url)
    script = page.locator("script[data-send-seconds]")
    expect(script).to_have_attribute("data-send-seconds", "1")
    expect(script).to_have_attribute("data-slow-bytes-per-second", "1048576")
    page.get_by_label("照片（最多 6 张）").set_input_files(camera_photos[0])
    client_key = page.locator("input[name=client_key]").input_value()
    posts = finding_posts(page)
    aborted = []
    page.on("requestfailed", lambda request: aborted.append(request.failure))
    # Everything the status line says, as it says it.
    page.evaluate(
        """() => {
          const box = document.querySelector("[data-outbox-status]");
          window.statusSaid = [];
          new MutationObserver(() => window.statusSaid.push(box.textContent)).observe(
            box, { childList: true, subtree: true, characterData: true });
        }"""
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)

    page.get_by_role("button", name="保存").click()
    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("慢速网络，仍在重试")
    expect(status).not_to_contain_text("网络不通")
    expect(page.get_by_label("发现了什么？")).to_have_value("")  # ready for the next one

    # The phone keeps at it, with more time for each try, until the portal has it.
    expect(status).to_contain_text("已发送 1 条", timeout=60_000)
    said = page.evaluate("window.statusSaid")
    assert any("慢速网络" in text for text in said), said
    assert not any("网络不通" in text for text in said), said
    assert len(posts) >= 2
    assert aborted and all(failure == "net::ERR_ABORTED" for failure in aborted), aborted

    finding = Finding.objects.get(client_key=client_key)
    assert Finding.objects.count() == 1
    assert finding.description == "村西桥护栏断裂，已拍照"
    assert finding.photos.count() == 1
    assert errors == []


def test_a_file_that_is_not_a_photo_is_sent_as_chosen_and_the_portal_says_why(
    small_phone, demo_portal, tmp_path
):
    page = small_phone
    not_a_photo = tmp_path / "IMG_0004.jpg"
    not_a_photo.write_text("这不是照片", encoding="utf-8")

    open_finding_form(page, demo_portal.url)
    page.get_by_label("照片（最多 6 张）").set_input_files(not_a_photo)
    page.get_by_role("button", name="保存").click()

    status = page.locator("[data-outbox-status]")
    expect(status).to_contain_text("没有保存")
    expect(status).to_contain_text("IMG_0004.jpg 不是照片")
    assert not Finding.objects.exists()

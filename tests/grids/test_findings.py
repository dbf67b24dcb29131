"""Findings: logged once whatever the network does, with checked photos, handled or handed up
by their holder, each change an event, seen only by those whose grid it is."""

import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image

from cases.models import EventRowIsPermanent
from governance.models import Role
from grids import services
from grids.models import (
    Finding,
    FindingEvent,
    FindingEventKind,
    FindingPhoto,
    FindingStatus,
    GridRole,
)
from grids.photos import LONGEST_SIDE, MAX_PHOTOS, MAX_UPLOAD_BYTES, process_photo
from tests.conftest import DIANSHANG, WEIZI, WEIZI_VILLAGE
from tests.factories import (
    GridFactory,
    area,
    image_bytes,
    log_finding,
    person_with_role,
    photo_upload,
    team_member,
)

JSON = {"Accept": "application/json"}


def form_data(grid, /, **overrides):
    """What the finding form posts: a worker saw something and handled it on the spot."""
    return {
        "client_key": str(uuid.uuid4()),
        "grid": grid.pk,
        "category": "safety_hazard",
        "severity": "low",
        "description": "路口井盖缺失，已设置警示标志",
        "status": FindingStatus.HANDLED,
        "action_taken": "放置警示锥并通知村委",
        **overrides,
    }


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (36.0, 19.0, 30.0), 3: "E", 4: (113.0, 13.0, 0.0)}
    return exif.tobytes()


# --- Logging once ----------------------------------------------------------------------------


def test_a_logged_finding_is_held_by_its_reporter_and_has_a_logged_event(grid, worker):
    finding, created = services.finding_log(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        category="dispute",
        severity="medium",
        description="两户因宅基地边界争吵",
        status=FindingStatus.OPEN,
    )

    assert created
    assert finding.reporter == worker and finding.holder == worker
    assert finding.status == FindingStatus.OPEN
    event = FindingEvent.objects.get(finding=finding)
    assert event.kind == FindingEventKind.LOGGED
    assert event.actor == worker
    assert event.to_status == FindingStatus.OPEN


def test_a_replayed_submission_with_the_same_client_key_is_stored_once(grid, worker):
    key = uuid.uuid4()
    first = log_finding(actor=worker, grid=grid, client_key=key)

    again, created = services.finding_log(
        actor=worker,
        grid=grid,
        client_key=key,
        category="safety_hazard",
        severity="low",
        description="路口井盖缺失",
        status=FindingStatus.OPEN,
    )

    assert not created
    assert again.pk == first.pk
    assert Finding.objects.count() == 1
    assert FindingEvent.objects.count() == 1


def test_a_key_reused_by_another_reporter_is_refused(grid, worker):
    key = uuid.uuid4()
    log_finding(actor=worker, grid=grid, client_key=key)
    colleague = team_member(grid, GridRole.ASSISTANT)

    with pytest.raises(ValidationError) as refused:
        log_finding(actor=colleague, grid=grid, client_key=key)

    assert refused.value.code == "key_reused"
    assert Finding.objects.get().reporter == worker


def test_the_phone_outbox_replaying_a_finding_gets_the_same_answer_and_one_row(
    client, grid, worker
):
    client.force_login(worker)
    data = form_data(grid)

    first = client.post(reverse("grids:finding_new"), data, headers=JSON)
    second = client.post(reverse("grids:finding_new"), data, headers=JSON)

    finding = Finding.objects.get()
    url = reverse("grids:finding_detail", args=[finding.pk])
    assert first.status_code == 200 and second.status_code == 200
    assert first.json() == {"ok": True, "created": True, "url": url}
    assert second.json() == {"ok": True, "created": False, "url": url}
    assert finding.events.count() == 1


def test_a_double_tapped_form_is_stored_once(client, grid, worker):
    client.force_login(worker)
    data = form_data(grid)

    first = client.post(reverse("grids:finding_new"), data, follow=True)
    second = client.post(reverse("grids:finding_new"), data, follow=True)

    assert Finding.objects.count() == 1
    for response in (first, second):
        assert response.redirect_chain[-1][0] == reverse("grids:worker_home")
        assert "发现事项已保存。" in response.content.decode()


def test_the_outbox_is_told_in_chinese_when_another_reporter_used_the_key(client, grid, worker):
    key = uuid.uuid4()
    log_finding(actor=worker, grid=grid, client_key=key)
    colleague = team_member(grid, GridRole.ASSISTANT)
    client.force_login(colleague)

    response = client.post(
        reverse("grids:finding_new"), form_data(grid, client_key=str(key)), headers=JSON
    )

    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": ["该提交编号已被使用。"]}
    assert Finding.objects.count() == 1


def test_a_finding_logged_during_a_patrol_belongs_to_it(grid, worker):
    patrol = services.patrol_start(actor=worker, grid=grid)

    finding = log_finding(actor=worker, grid=grid)

    assert finding.patrol == patrol


def test_only_the_team_of_a_grid_logs_findings_on_it(grid, other_grid, worker):
    with pytest.raises(PermissionDenied):
        log_finding(actor=worker, grid=other_grid)
    assert not Finding.objects.exists()


# --- Handled on the spot, handed up ----------------------------------------------------------


def test_handled_on_the_spot_requires_what_was_done(grid, worker):
    with pytest.raises(ValidationError) as refused:
        log_finding(actor=worker, grid=grid, status=FindingStatus.HANDLED, action_taken="  ")

    assert refused.value.code == "no_action"
    assert not Finding.objects.exists()


def test_the_form_asks_what_was_done_when_handled_on_the_spot(client, grid, worker):
    client.force_login(worker)

    response = client.post(reverse("grids:finding_new"), form_data(grid, action_taken=""))

    assert response.status_code == 200
    assert "就地处置时请填写处置情况。" in response.content.decode()
    assert not Finding.objects.exists()


def test_the_holder_handles_an_open_finding_and_an_event_records_it(grid, worker):
    finding = log_finding(actor=worker, grid=grid)

    services.finding_handle(actor=worker, finding=finding, action_taken="已更换井盖")

    finding.refresh_from_db()
    assert finding.status == FindingStatus.HANDLED
    assert finding.action_taken == "已更换井盖"
    event = finding.events.last()
    assert (event.kind, event.from_status, event.to_status, event.note) == (
        FindingEventKind.HANDLED,
        FindingStatus.OPEN,
        FindingStatus.HANDLED,
        "已更换井盖",
    )


def test_handling_later_also_requires_what_was_done(grid, worker):
    finding = log_finding(actor=worker, grid=grid)

    with pytest.raises(ValidationError):
        services.finding_handle(actor=worker, finding=finding, action_taken="")

    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.events.count() == 1


def test_the_holder_hands_an_open_finding_up_and_an_event_records_why(grid, worker):
    finding = log_finding(actor=worker, grid=grid)

    services.finding_hand_up(actor=worker, finding=finding, reason="需村委协调")

    finding.refresh_from_db()
    assert finding.status == FindingStatus.HANDED_UP
    event = finding.events.last()
    assert (event.kind, event.note) == (FindingEventKind.HANDED_UP, "需村委协调")


@pytest.mark.parametrize("action", ["handle", "hand_up"])
def test_only_the_holder_acts_on_a_finding(grid, worker, action):
    finding = log_finding(actor=worker, grid=grid)
    police = team_member(grid, GridRole.POLICE)

    with pytest.raises(PermissionDenied):
        if action == "handle":
            services.finding_handle(actor=police, finding=finding, action_taken="已处理")
        else:
            services.finding_hand_up(actor=police, finding=finding)

    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.events.count() == 1


@pytest.mark.parametrize("action", ["handle", "hand_up"])
def test_a_finding_that_is_no_longer_open_cannot_be_acted_on(grid, worker, action):
    finding = log_finding(
        actor=worker, grid=grid, status=FindingStatus.HANDLED, action_taken="已处理"
    )

    with pytest.raises(ValidationError) as refused:
        if action == "handle":
            services.finding_handle(actor=worker, finding=finding, action_taken="再处理一次")
        else:
            services.finding_hand_up(actor=worker, finding=finding)

    assert refused.value.code == "not_open"
    finding.refresh_from_db()
    assert finding.action_taken == "已处理"
    assert finding.events.count() == 1


def test_the_finding_page_shows_the_timeline_of_its_events(client, grid, worker):
    finding = log_finding(actor=worker, grid=grid)
    client.force_login(worker)

    client.post(reverse("grids:finding_hand_up", args=[finding.pk]), {"note": "需村委协调"})
    page = client.get(reverse("grids:finding_detail", args=[finding.pk])).content.decode()

    timeline = page[page.index('data-testid="timeline"') :]
    assert timeline.index("登记") < timeline.index("已上报")
    assert "需村委协调" in timeline
    assert "张网格" in timeline
    assert 'data-testid="finding-status">已上报<' in page


def test_handling_through_the_page_needs_a_note_and_says_so(client, grid, worker):
    finding = log_finding(actor=worker, grid=grid)
    client.force_login(worker)

    response = client.post(
        reverse("grids:finding_handle", args=[finding.pk]), {"note": ""}, follow=True
    )

    assert "就地处置时请填写处置情况。" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_someone_who_sees_but_does_not_hold_a_finding_is_told_so(client, grid, worker):
    finding = log_finding(actor=worker, grid=grid)
    police = team_member(grid, GridRole.POLICE)
    client.force_login(police)

    page = client.get(reverse("grids:finding_detail", args=[finding.pk])).content.decode()
    assert 'formaction="' not in page
    response = client.post(reverse("grids:finding_handle", args=[finding.pk]), {"note": "已处理"})

    assert response.status_code == 403
    assert "该事项由他人经办。" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_a_note_longer_than_2000_characters_is_refused_with_a_message(client, grid, worker):
    finding = log_finding(actor=worker, grid=grid)
    client.force_login(worker)

    response = client.post(
        reverse("grids:finding_handle", args=[finding.pk]), {"note": "长" * 2001}, follow=True
    )

    assert response.status_code == 200
    assert "2000" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


# --- Events are permanent --------------------------------------------------------------------


def test_a_finding_event_cannot_be_edited(grid, worker):
    event = log_finding(actor=worker, grid=grid).events.get()
    event.note = "改写历史"

    with pytest.raises(EventRowIsPermanent):
        event.save()

    assert FindingEvent.objects.get().note == ""


def test_a_finding_event_cannot_be_deleted(grid, worker):
    finding = log_finding(actor=worker, grid=grid)

    with pytest.raises(EventRowIsPermanent):
        finding.events.get().delete()
    # Nor can it go with its finding.
    with pytest.raises(ProtectedError):
        finding.delete()

    assert FindingEvent.objects.count() == 1


# --- Photos ----------------------------------------------------------------------------------


def test_a_text_file_named_like_a_photo_is_refused_and_nothing_is_written(
    client, grid, worker, media_root
):
    client.force_login(worker)
    fake = photo_upload("photo.jpg", "这不是照片".encode())

    response = client.post(reverse("grids:finding_new"), {**form_data(grid), "photos": [fake]})

    assert response.status_code == 200
    assert "photo.jpg 不是照片（应为 JPEG、PNG、WebP、GIF 或 BMP）。" in response.content.decode()
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_photo_is_refused_and_nothing_is_written(client, grid, worker, media_root):
    client.force_login(worker)
    jpeg = image_bytes()
    huge = photo_upload("big.jpg", jpeg + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(jpeg)))

    response = client.post(
        reverse("grids:finding_new"), {**form_data(grid), "photos": [huge]}, headers=JSON
    )

    assert response.status_code == 400
    assert any("big.jpg 超过 10 MB。" in error for error in response.json()["errors"])
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_photo_is_stored_as_a_fresh_jpeg_at_most_1600_px_without_its_exif(
    client, grid, worker, media_root
):
    client.force_login(worker)
    original = image_bytes(size=(4000, 3000), exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the phone's GPS

    client.post(
        reverse("grids:finding_new"),
        {**form_data(grid), "photos": [photo_upload("IMG_0001.jpg", original)]},
    )

    photo = Finding.objects.get().photos.get()
    assert (photo.width, photo.height) == (LONGEST_SIDE, 1200)
    assert photo.image.name.endswith(".jpg") and "IMG_0001" not in photo.image.name
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (1600, 1200)
        assert len(stored.getexif()) == 0
        assert "exif" not in stored.info
    assert stored_files(media_root) == [media_root / photo.image.name]


def test_an_upload_cut_short_by_the_phone_stores_nothing_and_the_whole_retry_is_stored(
    client, grid, worker, media_root
):
    """A phone that gives up on a slow link closes the connection mid-upload; what arrived
    must not be taken for the finding, or the photos still on their way would be lost."""
    client.force_login(worker)
    data = {**form_data(grid), "photos": [photo_upload("IMG_0003.jpg", image_bytes())]}
    body = encode_multipart(BOUNDARY, data)
    cut_short = body[: body.index(b"IMG_0003.jpg") + 2000]

    response = client.generic(
        "POST",
        reverse("grids:finding_new"),
        body,
        content_type=MULTIPART_CONTENT,
        headers=JSON,
        **{"wsgi.input": io.BytesIO(cut_short), "CONTENT_LENGTH": str(len(body))},
    )

    assert response.status_code == 408  # the phone's outbox tries again
    assert not Finding.objects.exists() and stored_files(media_root) == []

    data["photos"][0].seek(0)
    response = client.post(reverse("grids:finding_new"), data, headers=JSON)

    assert response.json()["created"] is True
    assert Finding.objects.get().photos.count() == 1


def test_a_truncated_photo_is_refused():
    broken = image_bytes(size=(1200, 900))[:5000]

    with pytest.raises(ValidationError) as refused:
        process_photo(photo_upload("IMG_0002.jpg", broken))

    assert refused.value.messages == ["IMG_0002.jpg 不是照片（应为 JPEG、PNG、WebP、GIF 或 BMP）。"]


def test_a_png_screenshot_is_stored_as_jpeg():
    processed = process_photo(photo_upload("截图.png", image_bytes(image_format="PNG")))

    assert Image.open(io.BytesIO(processed.content.read())).format == "JPEG"


def test_a_phone_camera_multi_picture_jpeg_is_accepted():
    """Many Android phones write MPO files (a JPEG with a preview) under the name .jpg."""
    buffer = io.BytesIO()
    main, preview = Image.new("RGB", (2000, 1500)), Image.new("RGB", (320, 240))
    main.save(buffer, format="MPO", save_all=True, append_images=[preview])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"

    processed = process_photo(photo_upload("IMG_2026.jpg", buffer.getvalue()))

    assert (processed.width, processed.height) == (1600, 1200)


def test_a_sideways_phone_photo_is_stored_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the camera was held upright
    processed = process_photo(photo_upload(content=image_bytes(size=(800, 600), exif=exif)))

    assert (processed.width, processed.height) == (600, 800)


def test_up_to_six_photos_are_kept(client, grid, worker):
    client.force_login(worker)
    photos = [photo_upload(f"p{n}.jpg") for n in range(MAX_PHOTOS)]

    client.post(reverse("grids:finding_new"), {**form_data(grid), "photos": photos})

    finding = Finding.objects.get()
    assert finding.photos.count() == 6
    assert finding.events.get().details == {"photos": 6}


def test_a_seventh_photo_is_refused_and_nothing_is_written(client, grid, worker, media_root):
    client.force_login(worker)
    photos = [photo_upload(f"p{n}.jpg") for n in range(MAX_PHOTOS + 1)]

    response = client.post(reverse("grids:finding_new"), {**form_data(grid), "photos": photos})

    assert "最多 6 张照片。" in response.content.decode()
    assert not Finding.objects.exists()
    assert stored_files(media_root) == []


def test_the_service_also_refuses_a_seventh_photo(grid, worker, media_root):
    photos = [process_photo(photo_upload()) for _ in range(MAX_PHOTOS + 1)]

    with pytest.raises(ValidationError):
        log_finding(actor=worker, grid=grid, photos=photos)

    assert not Finding.objects.exists()
    assert stored_files(media_root) == []


# --- Who sees a finding ----------------------------------------------------------------------


@pytest.fixture
def finding_with_photo(grid, worker):
    return log_finding(actor=worker, grid=grid, photos=[process_photo(photo_upload())])


def can_see(client, person, finding) -> tuple[int, int]:
    client.force_login(person)
    page = client.get(reverse("grids:finding_detail", args=[finding.pk]))
    photo = client.get(reverse("grids:finding_photo", args=[finding.photos.get().pk]))
    return page.status_code, photo.status_code


def test_the_reporter_sees_the_finding_and_its_photo(client, worker, finding_with_photo):
    client.force_login(worker)
    photo = finding_with_photo.photos.get()

    response = client.get(reverse("grids:finding_photo", args=[photo.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]  # a shared phone keeps no copy
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"


def test_a_grid_worker_of_another_grid_of_the_same_village_gets_404(
    client, other_worker, finding_with_photo
):
    assert can_see(client, other_worker, finding_with_photo) == (404, 404)


def test_the_liaison_police_officer_of_the_grid_sees_what_its_workers_see(
    client, grid, other_grid, finding_with_photo
):
    police = team_member(grid, GridRole.POLICE)
    other_police = team_member(other_grid, GridRole.POLICE)

    assert can_see(client, police, finding_with_photo) == (200, 200)
    assert can_see(client, other_police, finding_with_photo) == (404, 404)


def test_village_staff_see_the_findings_of_every_grid_of_their_village(
    client, other_grid, other_worker, village_staff, finding_with_photo
):
    elsewhere = log_finding(actor=other_worker, grid=other_grid)
    client.force_login(village_staff)

    assert can_see(client, village_staff, finding_with_photo) == (200, 200)
    assert client.get(reverse("grids:finding_detail", args=[elsewhere.pk])).status_code == 200


@pytest.mark.parametrize(
    "role, code", [(Role.TOWNSHIP_STAFF, WEIZI), (Role.GRID_CHIEF, WEIZI_VILLAGE)]
)
def test_people_of_another_township_get_404(client, finding_with_photo, role, code):
    assert can_see(client, person_with_role(role, code), finding_with_photo) == (404, 404)


def test_a_grid_worker_of_another_township_gets_404(client, changzhi_slice, finding_with_photo):
    far_grid = GridFactory(village=area(WEIZI_VILLAGE))
    assert can_see(client, team_member(far_grid), finding_with_photo) == (404, 404)


def test_township_staff_see_the_findings_of_their_villages(
    client, changzhi_slice, finding_with_photo
):
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    assert can_see(client, staff, finding_with_photo) == (200, 200)


def test_a_missing_finding_and_photo_answer_404_like_one_out_of_reach(client, worker):
    client.force_login(worker)
    assert client.get(reverse("grids:finding_detail", args=[999999])).status_code == 404
    assert client.get(reverse("grids:finding_photo", args=[999999])).status_code == 404


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"description": ""}, "这个字段是必填项。"),
        ({"description": "   "}, "这个字段是必填项。"),
        ({"description": "多" * 2001}, "2000"),
        ({"category": "gossip"}, "选择一个有效的选项"),
        ({"severity": ""}, "这个字段是必填项。"),
        ({"status": "closed"}, "选择一个有效的选项"),
        ({"client_key": "not-a-key"}, "提交编号：请输入有效UUID。"),
        ({"client_key": ""}, "提交编号：这个字段是必填项。"),
        ({"grid": "abc"}, "选择一个有效的选项"),
        ({"grid": "999999"}, "选择一个有效的选项"),
        ({"action_taken": "做" * 2001}, "2000"),
        ({"found_at": "昨天"}, "发现时间：输入一个有效的日期/时间。"),
        ({"found_at": "2020-01-01 08:00"}, "发现时间早于 7 天前。"),
        ({"found_at": "2099-01-01 08:00"}, "发现时间不能晚于当前时间。"),
        ({"latitude": "north"}, "纬度：输入一个数字。"),
        ({"latitude": "95"}, "纬度：确保该值小于或等于90。"),
        ({"longitude": "-181"}, "经度：确保该值大于或等于-180。"),
        ({"latitude": "36.1234567891"}, "纬度：确认总共不超过 9 个数字"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_bad_finding_input_is_refused_with_a_message_and_nothing_is_written(
    client, grid, worker, overrides, message, as_json
):
    client.force_login(worker)

    response = client.post(
        reverse("grids:finding_new"), form_data(grid, **overrides), headers=JSON if as_json else {}
    )

    if as_json:
        assert response.status_code == 400
        assert any(message in error for error in response.json()["errors"])
    else:
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Finding.objects.exists()
    assert not FindingEvent.objects.exists()


def test_an_empty_finding_form_says_what_is_missing(client, grid, worker):
    client.force_login(worker)

    page = client.post(reverse("grids:finding_new"), {}).content.decode()
    answer = client.post(reverse("grids:finding_new"), {}, headers=JSON)

    assert page.count("这个字段是必填项。") >= 4
    assert answer.status_code == 400
    assert "发现了什么？：这个字段是必填项。" in answer.json()["errors"]
    assert "提交编号：这个字段是必填项。" in answer.json()["errors"]
    assert not Finding.objects.exists()


def test_a_finding_for_a_grid_one_is_not_on_is_refused(client, grid, other_grid, worker):
    client.force_login(worker)

    response = client.post(reverse("grids:finding_new"), form_data(other_grid), headers=JSON)

    assert response.status_code == 400
    assert not Finding.objects.exists()


def test_someone_on_no_team_cannot_open_the_finding_form(client, village_staff):
    client.force_login(village_staff)
    assert client.get(reverse("grids:finding_new")).status_code == 403

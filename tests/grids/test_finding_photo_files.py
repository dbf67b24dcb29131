"""A finding that is not stored leaves no photo file behind. Files are not part of the
transaction: when the database refuses the finding after its photos were written (here, the
event row is refused, as a database going away mid-request would), the service removes them."""

import uuid

import pytest
from django.db import DatabaseError, connection

from grids.models import Finding, FindingEvent, FindingPhoto
from grids.photos import process_photo
from tests.factories import files_under, image_bytes, log_finding, photo_upload


@pytest.fixture
def event_table_refusing_inserts():
    table = connection.ops.quote_name(FindingEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_insert() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'refused for the test'; END; $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse_insert BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the refusal is a PostgreSQL trigger")
def test_a_finding_refused_after_its_photos_were_written_leaves_no_file(
    grid, worker, media_root, event_table_refusing_inserts
):
    photos = [process_photo(photo_upload(content=image_bytes())) for _ in range(2)]

    with pytest.raises(DatabaseError, match="refused for the test"):
        log_finding(actor=worker, grid=grid, client_key=uuid.uuid4(), photos=photos)

    assert Finding.objects.count() == 0
    assert FindingPhoto.objects.count() == 0
    assert files_under(media_root) == []


def test_a_stored_finding_keeps_its_photo_files(grid, worker, media_root):
    photos = [process_photo(photo_upload(content=image_bytes()))]

    finding = log_finding(actor=worker, grid=grid, photos=photos)

    stored = finding.photos.get()
    assert files_under(media_root) == [media_root / stored.image.name]

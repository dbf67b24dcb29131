"""The backup and restore procedure of the README ("Backup and restore"), done as written against
the real PostgreSQL test database: dump, restore into an empty database, same row counts in
every table, the same cases, the same photos.

transaction=True: pg_dump is another connection and sees only committed rows."""

import hashlib
import io
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from PIL import Image

from governance.models import Role
from tests.conftest import DIANSHANG, DIANSHANG_VILLAGE
from tests.factories import VALID_ID_NUMBERS, GridFactory, person_with_role, team_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the procedure is PostgreSQL's pg_dump"
    ),
]

README = Path(settings.BASE_DIR) / "README.md"

# The README's check: every table of the database with its number of rows.
ROW_COUNTS = """
SELECT table_name,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name),
                           false, true, '')))[1]::text::bigint AS n
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name
"""


def _libpq_environment(name: str) -> dict:
    """The PG* variables the client programs read, for database `name` of the test server."""
    import os

    db = settings.DATABASES["default"]
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if db.get(key):
            environment[variable] = str(db[key])
    environment["PGDATABASE"] = name
    return environment


def run(command: list[str], *, database: str) -> str:
    result = subprocess.run(
        command, env=_libpq_environment(database), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"
    return result.stdout


def query(database: str, sql: str) -> list[tuple]:
    db = settings.DATABASES["default"]
    with (
        psycopg2.connect(
            dbname=database,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
        ) as link,
        link.cursor() as cursor,
    ):
        cursor.execute(sql)
        return cursor.fetchall()


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def filled(changzhi_slice, settings, tmp_path):
    """The changzhi slice, people, a grid with a finding and its photos, two disputes (one with
    parties' ID numbers and phones) and a petition: all committed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grids.photos import process_photo
    from grids.services import finding_log
    from tests.disputes.helpers import register as register_dispute
    from tests.petitions.helpers import register as register_petition

    settings.MEDIA_ROOT = tmp_path / "media"
    staff = person_with_role(Role.TOWNSHIP_STAFF, DIANSHANG)
    grid = GridFactory(code="140406100200-01", name="店上村第一网格")
    worker = team_member(grid, first_name="张网格")
    photos = [
        process_photo(SimpleUploadedFile(f"p{n}.jpg", _photo(), content_type="image/jpeg"))
        for n in range(2)
    ]
    finding, _ = finding_log(
        actor=worker,
        grid=grid,
        client_key=uuid.uuid4(),
        category="safety_hazard",
        severity="low",
        description="路口井盖缺失",
        status="open",
        photos=photos,
    )
    dispute = register_dispute(staff)
    register_dispute(
        staff,
        description="另一起纠纷",
        parties=[
            {"side": "applicant", "name": "赵六", "id_number": VALID_ID_NUMBERS[1], "phone": ""}
        ],
    )
    register_petition(staff, area_code=DIANSHANG_VILLAGE)
    return {"dispute": dispute, "finding": finding, "media": settings.MEDIA_ROOT}


def test_a_dump_restored_into_an_empty_database_holds_the_same_rows_and_photos(filled, tmp_path):
    source = settings.DATABASES["default"]["NAME"]
    restored = f"{source}_restored_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "portal.dump"
    media_archive = tmp_path / "media.tar.gz"
    media_restored = tmp_path / "media-restored"
    media_restored.mkdir()

    # Back up: the database in pg_dump's custom format, and the media directory.
    run(["pg_dump", "--format=custom", f"--file={dump}"], database=source)
    run(
        ["tar", "--create", "--gzip", f"--file={media_archive}", "-C", str(filled["media"]), "."],
        database=source,
    )
    try:
        # Restore: an empty database, the dump into it, the media directory beside it.
        run(["createdb", "--template=template0", restored], database="postgres")
        run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={restored}",
                str(dump),
            ],
            database="postgres",
        )
        run(
            ["tar", "--extract", "--gzip", f"--file={media_archive}", "-C", str(media_restored)],
            database=source,
        )

        # Check: every table, the same number of rows.
        counts = query(source, ROW_COUNTS)
        assert query(restored, ROW_COUNTS) == counts
        by_table = dict(counts)
        for table in (
            "governance_area",
            "disputes_dispute",
            "disputes_party",
            "petitions_petition",
            "grids_finding",
            "grids_findingphoto",
        ):
            assert by_table[table] > 0, f"{table} is empty: the comparison proves nothing"
        assert by_table["governance_area"] > 50  # the slice: a city, two counties, three townships

        # A case reads back identically, column for column, and so does every other row.
        for table, _count in counts:
            sql = f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{table}\" t"
            assert query(restored, sql) == query(source, sql), table
        dispute = filled["dispute"]
        sql = f"SELECT * FROM disputes_dispute WHERE id = {dispute.pk}"
        assert query(restored, sql) == query(source, sql) != []
        # Numbering goes on where it stopped: no new row would take an old id.
        sequences = "SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename"
        assert query(restored, sequences) == query(source, sequences)

        # The photos come back byte for byte, where the rows say they are.
        for path in query(source, "SELECT image FROM grids_findingphoto"):
            original = Path(filled["media"]) / path[0]
            copy = media_restored / path[0]
            assert (
                hashlib.sha256(copy.read_bytes()).digest()
                == hashlib.sha256(original.read_bytes()).digest()
            )
    finally:
        run(["dropdb", "--if-exists", restored], database="postgres")
    assert not query("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{restored}'")


def test_the_readme_gives_the_commands_this_test_runs():
    """The procedure people follow is the one tested: its commands and flags are in the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Backup and restore")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]
    for words in (
        "pg_dump --format=custom",
        "createdb --template=template0",
        "pg_restore --no-owner --no-privileges --exit-on-error",
        "tar --create --gzip",
        "tar --extract --gzip",
        "query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name)",
        "dropdb",
    ):
        assert words in section, words

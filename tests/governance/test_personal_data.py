"""Parties' and petitioners' ID numbers and phones: encrypted at rest under a key from the
environment, found again through a keyed digest, shown whole only to those handling the case
(and every such display logged), masked in every export (issue #8)."""

import base64
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from openpyxl import load_workbook

from disputes.models import Party
from disputes.selectors import possible_repeats as dispute_repeats
from governance.audit.models import AuditEntry
from infra.crypto import PersonalDataKeyError, blind_index, current_key_id
from petitions.models import Petitioner
from petitions.selectors import possible_repeats as petition_repeats
from tests.conftest import DIANSHANG_VILLAGE, LUCHENG
from tests.disputes.helpers import APPLICANT, RESPONDENT, bring_to_mediation, take
from tests.disputes.helpers import register as register_dispute
from tests.factories import (
    DisputeFactory,
    PetitionFactory,
    area,
    person_with_role,
)
from tests.petitions.helpers import PETITIONER
from tests.petitions.helpers import register as register_petition

CLEAR = [APPLICANT["id_number"], APPLICANT["phone"], RESPONDENT["id_number"], RESPONDENT["phone"]]


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def raw_rows(table: str, *columns: str) -> list[tuple]:
    """The columns as stored, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")  # noqa: S608
        return cursor.fetchall()


def shown_entries():
    return AuditEntry.objects.filter(kind="personal_data_shown")


@pytest.fixture
def township_staff(changzhi_slice):
    return person_with_role("township_staff", "140406100", first_name="赵镇干", password=None)


@pytest.fixture
def county_official(changzhi_slice):
    return person_with_role("county_official", LUCHENG, first_name="孙区干", password=None)


@pytest.fixture
def dispute(township_staff):
    return register_dispute(township_staff)


# --- At rest ---------------------------------------------------------------------------------


def test_the_stored_columns_hold_no_clear_id_number_or_phone(dispute, township_staff):
    register_petition(township_staff)

    stored = raw_rows("disputes_party", "id_number", "phone", "id_number_digest", "phone_digest")
    stored += raw_rows("petitions_petitioner", "id_number", "phone", "id_number_digest", "''")
    text = repr(stored)

    for clear in [*CLEAR, PETITIONER["id_number"], PETITIONER["phone"]]:
        assert clear not in text
        # Not even the last digits, which masking leaves visible.
        assert clear[-6:] not in text
    assert all(row[0].startswith(f"pd1:{current_key_id()}:") for row in stored)
    # Through the model they read as they were given.
    assert list(dispute.parties.values_list("id_number", "phone")) == [
        (APPLICANT["id_number"], APPLICANT["phone"]),
        (RESPONDENT["id_number"], RESPONDENT["phone"]),
    ]


def test_the_same_number_is_sealed_differently_each_time(dispute, township_staff):
    """Equal ciphertexts would tell who is in several cases to anyone reading the table: only
    the digest, keyed, matches."""
    other = DisputeFactory(registered_by=township_staff)
    again = Party.objects.create(
        dispute=other, side="applicant", name="刘建国", id_number=APPLICANT["id_number"]
    )
    first = dispute.parties.get(side="applicant")

    stored = dict(raw_rows("disputes_party", "id", "id_number"))
    digests = dict(raw_rows("disputes_party", "id", "id_number_digest"))

    assert stored[first.pk] != stored[again.pk]
    assert digests[first.pk] == digests[again.pk] == blind_index(APPLICANT["id_number"])


def test_filtering_on_an_encrypted_column_is_refused_rather_than_silently_empty(dispute):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="blind index"):
        list(Party.objects.filter(id_number=APPLICANT["id_number"]))


# --- Lookups ---------------------------------------------------------------------------------


def test_a_dispute_with_the_same_party_is_still_found_by_id_number(dispute):
    found = dispute_repeats(
        kind="neighbour",
        parties=[{"name": "别的名字", "id_number": APPLICANT["id_number"].lower()}],
        village=area(DIANSHANG_VILLAGE),
    )

    assert list(found) == [dispute]


def test_a_dispute_with_the_same_name_and_phone_is_still_found(dispute):
    found = dispute_repeats(
        kind="neighbour",
        parties=[{"name": RESPONDENT["name"], "phone": RESPONDENT["phone"]}],
        village=area(DIANSHANG_VILLAGE),
    )
    not_found = dispute_repeats(
        kind="neighbour",
        parties=[{"name": "别的名字", "phone": RESPONDENT["phone"]}],
        village=area(DIANSHANG_VILLAGE),
    )

    assert list(found) == [dispute]
    assert list(not_found) == []


def test_a_petition_from_the_same_person_is_still_found_by_id_number(township_staff):
    earlier = register_petition(township_staff, subject="另一件事")

    found = petition_repeats(
        user=township_staff,
        id_numbers=[PETITIONER["id_number"]],
        subject="又一件事",
        area=area(DIANSHANG_VILLAGE),
    )

    assert list(found) == [earlier]


# --- Display and its log ---------------------------------------------------------------------


def test_the_handler_sees_the_whole_numbers_and_one_entry_is_logged(
    client, township_staff, dispute
):
    client.force_login(township_staff)

    page = client.get(f"/disputes/{dispute.pk}/").content.decode()

    for clear in CLEAR:
        assert clear in page
    [entry] = shown_entries()
    assert entry.actor == township_staff
    assert entry.target == dispute.number
    assert entry.area == dispute.village
    assert entry.detail["fields"] == ["id_number", "phone"]
    # Each view is a new display, logged again.
    client.get(f"/disputes/{dispute.pk}/")
    assert shown_entries().count() == 2


def test_the_printed_agreement_shown_whole_to_the_mediator_is_logged(
    client, township_staff, dispute
):
    mediator = person_with_role("mediator", "140406100", first_name="李调解", password=None)
    bring_to_mediation(dispute, staff=township_staff, mediator=mediator)
    take("resolve", mediator, dispute, outcome="agreement", agreement="排水沟改走东侧。")
    client.force_login(mediator)

    sheet = client.get(f"/disputes/{dispute.pk}/agreement/").content.decode()

    assert APPLICANT["id_number"] in sheet
    [entry] = shown_entries()
    assert (entry.actor, entry.target) == (mediator, dispute.number)


def test_someone_not_handling_it_sees_them_masked_and_nothing_is_logged(
    client, county_official, dispute
):
    client.force_login(county_official)

    page = client.get(f"/disputes/{dispute.pk}/").content.decode()

    assert "139****5678" in page
    for clear in CLEAR:
        assert clear not in page
    assert not shown_entries().exists()


def test_parties_without_numbers_shown_are_not_logged(client, township_staff):
    dispute = register_dispute(
        township_staff, parties=[{"side": "applicant", "name": "郭红梅", "phone": ""}]
    )
    client.force_login(township_staff)

    client.get(f"/disputes/{dispute.pk}/")

    assert not shown_entries().exists()


def test_the_petition_page_logs_the_handler_and_the_letters_log_nothing(client, township_staff):
    from petitions import services

    petition = register_petition(township_staff)
    services.petition_not_accept(
        actor=township_staff, petition=petition, version=petition.version, reason="已起诉"
    )
    client.force_login(township_staff)

    # The notice is addressed by name only: no number is shown, none is logged.
    notice = client.get(f"/petitions/{petition.pk}/notice/").content.decode()
    assert PETITIONER["name"] in notice
    assert PETITIONER["id_number"] not in notice
    assert not shown_entries().exists()

    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert PETITIONER["id_number"] in page
    [entry] = shown_entries()
    assert entry.target == petition.number
    assert entry.area == petition.area


# --- Exports ---------------------------------------------------------------------------------


def test_exports_mask_numbers_even_when_typed_into_free_text(client, township_staff):
    subject = f"郭春生（{PETITIONER['id_number']}，电话{PETITIONER['phone']}）反映路灯"
    PetitionFactory(subject=subject, registered_by=township_staff)
    client.force_login(township_staff)

    response = client.get("/petitions/?export=1")

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    [cell] = [c for c in cells if "反映路灯" in c]
    assert cell == "郭春生（140***********1236，电话139****1234）反映路灯"
    assert not AuditEntry.objects.filter(kind="personal_data_exported").exists()


# --- Keys ------------------------------------------------------------------------------------


def run_check(**environment) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "s" * 64, **environment}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_key_or_with_a_short_one():
    missing = run_check(PERSONAL_DATA_KEY="")
    short = run_check(PERSONAL_DATA_KEY=base64.urlsafe_b64encode(os.urandom(16)).decode())
    bad_old = run_check(PERSONAL_DATA_KEY=new_key(), PERSONAL_DATA_OLD_KEYS="not-a-key")

    assert missing.returncode != 0
    assert "PERSONAL_DATA_KEY must be set" in missing.stderr
    assert short.returncode != 0
    assert "PERSONAL_DATA_KEY must be 32 random bytes" in short.stderr
    assert bad_old.returncode != 0
    assert "PERSONAL_DATA_OLD_KEYS must be 32 random bytes" in bad_old.stderr
    for result in (missing, short, bad_old):
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_key_that_did_not_seal_the_data_fails_clearly(dispute, settings):
    sealed_with = current_key_id()
    settings.PERSONAL_DATA_KEY = new_key()
    settings.PERSONAL_DATA_OLD_KEYS = []

    with pytest.raises(PersonalDataKeyError, match=sealed_with):
        list(Party.objects.values_list("id_number", flat=True))


def test_rotation_keeps_data_readable_and_the_command_reseals_it(dispute, settings):
    old_key, old_id = settings.PERSONAL_DATA_KEY, current_key_id()
    settings.PERSONAL_DATA_KEY = new_key()
    settings.PERSONAL_DATA_OLD_KEYS = [old_key]
    new_id = current_key_id()

    # Before the command: old rows still open, and are still found by number.
    assert Party.objects.filter(pk__in=dispute.parties.all()).count() == 2
    assert [p.phone for p in dispute.parties.all()] == [APPLICANT["phone"], RESPONDENT["phone"]]
    parties = [{"id_number": APPLICANT["id_number"]}]
    assert list(dispute_repeats(kind="neighbour", parties=parties, village=dispute.village))

    out = io.StringIO()
    with translation.override("en"):
        call_command("reencrypt_personal_data", stdout=out)

    assert "disputes.party: 2 rows re-encrypted" in out.getvalue()
    stored = raw_rows("disputes_party", "id_number", "phone")
    assert all(value.startswith(f"pd1:{new_id}:") for row in stored for value in row)
    assert old_id not in repr(stored)
    # The old key can go now: everything opens and is found under the new one alone.
    settings.PERSONAL_DATA_OLD_KEYS = []
    assert [p.id_number for p in dispute.parties.all()] == [
        APPLICANT["id_number"],
        RESPONDENT["id_number"],
    ]
    assert list(dispute_repeats(kind="neighbour", parties=parties, village=dispute.village))
    # A second run finds nothing left to do.
    out = io.StringIO()
    with translation.override("en"):
        call_command("reencrypt_personal_data", stdout=out)
    assert "disputes.party: 0 rows re-encrypted" in out.getvalue()


# --- The migration that encrypted the existing rows ------------------------------------------


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets) or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_can_be_undone(changzhi_slice):
    dispute = DisputeFactory()
    petition = PetitionFactory()
    migrate(("disputes", "0002_alter_dispute_registered_by"))
    migrate(("petitions", "0003_alter_petition_registered_by"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO disputes_party (dispute_id, side, name, id_number, phone) "
                "VALUES (%s, 'applicant', '刘建国', %s, %s)",
                [dispute.pk, APPLICANT["id_number"], APPLICANT["phone"]],
            )
            cursor.execute(
                "INSERT INTO petitions_petitioner (petition_id, name, id_number, phone) "
                "VALUES (%s, '郭春生', %s, '')",
                [petition.pk, PETITIONER["id_number"]],
            )

        migrate()

        [(id_number, phone, digest)] = raw_rows(
            "disputes_party", "id_number", "phone", "id_number_digest"
        )
        assert id_number.startswith("pd1:") and phone.startswith("pd1:")
        assert APPLICANT["id_number"] not in id_number
        assert digest == blind_index(APPLICANT["id_number"])
        assert raw_rows("petitions_petitioner", "phone") == [("",)]
        party = Party.objects.get()
        assert (party.id_number, party.phone) == (APPLICANT["id_number"], APPLICANT["phone"])
        assert Petitioner.objects.get().id_number == PETITIONER["id_number"]

        migrate(("disputes", "0002_alter_dispute_registered_by"))
        migrate(("petitions", "0003_alter_petition_registered_by"))

        assert raw_rows("disputes_party", "id_number", "phone") == [
            (APPLICANT["id_number"], APPLICANT["phone"])
        ]
        assert raw_rows("petitions_petitioner", "id_number") == [(PETITIONER["id_number"],)]
    finally:
        migrate()

"""Audit entries cannot be changed or deleted, by the model or (on PostgreSQL) by SQL; the
purge removes only what is older than the retention, and a retention under 180 days is a
configuration error."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from governance.audit.models import AuditEntry, AuditEntryIsPermanent, AuditKind
from governance.audit.retention import DEFAULT_RETENTION_DAYS, MINIMUM_RETENTION_DAYS
from governance.audit.services import audit_purge, audit_record
from governance.audit.tasks import purge_audit_log

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


def aged(days: int, **fields) -> AuditEntry:
    return AuditEntry.objects.create(
        kind=AuditKind.EXPORT, at=timezone.now() - timedelta(days=days), **fields
    )


def test_an_entry_refuses_to_be_changed_or_deleted(db):
    entry = audit_record(kind=AuditKind.EXPORT, target="report.xlsx")

    entry.target = "something else"
    with pytest.raises(AuditEntryIsPermanent):
        entry.save()
    with pytest.raises(AuditEntryIsPermanent):
        entry.delete()

    assert AuditEntry.objects.get().target == "report.xlsx"


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET target = 'forged'",
        "UPDATE audit_auditentry SET at = now() - interval '400 days'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_fresh_entry(db, sql):
    audit_record(kind=AuditKind.EXPORT, target="report.xlsx")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert AuditEntry.objects.get().target == "report.xlsx"


@on_postgresql
def test_the_database_refuses_a_bulk_delete_of_entries_younger_than_180_days(db):
    aged(MINIMUM_RETENTION_DAYS - 1)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == 1


def test_the_purge_deletes_only_entries_older_than_the_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    kept = [aged(0), aged(200), aged(364)]
    aged(366)
    aged(1000)

    assert audit_purge() == 2

    remaining = set(AuditEntry.objects.exclude(kind=AuditKind.PURGED).values_list("pk", flat=True))
    assert remaining == {entry.pk for entry in kept}
    purged = AuditEntry.objects.get(kind=AuditKind.PURGED)
    assert purged.detail == {"deleted": 2, "retention_days": 365}


def test_the_nightly_task_purges_with_the_configured_retention(db, settings):
    settings.AUDIT_RETENTION_DAYS = MINIMUM_RETENTION_DAYS
    aged(MINIMUM_RETENTION_DAYS + 1)
    young = aged(MINIMUM_RETENTION_DAYS - 1)

    assert purge_audit_log.apply().get() == 1

    assert AuditEntry.objects.exclude(kind=AuditKind.PURGED).get() == young
    schedule = django_settings.CELERY_BEAT_SCHEDULE["purge-audit-log"]
    assert schedule["task"] == "governance.audit.tasks.purge_audit_log"


def test_a_purge_with_nothing_to_delete_records_nothing(db):
    aged(10)

    assert audit_purge() == 0
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize("days", [MINIMUM_RETENTION_DAYS - 1, 0, -5])
def test_the_purge_refuses_a_retention_under_180_days(db, settings, days):
    settings.AUDIT_RETENTION_DAYS = days
    aged(200)

    with pytest.raises(ImproperlyConfigured, match="180"):
        audit_purge()

    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [("90", "at least 180"), ("a year", "whole number")],
)
def test_the_portal_does_not_start_with_a_bad_retention(value, message):
    environment = {**os.environ, "DEBUG": "true", "AUDIT_RETENTION_DAYS": value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**environment, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )

    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS" in result.stderr
    assert message in result.stderr


@on_postgresql
def test_the_trigger_deletes_an_entry_just_past_the_minimum(db):
    """The trigger is written from the same minimum as the settings check: an entry one day
    older than it may go (the purge may take it), one day younger may not."""
    old = aged(MINIMUM_RETENTION_DAYS + 1)
    aged(MINIMUM_RETENTION_DAYS - 1)

    with transaction.atomic():
        AuditEntry.objects.filter(pk=old.pk).delete()

    assert AuditEntry.objects.count() == 1


def test_the_readme_states_the_minimum_and_the_default_the_code_applies():
    readme = (django_settings.BASE_DIR / "README.md").read_text(encoding="utf-8")

    row = f"| `AUDIT_RETENTION_DAYS` | {DEFAULT_RETENTION_DAYS} |"
    assert row in readme
    assert f"{MINIMUM_RETENTION_DAYS} at least" in readme
    assert f"younger than {MINIMUM_RETENTION_DAYS} days" in readme
    assert f"under {MINIMUM_RETENTION_DAYS}, the legal minimum" in readme

"""A superior's 督办 of a dispute, once a table of the disputes app, moves into the one
supervision of the case kit: the same instruction, who gave it and when, and its answer; the
township workbench's "supervised" queue and the case page read it there."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.models import Supervision, SupervisionOrigin
from disputes.models import Dispute
from disputes.selectors import workbench_queue_conditions
from tests.disputes.helpers import register

BEFORE = [
    ("disputes", "0009_dispute_status_terminated_and_converted"),
    ("cases", "0001_lights_and_supervisions"),
]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _old_supervision(dispute, *, note, by, at, **answer):
    """A row of the disputes app's own supervision table, as it stood before the move."""
    executor = MigrationExecutor(connection)
    old = executor.loader.project_state(BEFORE).apps.get_model("disputes", "Supervision")
    row = old.objects.create(dispute_id=dispute.pk, note=note, flagged_by_id=by.pk, **answer)
    old.objects.filter(pk=row.pk).update(flagged_at=at)


@pytest.mark.django_db(transaction=True)
def test_the_disputes_own_supervisions_move_into_the_case_kits_with_their_answers(
    township_staff, county_official
):
    open_one = register(township_staff)
    answered_one = register(township_staff)
    flagged_at = datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)
    answered_at = datetime(2026, 11, 3, 15, 0, tzinfo=SHANGHAI)
    migrate(BEFORE)
    try:
        _old_supervision(open_one, note="请三日内调处", by=county_official, at=flagged_at)
        _old_supervision(
            answered_one,
            note="请加快",
            by=county_official,
            at=flagged_at,
            answer="已约双方调解",
            answered_by_id=township_staff.pk,
            answered_at=answered_at,
        )

        migrate()

        moved = Supervision.objects.get(object_id=open_one.pk)
        assert (moved.origin, moved.kind, moved.number, moved.url) == (
            SupervisionOrigin.MANUAL,
            "dispute",
            open_one.number,
            reverse("disputes:detail", args=[open_one.pk]),
        )
        assert (moved.area, moved.case_level, moved.level) == (
            open_one.village,
            "township",
            "county",
        )
        assert (moved.note, moved.instructed_by, moved.instructed_at, moved.opened_at) == (
            "请三日内调处",
            county_official,
            flagged_at,
            flagged_at,
        )
        assert (moved.answered_at, moved.clock_due, moved.due_on) == (None, None, None)
        done = Supervision.objects.get(object_id=answered_one.pk)
        assert (done.answer, done.answered_by, done.answered_at) == (
            "已约双方调解",
            township_staff,
            answered_at,
        )
        supervised = Dispute.objects.filter(workbench_queue_conditions()["supervised"])
        assert list(supervised) == [open_one]
    finally:
        migrate()


@pytest.mark.django_db(transaction=True)
def test_going_back_returns_the_superiors_supervisions_to_the_disputes_table(
    township_staff, county_official
):
    dispute = register(township_staff)
    flagged_at = datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)
    migrate(BEFORE)
    try:
        _old_supervision(dispute, note="请三日内调处", by=county_official, at=flagged_at)
        migrate()
        migrate(BEFORE)
        before = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        returned = before.get_model("disputes", "Supervision").objects.get()
        assert (returned.dispute_id, returned.note, returned.flagged_by_id) == (
            dispute.pk,
            "请三日内调处",
            county_official.pk,
        )
        assert returned.flagged_at == flagged_at
        assert not before.get_model("cases", "Supervision").objects.exists()
    finally:
        migrate()

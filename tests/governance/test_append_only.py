"""On PostgreSQL the event tables refuse UPDATE and DELETE whoever sends them: a queryset's
`.update()`/`.delete()` and raw SQL, which go around the model's own guard."""

import pytest
from django.db import IntegrityError, connection, transaction

from cases.append_only import event_tables
from disputes.models import DisputeEvent
from grids.models import FindingEvent
from petitions.models import PetitionEvent
from tests.test_access_matrix import world  # noqa: F401  (the fixture: one case of each kind)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)


@pytest.mark.django_db
def test_every_case_type_has_its_event_table_guarded():
    assert set(event_tables()) >= {
        FindingEvent._meta.db_table,
        DisputeEvent._meta.db_table,
        PetitionEvent._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
            ["%_append_only"],
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert guarded >= set(event_tables())


@pytest.mark.parametrize("model", [FindingEvent, DisputeEvent, PetitionEvent])
def test_bulk_update_and_delete_of_history_are_refused(world, model):  # noqa: F811
    first = model.objects.order_by("pk").first()
    assert first is not None
    count = model.objects.count()

    with pytest.raises(IntegrityError, match="permanent history"), transaction.atomic():
        model.objects.filter(pk=first.pk).update(note="改写历史")
    with pytest.raises(IntegrityError, match="permanent history"), transaction.atomic():
        model.objects.all().delete()
    with (
        pytest.raises(IntegrityError, match="permanent history"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {model._meta.db_table}")

    assert model.objects.count() == count
    assert model.objects.get(pk=first.pk).note == first.note

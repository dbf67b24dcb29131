"""A village committee is not a petition body: the migration hands the petitions left at the
village level to their township, each with an event row saying so."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from petitions.models import Petition, PetitionEvent
from tests.factories import PetitionFactory

BEFORE = ("petitions", "0006_departments_referrals_second_review_and_heads_extension")


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets) or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_village_petitions_go_to_their_township_with_an_event(changzhi_slice):
    at_village = PetitionFactory(subject="村级信访")
    at_township = PetitionFactory(subject="乡镇信访")
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE petitions_petition SET level = 'village' WHERE id = %s", [at_village.pk]
            )

        migrate()

        moved = Petition.objects.get(pk=at_village.pk)
        assert (moved.level, moved.version) == ("township", at_village.version + 1)
        event = PetitionEvent.objects.get(petition=moved)
        assert event.kind == "level_changed"
        assert event.details == {"from_level": "village", "to_level": "township"}
        assert Petition.objects.get(pk=at_township.pk).level == "township"
        assert not PetitionEvent.objects.filter(petition=at_township).exists()
    finally:
        migrate()

"""A village committee is not a petition body (信访工作条例): petitions left at the village
level go to their township's centre, each with an event row saying so."""

from django.db import migrations


def to_township(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    for petition in Petition.objects.filter(level="village").iterator():
        Petition.objects.filter(pk=petition.pk).update(
            level="township", version=petition.version + 1
        )
        PetitionEvent.objects.create(
            petition_id=petition.pk,
            actor=None,
            kind="level_changed",
            from_status=petition.status,
            to_status=petition.status,
            details={"from_level": "village", "to_level": "township"},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_departments_referrals_second_review_and_heads_extension"),
    ]

    operations = [migrations.RunPython(to_township, migrations.RunPython.noop)]

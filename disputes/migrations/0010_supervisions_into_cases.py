"""A superior's 督办 of a dispute moves into the one supervision of the case kit
(`cases.Supervision`, origin "manual"): its instruction, who gave it and when, and its answer."""

from django.db import migrations

# `cases.levels.LEVELS_UPWARD` as it stands when this runs.
LEVELS_UPWARD = ["grid", "village", "township", "county", "city"]


def _level_above(level):
    index = LEVELS_UPWARD.index(level)
    return LEVELS_UPWARD[min(index + 1, len(LEVELS_UPWARD) - 1)]


def forwards(apps, schema_editor):
    from django.urls import reverse

    Old = apps.get_model("disputes", "Supervision")
    New = apps.get_model("cases", "Supervision")
    for old in Old.objects.select_related("dispute").order_by("pk").iterator():
        dispute = old.dispute
        new = New.objects.create(
            origin="manual",
            kind="dispute",
            object_id=dispute.pk,
            number=dispute.number,
            url=reverse("disputes:detail", args=[dispute.pk]),
            area_id=dispute.village_id,
            case_level=dispute.level,
            level=_level_above(dispute.level),
            note=old.note,
            instructed_by_id=old.flagged_by_id,
            instructed_at=old.flagged_at,
            answer=old.answer,
            answered_by_id=old.answered_by_id,
            answered_at=old.answered_at,
        )
        # `opened_at` is set on creation: it keeps the day the superior supervised.
        New.objects.filter(pk=new.pk).update(opened_at=old.flagged_at)
    Old.objects.all().delete()


def backwards(apps, schema_editor):
    Old = apps.get_model("disputes", "Supervision")
    New = apps.get_model("cases", "Supervision")
    manual = New.objects.filter(origin="manual", kind="dispute").order_by("pk")
    for new in manual.iterator():
        old = Old.objects.create(
            dispute_id=new.object_id,
            note=new.note,
            flagged_by_id=new.instructed_by_id,
            answer=new.answer,
            answered_by_id=new.answered_by_id,
            answered_at=new.answered_at,
        )
        Old.objects.filter(pk=old.pk).update(flagged_at=new.opened_at)
    manual.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_supervision_origin_and_manual"),
        ("disputes", "0009_dispute_status_terminated_and_converted"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

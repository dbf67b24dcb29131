"""Parties' ID numbers and phones encrypted at rest, found through keyed digests.

The columns become text (the sealed form is longer than the clear value), existing rows are
sealed under PERSONAL_DATA_KEY, and the plain index on the ID number gives way to indexed
digests. Reversible: going back opens the rows again.
"""

from django.db import migrations, models

import infra.fields

PAIRS = {"id_number": "id_number_digest", "phone": "phone_digest"}


def seal(apps, schema_editor):
    infra.fields.seal_rows(apps.get_model("disputes", "Party"), PAIRS)


def unseal(apps, schema_editor):
    infra.fields.open_rows(apps.get_model("disputes", "Party"), PAIRS)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0002_alter_dispute_registered_by"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="party",
            name="disputes_pa_id_numb_a5926e_idx",
        ),
        migrations.AlterField(
            model_name="party",
            name="id_number",
            field=models.TextField(blank=True, verbose_name="ID number"),
        ),
        migrations.AlterField(
            model_name="party",
            name="phone",
            field=models.TextField(blank=True, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="party",
            name="id_number_digest",
            field=infra.fields.BlindIndexField(db_index=True, source="id_number"),
        ),
        migrations.AddField(
            model_name="party",
            name="phone_digest",
            field=infra.fields.BlindIndexField(db_index=True, source="phone"),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
        migrations.AlterField(
            model_name="party",
            name="id_number",
            field=infra.fields.EncryptedCharField(
                blank=True, max_length=18, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="party",
            name="phone",
            field=infra.fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="phone"
            ),
        ),
    ]

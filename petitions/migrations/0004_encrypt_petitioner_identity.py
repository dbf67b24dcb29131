"""Petitioners' ID numbers and phones encrypted at rest, found through a keyed digest.

The columns become text (the sealed form is longer than the clear value), existing rows are
sealed under PERSONAL_DATA_KEY, and the plain index on the ID number gives way to an indexed
digest. Reversible: going back opens the rows again.
"""

from django.db import migrations, models

import infra.fields

PAIRS = {"id_number": "id_number_digest", "phone": None}


def seal(apps, schema_editor):
    infra.fields.seal_rows(apps.get_model("petitions", "Petitioner"), PAIRS)


def unseal(apps, schema_editor):
    infra.fields.open_rows(apps.get_model("petitions", "Petitioner"), PAIRS)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0003_alter_petition_registered_by"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="petitioner",
            name="petitions_p_id_numb_846a75_idx",
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="id_number",
            field=models.TextField(blank=True, verbose_name="ID number"),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="phone",
            field=models.TextField(blank=True, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="id_number_digest",
            field=infra.fields.BlindIndexField(db_index=True, source="id_number"),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
        migrations.AlterField(
            model_name="petitioner",
            name="id_number",
            field=infra.fields.EncryptedCharField(
                blank=True, max_length=18, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="phone",
            field=infra.fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="phone"
            ),
        ),
    ]

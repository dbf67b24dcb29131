"""The time-column BRIN indexes summarise each block range as soon as it fills.

Without it a range written since the last VACUUM is unsummarised, and an unsummarised range
matches every query: between two autovacuum runs the nightly job would read the newest pages
of patrols and findings for every day it counts. With `autosummarize` the filling of a range
asks autovacuum to summarise it at once. PostgreSQL only, like the indexes.
"""

from django.db import migrations

BRIN_INDEXES = [
    "grids_patrol_started_at_brin",
    "grids_finding_found_at_brin",
    "grids_zeroreport_day_brin",
]


def set_autosummarize(value: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in BRIN_INDEXES:
            schema_editor.execute(
                f"ALTER INDEX {schema_editor.quote_name(name)} SET (autosummarize = {value})"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_time_brin_indexes")]

    operations = [
        migrations.RunPython(set_autosummarize("on"), set_autosummarize("off"), elidable=False)
    ]

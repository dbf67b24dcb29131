"""BRIN indexes on the time columns that the nightly jobs read a day at a time.

Patrols, findings and zero reports arrive in time order, so the table's physical order follows
these columns and a BRIN index (a few pages for ten million rows) finds a day's blocks; the
existing (grid, time) B-trees cannot serve a range over every grid. PostgreSQL only: other
databases (SQLite in development) have no BRIN and no such volumes. bench/README.md ("Jobs")
has the measurements.
"""

from django.db import migrations

INDEXES = [
    ("grids_patrol_started_at_brin", "Patrol", "started_at"),
    ("grids_finding_found_at_brin", "Finding", "found_at"),
    ("grids_zeroreport_day_brin", "ZeroReport", "day"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name, model_name, field in INDEXES:
        model = apps.get_model("grids", model_name)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(model._meta.db_table)} "
            f"USING brin ({quote(model._meta.get_field(field).column)})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _model_name, _field in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

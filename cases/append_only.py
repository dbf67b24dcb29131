"""History is append-only (docs/architecture.md, rule 4), and on PostgreSQL the database
itself says so. `CaseEvent.save()`/`delete()` refuse changes made through a model instance,
but a queryset's `.update()` or `.delete()`, a script or a psql session would go around them;
a trigger on every event table refuses UPDATE and DELETE whoever sends them.

The triggers are (re)installed after every `migrate`, for every concrete subclass of
`CaseEvent`, so a new case type's event table is covered without anyone remembering to.
"""

from django.apps import apps
from django.db import connections

from cases.models import CaseEvent

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION governance_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are permanent history: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql
"""

TRIGGER = """
CREATE OR REPLACE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {quoted_table}
    FOR EACH ROW EXECUTE FUNCTION governance_refuse_event_change()
"""


def event_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, CaseEvent) and not model._meta.proxy
    )


def install_append_only_guards(*, using: str = "default", **_signal_arguments) -> None:
    """Connected to `post_migrate`; a no-op on databases other than PostgreSQL (SQLite, used for
    `make run`, keeps only the model-level guard)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(REFUSE_FUNCTION)
        for table in event_tables():
            cursor.execute(
                TRIGGER.format(table=table, quoted_table=connection.ops.quote_name(table))
            )

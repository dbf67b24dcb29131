"""Writing many rows at once without building a model instance per row.

`insert_rows(model, fields, rows)` streams tuples of Python values into the model's table:
PostgreSQL's COPY there (one round trip, no per-row statement), `bulk_create` elsewhere (the
SQLite of development and tests). It writes exactly the values given: no `save()`, no
signals, no `auto_now_add`; the caller gives every column that has no database default.
Column names come from the model's own `_meta`.
"""

import io
import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection, models

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if type(value) is int:  # the commonest, first (not bool, which is an int too)
        return str(value)
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float | Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    return str(value).translate(_COPY_ESCAPES)


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY `rows` (tuples, in the order of the column names `columns`) into `table`.
    PostgreSQL only."""
    quote = connection.ops.quote_name
    text = io.StringIO()
    count = 0
    for row in rows:
        text.write("\t".join(map(copy_text, row)))
        text.write("\n")
        count += 1
    if count:
        text.seek(0)
        # The driver's own cursor, wrapped so that a refused row raises Django's exceptions
        # (IntegrityError, ...) as any other write would.
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.cursor.copy_expert(
                f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN", text
            )
    return count


def insert_rows(model: type[models.Model], fields: list[str], rows) -> int:
    """Insert `rows` (tuples of values of the fields named in `fields`, in that order)."""
    if connection.vendor == "postgresql":
        columns = [model._meta.get_field(name).column for name in fields]
        return copy_rows(model._meta.db_table, columns, rows)
    attnames = [model._meta.get_field(name).attname for name in fields]
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=2000)
    return len(objects)

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.translation import gettext as _

from infra.crypto import PREFIX, blind_index, current_key_id
from infra.fields import BlindIndexField, EncryptedCharField

BATCH = 1000


def encrypted_models():
    """Every model with encrypted columns: (model, its encrypted fields, its digest fields)."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if fields:
            digests = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            yield model, fields, digests


def rows_under_older_keys(model, fields) -> list[int]:
    """The primary keys of rows with a value sealed under a key other than the current one.
    Read in SQL: the field itself refuses comparisons, and this needs the stored form."""
    quote = connection.ops.quote_name
    current = f"{PREFIX}:{current_key_id()}:%"
    condition = " OR ".join(
        f"({quote(f.column)} <> '' AND {quote(f.column)} NOT LIKE %s)" for f in fields
    )
    sql = (
        f"SELECT {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)} "
        f"WHERE {condition} ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [current] * len(fields))
        return [row[0] for row in cursor.fetchall()]


class Command(BaseCommand):
    help = _(
        "After a change of PERSONAL_DATA_KEY: re-encrypt every ID number and phone still "
        "sealed under an old key (PERSONAL_DATA_OLD_KEYS) and recompute their digests. "
        "Safe to run again; afterwards the old keys can be removed."
    )

    def handle(self, *args, **options):
        total = 0
        for model, fields, digests in encrypted_models():
            pks = rows_under_older_keys(model, fields)
            names = [f.name for f in fields] + [d.name for d in digests]
            for start in range(0, len(pks), BATCH):
                with transaction.atomic():
                    # Reading opens each value with whichever key sealed it; writing seals it
                    # under the current key.
                    rows = list(
                        model._base_manager.select_for_update()
                        .filter(pk__in=pks[start : start + BATCH])
                        .only("pk", *names)
                    )
                    for row in rows:
                        for digest in digests:
                            setattr(row, digest.attname, blind_index(getattr(row, digest.source)))
                    model._base_manager.bulk_update(rows, names)
            total += len(pks)
            self.stdout.write(
                _("%(model)s: %(count)d rows re-encrypted.")
                % {"model": model._meta.label_lower, "count": len(pks)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d rows re-encrypted; all personal data is now sealed under key %(key)s.")
                % {"count": total, "key": current_key_id()}
            )
        )

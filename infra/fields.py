"""Model fields for personal data encrypted at rest (see infra.crypto).

`EncryptedCharField` reads and writes clear strings in Python and stores them sealed, so
models, forms, services and templates use it like a CharField. What it cannot do is be
compared in SQL: filtering on it raises, and exact lookups go through the `BlindIndexField`
that names it as its source.
"""

from django.core.exceptions import FieldError
from django.db import models

from infra.crypto import blind_index, decrypt, encrypt


class EncryptedCharField(models.CharField):
    """A short string (ID number, phone) stored encrypted in a text column. `max_length`
    bounds the clear value, as validation sees it."""

    def get_internal_type(self) -> str:
        # The sealed form is longer than the clear value and its length varies with the key.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        """The stored form: what a bulk loader writing rows directly must store too."""
        value = super().get_db_prep_value(value, connection, prepared)
        return value if value is None else encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be compared in SQL; "
            "look it up through its blind index (infra.crypto.blind_indexes)."
        )

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: no SQL transforms.")


class BlindIndexField(models.CharField):
    """The keyed digest of another field's clear value, kept up to date on every save, so
    that equal values can be found without decrypting: filter with
    `<name>__in=blind_indexes(value)`. Give it a `models.Index` in the model's Meta (not
    `db_index`, which on PostgreSQL adds a second index for LIKE that a digest never needs)."""

    DEFAULTS = {"max_length": 64, "blank": True, "editable": False, "db_index": False}

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        for key, default in self.DEFAULTS.items():
            kwargs.setdefault(key, default)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in self.DEFAULTS.items():
            value = getattr(self, key)
            if value == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def seal_rows(model, pairs: dict[str, str | None], *, batch: int = 1000) -> int:
    """For a data migration: encrypt the clear values of `model`'s columns (named in `pairs`,
    each with its digest column or None) where the migration state still sees them as plain
    text. Values already sealed are left alone, so a re-run is harmless. Returns the rows."""
    return _rewrite(model, pairs, batch=batch, seal=True)


def open_rows(model, pairs: dict[str, str | None], *, batch: int = 1000) -> int:
    """The reverse of `seal_rows`: clear values back, digests emptied."""
    return _rewrite(model, pairs, batch=batch, seal=False)


def _rewrite(model, pairs, *, batch: int, seal: bool) -> int:
    from infra.crypto import PREFIX

    columns = [*pairs, *(digest for digest in pairs.values() if digest)]
    pending, count = [], 0
    for row in model.objects.only("pk", *pairs).order_by("pk").iterator(chunk_size=batch):
        for field, digest in pairs.items():
            stored = getattr(row, field) or ""
            sealed = stored.startswith(PREFIX + ":")
            clear = decrypt(stored) if sealed else stored
            setattr(row, field, (stored if sealed else encrypt(clear)) if seal else clear)
            if digest:
                setattr(row, digest, blind_index(clear) if seal else "")
        pending.append(row)
        if len(pending) >= batch:
            model.objects.bulk_update(pending, columns)
            count += len(pending)
            pending = []
    if pending:
        model.objects.bulk_update(pending, columns)
        count += len(pending)
    return count

"""Encryption at rest of personal data (ID numbers, phone numbers) and its blind index.

Values are sealed with AES-256-GCM under a key derived from `PERSONAL_DATA_KEY`; the stored
form names the key that sealed it (`pd1:<key id>:<base64 of nonce and ciphertext>`), so that
after a rotation the old keys, listed in `PERSONAL_DATA_OLD_KEYS`, still open older rows until
`manage.py reencrypt_personal_data` has rewritten them under the new key.

Encrypted values cannot be compared in SQL. Exact lookups (a person's earlier cases) go through
a blind index: a keyed HMAC of the normalised value, stored next to it and indexed. During a
rotation a value may still be indexed under an old key, so lookups match `blind_indexes(value)`
(one digest per configured key) while writes store `blind_index(value)` (the current key's).

Nothing here reads settings at import time: the key ring is built at first use and rebuilt
when the settings change (tests override them).
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured

PREFIX = "pd1"
NONCE_BYTES = 12
KEY_BYTES = 32
GENERATE_HINT = (
    "python3 -c 'import base64, secrets; "
    "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'"
)
# Used only with DEBUG on and no PERSONAL_DATA_KEY, so that `make run` and the tests need no
# configuration. Production refuses to start without a key of its own (settings.py).
DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"governance-portal development personal-data key, never in production").digest()
).decode()


class PersonalDataKeyError(ImproperlyConfigured):
    """A stored value cannot be opened with the configured keys: the operator's to fix."""


def parse_key(text: str, *, name: str = "PERSONAL_DATA_KEY") -> bytes:
    """A key as configured: 32 random bytes in URL-safe base64 (44 characters)."""
    text = (text or "").strip()
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must be {KEY_BYTES} random bytes in URL-safe base64 (44 characters); "
            f"generate one with: {GENERATE_HINT}"
        )
    return raw


def _derive(master: bytes, purpose: bytes, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(master)


@dataclass(frozen=True)
class Key:
    id: str
    cipher: AESGCM
    index_key: bytes


def _key(master: bytes) -> Key:
    # Separate keys for sealing and for the blind index: the index leaks equality by design,
    # and must not weaken the cipher's key.
    return Key(
        id=_derive(master, b"personal-data key id", 4).hex(),
        cipher=AESGCM(_derive(master, b"personal-data encryption")),
        index_key=_derive(master, b"personal-data blind index"),
    )


@lru_cache(maxsize=8)
def _ring(current: str, old: tuple[str, ...]) -> tuple[Key, ...]:
    keys = [_key(parse_key(current))]
    keys += [_key(parse_key(text, name="PERSONAL_DATA_OLD_KEYS")) for text in old]
    return tuple(keys)


def key_ring() -> tuple[Key, ...]:
    """The configured keys, the current one first."""
    from django.conf import settings

    return _ring(settings.PERSONAL_DATA_KEY, tuple(settings.PERSONAL_DATA_OLD_KEYS))


def current_key_id() -> str:
    return key_ring()[0].id


def encrypt(value: str) -> str:
    """The stored form of `value` under the current key; "" stays "" (nothing to hide)."""
    if not value:
        return ""
    key = key_ring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.cipher.encrypt(nonce, value.encode("utf-8"), None)
    return f"{PREFIX}:{key.id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def key_id_of(stored: str) -> str:
    """The id of the key that sealed a stored value ("" for an empty value)."""
    if not stored:
        return ""
    _prefix, key_id, _body = _split(stored)
    return key_id


def _split(stored: str) -> tuple[str, str, str]:
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise PersonalDataKeyError(
            "A personal-data column holds a value that is not encrypted; run the migrations "
            "(they encrypt existing rows) and write these columns through the model field."
        )
    return parts[0], parts[1], parts[2]


def decrypt(stored: str) -> str:
    """The clear value of a stored form, opened with whichever configured key sealed it."""
    if not stored:
        return ""
    _prefix, key_id, body = _split(stored)
    key = next((k for k in key_ring() if k.id == key_id), None)
    if key is None:
        raise PersonalDataKeyError(
            f"A personal-data value was encrypted with key {key_id}, which is neither "
            "PERSONAL_DATA_KEY nor one of PERSONAL_DATA_OLD_KEYS: configure that key."
        )
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        return key.cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError) as error:
        raise PersonalDataKeyError(
            f"A personal-data value sealed with key {key_id} does not open: it was altered, "
            "or a different key carries the same id."
        ) from error


def normalise(value: str) -> str:
    """What counts as the same ID number or phone: no spaces, upper-case check letter."""
    return "".join((value or "").split()).upper()


def _digest(key: Key, value: str) -> str:
    return hmac.new(key.index_key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """The digest stored next to an encrypted value, under the current key ("" for "")."""
    if not normalise(value):
        return ""
    return _digest(key_ring()[0], value)


def blind_indexes(value: str) -> list[str]:
    """Every digest `value` may be stored under (one per configured key): match lookups on
    these, so that rows not yet re-encrypted after a rotation are still found."""
    if not normalise(value):
        return []
    return [_digest(key, value) for key in key_ring()]

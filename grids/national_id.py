"""Residents' national ID numbers (公民身份号码, GB 11643-1999).

A number is validated by its checksum, stored only as AES-256-GCM ciphertext,
found again through a keyed HMAC-SHA256 "blind index", and shown masked
(``110105********0021``). The encryption keys and the index key come from
settings (``FIELD_ENCRYPTION_KEYS``, ``FIELD_HASH_KEY``), never from
``SECRET_KEY``.
"""

import base64
import datetime
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INVALID_LENGTH = _(
    "A national ID number has 18 characters: 17 digits and a check digit or X."
)
INVALID_CHECKSUM = _("The check digit of this national ID number is wrong.")
INVALID_BIRTH_DATE = _("This national ID number contains an impossible birth date.")

FIRST_BIRTH_YEAR = 1880
MASK_LENGTH = 18
_FORMAT_VERSION = "v1"
_SEAL_MAGIC = b"policing-sealed-v1:"


def validate(value: object) -> str:
    """Return the normalised 18-character number, or raise ValidationError."""
    if not isinstance(value, str):
        raise ValidationError(INVALID_LENGTH, code="invalid")
    number = value.strip().upper()
    if (
        len(number) != 18
        # isdigit() alone admits other scripts' digits, which int() either
        # rejects (superscripts) or reads as ASCII ones (full-width), so one
        # person would get a second blind index.
        or not number[:17].isascii()
        or not number[:17].isdigit()
        or number[17] not in "0123456789X"
    ):
        raise ValidationError(INVALID_LENGTH, code="invalid")
    if check_character(number[:17]) != number[17]:
        raise ValidationError(INVALID_CHECKSUM, code="checksum")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(INVALID_BIRTH_DATE, code="birth_date") from None
    if birth.year < FIRST_BIRTH_YEAR or birth > timezone.localdate():
        raise ValidationError(INVALID_BIRTH_DATE, code="birth_date")
    return number


def check_character(body: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 17 digits.

    The region code is deliberately not checked against a table: a number
    keeps the code of the place of first registration, including codes that
    have since been abolished, and new codes appear every year.
    """
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(body))
    return "10X98765432"[total % 11]


def mask(number: str) -> str:
    """Return the number with the eight birth-date digits hidden."""
    return f"{number[:6]}{'*' * 8}{number[14:]}"


def blind_index(number: str) -> str:
    """Return the keyed hash used to find a resident by exact number."""
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def encrypt(number: str) -> str:
    """Return ``v1:<key id>:<base64 nonce+ciphertext>`` under the active key."""
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, number.encode(), key_id.encode())
    return f"{_FORMAT_VERSION}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    """Return the clear number; raise ImproperlyConfigured on a missing key.

    A wrong or missing key fails loudly rather than returning nothing, so a
    misconfigured deployment is noticed at once.
    """
    version, key_id, payload = token.split(":", 2)
    if version != _FORMAT_VERSION:
        raise ImproperlyConfigured(
            f"Unknown national ID ciphertext format {version!r}."
        )
    keys = dict(_keys())
    if key_id not in keys:
        raise ImproperlyConfigured(
            f"No FIELD_ENCRYPTION_KEYS entry has key id {key_id!r}."
        )
    raw = base64.b64decode(payload)
    return AESGCM(keys[key_id]).decrypt(raw[:12], raw[12:], key_id.encode()).decode()


def key_id_of(token: str) -> str:
    """Return the id of the key that encrypted ``token``."""
    return token.split(":", 2)[1]


def active_key_id() -> str:
    """Return the id of the active (first) key, the one new values use."""
    return _keys()[0][0]


def active_key_prefix() -> str:
    """Return how every ciphertext under the active key begins."""
    return f"{_FORMAT_VERSION}:{active_key_id()}:"


def reencrypt(token: str) -> str:
    """Return ``token`` under the active key (unchanged if it already is).

    For ``rotate_field_keys`` only: the clear number stays inside this
    module, so the reveal action remains the one caller of :func:`decrypt`
    that can show it (SECURITY.md G-AD6).
    """
    if token.startswith(active_key_prefix()):
        return token
    return encrypt(decrypt(token))


def seal(data: bytes) -> bytes:
    """Return an uploaded file encrypted under the active key.

    Ledger files hold residents' clear numbers; the import keeps the file
    between its check and its apply, so it is stored sealed (G-PII2).
    """
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, data, key_id.encode())
    return _SEAL_MAGIC + key_id.encode() + b":" + nonce + sealed


def unseal(blob: bytes) -> bytes:
    """Return the file :func:`seal` encrypted; raise on a missing key.

    A file without the seal's header was stored before files were sealed
    and is returned as it is.
    """
    if not blob.startswith(_SEAL_MAGIC):
        return blob
    key_id, raw = blob[len(_SEAL_MAGIC) :].split(b":", 1)
    keys = dict(_keys())
    if key_id.decode() not in keys:
        raise ImproperlyConfigured(
            f"No FIELD_ENCRYPTION_KEYS entry has key id {key_id.decode()!r}."
        )
    return AESGCM(keys[key_id.decode()]).decrypt(raw[:12], raw[12:], key_id)


def reseal(blob: bytes) -> bytes:
    """Return ``blob`` sealed under the active key (unchanged if it already is)."""
    if blob.startswith(_SEAL_MAGIC + active_key_id().encode() + b":"):
        return blob
    return seal(unseal(blob))


def _keys() -> list[tuple[str, bytes]]:
    keys = []
    for encoded in settings.FIELD_ENCRYPTION_KEYS:
        key = base64.urlsafe_b64decode(encoded)
        if len(key) != 32:
            raise ImproperlyConfigured(
                "Each FIELD_ENCRYPTION_KEYS entry must be 32 bytes."
            )
        keys.append((hashlib.sha256(key).hexdigest()[:8], key))
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return keys

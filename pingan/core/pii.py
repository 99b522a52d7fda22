"""Personal data: encryption at rest, blind indexes, masking and validation.

Keys come from the environment (read through settings):

- ``PINGAN_PII_KEYS``: Fernet keys (url-safe base64 of 32 bytes), comma-separated, newest
  first. The newest encrypts; every key decrypts, so a new key can be put in front and the
  rows re-encrypted afterwards with ``manage.py pii rotate``.
- ``PINGAN_PII_INDEX_KEY``: a separate secret for the blind indexes (HMAC-SHA256). It is
  not rotated by ``pii rotate``: changing it means recomputing every index
  (``manage.py pii reindex``).

Outside production both default to keys derived from SECRET_KEY, for development only;
with ``PINGAN_ENV=production`` a missing key is an error (ImproperlyConfigured).

Fernet is authenticated encryption (AES-128-CBC + HMAC-SHA256): a changed ciphertext does
not decrypt, it raises. Values are stored as text: the Fernet token.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

from pingan.core.errors import invalid

# ---- keys -------------------------------------------------------------------------------


def _derived(purpose: str) -> bytes:
    """A development key derived from SECRET_KEY. Never used in production."""
    digest = hashlib.sha256(f"pingan-dev-{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as e:
        raise ImproperlyConfigured(
            "PINGAN_PII_KEYS: each key must be url-safe base64 of 32 bytes (Fernet.generate_key())"
        ) from e


def encryption_keys() -> tuple[str, ...]:
    raw = getattr(settings, "PINGAN_PII_KEYS", "") or ""
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if keys:
        return keys
    if _production():
        raise ImproperlyConfigured("PINGAN_PII_KEYS must be set when PINGAN_ENV=production")
    return (_derived("encryption").decode(),)


def index_key() -> bytes:
    raw = (getattr(settings, "PINGAN_PII_INDEX_KEY", "") or "").strip()
    if raw:
        return raw.encode()
    if _production():
        raise ImproperlyConfigured("PINGAN_PII_INDEX_KEY must be set when PINGAN_ENV=production")
    return _derived("index")


def fernet() -> MultiFernet:
    return _fernet_for(encryption_keys())


def check_keys() -> None:
    """Raise ImproperlyConfigured when the keys are missing (production) or malformed."""
    fernet()
    index_key()


# ---- encryption -----------------------------------------------------------------------


class DecryptionError(ValueError):
    """A stored value that none of the configured keys opens (wrong key or tampered)."""


def encrypt(value: str) -> str:
    """Encrypt a text with the newest key. The empty string stays empty (nothing to hide)."""
    if value == "":
        return ""
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if token == "":
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("personal data does not decrypt with the configured keys") from None


def rotate(token: str) -> str:
    """The same plaintext encrypted with the newest key (MultiFernet.rotate)."""
    if token == "":
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("personal data does not decrypt with the configured keys") from None


def blind_index(value: str, *, kind: str) -> str:
    """HMAC-SHA256 of the normalised value, for exact lookup without decrypting.

    `kind` separates the spaces ("phone", "id_number"), so equal strings of different kinds
    do not share an index. Empty values get an empty index.
    """
    normal = normalise(value, kind=kind)
    if not normal:
        return ""
    return hmac.new(index_key(), f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def normalise(value: str, *, kind: str) -> str:
    value = (value or "").strip()
    if kind == "phone":
        value = re.sub(r"[\s\-]", "", value)
        if value.startswith("+86"):
            value = value[3:]
    elif kind == "id_number":
        value = value.replace(" ", "").upper()
    return value


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted (Fernet token); Python code sees the plaintext.

    The column holds ciphertext, so the database can neither compare nor search it: look
    up with a blind index column instead (see `blind_index`). Lookups other than
    `isnull` are refused, so that a filter on it cannot silently match nothing.
    """

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs: Any) -> Any:
        # A phone or a name is one line in a form, not a text area.
        from django import forms

        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class IdNumberField(EncryptedTextField):
    """A resident identity card number (GB 11643), encrypted; pair it with a blind index
    column (`blind_index(value, kind="id_number")`) and validate with
    `validate_id_number` in the service that writes it."""

    description = "Encrypted ID number"


# ---- validation -----------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str, *, field: str = "id_number") -> str:
    """The normalised 18-digit ID number, or Invalid (422) naming `field`."""
    normal = normalise(value, kind="id_number")
    if not _ID_RE.match(normal):
        raise invalid(field, _("身份证号应为18位，最后一位可为数字或X"))
    try:
        dt.date(int(normal[6:10]), int(normal[10:12]), int(normal[12:14]))
    except ValueError:
        raise invalid(field, _("身份证号中的出生日期无效")) from None
    if id_number_check_digit(normal[:17]) != normal[17]:
        raise invalid(field, _("身份证号校验位不正确"))
    return normal


def validate_phone(value: str, *, field: str = "phone", mobile_only: bool = False) -> str:
    """The normalised phone (mobile, or fixed line with area code), or Invalid (422)."""
    normal = normalise(value, kind="phone")
    if MOBILE_RE.match(normal):
        return normal
    if not mobile_only and LANDLINE_RE.match(normal):
        return normal
    if mobile_only:
        raise invalid(field, _("手机号应为以1开头的11位数字"))
    raise invalid(field, _("电话号码格式不正确：手机号为11位，固定电话需带区号"))


# ---- masking --------------------------------------------------------------------------

MASK = "*"


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + MASK * 4 + value[-4:]
    return MASK * max(len(value) - 2, 2) + value[-2:] if len(value) > 2 else MASK * 2


def mask_id_number(value: str) -> str:
    """330424199001011234 → 330424********1234 (region code and last four kept)."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 11:
        return MASK * len(value)
    return value[:6] + MASK * (len(value) - 10) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**, 张三 → 张*: the family name and one star per hidden character."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + MASK * max(len(value) - 1, 1)


def mask_email(value: str) -> str:
    """zhang.san@example.cn → z***@example.cn (the domain kept, the mailbox hidden)."""
    value = (value or "").strip()
    local, at, domain = value.partition("@")
    if not at:
        return mask_name(value)
    return f"{local[:1]}{MASK * 3}@{domain}"


ADDRESS_KEEP = 6


def mask_address(value: str) -> str:
    """Keep the first six characters (the village or street), hide the rest:
    城东社区海滨路18号3幢 → 城东社区海滨****."""
    value = (value or "").strip()
    if len(value) <= ADDRESS_KEEP:
        return value
    return value[:ADDRESS_KEEP] + MASK * 4


# Not inside a longer run of letters and digits (a hex id), as for ID numbers below.
_PHONE_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(1[3-9]\d{9})(?![\dA-Za-z])")
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])")


def find_in_text(text: str) -> list[str]:
    """Mobile phones and valid ID numbers appearing in plain text (for log scanning)."""
    found = [m.group(1) for m in _PHONE_IN_TEXT.finditer(text)]
    for m in _ID_IN_TEXT.finditer(text):
        number = m.group(1).upper()
        if id_number_check_digit(number[:17]) == number[17]:
            found.append(number)
    return found


# A mobile number as people type it: 13812345678, 138-1234-5678, 138 1234 5678, +86 138….
_PHONE_TYPED = re.compile(
    r"(?<![\dA-Za-z])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\dA-Za-z])"
)


def mask_in_text(text: str) -> str:
    """Free text with the personal numbers in it masked, for text that is published (a
    public reply): mobile numbers, also typed with spaces, dashes or +86 (138****5678),
    and 18-character ID numbers, whatever their check digit (330424********1234).
    Landlines stay (an office's number is what a public reply gives). Masking masked
    text changes nothing. Names cannot be found in free text: the form says not to
    write them (docs/privacy.md, "Public replies")."""
    if not text:
        return ""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), text)
    return _PHONE_TYPED.sub(lambda m: mask_phone("".join(m.groups())), text)

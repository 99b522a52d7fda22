"""Masking of personal data in exports and briefings: the one place to swap for the
project-wide helpers (pii) when they land."""

from __future__ import annotations

from typing import Any

from pingan.org.choices import Role
from pingan.org.selectors import memberships_of

# Centre staff call reporters back; everyone else sees masked contacts.
UNMASKED_ROLES = frozenset({Role.DISPATCHER})


def may_see_personal(user: Any) -> bool:
    return any(m.role in UNMASKED_ROLES for m in memberships_of(user))


def mask_name(value: str) -> str:
    """张三丰 → 张**; 李四 → 李*."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * (len(value) - 2) + value[-2:]

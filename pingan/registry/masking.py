"""How each personal field of the registers is shown when not revealed, and in the change
history (`RecordChange.fields`), where values are NEVER stored in clear."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pingan.core import pii

# Field → mask. Fields not named here are not personal (kinds, statuses, regions…).
MASKS = {
    "name": pii.mask_name,
    "id_number": pii.mask_id_number,
    "phone": pii.mask_phone,
    "address": pii.mask_address,
}
# Free text that may hold anything personal: never shown in the history, only "changed".
HIDDEN = frozenset({"note"})


def mask_birth_date(value: dt.date | None) -> str:
    """1990-05-17 → 1990-**-** (the year is what the figures need)."""
    if value is None:
        return ""
    return f"{value.year}-**-**"


def masked(field: str, value: Any) -> Any:
    """The value of `field` as anyone without a reveal sees it."""
    if field in MASKS:
        return MASKS[field](str(value or ""))
    if field in HIDDEN:
        return "***" if value else ""
    if field == "birth_date":
        return mask_birth_date(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value

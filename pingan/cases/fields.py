"""Reading a transition's payload: one function per kind of field, each raising the 422
(`invalid(field, reason)`) a person can act on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from pingan.cases.table import Transition
from pingan.core.errors import invalid
from pingan.core.pii import mask_in_text

PUBLIC_REPLY_MAX = 1000


def text(
    payload: dict[str, Any],
    field: str,
    label: str,
    *,
    required: bool = True,
    max_len: int | None = None,
) -> str:
    """A text field, stripped; 422 when required and empty, not text, or too long."""
    value = payload.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, gettext("%(label)s应为文字") % {"label": label})
    value = value.strip()
    if required and not value:
        raise invalid(field, gettext("请填写%(label)s") % {"label": label})
    if max_len and len(value) > max_len:
        raise invalid(field, gettext("%(label)s不能超过%(n)s字") % {"label": label, "n": max_len})
    return value


def integer(payload: dict[str, Any], field: str, label: str) -> int:
    value = payload.get(field)
    if isinstance(value, bool):
        raise invalid(field, gettext("%(label)s应为整数") % {"label": label})
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise invalid(field, gettext("%(label)s应为整数") % {"label": label}) from None


def boolean(payload: dict[str, Any], field: str, label: str) -> bool:
    value = payload.get(field)
    if isinstance(value, bool):
        return value
    if value in ("true", "1", "on", 1):
        return True
    if value in ("false", "0", "off", 0):
        return False
    raise invalid(field, gettext("%(label)s应为是或否") % {"label": label})


def require(row: Transition, payload: dict[str, Any], labels: dict[str, str]) -> None:
    """422 on the first of the row's required fields that is missing or empty."""
    for field in row.requires:
        value = payload.get(field)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            label = gettext(labels[field]) if field in labels else field
            raise invalid(field, gettext("请填写%(label)s") % {"label": label})


def public_reply(row: Transition, payload: dict[str, Any]) -> str:
    """The optional reply to the reporter and the public (对外答复), kept apart from the
    internal note and stored with phones and ID numbers masked, as it is published
    (docs/privacy.md, "Public replies"). 422 on a row that takes none (the table's
    `public_reply`), on a non-text value or past PUBLIC_REPLY_MAX characters."""
    label = gettext("对外答复")
    reply = text(payload, "public_reply", label, required=False, max_len=PUBLIC_REPLY_MAX)
    if reply and not row.public_reply:
        raise invalid(
            "public_reply",
            gettext("「%(action)s」不填写对外答复") % {"action": row.display_label},
        )
    return mask_in_text(reply)

"""Reading campaign and listing input: one function per kind of field, each raising the
422 (`invalid(field, reason)`) a person can act on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext

from pingan.cases.fields import integer as _int
from pingan.core.errors import invalid


def date_of(p: dict[str, Any], field: str, label: str, *, required: bool) -> dt.date | None:
    raw = p.get(field)
    if raw in (None, ""):
        if required:
            raise invalid(field, gettext("请填写%(label)s") % {"label": label})
        return None
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise invalid(
            field, gettext("%(label)s应为日期，如 2026-12-31") % {"label": label}
        ) from None


def count_of(p: dict[str, Any], field: str, label: str, *, maximum: int = 100_000_000) -> int:
    """A whole number 0…maximum (required)."""
    if p.get(field) in (None, ""):
        raise invalid(field, gettext("请填写%(label)s") % {"label": label})
    value = _int(p, field, label)
    if not 0 <= value <= maximum:
        raise invalid(field, gettext("%(label)s应为不小于0的整数") % {"label": label})
    return value


def ids_of(p: dict[str, Any], field: str, label: str) -> list[int]:
    """A list of ids (a list, or comma-separated text); empty when not given."""
    raw = p.get(field)
    if raw in (None, "", []):
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise invalid(field, gettext("%(label)s应为编号列表") % {"label": label})
    out: list[int] = []
    for item in items:
        if isinstance(item, bool):
            raise invalid(field, gettext("%(label)s应为编号列表") % {"label": label})
        try:
            out.append(int(str(item).strip()))
        except ValueError:
            raise invalid(field, gettext("%(label)s应为编号列表") % {"label": label}) from None
    return sorted(set(out))

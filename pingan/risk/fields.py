"""Reading a risk payload: one function per kind of field, each raising the 422
(`invalid(field, reason)`) a person can act on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext

from pingan.cases.fields import integer as _int
from pingan.core.errors import invalid
from pingan.org.models import Department


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


def choice_of(p: dict[str, Any], field: str, values: Any, message: str) -> str:
    value = p.get(field)
    if value not in list(values):
        raise invalid(field, message)
    return str(value)


def department_of(p: dict[str, Any], field: str = "owner_department") -> Department:
    pk = _int(p, field, gettext("责任部门"))
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise invalid(field, gettext("部门不存在或已停用"))
    return department


def count_of(p: dict[str, Any], field: str, label: str, *, maximum: int = 10_000_000) -> int:
    raw = p.get(field)
    if raw in (None, ""):
        return 0
    value = _int(p, field, label)
    if not 0 <= value <= maximum:
        raise invalid(field, gettext("%(label)s应为不小于0的整数") % {"label": label})
    return value

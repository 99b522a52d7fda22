"""Numbers and dates typed into query strings and forms (the pages, Open311), parsed once
and bounded; a bad one is Invalid (422) naming the field (docs/security.md, "Input").
The API's arrive validated by ninja and are bounded by `pingan.api.v1.inputs` with the same
`check_int` and `check_day`.

- An integer (an id, a page number) fits the database's 64-bit integer. A larger one is an
  id no row can have, and SQLite cannot even compare a column with it (OverflowError, a
  500 before this).
- A date, or the day of a time, lies between FIRST_DAY and LAST_DAY: year 1 or year 9999
  overflows as soon as it is moved to UTC or a day is added to it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

from django.utils.dateparse import parse_datetime as django_parse_datetime
from django.utils.translation import gettext

from pingan.core.errors import invalid

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
FIRST_DAY = dt.date(1950, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

_INTEGER = re.compile(r"[+-]?[0-9]+")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
Day = TypeVar("Day", bound=dt.date)


def check_int(value: int, field: str) -> int:
    """`value` if a 64-bit integer column can hold it, else Invalid naming `field`."""
    if not INT_MIN <= value <= INT_MAX:
        raise invalid(field, gettext("超出允许范围"))
    return value


def check_day(value: Day, field: str) -> Day:
    """`value` (a date, or a time by its own day) if within FIRST_DAY..LAST_DAY."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise invalid(
            field,
            gettext("日期应在 {first} 至 {last} 之间").format(
                first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
            ),
        )
    return value


def parse_int(raw: str | None, field: str) -> int | None:
    """A whole number written in ASCII digits (an optional sign), or None when empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not _INTEGER.fullmatch(raw):
        raise invalid(field, gettext("应为整数编号"))
    return check_int(int(raw), field)


def parse_date(raw: str | None, field: str) -> dt.date | None:
    """A date written YYYY-MM-DD (anything after the tenth character is ignored, so a
    time may follow), or None when empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise invalid(field, gettext("日期格式应为 YYYY-MM-DD")) from None
    return check_day(value, field)


def parse_month(raw: str | None, field: str) -> dt.date | None:
    """A month written YYYY-MM, as its first day, or None when empty."""
    raw = (raw or "").strip()
    if not raw:
        return None
    written = _MONTH.fullmatch(raw)
    try:
        value = dt.date(int(written[1]), int(written[2]), 1) if written else None
    except ValueError:
        value = None
    if value is None:
        raise invalid(field, gettext("月份格式应为 YYYY-MM"))
    return check_day(value, field)


def parse_datetime(raw: str | None, field: str) -> dt.datetime | None:
    """A time written in ISO 8601 (`2026-01-01T08:30:00+08:00`), or None when empty; the
    offset may be left out (the caller decides what a time without one means)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = django_parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise invalid(field, gettext("时间格式应为 ISO 8601，如 2026-01-01T08:30:00+08:00"))
    return check_day(value, field)

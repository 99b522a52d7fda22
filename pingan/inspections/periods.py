"""Inspection periods on the calendar: a week runs Monday to Sunday, a half month the
1st-15th and the 16th-last, a month, a quarter (Jan-Mar, ...). A task is due on its
period's last working day (`core.workcal`), or the first working day after a period
with none."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from pingan.core import clock, workcal
from pingan.inspections.choices import Frequency

_SEARCH_DAYS = 60


def today() -> dt.date:
    """The local date now."""
    return timezone.localdate(clock.now())


def period_of(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period of `frequency` that holds `day`."""
    if frequency == Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if frequency == Frequency.QUARTERLY:
        first = ((day.month - 1) // 3) * 3 + 1
        last = first + 2
        return dt.date(day.year, first, 1), dt.date(
            day.year, last, calendar.monthrange(day.year, last)[1]
        )
    last_day = calendar.monthrange(day.year, day.month)[1]
    if frequency == Frequency.HALF_MONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last_day)
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1), day.replace(day=last_day)
    raise ValueError(f"unknown frequency {frequency!r}")


def periods_between(frequency: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods of `frequency` from the one holding `first` to the one holding `last`."""
    out: list[tuple[dt.date, dt.date]] = []
    day = first
    while day <= last:
        start, end = period_of(frequency, day)
        out.append((start, end))
        day = end + dt.timedelta(days=1)
    return out


def due_on(start: dt.date, end: dt.date) -> dt.date:
    """The period's last working day; the first working day after it when it has none."""
    day = end
    while day >= start:
        if workcal.is_workday(day):
            return day
        day -= dt.timedelta(days=1)
    day = end
    for _ in range(_SEARCH_DAYS):
        day += dt.timedelta(days=1)
        if workcal.is_workday(day):
            return day
    return end

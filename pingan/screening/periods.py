"""Screening periods on the calendar: which levels report how often, each period's first
and last day, and the date its reports are due (on the working calendar, `core.workcal`).

- a week runs Monday to Sunday; a half month the 1st to the 15th and the 16th to the
  month's last day; a month the 1st to its last day;
- reports are due on the period's last working day (`due_workdays_after` 0), or on the
  n-th working day after the period ends (n > 0). A week with no working day in it (the
  National Day week) is due on the first working day after it.

`settings.PINGAN_SCREENING_LEVELS` overrides the defaults, level by level:
`{"village": {"frequency": "week", "due_workdays_after": 0}, ...}`; a level mapped to
None is not screened.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from pingan.core import clock, workcal
from pingan.screening.choices import Frequency, UnitLevel

__all__ = [
    "LEVELS",
    "LevelRule",
    "due_on",
    "level_rules",
    "period_of",
    "periods_between",
    "today",
]


def today() -> dt.date:
    """The local date now (never `clock.now().date()`, the UTC one)."""
    return timezone.localdate(clock.now())


@dataclass(frozen=True)
class LevelRule:
    level: str
    frequency: str
    due_workdays_after: int = 0


LEVELS: dict[str, LevelRule] = {
    UnitLevel.VILLAGE: LevelRule(UnitLevel.VILLAGE, Frequency.WEEK),
    UnitLevel.TOWN: LevelRule(UnitLevel.TOWN, Frequency.HALF_MONTH),
    UnitLevel.COUNTY: LevelRule(UnitLevel.COUNTY, Frequency.MONTH),
}

# How far a due date is looked for (a period with no working day at all, a bad table).
_SEARCH_DAYS = 60


def level_rules() -> list[LevelRule]:
    """The levels screened and their rules: the defaults with the settings' overrides."""
    custom = getattr(settings, "PINGAN_SCREENING_LEVELS", None) or {}
    out: list[LevelRule] = []
    for level in UnitLevel.values:
        if level in custom:
            spec = custom[level]
            if spec is None:
                continue
            frequency = spec.get("frequency", LEVELS[level].frequency)
            if frequency not in Frequency.values:
                raise ValueError(f"PINGAN_SCREENING_LEVELS[{level!r}]: bad frequency")
            after = int(spec.get("due_workdays_after", 0))
            out.append(LevelRule(level, frequency, max(after, 0)))
        else:
            out.append(LEVELS[level])
    return out


def period_of(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period of `frequency` that holds `day`."""
    if frequency == Frequency.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    if frequency == Frequency.HALF_MONTH:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    if frequency == Frequency.MONTH:
        return day.replace(day=1), day.replace(day=last)
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


def due_on(start: dt.date, end: dt.date, workdays_after: int = 0) -> dt.date:
    """The day the reports of the period [start, end] are due (module docstring)."""
    if workdays_after <= 0:
        day = end
        while day >= start:
            if workcal.is_workday(day):
                return day
            day -= dt.timedelta(days=1)
        workdays_after = 1
    day, seen = end, 0
    for _ in range(_SEARCH_DAYS):
        day += dt.timedelta(days=1)
        if workcal.is_workday(day):
            seen += 1
            if seen == workdays_after:
                return day
    return end

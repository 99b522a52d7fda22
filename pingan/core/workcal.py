"""The Chinese working calendar: working days, working hours and deadlines.

Statutory holidays and make-up working days come from the chinese-calendar package;
`WorkdayOverride` rows take precedence (local decisions, years the package lacks).
For a year neither knows, Monday to Friday are working days.

Pure calendar arithmetic lives here, in the shared kernel, because the events
transition service (below `sla` in the dependency rule) must compute deadlines.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

_override_cache: dict[dt.date, bool] = {}
_override_loaded_at: float | None = None
_OVERRIDE_TTL_S = 300.0


def clear_cache() -> None:
    """Forget cached overrides (called when an override is saved)."""
    global _override_loaded_at
    _override_loaded_at = None
    _official.cache_clear()


def _overrides() -> dict[dt.date, bool]:
    global _override_cache, _override_loaded_at
    now = time.monotonic()
    if _override_loaded_at is None or now - _override_loaded_at > _OVERRIDE_TTL_S:
        from pingan.core.models import WorkdayOverride

        _override_cache = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        _override_loaded_at = now
    return _override_cache


# The years chinese-calendar has a holiday table for (the State Council publishes each
# year's in late autumn).
_TABLED_YEARS = frozenset(d.year for d in chinese_calendar.holidays)


@lru_cache(maxsize=4096)
def _official(day: dt.date) -> bool:
    if day.year not in _TABLED_YEARS:
        # No table yet: Monday to Friday, until a package update or WorkdayOverride rows
        # say otherwise (tested in test_workcal).
        return day.weekday() < 5
    return bool(chinese_calendar.is_workday(day))


def is_workday(day: dt.date) -> bool:
    """True when `day` is a working day."""
    override = _overrides().get(day)
    if override is not None:
        return override
    return _official(day)


@lru_cache(maxsize=8)
def _parse_periods(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in spec.split(","):
        start, end = part.strip().split("-")
        periods.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    periods.sort()
    return tuple(periods)


def working_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    """The configured working periods of a working day, e.g. 08:30-12:00 and 13:30-17:30."""
    return _parse_periods(settings.PINGAN_WORKING_HOURS)


def _day_periods(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    if not is_workday(day):
        return []
    tz = timezone.get_current_timezone()
    return [
        (dt.datetime.combine(day, a, tzinfo=tz), dt.datetime.combine(day, b, tzinfo=tz))
        for a, b in working_periods()
    ]


def add_working_seconds(start: dt.datetime, seconds: float) -> dt.datetime:
    """The moment `seconds` of working time after `start`."""
    local = timezone.localtime(start)
    remaining = max(0.0, seconds)
    day = local.date()
    for _ in range(3660):  # ten years of days: a bound, never reached in practice
        for a, b in _day_periods(day):
            if b <= local:
                continue
            begin = max(a, local)
            span = (b - begin).total_seconds()
            if remaining <= span:
                return begin + dt.timedelta(seconds=remaining)
            remaining -= span
        day += dt.timedelta(days=1)
    raise ValueError("deadline too far away")


def working_seconds_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working time between two moments, in seconds (0 when end is before start)."""
    if end <= start:
        return 0.0
    a_local, b_local = timezone.localtime(start), timezone.localtime(end)
    total = 0.0
    day = a_local.date()
    while day <= b_local.date():
        for a, b in _day_periods(day):
            lo, hi = max(a, a_local), min(b, b_local)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """Deadline `hours` working hours after `start`."""
    return add_working_seconds(start, hours * 3600)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """End of the `days`-th working day after the day of `start`.

    As in the rules counties use: the day of receipt does not count, so a matter received
    on Friday with 1 working day is due at the end of Monday's last working period.
    """
    day = timezone.localtime(start).date()
    counted = 0
    while counted < max(days, 0):
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    periods = _day_periods(day) if days > 0 else []
    if not periods:
        # days == 0: due at the end of today's (or the next working day's) work.
        while not _day_periods(day):
            day += dt.timedelta(days=1)
        periods = _day_periods(day)
    return periods[-1][1]


def deadline(start: dt.datetime, amount: float, unit: str) -> dt.datetime:
    """Deadline for an allowance of `amount` in `unit` ("hours" or "days") of working time."""
    if unit == "hours":
        return add_working_hours(start, amount)
    if unit == "days":
        return add_working_days(start, int(amount))
    raise ValueError(f"unknown unit {unit!r}")


def warning_at(start: dt.datetime, due: dt.datetime, fraction: float | None = None) -> dt.datetime:
    """Moment the deadline turns yellow: `fraction` of the working time allowed has passed."""
    if fraction is None:
        fraction = settings.PINGAN_WARNING_FRACTION
    total = working_seconds_between(start, due)
    if total <= 0:
        return due
    return add_working_seconds(start, total * fraction)


def working_days_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working time between two moments in working days (a day = the configured hours)."""
    per_day = sum(
        (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).total_seconds()
        for a, b in working_periods()
    )
    return working_seconds_between(start, end) / per_day if per_day else 0.0

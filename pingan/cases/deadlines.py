"""Deadlines of any case kind: on the working calendar (the default, `core.workcal`: the
official holidays and make-up days, the office hours) or in natural hours and days, which
a case row chooses for itself (an urgent matter runs through the night and the weekend).

A kind keeps its allowances where it likes (the event: `CategoryDeadline`) and calls
these with `natural=` its row's choice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from pingan.core import workcal

UNITS = ("hours", "days")


def due(start: dt.datetime, amount: float, unit: str, *, natural: bool = False) -> dt.datetime:
    """The moment an allowance of `amount` `unit` ("hours" or "days") runs out.

    Working time: hours count only within office hours on working days; days end at the
    close of the `amount`-th working day after the day of `start`. Natural time: hours are
    clock hours; days end at the same time of day `amount` days later."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if not natural:
        return workcal.deadline(start, amount, unit)
    if unit == "hours":
        return start + dt.timedelta(hours=amount)
    return timezone.localtime(start) + dt.timedelta(days=int(amount))


def add_days(start: dt.datetime, days: int, *, natural: bool = False) -> dt.datetime:
    """A deadline moved by `days` (an approved extension): working days, or natural days."""
    if natural:
        return start + dt.timedelta(days=days)
    return workcal.add_working_days(start, days)


def warning_at(
    start: dt.datetime, due_at: dt.datetime, *, natural: bool = False, fraction: float | None = None
) -> dt.datetime:
    """The moment the light turns yellow: `fraction` (settings.PINGAN_WARNING_FRACTION) of
    the time allowed has passed, counted the same way as the deadline."""
    if not natural:
        return workcal.warning_at(start, due_at, fraction)
    if fraction is None:
        fraction = settings.PINGAN_WARNING_FRACTION
    if due_at <= start:
        return due_at
    return start + (due_at - start) * fraction

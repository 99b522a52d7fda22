"""Helpers for the assessment's tests: a scheme of the cast's county in a frozen year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pingan.access.actor import Actor
from pingan.assessment import services

YEAR = 2031  # a year of its own: nothing else in the tests lives in it


def at(month: int, day: int, year: int = YEAR, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def office(cast: Any) -> Actor:
    return Actor.for_user(cast.county_dispatcher)


def published(cast: Any, year: int = YEAR, **kw: Any) -> Any:
    scheme = services.scheme_create(actor=office(cast), year=year, **kw)
    return services.scheme_publish(actor=office(cast), scheme_id=scheme.pk)


def town(cast: Any, which: str = "town_a") -> str:
    return f"town:{getattr(cast, which).pk}"


def dept(cast: Any, which: str = "police") -> str:
    return f"department:{getattr(cast, which).pk}"

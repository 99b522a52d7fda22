"""Who is on duty now: the shift a moment falls in and the duty officers of a region
(its town's and its county's), read by the notifications that go to them first.

The day shift runs from PINGAN_DUTY_DAY_START (default 8, the hour) to
PINGAN_DUTY_NIGHT_START (default 18); the night shift of a date runs from then to the
next morning, so at 03:00 the night shift of the day before is on duty.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from pingan.emergency.choices import DutyRole, Shift
from pingan.emergency.models import DutyShift
from pingan.geo.choices import Level
from pingan.geo.models import Region


def day_start() -> int:
    return int(getattr(settings, "PINGAN_DUTY_DAY_START", 8))


def night_start() -> int:
    return int(getattr(settings, "PINGAN_DUTY_NIGHT_START", 18))


def shift_at(at: dt.datetime) -> tuple[dt.date, str]:
    """The (date, shift) on duty at `at` (local time)."""
    local = timezone.localtime(at)
    if day_start() <= local.hour < night_start():
        return local.date(), Shift.DAY
    if local.hour >= night_start():
        return local.date(), Shift.NIGHT
    return local.date() - dt.timedelta(days=1), Shift.NIGHT


def duty_regions(region: Region) -> list[Region]:
    """The town and the county above `region` (or itself), the town first."""
    rows = {
        r.level: r
        for r in Region.objects.filter(
            code__in=region.ancestor_codes(), level__in=[Level.TOWN, Level.COUNTY]
        )
    }
    return [rows[level] for level in (Level.TOWN, Level.COUNTY) if level in rows]


def on_duty(region: Region, at: dt.datetime) -> list[DutyShift]:
    """The shifts on duty at `at` for `region`'s town and county: the town's first, and
    within one region the 带班领导 before the 值班员."""
    regions = duty_regions(region)
    if not regions:
        return []
    date, shift = shift_at(at)
    rows = list(
        DutyShift.objects.filter(date=date, shift=shift, region__in=regions, user__is_active=True)
        .select_related("user", "region")
        .order_by("id")
    )
    rank = {r.pk: i for i, r in enumerate(regions)}
    role_rank: dict[str, int] = {DutyRole.LEADER: 0, DutyRole.OFFICER: 1}
    rows.sort(key=lambda s: (rank[s.region_id], role_rank.get(s.role, 9), s.pk))
    return rows


def duty_officers(region: Region, at: dt.datetime) -> list[Any]:
    """The users on duty for `region` at `at` (module docstring), each once."""
    seen: dict[int, Any] = {}
    for s in on_duty(region, at):
        seen.setdefault(s.user_id, s.user)
    return list(seen.values())


def users_by_id(ids: set[int]) -> list[Any]:
    if not ids:
        return []
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))

"""Reads the demo builder needs (set-up code: no acting user, whole-system reads)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet

from pingan.accounts.models import User
from pingan.events.models import Event
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.models import Department, Membership


def region_by_code(code: str) -> Region | None:
    """The region with this code, or None."""
    return Region.objects.filter(code=code).first()


def regions_by_code(codes: list[str]) -> dict[str, Region]:
    """Regions with these codes, by code (a query per 500 codes)."""
    out: dict[str, Region] = {}
    for i in range(0, len(codes), 500):
        out.update({r.code: r for r in Region.objects.filter(code__in=codes[i : i + 500])})
    return out


def towns_of(county: Region) -> list[Region]:
    """The towns directly under `county`, in code order."""
    return list(Region.objects.filter(parent=county, level=Level.TOWN).order_by("code"))


def users_by_username(usernames: list[str]) -> dict[str, User]:
    """Users with these usernames, by username (chunked queries)."""
    out: dict[str, User] = {}
    for i in range(0, len(usernames), 500):
        chunk = usernames[i : i + 500]
        out.update({u.username: u for u in User.objects.filter(username__in=chunk)})
    return out


def membership_keys(user_ids: list[int]) -> set[tuple[int, str, int | None, int | None]]:
    """(user, role, region, department) of the active memberships of these users."""
    out: set[tuple[int, str, int | None, int | None]] = set()
    for i in range(0, len(user_ids), 500):
        rows = Membership.objects.filter(
            user_id__in=user_ids[i : i + 500], is_active=True
        ).values_list("user_id", "role", "region_id", "department_id")
        out.update(rows)
    return out


def departments_by_code() -> dict[str, Department]:
    """Every department, by code."""
    return {d.code: d for d in Department.objects.select_related("region")}


def existing_event_ids(uuids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """{client_uuid: event id} for the events among `uuids` that exist."""
    out: dict[uuid.UUID, int] = {}
    for i in range(0, len(uuids), 900):
        rows = Event.objects.filter(client_uuid__in=uuids[i : i + 900]).values_list(
            "client_uuid", "id"
        )
        out.update((cu, pk) for cu, pk in rows if cu is not None)
    return out


def county_events_before(county: Region, moment: dt.datetime) -> int:
    """How many events of `county` were reported before `moment`."""
    return Event.objects.filter(
        within_q("region_path", [county.path]), reported_at__lt=moment
    ).count()


def events_with_uuids(uuids: list[uuid.UUID]) -> QuerySet[Event]:
    """The events created with these client uuids."""
    return Event.objects.filter(client_uuid__in=uuids)

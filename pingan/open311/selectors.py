"""Reads of the Open311 server: our leaf categories as services, and requests made
through Open311 (only those: other channels' events are not published)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from pingan.events.choices import Status
from pingan.events.models import OPEN_STATUSES, Category, EventTransition
from pingan.open311.models import Open311Request

MAX_RESULTS = 1000
DEFAULT_SPAN = dt.timedelta(days=90)
CLOSED_STATUSES = [Status.CLOSED, Status.REJECTED, Status.MERGED]
# Published points are rounded to this many decimals: 0.001° is about 110 m of latitude
# (about 95 m of longitude here). The events keep full precision (docs/channels.md).
PUBLIC_DECIMALS = 3


def public_coordinate(value: float | None) -> float | None:
    """A latitude or longitude as Open311 publishes it (the one place that coarsens)."""
    return None if value is None else round(value, PUBLIC_DECIMALS)


def services() -> list[Category]:
    """Active leaf categories, in catalogue order."""
    cats = list(Category.objects.filter(is_active=True).select_related("parent"))
    parents = {c.parent_id for c in cats if c.parent_id}
    return [c for c in cats if c.pk not in parents and (c.parent is None or c.parent.is_active)]


def service(code: str) -> Category | None:
    for cat in services():
        if cat.code == code:
            return cat
    return None


def attribute_specs(category: Category) -> list[dict[str, Any]]:
    """The category's extra fields (its parent's first), as events.services checks them."""
    specs: list[dict[str, Any]] = []
    if category.parent_id and category.parent is not None:
        specs += list(category.parent.extra_fields or [])
    specs += list(category.extra_fields or [])
    return [s for s in specs if s.get("name")]


# `public_reply` on each row: the latest public reply (对外答复) on the event's timeline,
# or None. Never the internal note (issue 16, finding 3; docs/privacy.md).
def _base() -> QuerySet[Open311Request]:
    last_reply = (
        EventTransition.objects.filter(event_id=OuterRef("event_id"))
        .exclude(public_reply="")
        .order_by("-at", "-id")
        .values("public_reply")[:1]
    )
    return Open311Request.objects.select_related(
        "event", "event__category", "event__lead_department"
    ).annotate(public_reply=Subquery(last_reply))


def requests_by_ids(ids: Iterable[str]) -> list[Open311Request]:
    wanted = [i for i in ids if i]
    rows = {r.event.code: r for r in _base().filter(event__code__in=wanted)}
    return [rows[i] for i in dict.fromkeys(wanted) if i in rows]


def requests_search(
    *,
    service_codes: list[str],
    statuses: list[str],
    start: dt.datetime | None,
    end: dt.datetime | None,
    now: dt.datetime,
) -> list[Open311Request]:
    """Requests in [start, end] (by default the 90 days before now), newest first, at
    most MAX_RESULTS."""
    end = end or (start + DEFAULT_SPAN if start else now)
    start = start or end - DEFAULT_SPAN
    qs = _base().filter(event__reported_at__gte=start, event__reported_at__lte=end)
    if service_codes:
        qs = qs.filter(service_code__in=service_codes)
    wanted: list[str] = []
    if "open" in statuses:
        wanted += list(OPEN_STATUSES)
    if "closed" in statuses:
        wanted += CLOSED_STATUSES
    if statuses:
        qs = qs.filter(event__status__in=wanted)
    return list(qs.order_by("-event__reported_at", "-id")[:MAX_RESULTS])


def request_by_token(token: str) -> Open311Request | None:
    return _base().filter(token=token).first()


def w3(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")

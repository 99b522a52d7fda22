"""Key figures of the closed loop, always within the caller's scope.

Every figure is computed by aggregate queries over the scoped event table (a handful of
queries in all, never one per event), so the same selectors carry a county's ten million
events on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from pingan.core import clock
from pingan.events.choices import Satisfaction, Source, Status
from pingan.events.models import Event
from pingan.events.permissions import event_scope_q
from pingan.events.selectors import EventFilters, apply_filters, category_list

# "Accepted or beyond": the centre took the event in (a resolved-on-site event counts too:
# it is closed). Reported (not yet decided), rejected and merged events are not in it.
ACCEPTED_OR_BEYOND = [
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
    Status.CLOSED,
]
SATISFIED = [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]

# The figures that get a year-on-year comparison.
YOY_FIGURES = ("total", "closed", "closure_rate", "on_time_rate", "satisfaction_rate")


def _scoped(
    user: Any, region_id: int | None, date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[Event]:
    """Events in `user`'s scope reported in the period, in the region's subtree: exactly
    what GET /api/v1/events returns for region=, reported_from=, reported_to=."""
    filters = EventFilters(region=region_id, reported_from=date_from, reported_to=date_to)
    return apply_filters(Event.objects.filter(event_scope_q(user)), filters).order_by()


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _figures(qs: QuerySet[Event]) -> dict[str, Any]:
    """Counts and rates of one period, in one aggregate query."""
    row = qs.aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        accepted=Count("id", filter=Q(status__in=ACCEPTED_OR_BEYOND)),
        closed_on_time=Count("id", filter=Q(status=Status.CLOSED, closed_on_time=True)),
        followed_up=Count("id", filter=~Q(satisfaction="")),
        satisfied=Count("id", filter=Q(satisfaction__in=SATISFIED)),
    )
    return {
        "total": row["total"],
        "closed": row["closed"],
        "accepted": row["accepted"],
        "closed_on_time": row["closed_on_time"],
        "followed_up": row["followed_up"],
        "satisfied": row["satisfied"],
        "closure_rate": _rate(row["closed"], row["accepted"]),
        "on_time_rate": _rate(row["closed_on_time"], row["closed"]),
        "satisfaction_rate": _rate(row["satisfied"], row["followed_up"]),
    }


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _change(now: float | None, before: float | None) -> float | None:
    """Percent change from `before` to `now`; None when there is nothing to compare with."""
    if now is None or not before:
        return None
    return round((now - before) / before * 100, 1)


def summary(
    *,
    user: Any,
    region_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Key figures of events reported in [date_from, date_to] (whole days, either bound
    optional) in the region's subtree, within `user`'s scope.

    - total: events reported in the period.
    - by_category: per top-level category (a subcategory counts for its parent):
      `[{"category", "name", "count"}]`, largest first; likewise by_source
      (`[{"source", "name", "count"}]`) and by_status (`[{"status", "name", "count"}]`).
    - closed: those now closed (status closed, resolved-on-site included).
    - closure_rate = closed ÷ accepted-or-beyond (accepted, dispatched, in_progress,
      resolved, closed: reported, rejected and merged events are left out).
    - on_time_rate = closed with closed_on_time ÷ closed.
    - satisfaction_rate = (satisfied + basically_satisfied) ÷ followed up (satisfaction set).
    - Rates are fractions 0…1 rounded to 4 places, None when the divisor is 0.
    - yoy: for total, closed and the three rates, the percent change (1 place) against the
      same period a year earlier (each bound moved back one year; without `date_to` the
      earlier period ends a year before `today`); None when the earlier figure is 0/None.
      `previous_period` gives that period's bounds and figures.
    Queries: the scope, the region, one aggregate per period, one per breakdown.
    """
    qs = _scoped(user, region_id, date_from, date_to)
    figures = _figures(qs)

    by_top = list(
        qs.annotate(top=Coalesce("category__parent_id", "category_id"))
        .values("top")
        .annotate(count=Count("id"))
        .order_by("-count", "top")
    )
    names = dict(
        category_list().filter(pk__in=[r["top"] for r in by_top]).values_list("pk", "name")
    )
    by_category = [
        {"category": r["top"], "name": names.get(r["top"], ""), "count": r["count"]} for r in by_top
    ]
    by_source = [
        {
            "source": r["source"],
            "name": str(Source(r["source"]).label) if r["source"] in Source.values else "",
            "count": r["count"],
        }
        for r in qs.values("source").annotate(count=Count("id")).order_by("-count", "source")
    ]
    by_status = [
        {"status": r["status"], "name": str(Status(r["status"]).label), "count": r["count"]}
        for r in qs.values("status").annotate(count=Count("id")).order_by("-count", "status")
    ]

    today = today or timezone.localdate(clock.now())
    earlier_from = _year_before(date_from) if date_from else None
    earlier_to = _year_before(date_to or today)
    earlier = _figures(_scoped(user, region_id, earlier_from, earlier_to))
    yoy = {name: _change(figures[name], earlier[name]) for name in YOY_FIGURES}
    previous = {
        "from": earlier_from.isoformat() if earlier_from else None,
        "to": earlier_to.isoformat(),
        **{name: earlier[name] for name in YOY_FIGURES},
    }

    return {
        "total": figures["total"],
        "by_category": by_category,
        "by_source": by_source,
        "by_status": by_status,
        "closed": figures["closed"],
        "accepted": figures["accepted"],
        "closed_on_time": figures["closed_on_time"],
        "followed_up": figures["followed_up"],
        "closure_rate": figures["closure_rate"],
        "on_time_rate": figures["on_time_rate"],
        "satisfaction_rate": figures["satisfaction_rate"],
        "yoy": yoy,
        "previous_period": previous,
    }

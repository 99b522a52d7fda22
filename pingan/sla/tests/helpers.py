"""Drive events through the services at chosen moments (local time, Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pingan.core import clock
from pingan.events.services import event_report, event_transition

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def report(cast, when: dt.datetime, *, category=None, point=None, user=None, **kw):
    lat, lng = point or cast.point_a1
    category = category or cast.neighbour
    extra = {"place_kind": "商铺"} if category.pk == cast.fire.pk else None
    with clock.frozen(when):
        event, _ = event_report(
            actor=user or cast.gridworker,
            category=category.pk,
            description="城东小区3幢楼道堆放杂物，邻居争吵",
            lat=lat,
            lng=lng,
            extra=extra,
            **kw,
        )
    return event


def act(user, event, action: str, when: dt.datetime, **payload):
    with clock.frozen(when):
        return event_transition(actor=user, event_id=event.pk, action=action, payload=payload)


def dispatched(cast, when: dt.datetime, *, category=None, lead=None, assisting=(), **kw):
    """An event reported, accepted and dispatched at `when` by town A's dispatcher."""
    e = report(cast, when, category=category, **kw)
    act(cast.dispatcher, e, "accept", when)
    return act(
        cast.dispatcher,
        e,
        "dispatch",
        when,
        lead_department=(lead or cast.police).pk,
        assisting_departments=[d.pk for d in assisting],
    )

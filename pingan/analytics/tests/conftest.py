"""The small world of hand-counted events the KPI tests share."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.core import clock
from pingan.events.services import event_report, event_transition

TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, year: int = 2025, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=TZ)


def reported(cast, when, *, category=None, source="grid_patrol", town_b=False):
    lat, lng = cast.point_b1 if town_b else cast.point_a1
    user = cast.gridworker_b if town_b else cast.gridworker
    category = category or cast.neighbour
    extra = {"place_kind": "商铺"} if category == cast.fire else None
    with clock.frozen(when):
        event, _ = event_report(
            actor=user,
            category=category.pk,
            description="测试事件",
            source=source,
            lat=lat,
            lng=lng,
            reported_at=when,
            extra=extra,
        )
    return event


def act(user, event, action, when, **payload):
    with clock.frozen(when):
        return event_transition(actor=user, event_id=event.pk, action=action, payload=payload)


def handled(
    cast, event, *, day: int, resolve_on: dt.datetime, dispatcher=None, resolution="resolved"
):
    dispatcher = dispatcher or cast.county_dispatcher
    act(dispatcher, event, "accept", at(3, day, hour=10))
    act(dispatcher, event, "dispatch", at(3, day, hour=11), lead_department=cast.police.pk)
    act(cast.handler, event, "acknowledge", at(3, day, hour=14))
    act(cast.handler, event, "resolve", resolve_on, result="已处置", resolution=resolution)
    act(dispatcher, event, "verify", resolve_on + dt.timedelta(hours=1), passed=True)


@pytest.fixture
def world(cast):
    """Six events reported in March 2025, one in April, two in March 2024."""
    c = cast
    e1 = reported(c, at(3, 3))  # closed on time, satisfied
    handled(c, e1, day=3, resolve_on=at(3, 4, hour=15))
    act(c.county_dispatcher, e1, "follow_up", at(3, 6), satisfaction="satisfied")

    e2 = reported(c, at(3, 5), source="hotline_12345")  # settled on site, dissatisfied
    act(c.gridworker, e2, "resolve_on_site", at(3, 5, hour=10), result="现场调解")
    act(c.county_dispatcher, e2, "follow_up", at(3, 7), satisfaction="dissatisfied")

    e3 = reported(c, at(3, 10), category=c.fire)  # closed late, basically satisfied
    handled(c, e3, day=10, resolve_on=at(3, 28, hour=15))
    act(c.county_dispatcher, e3, "follow_up", at(3, 31), satisfaction="basically_satisfied")

    e4 = reported(c, at(3, 12))  # rejected
    act(c.county_dispatcher, e4, "reject", at(3, 12, hour=10), note="不属于受理范围")

    reported(c, at(3, 20), category=c.fire, town_b=True)  # still waiting, town B

    e6 = reported(c, at(3, 25))  # accepted only
    act(c.county_dispatcher, e6, "accept", at(3, 25, hour=10))

    reported(c, at(4, 2))  # after the period

    p1 = reported(c, at(3, 4, year=2024))  # a year earlier: closed on site
    act(c.gridworker, p1, "resolve_on_site", at(3, 4, year=2024, hour=10), result="已解决")
    p2 = reported(c, at(3, 15, year=2024))  # a year earlier: accepted
    act(c.county_dispatcher, p2, "accept", at(3, 15, year=2024, hour=10))
    return c

"""The summary figures against values worked out by hand for a small set of events."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.analytics.selectors import summary
from pingan.core import clock
from pingan.events.services import event_report, event_transition

TZ = ZoneInfo("Asia/Shanghai")
MARCH_2025 = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}


def at(month: int, day: int, year: int = 2025, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=TZ)


def reported(cast, when, *, category=None, source="grid_patrol", town_b=False):
    lat, lng = cast.point_b1 if town_b else cast.point_a1
    user = cast.gridworker_b if town_b else cast.gridworker
    category = category or cast.neighbour
    extra = {"place_kind": "商铺"} if category == cast.fire else None
    with clock.frozen(when):
        event, _ = event_report(
            user=user,
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
        return event_transition(user=user, event_id=event.pk, action=action, payload=payload)


def handled(cast, event, *, day: int, resolve_on: dt.datetime, dispatcher=None):
    dispatcher = dispatcher or cast.county_dispatcher
    act(dispatcher, event, "accept", at(3, day, hour=10))
    act(dispatcher, event, "dispatch", at(3, day, hour=11), lead_department=cast.police.pk)
    act(cast.handler, event, "acknowledge", at(3, day, hour=14))
    act(cast.handler, event, "resolve", resolve_on, result="已处置")
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


def test_figures_match_the_hand_count(world):
    s = summary(user=world.leader, **MARCH_2025)
    assert s["total"] == 6
    assert s["closed"] == 3
    # closed ÷ accepted-or-beyond: e1, e2, e3 closed; e6 accepted; e4 rejected and
    # e5 still reported are not counted.
    assert s["accepted"] == 4
    assert s["closure_rate"] == 0.75
    # on time: e1 and e2 (on site), not e3.
    assert s["closed_on_time"] == 2
    assert s["on_time_rate"] == 0.6667
    # satisfied + basically satisfied ÷ followed up = 2 ÷ 3.
    assert s["followed_up"] == 3
    assert s["satisfaction_rate"] == 0.6667
    assert s["by_category"] == [
        {"category": world.dispute.pk, "name": "矛盾纠纷", "count": 4},
        {"category": world.hazard.pk, "name": "安全隐患", "count": 2},
    ]
    assert s["by_source"] == [
        {"source": "grid_patrol", "name": "网格巡查", "count": 5},
        {"source": "hotline_12345", "name": "12345热线", "count": 1},
    ]
    assert s["by_status"] == [
        {"status": "closed", "name": "已办结", "count": 3},
        {"status": "accepted", "name": "已受理", "count": 1},
        {"status": "rejected", "name": "不予受理", "count": 1},
        {"status": "reported", "name": "待受理", "count": 1},
    ]


def test_year_on_year_against_march_2024(world):
    s = summary(user=world.leader, **MARCH_2025)
    # March 2024: 2 events, 1 closed (on time, on site), 2 accepted-or-beyond, none rated.
    assert s["previous_period"] == {
        "from": "2024-03-01",
        "to": "2024-03-31",
        "total": 2,
        "closed": 1,
        "closure_rate": 0.5,
        "on_time_rate": 1.0,
        "satisfaction_rate": None,
    }
    assert s["yoy"] == {
        "total": 200.0,  # 2 → 6
        "closed": 200.0,  # 1 → 3
        "closure_rate": 50.0,  # 0.5 → 0.75
        "on_time_rate": -33.3,  # 1.0 → 0.6667
        "satisfaction_rate": None,  # nothing to compare with
    }


def test_scope_and_region_narrow_the_figures(world):
    # The town B dispatcher sees only the waiting fire hazard in town B.
    s = summary(user=world.dispatcher_b, **MARCH_2025)
    assert s["total"] == 1
    assert s["by_status"] == [{"status": "reported", "name": "待受理", "count": 1}]
    assert s["closure_rate"] is None
    # The police handler sees the two events the police handled.
    s = summary(user=world.handler, **MARCH_2025)
    assert (s["total"], s["closed"], s["on_time_rate"]) == (2, 2, 0.5)
    # The county leader, narrowed to town A.
    s = summary(user=world.leader, region_id=world.town_a.pk, **MARCH_2025)
    assert s["total"] == 5
    # Someone without scope sees nothing.
    assert summary(user=world.sysadmin, **MARCH_2025)["total"] == 0


def test_open_bounds_cover_everything_reported(world):
    s = summary(user=world.leader, today=dt.date(2025, 6, 1))
    assert s["total"] == 9
    # Without bounds the earlier period is everything reported up to a year before today.
    assert s["previous_period"]["to"] == "2024-06-01"
    assert s["previous_period"]["total"] == 2


def test_leap_day_moves_to_28_february(cast):
    s = summary(user=cast.leader, date_from=dt.date(2024, 2, 29), date_to=dt.date(2024, 2, 29))
    assert s["previous_period"]["from"] == s["previous_period"]["to"] == "2023-02-28"


def test_summary_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    world.leader._pingan_memberships = None
    with django_assert_max_num_queries(10):
        summary(user=world.leader, region_id=world.county.pk, **MARCH_2025)

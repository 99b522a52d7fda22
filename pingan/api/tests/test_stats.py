"""GET /stats/summary: the same events as GET /events, counted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pingan.api.tests.helpers import dispatched_to_police, error_of, report
from pingan.events.services import event_transition


@pytest.fixture
def some_events(cast):
    report(cast)
    report(cast, point="point_a2", source="hotline_12345")
    report(cast, point="point_b1", user=cast.gridworker_b)
    e = dispatched_to_police(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    event_transition(actor=cast.handler, event_id=e.pk, action="resolve", payload={"result": "ok"})
    event_transition(
        actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )
    return cast


@pytest.mark.parametrize(
    "user", ["leader", "county_dispatcher", "dispatcher", "dispatcher_b", "handler", "gridworker"]
)
def test_summary_total_equals_the_event_list_count(some_events, api_as, user):
    c = some_events
    api = api_as(getattr(c, user))
    today = timezone.localdate().isoformat()
    for region in (None, c.county.pk, c.town_a.pk, c.grid_a2.pk, c.town_b.pk):
        for period in ({}, {"from": today, "to": today}, {"to": "2001-01-01"}):
            params = {"region": region} if region else {}
            listed = api.get(
                "/events",
                **params,
                **{f"reported_{k}": v for k, v in period.items()},
            ).json()["count"]
            stats = api.get("/stats/summary", **params, **period)
            assert stats.status_code == 200, stats.json()
            assert stats.json()["total"] == listed, (region, period)


def test_summary_shape(some_events, api_as):
    body = api_as(some_events.leader).get("/stats/summary").json()
    assert set(body) >= {
        "total",
        "by_category",
        "by_source",
        "by_status",
        "closed",
        "closure_rate",
        "on_time_rate",
        "satisfaction_rate",
        "yoy",
    }
    assert body["total"] == 4
    assert body["closed"] == 1
    assert body["closure_rate"] == 1.0  # the only accepted event is closed
    assert body["on_time_rate"] == 1.0
    assert body["satisfaction_rate"] is None
    [dispute] = body["by_category"]
    assert (dispute["category"], dispute["name"], dispute["count"]) == (
        some_events.dispute.pk,
        "矛盾纠纷",
        4,
    )
    # The row's rates come with their parts, and its 同比 with the reason it is missing.
    assert (dispute["closed"], dispute["accepted"], dispute["closure_rate"]) == (1, 1, 1.0)
    assert dispute["yoy"]["total"] is None and dispute["yoy_withheld"]["total"]
    assert body["yoy"]["total"] is None  # nothing a year earlier
    assert body["yoy_withheld"]["total"] == "基期数据不完整"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"region": "x"}, "region"),
        ({"region": "330424"}, "region"),  # a region code, not an id: no such region
    ],
)
def test_bad_summary_parameters_are_422(cast, api_as, params, field):
    r = api_as(cast.leader).get("/stats/summary", **params)
    assert r.status_code == 422
    assert field in error_of(r)["fields"]


@pytest.mark.parametrize("path", ["/stats/summary", "/stats/kpis", "/stats/regions"])
@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [
        ("0228-07-17", "2251-06-03", "from"),  # found by schemathesis: a 500
        ("0001-01-01", "0001-01-31", "from"),  # the year before is no date
        ("9999-12-01", "9999-12-31", "from"),
        ("2026-01-01", "9999-12-31", "to"),
    ],
)
def test_periods_beyond_any_record_are_422_not_500(cast, api_as, path, date_from, date_to, field):
    r = api_as(cast.leader).get(path, **{"from": date_from, "to": date_to})
    assert r.status_code == 422
    assert field in error_of(r)["fields"]


def test_the_dashboard_page_says_which_date_is_out_of_range(cast, client):
    client.force_login(cast.leader)
    r = client.get("/dashboard/", {"from": "0001-01-01", "to": "0001-01-31"})
    assert r.status_code == 422
    assert "日期应在 1950-01-01 至 2099-12-31 之间" in r.content.decode()

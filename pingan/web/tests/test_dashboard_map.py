"""The dashboard's map: towns of a county with their figures and outlines, grids below a
town, event pins in scope without personal data, and 422 for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from shapely.geometry import Point, shape

from pingan.analytics import selectors
from pingan.analytics.tests.conftest import act, at, reported
from pingan.conftest import square
from pingan.core import clock
from pingan.events.services import event_report
from pingan.geo.services import region_upsert
from pingan.web.views.dashboard_map import classes, event_pins

PERIOD = {"from": "2025-03-01", "to": "2025-03-31"}
FIGURES = ("count", "closed", "closure_rate", "on_time_rate", "overdue", "satisfaction_rate")


@pytest.fixture
def march(cast):
    e = reported(cast, at(3, 3))
    act(cast.gridworker, e, "resolve_on_site", at(3, 3, hour=10), result="现场调解")
    reported(cast, at(3, 5))
    reported(cast, at(3, 8), town_b=True)
    return cast


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_county_map_gives_the_towns_with_the_figures_of_the_town_ranking(march, cast):
    fc = client_for(cast.leader).get("/dashboard/map.geojson", {"region": cast.county.pk, **PERIOD})
    assert fc.status_code == 200
    fc = fc.json()
    assert fc["meta"]["level"] == "region"
    props = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    assert set(props) == {"武原街道", "通元镇"}
    ranking = selectors.region_breakdown(
        user=cast.leader,
        region_id=cast.county.pk,
        date_from=dt.date(2025, 3, 1),
        date_to=dt.date(2025, 3, 31),
    )
    for row in ranking:
        assert {k: props[row["name"]][k] for k in FIGURES} == {k: row[k] for k in FIGURES}
    # 武原街道: 2 reported, 1 settled on site: closed 1 of 1 accepted.
    town_a = props["武原街道"]
    assert (town_a["count"], town_a["closed"], town_a["accepted"]) == (2, 1, 1)
    assert town_a["closure_rate"] == 1.0
    # A town without a boundary of its own is drawn as the union of its grids, and its
    # name sits at a point inside that outline; a click leads to the town's dashboard.
    feature = next(f for f in fc["features"] if f["properties"]["name"] == "武原街道")
    outline = shape(feature["geometry"])
    assert outline.contains(Point(cast.point_a1[1], cast.point_a1[0]))
    assert outline.contains(Point(town_a["label"][1], town_a["label"][0]))
    assert f"region={cast.town_a.pk}" in town_a["url"]
    assert "/dashboard/" in town_a["url"]


def test_the_legend_gets_each_figures_name_classes_and_good_end(march, cast):
    meta = (
        client_for(cast.leader)
        .get("/dashboard/map.geojson", {"region": cast.county.pk, **PERIOD})
        .json()["meta"]
    )
    metrics = {m["key"]: m for m in meta["metrics"]}
    assert list(metrics) == [
        "count",
        "closure_rate",
        "on_time_rate",
        "overdue",
        "satisfaction_rate",
    ]
    assert metrics["closure_rate"]["label"] == "办结率"
    assert (metrics["closure_rate"]["num_label"], metrics["closure_rate"]["den_label"]) == (
        "办结",
        "受理",
    )
    # Low closure rates are bad news, many overdue matters are; the count is neither.
    assert metrics["closure_rate"]["better"] == "high"
    assert metrics["overdue"]["better"] == "low"
    assert metrics["count"]["better"] is None
    # Towns counted 2 and 1: two classes; town B accepted nothing, so its rate is no data.
    assert metrics["count"]["classes"] == [{"lo": 1, "hi": 1}, {"lo": 2, "hi": 2}]
    assert metrics["closure_rate"]["classes"] == [{"lo": 1.0, "hi": 1.0}]
    assert meta["text"]["no_data"]


def test_classes_keep_equal_values_together():
    assert classes([None, None]) == []
    assert classes([0, 0, 0, 0, 0, 0, 7]) == [{"lo": 0, "hi": 0}, {"lo": 7, "hi": 7}]
    got = classes(list(range(1, 11)))
    assert got == [{"lo": a, "hi": a + 1} for a in (1, 3, 5, 7, 9)]


def test_town_map_gives_its_grids_and_the_towns_outline(march, cast):
    fc = (
        client_for(cast.leader)
        .get("/dashboard/map.geojson", {"region": cast.town_a.pk, **PERIOD})
        .json()
    )
    assert fc["meta"]["level"] == "grid"
    assert fc["meta"]["pins_now"] is True
    props = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    assert (props["城东社区第一网格"]["count"], props["城东社区第二网格"]["count"]) == (2, 0)
    assert props["城东社区第二网格"]["closure_rate"] is None
    # The town's outline is drawn over the grids.
    assert shape(fc["meta"]["outline"]).contains(Point(cast.point_a2[1], cast.point_a2[0]))


def test_a_town_with_its_own_boundary_is_drawn_with_it(march, cast):
    own = square(120.9, 30.5, 0.1)
    region_upsert(
        code=cast.town_a.code,
        name=cast.town_a.name,
        level=cast.town_a.level,
        parent=cast.county,
        geometry=own,
    )
    fc = (
        client_for(cast.leader)
        .get("/dashboard/map.geojson", {"region": cast.county.pk, **PERIOD})
        .json()
    )
    feature = next(f for f in fc["features"] if f["properties"]["name"] == "武原街道")
    assert feature["geometry"] == own


def test_pins_show_a_town_user_only_their_towns_events(march, cast):
    # Reported off the grid's centre (its representative point).
    with clock.frozen(at(3, 9)):
        event_report(
            actor=cast.gridworker_b,
            category=cast.neighbour.pk,
            description="路灯损坏",
            source="grid_patrol",
            lat=30.602,
            lng=120.808,
            reported_at=at(3, 9),
        )
    pins = (
        client_for(cast.leader_b)
        .get("/dashboard/pins.json", {"region": cast.county.pk, **PERIOD})
        .json()
    )
    assert len(pins["pins"]) == 2
    assert pins["capped"] is False
    pin = pins["pins"][0]
    assert pin["title"] == "路灯损坏"
    assert set(pin) == {"id", "code", "title", "status", "mark", "lat", "lng"}
    assert pins["statuses"][pin["status"]] == "待受理"
    # A leader may not see the address: the pin stands on the grid's point, not the
    # event's.
    cast.grid_b1.refresh_from_db()
    assert {(p["lat"], p["lng"]) for p in pins["pins"]} == {(cast.grid_b1.lat, cast.grid_b1.lng)}
    assert pins["exact"] is False
    assert pins["event_url"].replace("{id}", str(pin["id"])) == f"/events/{pin['id']}/"


def test_pins_have_no_personal_data_and_the_dispatcher_gets_the_point(march, cast):
    with clock.frozen(at(3, 9)):
        event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description="邻居13912345678家噪音扰民",
            source="grid_patrol",
            lat=30.522,
            lng=120.948,
            reported_at=at(3, 9),
        )
    leader = client_for(cast.leader).get(
        "/dashboard/pins.json", {"region": cast.town_a.pk, **PERIOD}
    )
    body = leader.content.decode()
    assert "13912345678" not in body
    assert "139****5678" in body
    assert (30.522, 120.948) not in {(p["lat"], p["lng"]) for p in leader.json()["pins"]}
    dispatcher = (
        client_for(cast.dispatcher)
        .get("/dashboard/pins.json", {"region": cast.town_a.pk, **PERIOD})
        .json()
    )
    # The town's dispatcher may unmask the address: the pins stand on the events' points.
    assert dispatcher["exact"] is True
    assert {(p["lat"], p["lng"]) for p in dispatcher["pins"]} == {cast.point_a1, (30.522, 120.948)}


def test_pins_are_capped_to_the_newest(march, cast):
    got = event_pins(
        user=cast.leader,
        region=cast.county,
        date_from=dt.date(2025, 3, 1),
        date_to=dt.date(2025, 3, 31),
        cap=2,
    )
    assert got["capped"] is True
    newest = sorted(all_events(), key=lambda e: (e.reported_at, e.pk), reverse=True)[:2]
    assert [p["id"] for p in got["pins"]] == [e.pk for e in newest]


def all_events():
    from pingan.events.models import Event

    return list(Event.objects.all())


def test_pins_take_a_fixed_number_of_statements(march, cast, django_assert_max_num_queries):
    c = client_for(cast.leader)
    c.get("/dashboard/pins.json", {"region": cast.county.pk, **PERIOD})
    for d in range(10, 20):
        reported(cast, at(3, d))
    # Session and user (4 with the session's save), the actor's memberships and
    # clearances, the region, the events: the same with 3 events or 13.
    with django_assert_max_num_queries(10):
        r = c.get("/dashboard/pins.json", {"region": cast.county.pk, **PERIOD})
    assert len(r.json()["pins"]) == 13


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/dashboard/map.geojson", {"from": "2025-13-01"}, "from"),
        ("/dashboard/map.geojson", {"level": "town"}, "level"),
        ("/dashboard/pins.json", {"to": "x"}, "to"),
        ("/dashboard/pins.json", {"bbox": "120,30,abc,31"}, "bbox"),
        ("/dashboard/pins.json", {"bbox": "121,30,120,31"}, "bbox"),
        ("/dashboard/pins.json", {"region": "999999"}, "region"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(cast, url, params, field):
    r = client_for(cast.leader).get(url, params)
    assert r.status_code == 422
    assert field in r.json()["error"]["fields"]

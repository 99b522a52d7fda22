"""Dashboards, the wall, the map, briefings page and Excel export from the pages."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from openpyxl import load_workbook

from pingan.analytics.tests.conftest import act, at, reported
from pingan.geo.services import region_upsert

PERIOD = {"from": "2025-03-01", "to": "2025-03-31"}


@pytest.fixture
def march(cast):
    e = reported(cast, at(3, 3))
    act(cast.gridworker, e, "resolve_on_site", at(3, 3, hour=10), result="现场调解")
    reported(cast, at(3, 5))
    reported(cast, at(3, 8), town_b=True)
    return cast


def client_for(cast, user):
    c = Client()
    c.force_login(user)
    return c


def test_dashboard_figures_link_to_the_events_behind_them(march, cast):
    c = client_for(cast, cast.leader)
    r = c.get("/dashboard/", {"region": cast.county.pk, **PERIOD})
    assert r.status_code == 200
    cards = {card["key"]: card for card in r.context["cards"]}
    assert cards["total"]["value"] == "3"
    # The county total links to the list with the same filters, which lists 3 events.
    url = urlparse(cards["total"]["url"])
    assert url.path == "/events/"
    listed = c.get(url.path, parse_qs(url.query))
    assert listed.context["page"].paginator.count == 3
    # Towns are ranked and each drills down to its own dashboard.
    ranking = {r["name"]: r for r in r.context["regions"]}
    assert (ranking["武原街道"]["count"], ranking["通元镇"]["count"]) == (2, 1)
    town = c.get(ranking["武原街道"]["url"])
    assert town.context["cards"][0]["value"] == "2"
    assert [x.name for x in town.context["crumbs"]] == ["海盐县", "武原街道"]
    assert "echarts.min.js" in r.content.decode()


def test_town_leader_sees_only_their_town(march, cast):
    c = client_for(cast, cast.leader_b)
    r = c.get("/dashboard/", PERIOD)
    assert r.context["cards"][0]["value"] == "1"
    assert r.context["region"] == cast.town_b


def test_map_gives_grid_polygons_with_figures(march, cast):
    c = client_for(cast, cast.leader)
    fc = c.get("/dashboard/map.geojson", {"region": cast.town_a.pk, **PERIOD}).json()
    props = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    assert props["城东社区第一网格"]["count"] == 2
    assert props["城东社区第一网格"]["closure_rate"] == 1.0
    assert props["城东社区第二网格"]["count"] == 0
    assert fc["features"][0]["geometry"]["type"] == "Polygon"
    # Each grid drills down to its own dashboard and event list.
    first = props["城东社区第一网格"]
    assert f"region={first['id']}" in first["url"]
    assert c.get(first["list_url"]).status_code == 200


def test_map_shows_a_redrawn_polygon(march, cast):
    c = client_for(cast, cast.leader)
    c.get("/dashboard/map.geojson", {"region": cast.town_a.pk, **PERIOD})
    grid = cast.grid_a1
    ring = [[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]
    region_upsert(
        code=grid.code,
        name=grid.name,
        level=grid.level,
        parent=grid.parent,
        geometry={"type": "Polygon", "coordinates": [ring]},
    )
    fc = c.get("/dashboard/map.geojson", {"region": cast.town_a.pk, **PERIOD}).json()
    shapes = {f["properties"]["id"]: f["geometry"] for f in fc["features"]}
    assert shapes[grid.pk]["coordinates"] == [ring]


def test_wall_refreshes_itself(march, cast):
    r = client_for(cast, cast.leader).get("/dashboard/wall/", PERIOD)
    assert r.status_code == 200
    assert '<meta http-equiv="refresh" content="60">' in r.content.decode()


def test_bad_dates_are_a_message(cast):
    r = client_for(cast, cast.leader).get("/dashboard/", {"from": "2025-13-01"})
    assert r.status_code == 422
    assert "日期格式" in r.content.decode()


def test_briefing_page_downloads_and_archives(march, cast):
    c = client_for(cast, cast.leader)
    r = c.get("/briefings/", {"region": cast.county.pk, "make": "docx", **PERIOD})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    page = c.get("/briefings/")
    assert "海盐县基层社会治理工作简报（2025年3月）" in page.content.decode()


def test_event_list_exports_to_xlsx_with_the_filters(march, cast):
    c = client_for(cast, cast.leader)
    r = c.get("/events/export.xlsx", {"region": cast.town_b.pk})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert len(list(ws.iter_rows(values_only=True))) == 4 + 1


def test_event_list_page_offers_the_excel_export_of_its_filters(march, cast):
    c = client_for(cast, cast.leader)
    r = c.get("/events/", {"region": cast.town_b.pk})
    assert f'href="/events/export.xlsx?region={cast.town_b.pk}"' in r.content.decode()


def test_dashboard_extras_fragment_has_departments_and_single_event_figures(cast):
    e = reported(cast, at(3, 3))
    act(cast.county_dispatcher, e, "accept", at(3, 3, hour=10))
    act(cast.county_dispatcher, e, "dispatch", at(3, 3, hour=11), lead_department=cast.police.pk)
    c = client_for(cast, cast.leader)
    page = c.get("/dashboard/", {"region": cast.county.pk, **PERIOD}).content.decode()
    assert 'hx-get="/dashboard/extras/?' in page
    r = c.get("/dashboard/extras/", {"region": cast.county.pk, **PERIOD})
    body = r.content.decode()
    assert "县公安局" in body
    assert f"department={cast.police.pk}" in body
    assert r.context["k"]["repeats"] == 0


def test_dashboard_extras_equal_the_kpi_table(cast):
    from pingan.analytics import selectors

    first = reported(cast, at(3, 3))
    act(cast.gridworker, first, "resolve_on_site", at(3, 4), result="现场解决")
    again = reported(cast, at(3, 5))  # same place and category: a repeat report
    act(cast.county_dispatcher, again, "accept", at(3, 5, hour=10))
    act(
        cast.county_dispatcher, again, "dispatch", at(3, 5, hour=11), lead_department=cast.police.pk
    )
    c = client_for(cast, cast.leader)
    k = c.get("/dashboard/extras/", {"region": cast.county.pk, **PERIOD}).context["k"]
    full = selectors.kpi_table(
        user=cast.leader,
        region_id=cast.county.pk,
        date_from=dt.date.fromisoformat(PERIOD["from"]),
        date_to=dt.date.fromisoformat(PERIOD["to"]),
    )
    assert k["repeats"] == 1
    assert k["handle_days_median"] is not None
    for key in ("repeats", "repeat_rate", "handle_days_median"):
        assert k[key] == full[key], key
    assert k["returns_by_department"] == full["returns_by_department"]
    assert [(d["department"], d["count"]) for d in k["by_department"]] == [
        (d["department"], d["count"]) for d in full["by_department"]
    ]

"""Issue 16, finding #9: where a grid worker may report (docs/field-app.md, "Where a grid
worker reports"). Both the phone's `POST /field/reports` and the general `POST /events`
go through `events.services.event_report`, which holds the rule:

* a grid worker (or grid leader) reports in the grids of their own memberships' regions;
* a point outside them is accepted only with `outside_own_grid: true`; the server then
  locates the grid containing the point, and the timeline and the audit row say so;
* a region id outside their regions is a 422 on `region`, flag or no flag.
"""

from __future__ import annotations

import uuid

import pytest

from pingan.api.tests.helpers import error_of
from pingan.conftest import square
from pingan.core.models import AuditEntry
from pingan.events.models import Event, EventTransition
from pingan.geo.choices import Level
from pingan.geo.services import region_upsert

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/field/reports", "/events"]
CJK = ("\u4e00", "\u9fff")


def _body(cast, **kw):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "category": cast.neighbour.pk,
        "description": "村口道路堆放建筑垃圾",
    }
    body.update(kw)
    return body


def _chinese(text: str) -> bool:
    return any(CJK[0] <= ch <= CJK[1] for ch in text)


def _nothing_written() -> None:
    assert not Event.objects.exists()
    assert not EventTransition.objects.exists()
    assert not AuditEntry.objects.filter(action="event.report").exists()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_region_of_another_town_is_refused_on_the_region_field(cast, api_as, path):
    api = api_as(cast.gridworker)
    for flag in (False, True):  # the flag is for points, not for a chosen region
        r = api.post(path, _body(cast, region=cast.grid_b1.pk, outside_own_grid=flag))
        assert r.status_code == 422, r.content
        fields = error_of(r)["fields"]
        assert set(fields) == {"region"} and _chinese(fields["region"])
    # A region above the worker's own grid is outside it as well.
    r = api.post(path, _body(cast, region=cast.town_a.pk))
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"region"}
    _nothing_written()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_point_outside_the_own_grid_needs_the_flag(cast, api_as, path):
    api = api_as(cast.gridworker)
    lat, lng = cast.point_b1
    r = api.post(path, _body(cast, lat=lat, lng=lng))
    assert r.status_code == 422, r.content
    fields = error_of(r)["fields"]
    assert set(fields) == {"lat"} and _chinese(fields["lat"])
    assert "不在本人网格内" in fields["lat"]
    _nothing_written()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_flagged_point_outside_is_located_by_the_server_and_noted(cast, api_as, path):
    api = api_as(cast.gridworker)
    lat, lng = cast.point_b1
    # The region the phone sent is its own grid; the server's grid of the point wins.
    body = _body(cast, lat=lat, lng=lng, region=cast.grid_a1.pk, outside_own_grid=True)
    r = api.post(path, body)
    assert r.status_code == 201, r.content
    event = Event.objects.get()
    assert event.region_id == cast.grid_b1.pk and r.json()["region_name"] == "通元村第一网格"
    row = EventTransition.objects.get(event=event, action="report")
    assert row.data["outside_own_grid"] is True and row.data["grid"] == cast.grid_b1.pk
    assert "不在本人网格内" in row.note
    audit = AuditEntry.objects.get(action="event.report", object_id=str(event.pk))
    assert audit.detail["outside_own_grid"] is True and audit.detail["grid"] == cast.grid_b1.pk
    # The town B centre sees it in its queue; the worker still sees what they reported.
    assert api_as(cast.dispatcher_b).get(f"/events/{event.pk}").status_code == 200
    assert api.get(f"/events/{event.pk}").status_code == 200
    # The repeat of the same uuid answers the same event and notes nothing more.
    assert api.post(path, body).status_code == 200
    assert EventTransition.objects.filter(event=event).count() == 1


@pytest.mark.parametrize("path", ENDPOINTS)
def test_own_grid_reports_are_not_noted(cast, api_as, path):
    api = api_as(cast.gridworker)
    lat, lng = cast.point_a1
    by_point = api.post(path, _body(cast, lat=lat, lng=lng, outside_own_grid=True))
    by_region = api.post(path, _body(cast, region=cast.grid_a1.pk))
    assert (by_point.status_code, by_region.status_code) == (201, 201)
    for row in EventTransition.objects.filter(action="report"):
        assert "outside_own_grid" not in row.data and row.note == ""
        assert row.event.region_id == cast.grid_a1.pk


def test_a_special_grid_drawn_over_the_own_grid_is_not_outside(cast, api_as):
    """The locator gives a point in a market to the market's special grid; the worker whose
    grid lies under it reports there as in their own grid (the phone saw its own grid)."""
    market, _ = region_upsert(
        code="330424001001901",
        name="城东农贸市场专属网格",
        level=Level.GRID,
        parent=cast.village_a,
        geometry=square(120.944, 30.524, 0.002),
        is_special=True,
    )
    lat, lng = cast.point_a1
    r = api_as(cast.gridworker).post("/field/reports", _body(cast, lat=lat, lng=lng))
    assert r.status_code == 201, r.content
    row = EventTransition.objects.get(action="report")
    assert row.event.region_id == market.pk and row.data == {} and row.note == ""


def test_a_grid_leader_reports_in_every_grid_of_the_village(cast, api_as):
    api = api_as(cast.gridleader)
    lat, lng = cast.point_a2
    assert api.post("/field/reports", _body(cast, lat=lat, lng=lng)).status_code == 201
    assert api.post("/events", _body(cast, region=cast.grid_a2.pk)).status_code == 201
    r = api.post("/events", _body(cast, region=cast.grid_b1.pk))
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"region"}


def test_the_worker_of_town_b_is_held_to_town_b(cast, api_as):
    api = api_as(cast.gridworker_b)
    r = api.post("/field/reports", _body(cast, region=cast.grid_a1.pk))
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"region"}
    lat, lng = cast.point_a1
    r = api.post("/events", _body(cast, lat=lat, lng=lng))
    assert r.status_code == 422 and set(error_of(r)["fields"]) == {"lat"}
    _nothing_written()


def test_the_centre_still_reports_anywhere_in_its_region(cast, api_as):
    """The rule is the grid staff's: a dispatcher types in what citizens report."""
    api = api_as(cast.county_dispatcher)
    lat, lng = cast.point_b1
    assert api.post("/events", _body(cast, lat=lat, lng=lng)).status_code == 201
    assert api.post("/field/reports", _body(cast, region=cast.grid_a2.pk)).status_code == 201

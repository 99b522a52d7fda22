"""Patrols through the API, with summaries checked against hand-computed tracks.

Distances by hand: along a meridian 0.001° of latitude is R·π/180·0.001 = 111.19508 m
(R = 6 371 008.8 m); along the parallel φ = 30.525°, 0.001° of longitude is
R·cos φ·π/180·0.001 = 95.78429 m.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection

from pingan.core import clock
from pingan.patrols import track
from pingan.patrols.models import Patrol, PatrolBatch, PatrolVisit

pytestmark = pytest.mark.django_db


def _start(api, at):
    r = api.post("/patrols", {"client_uuid": str(uuid.uuid4()), "started_at": at.isoformat()})
    assert r.status_code == 201, r.content
    return r.json()["id"]


def _points(coords, t0, step_s=10):
    return [
        {"lat": lat, "lng": lng, "at": (t0 + dt.timedelta(seconds=i * step_s)).isoformat()}
        for i, (lat, lng) in enumerate(coords)
    ]


def test_walk_north_inside_one_grid(cast, api_as):
    api = api_as(cast.gridworker)
    t0 = clock.now().replace(microsecond=0) - dt.timedelta(hours=1)
    pid = _start(api, t0)
    coords = [(30.521 + 0.001 * i, 120.945) for i in range(10)]  # 9 steps north
    r = api.post(f"/patrols/{pid}/points", {"points": _points(coords, t0)})
    assert r.json() == {"accepted": 10, "point_count": 10}
    r = api.post(
        f"/patrols/{pid}/finish", {"finished_at": (t0 + dt.timedelta(seconds=100)).isoformat()}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["distance_m"] == pytest.approx(9 * 111.19508, abs=0.1)
    assert body["duration_s"] == 100
    assert body["grids"] == [cast.grid_a1.pk]


def test_walk_east_across_two_grids_in_two_batches(cast, api_as):
    api = api_as(cast.gridworker)
    t0 = clock.now().replace(microsecond=0) - dt.timedelta(hours=1)
    pid = _start(api, t0)
    coords = [(30.525, 120.9455 + 0.001 * i) for i in range(11)]  # a1 → a2 at 120.95
    pts = _points(coords, t0)
    assert api.post(f"/patrols/{pid}/points", {"points": pts[:6]}).json()["accepted"] == 6
    # The phone resends the first batch with the rest (its answer was lost): no doubles.
    r = api.post(f"/patrols/{pid}/points", {"points": pts})
    assert r.json() == {"accepted": 5, "point_count": 11}
    assert api.post(f"/patrols/{pid}/points", {"points": pts}).json()["accepted"] == 0
    body = api.post(f"/patrols/{pid}/finish", {}).json()
    assert body["distance_m"] == pytest.approx(10 * 95.78429, abs=0.1)
    assert body["grids"] == [cast.grid_a1.pk, cast.grid_a2.pk]
    patrol = Patrol.objects.get(pk=pid)
    assert sum(b.count for b in patrol.batches.all()) == 11
    # Finishing again (a retry) answers the same summary.
    assert api.post(f"/patrols/{pid}/finish", {}).json() == body


def test_gps_jump_adds_no_distance():
    t = 1_700_000_000_000
    pts = [(t, 30.525, 120.945), (t + 10_000, 30.526, 120.945), (t + 20_000, 30.625, 120.945)]
    # 0.099° north in 10 s is about 1.1 km/s: a jump, ignored.
    assert track.distance_m(pts) == pytest.approx(111.19508, abs=0.01)


def test_four_hour_patrol_is_stored_in_one_packed_row(cast, api_as):
    api = api_as(cast.gridworker)
    t0 = clock.now().replace(microsecond=0) - dt.timedelta(hours=5)
    pid = _start(api, t0)
    coords = [(30.521 + 0.000005 * i, 120.945) for i in range(1440)]
    r = api.post(f"/patrols/{pid}/points", {"points": _points(coords, t0)})
    assert r.json()["accepted"] == 1440
    batches = PatrolBatch.objects.filter(patrol_id=pid)
    assert batches.count() == 1
    assert len(bytes(batches.get().data)) == 1440 * 24
    body = api.post(
        f"/patrols/{pid}/finish", {"finished_at": (t0 + dt.timedelta(hours=4)).isoformat()}
    ).json()
    assert body["duration_s"] == 4 * 3600
    assert body["distance_m"] == pytest.approx(1439 * 111.19508 * 0.005, abs=0.5)


def test_start_is_idempotent_and_visits_are_logged(cast, api_as):
    api = api_as(cast.gridworker)
    cu = str(uuid.uuid4())
    at = clock.now().isoformat()
    first = api.post("/patrols", {"client_uuid": cu, "started_at": at})
    again = api.post("/patrols", {"client_uuid": cu, "started_at": at})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    pid = first.json()["id"]
    visit = {"client_uuid": str(uuid.uuid4()), "kind": "household", "target": "城东小区3幢201室"}
    assert api.post(f"/patrols/{pid}/visits", visit).status_code == 201
    assert api.post(f"/patrols/{pid}/visits", visit).status_code == 200
    detail = api.get(f"/patrols/{pid}").json()
    assert [v["target"] for v in detail["visits"]] == ["城东小区3幢201室"]
    # The grid leader sees the visit, the household masked; the row is encrypted at rest.
    person = {"client_uuid": str(uuid.uuid4()), "kind": "key_person", "target": "李四光"}
    assert api.post(f"/patrols/{pid}/visits", person).status_code == 201
    seen = api_as(cast.gridleader).get(f"/patrols/{pid}").json()
    assert [v["target"] for v in seen["visits"]] == ["城东小区3幢****", "李**"]
    with connection.cursor() as cur:
        cur.execute("SELECT target FROM patrols_patrolvisit")
        stored = [r[0] for r in cur.fetchall()]
    assert len(stored) == 2 and not {"城东小区3幢201室", "李四光"} & set(stored)


def test_scope_leader_sees_others_do_not(cast, api_as):
    api = api_as(cast.gridworker)
    t0 = clock.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    pid = _start(api, t0)
    api.post(f"/patrols/{pid}/points", {"points": _points([(30.525, 120.945)], t0)})
    leader = api_as(cast.gridleader).get(f"/patrols/{pid}")
    assert leader.status_code == 200
    assert leader.json()["track"][0][:2] == [30.525, 120.945]
    assert api_as(cast.gridworker_b).get(f"/patrols/{pid}").status_code == 404
    assert (
        api_as(cast.gridworker_b).post(f"/patrols/{pid}/points", {"points": []}).status_code == 404
    )
    assert [p["id"] for p in api_as(cast.leader_b).get("/patrols").json()] == []


def test_bad_points_are_refused_whole(cast, api_as):
    api = api_as(cast.gridworker)
    t0 = clock.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    pid = _start(api, t0)
    pts = _points([(30.525, 120.945), (95.0, 120.945)], t0)
    r = api.post(f"/patrols/{pid}/points", {"points": pts})
    assert r.status_code == 422
    assert "points.1" in r.json()["error"]["fields"]
    assert Patrol.objects.get(pk=pid).point_count == 0


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [
        (-100.0, 120.945, "lat"),
        (90.5, 120.945, "lat"),
        (30.525, 500.0, "lng"),
        (30.525, -180.5, "lng"),
        (float("nan"), 120.945, "lat"),
        (30.525, float("nan"), "lng"),
        (float("inf"), 120.945, "lat"),
        (30.525, float("-inf"), "lng"),
    ],
)
def test_visit_outside_the_globe_is_refused_naming_the_field(cast, api_as, lat, lng, field):
    """Issue 16, finding #12: a visit's place is checked as a point's is (422, nothing kept)."""
    api = api_as(cast.gridworker)
    pid = _start(api, clock.now().replace(microsecond=0) - dt.timedelta(minutes=30))
    visit = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "household",
        "target": "城东小区3幢201室",
        "lat": lat,
        "lng": lng,
    }
    r = api.post(f"/patrols/{pid}/visits", visit)
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert set(error["fields"]) == {field}, error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["fields"][field])
    assert not PatrolVisit.objects.exists()


def test_visit_limits_are_checked_by_the_service_too(cast, api_as):
    from pingan.core.errors import Invalid
    from pingan.patrols.services import patrol_visit_add

    api = api_as(cast.gridworker)
    pid = _start(api, clock.now().replace(microsecond=0) - dt.timedelta(minutes=30))
    for lat, lng, field in ((-100.0, 120.0, "lat"), (30.0, 500.0, "lng"), (30.0, "x", "lng")):
        with pytest.raises(Invalid) as caught:
            patrol_visit_add(
                actor=cast.gridworker,
                patrol_id=pid,
                client_uuid=uuid.uuid4(),
                kind="household",
                target="城东小区3幢201室",
                lat=lat,
                lng=lng,
            )
        assert set(caught.value.fields) == {field}
    # The edges of the globe are places.
    for lat, lng in ((-90.0, -180.0), (90.0, 180.0)):
        visit, created = patrol_visit_add(
            actor=cast.gridworker,
            patrol_id=pid,
            client_uuid=uuid.uuid4(),
            kind="household",
            target="城东小区3幢201室",
            lat=lat,
            lng=lng,
        )
        assert created and (visit.lat, visit.lng) == (lat, lng)
    assert PatrolVisit.objects.count() == 2

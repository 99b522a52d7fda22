"""Cameras: registration, the nearest within the radius, the map layer, scope."""

from __future__ import annotations

import pytest
from django.test import override_settings

from pingan.core.errors import Forbidden, Invalid
from pingan.places.selectors import camera_features, camera_list, cameras_near
from pingan.places.services import camera_update
from pingan.places.tests.factories import new_camera

# A point in grid A1 and offsets of about 100 m (latitude) / 96 m (longitude).
LAT, LNG = 30.525, 120.945
D_LAT, D_LNG = 0.0009, 0.001


@pytest.fixture
def cams(cast):
    return {
        "c100": new_camera(cast, "C100", LAT + D_LAT, LNG),  # ~100 m north
        "c50": new_camera(cast, "C50", LAT, LNG - D_LNG / 2),  # ~48 m west
        "c250": new_camera(cast, "C250", LAT - 2.5 * D_LAT, LNG),  # ~250 m south
        "c400": new_camera(cast, "C400", LAT, LNG + 4.2 * D_LNG),  # ~404 m east
        "gone": new_camera(cast, "GONE", LAT, LNG + D_LNG / 10, status="removed"),
    }


def test_the_nearest_cameras_within_the_radius_come_first(cast, cams):
    found = cameras_near(LAT, LNG)
    assert [n.camera.code for n in found] == ["C50", "C100", "C250"]
    assert [round(n.distance_m, -1) for n in found] == [50, 100, 250]
    assert [n.camera.code for n in cameras_near(LAT, LNG, radius_m=120)] == ["C50", "C100"]
    assert [n.camera.code for n in cameras_near(LAT, LNG, limit=1)] == ["C50"]
    with override_settings(PINGAN_CAMERA_RADIUS_M=500):
        assert [n.camera.code for n in cameras_near(LAT, LNG)][-1] == "C400"


def test_cameras_are_registered_by_dispatchers_in_their_regions(cast):
    with pytest.raises(Forbidden):
        new_camera(cast, "X1", LAT, LNG, actor=cast.gridworker)
    with pytest.raises(Invalid) as e:
        new_camera(cast, "X1", LAT, LNG, actor=cast.dispatcher_b)
    assert set(e.value.fields) == {"region"}
    camera = new_camera(cast, "X1", LAT, LNG)
    assert camera.region == cast.grid_a1  # located by its point
    with pytest.raises(Invalid) as e:
        new_camera(cast, "X1", LAT, LNG)
    assert set(e.value.fields) == {"code"}
    with pytest.raises(Invalid) as e:
        new_camera(cast, "X2", None, None)
    assert set(e.value.fields) == {"lat"}
    camera_update(actor=cast.dispatcher, camera_id=camera.pk, data={"status": "offline"})
    with pytest.raises(Invalid) as e:
        new_camera(cast, "X3", LAT, LNG, kind="satellite")
    assert set(e.value.fields) == {"kind"}


def test_the_map_layer_is_geojson_of_the_cameras_in_scope(cast, cams):
    new_camera(cast, "B1", 30.605, 120.805, actor=cast.dispatcher_b)
    features, truncated = camera_features(actor=cast.dispatcher, limit=100)
    assert not truncated
    assert sorted(f["properties"]["code"] for f in features) == ["C100", "C250", "C400", "C50"]
    c50 = next(f for f in features if f["properties"]["code"] == "C50")
    assert c50["geometry"] == {"type": "Point", "coordinates": [LNG - D_LNG / 2, LAT]}
    features, truncated = camera_features(actor=cast.dispatcher, limit=2)
    assert len(features) == 2 and truncated
    assert [c.code for c in camera_list(actor=cast.gridworker_b)] == ["B1"]
    assert camera_features(actor=cast.handler, limit=10) == ([], False)

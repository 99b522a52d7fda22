"""The citizen report page's map: the towns' outlines with a point for each name, the
tile server only when one is configured, and a visible hint to tap the map."""

from __future__ import annotations

import pytest
from django.test import Client
from shapely.geometry import Point, shape

from pingan.conftest import square
from pingan.intake.services import integration_setup


@pytest.fixture
def citizen(cast):
    cast.town_a.geometry = square(120.9, 30.5, 0.1)
    cast.town_a.save(update_fields=["geometry"])
    return integration_setup(channel="citizen", region=cast.county)


def test_the_towns_come_with_a_point_inside_for_their_names(cast, citizen):
    fc = Client().get("/citizen/regions.geojson").json()
    (town,) = fc["features"]
    assert town["properties"]["name"] == "武原街道"
    lat, lng = town["properties"]["label"]
    assert shape(town["geometry"]).contains(Point(lng, lat))
    # No tile server configured: the page draws the outlines on a plain background.
    assert fc["tile_url"] == ""


def test_the_configured_tile_server_is_named(cast, citizen, settings):
    settings.PINGAN_MAP_TILE_URL = "http://tiles.intranet/{z}/{x}/{y}.png"
    fc = Client().get("/citizen/regions.geojson").json()
    assert fc["tile_url"] == "http://tiles.intranet/{z}/{x}/{y}.png"


def test_the_page_says_to_tap_the_map(cast, citizen):
    page = Client().get("/citizen/").content.decode()
    assert 'id="citizen-map-hint"' in page
    assert "点击地图选择位置" in page

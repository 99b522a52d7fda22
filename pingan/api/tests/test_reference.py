"""Regions, categories and departments as clients read them."""

from __future__ import annotations

from pingan.api.tests.helpers import error_of


def test_regions_by_parent_and_level(cast, api_as):
    api = api_as(cast.gridworker)
    towns = api.get("/regions", parent=cast.county.pk).json()
    assert [t["name"] for t in towns] == ["武原街道", "通元镇"]
    assert set(towns[0]) >= {"id", "code", "name", "level", "parent", "lat", "lng"}
    assert towns[0]["parent"] == cast.county.pk
    grids = api.get("/regions", level="grid").json()
    assert [g["code"] for g in grids] == [
        "330424001001001",
        "330424001001002",
        "330424106201001",
    ]
    assert "geometry" not in grids[0]


def test_grid_point_lies_inside_its_square(cast, api_as):
    grid = next(
        g
        for g in api_as(cast.gridworker).get("/regions", level="grid").json()
        if g["id"] == cast.grid_a1.pk
    )
    assert 30.52 < grid["lat"] < 30.53 and 120.94 < grid["lng"] < 120.95


def test_region_detail_adds_geometry(cast, api_as):
    r = api_as(cast.gridworker).get(f"/regions/{cast.grid_a1.pk}")
    assert r.status_code == 200
    assert r.json()["geometry"]["type"] == "Polygon"
    assert r.json()["code"] == "330424001001001"


def test_unknown_region_is_404_and_bad_level_422(cast, api_as):
    api = api_as(cast.gridworker)
    assert error_of(api.get("/regions/999999"))["code"] == "not_found"
    r = api.get("/regions", level="planet")
    assert r.status_code == 422
    assert "level" in error_of(r)["fields"]


def test_categories_with_parent_and_default_department(cast, api_as):
    rows = {c["code"]: c for c in api_as(cast.gridworker).get("/categories").json()}
    assert rows["dispute.neighbour"]["parent"] == cast.dispute.pk
    assert rows["dispute.neighbour"]["default_department"] == cast.police.pk
    assert rows["dispute"]["parent"] is None
    assert rows["hazard.fire"]["extra_fields"][0]["name"] == "place_kind"


def test_departments(cast, api_as):
    rows = api_as(cast.handler).get("/departments").json()
    assert {(d["code"], d["name"], d["region"]) for d in rows} == {
        ("D-GA", "县公安局", cast.county.pk),
        ("D-SJ", "县市场监管局", cast.county.pk),
        ("D-ZJ", "县住建局", cast.county.pk),
    }

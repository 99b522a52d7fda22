"""manage.py import_regions: a tree from CSV, polygons from GeoJSON, idempotent, atomic."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pingan.conftest import square
from pingan.geo import locator
from pingan.geo.models import Region

CSV = """code,name,level,parent_code,is_special
330424,海盐县,county,,
330424001,武原街道,town,330424,
330424001001,城东社区,village,330424001,
330424001001001,城东社区第一网格,grid,330424001001,
330424001001002,城东社区第二网格,grid,330424001001,
330424001001901,城东农贸市场专属网格,网格,330424001001,1
"""


def geojson(features: dict[str, dict]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"GRIDCODE": c, "GRIDNAME": c}, "geometry": g}
                for c, g in features.items()
            ],
        }
    )


POLYGONS = {
    "330424001001001": square(120.94, 30.52),
    "330424001001002": square(120.95, 30.52),
    # A market inside the first grid: the special grid wins there.
    "330424001001901": square(120.942, 30.522, 0.002),
}


@pytest.fixture
def files(tmp_path: Path):
    def write(csv_text: str = CSV, polygons: dict | None = None) -> list[str]:
        (tmp_path / "tree.csv").write_text(csv_text, encoding="utf-8")
        (tmp_path / "grids.geojson").write_text(geojson(polygons or POLYGONS), encoding="utf-8")
        return [
            "--csv",
            str(tmp_path / "tree.csv"),
            "--geojson",
            str(tmp_path / "grids.geojson"),
            "--code-prop",
            "GRIDCODE",
            "--name-prop",
            "GRIDNAME",
        ]

    return write


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_regions", *args, stdout=out)
    return out.getvalue()


def test_import_builds_tree_with_paths_and_polygons(db, files):
    out = run(*files())
    assert "新建 6" in out
    grid = Region.objects.get(code="330424001001002")
    assert grid.path == "330424/330424001/330424001001/330424001001002/"
    assert grid.parent.code == "330424001001"
    assert grid.geometry["type"] == "Polygon"
    assert 30.52 < grid.lat < 30.53 and 120.95 < grid.lng < 120.96
    assert Region.objects.get(code="330424001001901").is_special


def test_second_import_changes_nothing(db, files):
    args = files()
    run(*args)
    before = {r.code: (r.path, r.geometry_updated_at) for r in Region.objects.all()}
    out = run(*args)
    assert "新建 0，更新 0，未变 6" in out
    after = {r.code: (r.path, r.geometry_updated_at) for r in Region.objects.all()}
    assert after == before


def test_point_is_located_in_its_grid_after_import(db, files):
    run(*files())
    assert locator.grid_id_at(30.525, 120.955) == Region.objects.get(code="330424001001002").pk
    # Inside the market: the special grid, not the ordinary one around it.
    assert locator.grid_id_at(30.523, 120.943) == Region.objects.get(code="330424001001901").pk
    assert locator.grid_id_at(30.70, 121.50) is None


def test_changed_polygon_moves_the_lookup(db, files):
    run(*files())
    point = (30.535, 120.945)  # north of grid 1: in no grid yet
    assert locator.grid_id_at(*point) is None
    moved = dict(POLYGONS)
    moved["330424001001001"] = square(120.94, 30.53)
    out = run(*files(polygons=moved))
    assert "更新 1" in out
    assert locator.grid_id_at(*point) == Region.objects.get(code="330424001001001").pk
    assert locator.grid_id_at(30.525, 120.945) is None


def test_errors_name_the_line_and_nothing_is_written(db, files):
    bad = CSV + "330424001002,城西社区,hamlet,330424001,\n330424009001,无主村,village,330424009,\n"
    with pytest.raises(CommandError) as err:
        run(*files(csv_text=bad))
    message = str(err.value)
    assert "第8行" in message and "层级「hamlet」无效" in message
    assert "第9行" in message and "330424009" in message
    assert not Region.objects.exists()


def test_polygon_for_unknown_code_is_refused(db, files):
    polygons = {**POLYGONS, "330424001001777": square(120.96, 30.52)}
    with pytest.raises(CommandError) as err:
        run(*files(polygons=polygons))
    assert "第4个要素" in str(err.value) and "330424001001777" in str(err.value)
    assert not Region.objects.exists()


def test_renamed_town_is_updated_and_subtree_keeps_its_paths(db, files):
    run(*files())
    out = run(*files(csv_text=CSV.replace("武原街道", "武原街道办")))
    assert "新建 0，更新 1，未变 5" in out
    assert Region.objects.get(code="330424001").name == "武原街道办"
    assert Region.objects.get(code="330424001001001").path.startswith("330424/330424001/")


def test_dry_run_writes_nothing(db, files):
    out = run(*files(), "--dry-run")
    assert "新建 6" in out
    assert not Region.objects.exists()

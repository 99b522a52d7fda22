"""Reading a region tree from CSV and polygons from GeoJSON, and applying them.

Used by `manage.py import_regions` (and through it by the demo county). Everything is
validated first and every error is reported with its line (CSV) or feature number
(GeoJSON); only a clean file is applied, in one transaction, through
`pingan.geo.services.region_upsert`. Rows that would change nothing are not written, so a
second import of the same files is a no-op.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from pingan.geo import locator
from pingan.geo.choices import LEVEL_ORDER, Level
from pingan.geo.geometry import to_shape
from pingan.geo.models import Region
from pingan.geo.selectors import region_list
from pingan.geo.services import region_upsert

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
OPTIONAL_COLUMNS = ("is_special",)
MAX_CODE_LEN = 32
MAX_NAME_LEN = 100

# Level names accepted in the CSV besides the codes: the Chinese labels people type.
_LEVEL_ALIASES: dict[str, str] = {
    **{str(v): str(v) for v in Level.values},
    "市": Level.CITY,
    "县": Level.COUNTY,
    "县(市、区)": Level.COUNTY,
    "区": Level.COUNTY,
    "镇": Level.TOWN,
    "街道": Level.TOWN,
    "乡": Level.TOWN,
    "镇(街道)": Level.TOWN,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "村(社区)": Level.VILLAGE,
    "网格": Level.GRID,
}
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}


class RegionImportError(Exception):
    """The files hold errors; nothing was applied. `errors` lists them, each with its place."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class RegionRow:
    """One region as the files describe it."""

    code: str
    name: str
    level: str
    parent_code: str
    line: int
    is_special: bool | None = None  # None: the file does not say (keep what is stored)
    geometry: dict[str, Any] | None = None


@dataclass
class ImportResult:
    """What an import did (or would do, on a dry run)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    polygons: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"新建 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
            f"（含边界 {self.polygons} 个）"
        )


def _level_index(level: str) -> int:
    return LEVEL_ORDER.index(Level(level))


def read_csv(path: str | Path) -> tuple[list[RegionRow], list[str]]:
    """Parse a region CSV; returns (rows, errors). Errors name the line and the reason."""
    rows: list[RegionRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            return [], [f"第1行：缺少列 {', '.join(missing)}（需要 {', '.join(REQUIRED_COLUMNS)}）"]
        reader.fieldnames = columns
        for raw in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
            if not any(values.values()):
                continue
            code, name = values["code"], values["name"]
            level_raw, parent_code = values["level"], values["parent_code"]
            row_errors = []
            if not code:
                row_errors.append("代码为空")
            elif len(code) > MAX_CODE_LEN or "/" in code:
                row_errors.append(f"代码「{code}」无效（最长{MAX_CODE_LEN}位，不能含“/”）")
            elif code in seen:
                row_errors.append(f"代码「{code}」与第{seen[code]}行重复")
            if not name:
                row_errors.append("名称为空")
            elif len(name) > MAX_NAME_LEN:
                row_errors.append(f"名称超过{MAX_NAME_LEN}字")
            level = _LEVEL_ALIASES.get(level_raw.lower() if level_raw.isascii() else level_raw)
            if level is None:
                row_errors.append(
                    f"层级「{level_raw}」无效（可选 {', '.join(str(v) for v in Level.values)}）"
                )
            if parent_code and parent_code == code:
                row_errors.append("上级代码不能是自身")
            is_special: bool | None = None
            if "is_special" in values:
                flag = values["is_special"].lower()
                if flag in _TRUE:
                    is_special = True
                elif flag in _FALSE:
                    is_special = False
                else:
                    row_errors.append(f"专属网格标记「{values['is_special']}」无效（应为 0 或 1）")
            if row_errors:
                errors.append(f"第{line}行：" + "；".join(row_errors))
                continue
            seen[code] = line
            rows.append(
                RegionRow(
                    code=code,
                    name=name,
                    level=str(level),
                    parent_code=parent_code,
                    line=line,
                    is_special=is_special,
                )
            )
    return rows, errors


def _coords_ok(coords: Any) -> bool:
    """True when every position of a (Multi)Polygon lies within lng/lat bounds."""
    if (
        isinstance(coords, list | tuple)
        and coords
        and all(isinstance(x, int | float) for x in coords)
    ):
        if len(coords) < 2:
            return False
        lng, lat = coords[0], coords[1]
        return math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90
    if isinstance(coords, list | tuple) and coords:
        return all(_coords_ok(c) for c in coords)
    return False


def read_geojson(
    path: str | Path, *, code_prop: str = "code", name_prop: str | None = "name"
) -> tuple[dict[str, tuple[dict[str, Any], str, int]], list[str]]:
    """Parse a GeoJSON FeatureCollection; returns ({code: (geometry, name, feature_no)},
    errors). Features are numbered from 1 in file order."""
    errors: list[str] = []
    try:
        with open(path, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        return {}, [f"GeoJSON 第{exc.lineno}行：不是有效的 JSON（{exc.msg}）"]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features") or []
    else:
        return {}, ["GeoJSON：顶层应为 FeatureCollection 或 Feature"]
    out: dict[str, tuple[dict[str, Any], str, int]] = {}
    for no, feature in enumerate(features, start=1):
        where = f"GeoJSON 第{no}个要素"
        if not isinstance(feature, dict):
            errors.append(f"{where}：不是要素对象")
            continue
        props = feature.get("properties") or {}
        code = str(props.get(code_prop) if props.get(code_prop) is not None else "").strip()
        if not code:
            errors.append(f"{where}：缺少代码属性「{code_prop}」")
            continue
        where = f"{where}（代码 {code}）"
        if code in out:
            errors.append(f"{where}：与第{out[code][2]}个要素代码重复")
            continue
        name = str(props.get(name_prop) or "").strip() if name_prop else ""
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            errors.append(f"{where}：几何类型应为 Polygon 或 MultiPolygon")
            continue
        if not _coords_ok(geometry.get("coordinates")):
            errors.append(f"{where}：坐标无效（应为 [经度, 纬度]，且在取值范围内）")
            continue
        try:
            shape = to_shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
            # shapely raises several kinds for broken rings
            errors.append(f"{where}：边界无法解析（{exc}）")
            continue
        if shape.is_empty or shape.area <= 0:
            errors.append(f"{where}：边界面积为零")
            continue
        out[code] = ({"type": geometry["type"], "coordinates": geometry["coordinates"]}, name, no)
    return out, errors


def _depth_order(rows: dict[str, RegionRow], errors: list[str]) -> list[RegionRow]:
    """Rows ordered so that every parent in the file comes before its children."""
    depth: dict[str, int] = {}

    def depth_of(code: str, trail: tuple[str, ...] = ()) -> int:
        if code in depth:
            return depth[code]
        row = rows[code]
        if row.parent_code in trail or row.parent_code == code:
            raise ValueError(code)
        d = depth_of(row.parent_code, (*trail, code)) + 1 if row.parent_code in rows else 0
        depth[code] = d
        return d

    for code, row in rows.items():
        try:
            depth_of(code)
        except ValueError:
            errors.append(f"第{row.line}行：上级关系成环（代码 {code}）")
        except RecursionError:
            errors.append(f"第{row.line}行：上级层次过深")
    return sorted(rows.values(), key=lambda r: (depth.get(r.code, 0), r.line))


def _validate_tree(
    rows: dict[str, RegionRow], existing: dict[str, Region], errors: list[str]
) -> None:
    for row in rows.values():
        if not row.parent_code:
            if row.level not in (Level.CITY, Level.COUNTY):
                errors.append(f"第{row.line}行：{Level(row.level).label}必须填写上级代码")
            continue
        parent_row = rows.get(row.parent_code)
        parent_level = (
            parent_row.level
            if parent_row
            else (existing[row.parent_code].level if row.parent_code in existing else None)
        )
        if parent_level is None:
            errors.append(f"第{row.line}行：上级代码「{row.parent_code}」在文件和系统中都不存在")
        elif _level_index(parent_level) >= _level_index(row.level):
            errors.append(
                f"第{row.line}行：上级「{row.parent_code}」的层级（{Level(parent_level).label}）"
                f"不高于本级（{Level(row.level).label}）"
            )


def plan(
    *,
    csv_path: str | Path | None,
    geojson_path: str | Path | None = None,
    code_prop: str = "code",
    name_prop: str | None = "name",
) -> tuple[list[RegionRow], dict[str, Region]]:
    """Read and validate the files against the stored tree; returns the rows to apply in
    order and the stored regions by code. Raises RegionImportError listing every error."""
    errors: list[str] = []
    csv_rows: list[RegionRow] = []
    if csv_path:
        csv_rows, errors = read_csv(csv_path)
    shapes: dict[str, tuple[dict[str, Any], str, int]] = {}
    if geojson_path:
        shapes, geo_errors = read_geojson(geojson_path, code_prop=code_prop, name_prop=name_prop)
        errors += geo_errors
    by_code = {r.code: r for r in csv_rows}
    wanted = set(by_code) | set(shapes) | {r.parent_code for r in csv_rows if r.parent_code}
    existing = {r.code: r for r in region_list().filter(code__in=wanted)}
    for code, (geometry, name, no) in shapes.items():
        row = by_code.get(code)
        if row is None:
            stored = existing.get(code)
            if stored is None:
                errors.append(f"GeoJSON 第{no}个要素：代码「{code}」在 CSV 和系统中都不存在")
                continue
            parent_code = stored.ancestor_codes()[-2] if stored.parent_id else ""
            row = RegionRow(
                code=code,
                name=name or stored.name,
                level=stored.level,
                parent_code=parent_code,
                line=0,
            )
            by_code[code] = row
        row.geometry = geometry
    _validate_tree({c: r for c, r in by_code.items() if r.line}, existing, errors)
    ordered = _depth_order(by_code, errors)
    if errors:
        raise RegionImportError(errors)
    return ordered, existing


def _unchanged(row: RegionRow, stored: Region, parent: Region | None) -> bool:
    return (
        stored.name == row.name
        and stored.level == row.level
        and stored.parent_id == (parent.pk if parent else None)
        and (row.geometry is None or stored.geometry == row.geometry)
        and (row.is_special is None or stored.is_special == row.is_special)
    )


def apply(
    *,
    csv_path: str | Path | None,
    geojson_path: str | Path | None = None,
    code_prop: str = "code",
    name_prop: str | None = "name",
    dry_run: bool = False,
) -> ImportResult:
    """Validate the files and apply them in one transaction (rolled back on a dry run).
    Raises RegionImportError, with nothing written, when any row or feature is wrong."""
    rows, existing = plan(
        csv_path=csv_path, geojson_path=geojson_path, code_prop=code_prop, name_prop=name_prop
    )
    result = ImportResult()
    regions: dict[str, Region] = dict(existing)
    with transaction.atomic():
        for row in rows:
            parent = regions.get(row.parent_code) if row.parent_code else None
            if parent is None and row.parent_code:
                parent = region_list().filter(code=row.parent_code).first()
            stored = regions.get(row.code)
            if row.geometry is not None:
                result.polygons += 1
            if stored is not None and _unchanged(row, stored, parent):
                result.unchanged += 1
                continue
            moved = stored is not None and stored.parent_id != (parent.pk if parent else None)
            region, created = region_upsert(
                code=row.code,
                name=row.name,
                level=row.level,
                parent=parent,
                geometry=row.geometry,
                is_special=(
                    row.is_special
                    if row.is_special is not None
                    else (stored.is_special if stored is not None else False)
                ),
            )
            regions[row.code] = region
            if created:
                result.created += 1
            else:
                result.updated += 1
            result.by_level[row.level] = result.by_level.get(row.level, 0) + 1
            if moved:
                # The subtree's paths moved with it: reread what we hold.
                regions.update({r.code: r for r in region_list().filter(code__in=list(regions))})
        if dry_run:
            transaction.set_rollback(True)
    # Lookups elsewhere in this process see the new polygons at once.
    locator.invalidate()
    return result

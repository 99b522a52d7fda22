"""A plausible geography for the demo county, generated from a seed.

The county and its towns are real (codes and names from `data/haiyan.csv`); their shapes
are not. The county outline (about 585 km², on Hangzhou Bay around 30.52N 120.94E) is
cut into towns by a Voronoi diagram of the towns' approximate seats; towns into villages
and communities (communities packed around the seat of a street office, so grids are
small in the centres and large in farmland); villages into grids. A few special grids
(专属网格) are drawn around industrial parks, markets and schools.

`build(...)` returns the tree; `write_files(...)` writes it as the CSV and GeoJSON that
`manage.py import_regions` reads.
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from pingan.geo.choices import Level

DATA_DIR = Path(__file__).resolve().parent / "data"
TOWNS_CSV = DATA_DIR / "haiyan.csv"

CENTRE = (120.94, 30.52)  # lng, lat of the county seat
AREA_KM2 = 585.0
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LNG = 111.320 * math.cos(math.radians(CENTRE[1]))

# A rough outline in km east/north of the seat: the coast of Hangzhou Bay runs along the
# south-east side. Scaled to AREA_KM2.
_OUTLINE_KM = [
    (-17.0, 10.5),
    (-7.0, 14.0),
    (4.0, 13.0),
    (12.0, 10.0),
    (10.0, 3.0),
    (5.5, -4.0),
    (0.0, -9.0),
    (-5.5, -14.0),
    (-13.0, -12.0),
    (-18.0, -6.0),
    (-19.0, 3.0),
]

# Approximate seats of the towns (km east/north of the county seat), and how many villages
# and communities each has by default (about 100 in all).
TOWN_SEATS: dict[str, tuple[float, float, int]] = {
    "330424001": (0.0, 0.0, 20),  # 武原街道, the county seat
    "330424002": (8.0, 8.0, 9),  # 西塘桥街道
    "330424004": (0.5, -7.5, 10),  # 秦山街道
    "330424005": (6.0, 1.5, 8),  # 望海街道
    "330424101": (-9.0, 5.0, 11),  # 沈荡镇
    "330424102": (-14.0, 9.0, 10),  # 百步镇
    "330424103": (-4.0, 10.0, 9),  # 于城镇
    "330424105": (-7.0, -11.0, 10),  # 澉浦镇
    "330424106": (-12.5, -2.0, 13),  # 通元镇
}
DEFAULT_GRIDS = 800

# Special grids: (town, kind, name, width km, height km).
SPECIAL_GRIDS: list[tuple[str, str, str, float, float]] = [
    ("330424001", "工业园区", "海盐经济开发区专属网格", 1.6, 1.2),
    ("330424002", "工业园区", "西塘桥工业园区专属网格", 1.4, 1.0),
    ("330424004", "工业园区", "秦山核电关联产业园专属网格", 1.2, 0.9),
    ("330424005", "工业园区", "望海工业功能区专属网格", 1.0, 0.8),
    ("330424001", "农贸市场", "武原农贸市场专属网格", 0.20, 0.15),
    ("330424101", "农贸市场", "沈荡农贸市场专属网格", 0.15, 0.12),
    ("330424106", "农贸市场", "通元农贸市场专属网格", 0.15, 0.12),
    ("330424001", "学校", "元济高级中学专属网格", 0.45, 0.35),
    ("330424105", "学校", "澉浦中学专属网格", 0.30, 0.25),
]

COMMUNITY_NAMES = [
    "城东",
    "城西",
    "城南",
    "城北",
    "天宁",
    "向阳",
    "海滨",
    "枣园",
    "新桥",
    "百尺",
    "华星",
    "勤俭",
    "朝阳",
    "健康",
    "凤凰",
    "银滩",
    "长水",
    "海兴",
    "白洋",
    "兴城",
    "新华",
    "东门",
    "西门",
    "盐北",
    "盐嘉",
    "文昌",
    "永宁",
    "春晖",
    "锦绣",
    "和平",
    "新丰",
    "城中",
    "海塘",
    "鸿翔",
    "育才",
    "金星",
    "富亭",
    "望海",
    "秦山",
    "西塘",
    "南湖",
    "海韵",
    "绿洲",
    "金海",
    "明珠",
    "滨海",
    "通海",
    "汇丰",
    "安澜",
    "海悦",
]
VILLAGE_NAMES = [
    "丰义",
    "六里",
    "元通",
    "青莲",
    "红星",
    "新民",
    "庆丰",
    "永丰",
    "高桥",
    "钱桥",
    "周家",
    "沈家",
    "王家",
    "杨家",
    "姚家",
    "陈家",
    "徐家",
    "吴家",
    "褚家",
    "黄家",
    "长丰",
    "五圣",
    "雪水港",
    "民利",
    "民主",
    "利民",
    "联丰",
    "联合",
    "星火",
    "光明",
    "胜利",
    "友谊",
    "团结",
    "东塘",
    "南台头",
    "北团",
    "马厍",
    "新塘",
    "横港",
    "许家浜",
    "兴福",
    "双桥",
    "石桥",
    "华丰",
    "新生",
    "金牛",
    "云岫",
    "澉东",
    "澉西",
    "六家",
    "荡湾",
    "三联",
    "八字",
    "落塘",
    "东南",
    "合心",
    "农丰",
    "得胜",
    "汪家",
    "兴旺",
    "桃园",
    "茶院",
    "海北",
    "海丰",
    "永兴",
    "长川坝",
    "墙门",
    "横山",
    "仙人",
    "黄泥",
    "花园",
    "姚城",
    "雁湖",
    "步云",
    "千亩",
    "南北",
    "金家",
    "朱家",
    "潘家",
    "曹家",
    "顾家",
    "范家",
    "东升",
    "西升",
    "跃进",
    "新联",
    "新星",
    "红旗",
    "同心",
    "民丰",
    "富民",
    "共建",
    "前进",
    "永庆",
    "庙桥",
    "张家",
    "夏家",
    "严家",
]
_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (up to 99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


@dataclass
class Node:
    """One region of the generated tree; `shape` is in km around the county seat."""

    code: str
    name: str
    level: str
    parent_code: str
    shape: BaseGeometry | None = None
    is_special: bool = False
    kind: str = ""  # community / village / the special grid's kind
    children: list[Node] = field(default_factory=list)

    def lnglat(self) -> BaseGeometry:
        assert self.shape is not None
        return to_lnglat(self.shape)

    def geojson(self) -> dict[str, Any]:
        geom = shapely.set_precision(self.lnglat(), 1e-6)
        doc: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
        return doc


@dataclass
class Geography:
    """The generated tree: the county node, and every node by code."""

    county: Node
    nodes: list[Node]

    @property
    def towns(self) -> list[Node]:
        return self.county.children

    def grids(self) -> list[Node]:
        return [n for n in self.nodes if n.level == Level.GRID]

    def villages(self) -> list[Node]:
        return [n for n in self.nodes if n.level == Level.VILLAGE]


def to_lnglat(geom: BaseGeometry) -> BaseGeometry:
    """km east/north of the seat → lng/lat."""
    return shapely.transform(
        geom,
        lambda xy: xy / [_KM_PER_DEG_LNG, _KM_PER_DEG_LAT] + list(CENTRE),
    )


def to_km(lng: float, lat: float) -> tuple[float, float]:
    return ((lng - CENTRE[0]) * _KM_PER_DEG_LNG, (lat - CENTRE[1]) * _KM_PER_DEG_LAT)


def _county_shape() -> Polygon:
    poly = Polygon(_OUTLINE_KM)
    scale = math.sqrt(AREA_KM2 / poly.area)
    return Polygon([(x * scale, y * scale) for x, y in _OUTLINE_KM])


def _polygons(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygonal part of a clipping result."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def _cells(points: list[tuple[float, float]], within: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of `points`, clipped to `within`, in the order of `points`."""
    if len(points) == 1:
        return [within]
    frame = box(*within.buffer(5).bounds)
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=frame, ordered=True)
    return [_polygons(cell.intersection(within)) for cell in diagram.geoms]


def _random_point(rng: random.Random, within: BaseGeometry) -> tuple[float, float]:
    minx, miny, maxx, maxy = within.bounds
    prepared = shapely.prepared.prep(within) if hasattr(shapely, "prepared") else within
    for _ in range(10_000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if prepared.contains(Point(x, y)):
            return (x, y)
    p = within.representative_point()
    return (p.x, p.y)


def _near_point(
    rng: random.Random, within: BaseGeometry, centre: tuple[float, float], sigma: float
) -> tuple[float, float]:
    for _ in range(200):
        x, y = rng.gauss(centre[0], sigma), rng.gauss(centre[1], sigma)
        if within.contains(Point(x, y)):
            return (x, y)
    return _random_point(rng, within)


def _relax(
    points: list[tuple[float, float]], within: BaseGeometry, rounds: int
) -> list[BaseGeometry]:
    """Lloyd relaxation: move each point to its cell's centroid; returns the final cells."""
    cells = _cells(points, within)
    for _ in range(rounds):
        moved = []
        for p, cell in zip(points, cells, strict=True):
            c = cell.centroid if not cell.is_empty else Point(p)
            moved.append((c.x, c.y))
        points = moved
        cells = _cells(points, within)
    return cells


def read_towns() -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """((county code, name), [(town code, name)]) from the bundled CSV."""
    with open(TOWNS_CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    county = next((r["code"], r["name"]) for r in rows if r["level"] == Level.COUNTY)
    towns = [(r["code"], r["name"]) for r in rows if r["level"] == Level.TOWN]
    return county, towns


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` in proportion to `weights`, each share at least `minimum`."""
    raw = [max(minimum, total * w / sum(weights)) for w in weights]
    counts = [max(minimum, int(x)) for x in raw]
    remainders = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(counts) < total and remainders:
        counts[remainders[i % len(remainders)]] += 1
        i += 1
    return counts


def build(
    *,
    seed: int = 2026,
    villages_per_town: int | None = None,
    grids_per_village: int | None = None,
    total_grids: int = DEFAULT_GRIDS,
) -> Geography:
    """Generate the demo county's tree with polygons (deterministic for the arguments)."""
    rng = random.Random(f"geography:{seed}")
    (county_code, county_name), towns = read_towns()
    county_shape = _county_shape()
    county = Node(county_code, county_name, Level.COUNTY, "", county_shape)
    nodes = [county]
    seats = [TOWN_SEATS[code][:2] for code, _ in towns]
    town_cells = _cells(seats, county_shape)
    community_pool = list(COMMUNITY_NAMES)
    village_pool = list(VILLAGE_NAMES)
    rng.shuffle(community_pool)
    rng.shuffle(village_pool)
    used_names: set[str] = set()

    def take(pool: list[str], suffix: str) -> str:
        while pool:
            name = pool.pop() + suffix
            if name not in used_names:
                used_names.add(name)
                return name
        n = len(used_names)
        name = f"新{chinese_number(n % 99 + 1)}{suffix}"
        used_names.add(name)
        return name

    villages: list[Node] = []
    for (code, name), seat, cell in zip(towns, seats, town_cells, strict=True):
        town = Node(code, name, Level.TOWN, county_code, cell)
        county.children.append(town)
        nodes.append(town)
        is_street = name.endswith("街道")
        n = villages_per_town or TOWN_SEATS[code][2]
        points = [seat]
        while len(points) < n:
            if is_street and rng.random() < 0.6:
                points.append(_near_point(rng, cell, seat, 1.8))
            else:
                points.append(_random_point(rng, cell))
        cells = _relax(points, cell, rounds=1)
        seat_point = Point(seat)
        order = sorted(range(n), key=lambda i: cells[i].distance(seat_point))
        community_no, village_no = 0, 200
        for rank, i in enumerate(order):
            vcell = cells[i]
            if vcell.is_empty:
                continue
            near = vcell.centroid.distance(seat_point)
            community = (is_street and near < 3.2) or rank == 0
            if community:
                community_no += 1
                vcode = f"{code}{community_no:03d}"
                if rank == 0 and not is_street:
                    vname = name.removesuffix("镇") + "社区"
                    used_names.add(vname)
                else:
                    vname = take(community_pool, "社区")
            else:
                village_no += 1
                vcode = f"{code}{village_no:03d}"
                vname = take(village_pool, "村")
            village = Node(
                vcode,
                vname,
                Level.VILLAGE,
                code,
                vcell,
                kind="community" if community else "village",
            )
            town.children.append(village)
            villages.append(village)
    villages.sort(key=lambda v: v.code)

    specials_by_village: dict[str, list[tuple[str, str, float, float]]] = {}
    for town_code, kind, sname, w, h in SPECIAL_GRIDS:
        candidates = [v for v in villages if v.parent_code == town_code]
        if not candidates:
            continue
        # Parks go to the outskirts, markets and schools to the centre.
        candidates.sort(key=lambda v: v.shape.area if v.shape is not None else 0)
        pick = candidates[-1] if kind == "工业园区" else candidates[0]
        specials_by_village.setdefault(pick.code, []).append((kind, sname, w, h))

    if grids_per_village:
        counts = [grids_per_village] * len(villages)
    else:
        weights = [
            (v.shape.area if v.shape is not None else 1) ** 0.55
            * (2.6 if v.kind == "community" else 1.0)
            for v in villages
        ]
        budget = max(len(villages), total_grids - len(SPECIAL_GRIDS))
        counts = _allocate(budget, weights, minimum=3)

    for village, count in zip(villages, counts, strict=True):
        nodes.append(village)
        vshape = village.shape
        assert vshape is not None
        points = [_random_point(rng, vshape) for _ in range(count)]
        cells = _relax(points, vshape, rounds=2) if count > 1 else [vshape]
        cells.sort(key=lambda c: (-round(c.centroid.y, 2), round(c.centroid.x, 2)))
        for no, gcell in enumerate(cells, start=1):
            if gcell.is_empty:
                continue
            grid = Node(
                f"{village.code}{no:03d}",
                f"{village.name}第{chinese_number(no)}网格",
                Level.GRID,
                village.code,
                gcell,
            )
            village.children.append(grid)
            nodes.append(grid)
        for s_no, (kind, sname, w, h) in enumerate(
            specials_by_village.get(village.code, []), start=901
        ):
            inner = vshape.buffer(-max(w, h) / 2)
            cx, cy = _random_point(rng, inner if not inner.is_empty else vshape)
            rect = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2).intersection(vshape)
            special = Node(
                f"{village.code}{s_no}",
                sname,
                Level.GRID,
                village.code,
                _polygons(rect),
                is_special=True,
                kind=kind,
            )
            village.children.append(special)
            nodes.append(special)
    return Geography(county=county, nodes=nodes)


def write_files(geo: Geography, directory: Path) -> tuple[Path, Path]:
    """Write the tree as `regions.csv` and the polygons as `regions.geojson` in the
    `import_regions` format; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = directory / "regions.csv"
    geojson_path = directory / "regions.geojson"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "level", "parent_code", "is_special"])
        for n in geo.nodes:
            writer.writerow([n.code, n.name, n.level, n.parent_code, int(n.is_special)])
    features = [
        {
            "type": "Feature",
            "properties": {"code": n.code, "name": n.name, "level": n.level},
            "geometry": n.geojson(),
        }
        for n in geo.nodes
        if n.shape is not None and not n.shape.is_empty
    ]
    with open(geojson_path, "w", encoding="utf-8") as fh:
        json.dump(
            {"type": "FeatureCollection", "features": features},
            fh,
            ensure_ascii=False,
            separators=(",", ":"),
        )
    return csv_path, geojson_path

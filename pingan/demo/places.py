"""The demo county's places registers (docs/registry.md, "Demo"): rental houses holding the
new residents' rental and collective households (tenancies from their move-in), their
landlords from the registered residents of the grid, a year of fire-safety checks of every
result and the rating they give (`places.rules.rating_of`: green, yellow, red, unrated;
some overdue); key places and units of every kind (the units of the 12 real-name sectors
among them) with their checks; cameras of every kind at points inside the grids.

Written in bulk after the people registers (`pingan/demo/registry.py`); plainly fake
names and the demo's phone range. Idempotent per register: when the county already has
rental houses (places, cameras) that part writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.demo import texts as tx
from pingan.demo.organisation import Staff, person_name
from pingan.demo.registry import BATCH, _Ids
from pingan.demo.simulation import GridSpot
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.places import rules
from pingan.places.choices import (
    CameraKind,
    CameraStatus,
    CheckResult,
    ItemState,
    ManagedModel,
    PlaceKind,
    PlaceStatus,
    RentalKind,
    RentalStatus,
)
from pingan.places.models import Camera, Place, PlaceCheck, RentalCheck, RentalHouse, Tenancy
from pingan.registry.choices import HouseholdKind, PersonKind, PersonStatus
from pingan.registry.models import Household, Person

CAMERAS = 800  # at the default scale
VACANT_HOUSES = 0.08  # houses registered with nobody living in them now
# Key places and units at the default scale, by kind (the real-name units: per sector).
PLACES: dict[str, int] = {
    PlaceKind.SCHOOL: 60,
    PlaceKind.HOSPITAL: 20,
    PlaceKind.MARKET: 25,
    PlaceKind.HAZCHEM: 30,
    PlaceKind.CATERING: 400,
    PlaceKind.CROWDED: 60,
    PlaceKind.ENTERPRISE: 200,
    PlaceKind.SITE: 30,
    PlaceKind.SCENIC: 8,
    PlaceKind.OTHER: 20,
}
REALNAME_PER_SECTOR = 8
NAMES: dict[str, list[str]] = {
    PlaceKind.SCHOOL: ["{p}小学", "{p}中学", "{p}幼儿园", "{p}中心小学", "{p}实验学校"],
    PlaceKind.HOSPITAL: ["{p}卫生院", "{p}社区卫生服务站", "{p}中医门诊部"],
    PlaceKind.MARKET: ["{p}农贸市场", "{p}综合市场"],
    PlaceKind.HAZCHEM: ["{f}化工有限公司", "{f}燃气储配站", "{p}加油站"],
    PlaceKind.CATERING: ["{s}记{shop}", "{p}{shop}", "{f}{shop}"],
    PlaceKind.CROWDED: ["{p}大型超市", "{f}影城", "{p}文化礼堂", "{f}KTV", "{p}体育馆"],
    PlaceKind.ENTERPRISE: ["海盐{f}{company}", "{f}{company}"],
    PlaceKind.SITE: ["{p}安置房项目工地", "{road}改造工程工地"],
    PlaceKind.SCENIC: ["南北湖风景区", "绮园", "海盐县博物馆", "钱塘江海塘观潮点", "{p}湿地公园"],
    PlaceKind.OTHER: ["{p}停车场", "{p}公园"],
}
SECTOR_NAMES: dict[str, str] = {
    "express": "{f}快递驿站",
    "bottled_gas": "{p}液化气供应站",
    "car_rental": "{f}汽车租赁",
    "hotel": "{f}宾馆",
    "used_goods": "{f}二手车行",
    "scrap_metal": "{p}废旧金属回收站",
    "locksmith": "{s}师傅开锁",
    "seal": "{f}刻章店",
    "pawn": "{f}典当行",
    "bulk_fuel": "{p}加油站",
    "internet_cafe": "{f}网吧",
    "hazchem": "{f}化工经营部",
}
SMALL_KINDS = {PlaceKind.CATERING, PlaceKind.REALNAME}  # often run by a person (个体户)
HAZARD_NOTES = ["灭火器过期未更换", "楼道堆放杂物", "电动车室内充电", "私拉电线", "疏散通道堵塞"]
CAMERA_KINDS = {
    CameraKind.PUBLIC_SECURITY: 35,
    CameraKind.SOCIAL: 25,
    CameraKind.TRAFFIC: 15,
    CameraKind.RESIDENTIAL: 15,
    CameraKind.BUSINESS: 10,
}


@dataclass
class Written:
    """What `build_places` wrote."""

    rentals: int = 0
    tenancies: int = 0
    rental_checks: int = 0
    places: int = 0
    place_checks: int = 0
    cameras: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)


def _point(rng: random.Random, spot: GridSpot) -> tuple[float, float]:
    """A point near one of the grid's inner points (tens of metres apart)."""
    lat, lng = rng.choice(spot.points)
    return round(lat + rng.uniform(-0.0003, 0.0003), 6), round(
        lng + rng.uniform(-0.0003, 0.0003), 6
    )


def _stamp(day: dt.date, rng: random.Random) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(), tzinfo=tz) + dt.timedelta(
        hours=rng.uniform(8.5, 17.5)
    )


def _check_dates(rng: random.Random, since: dt.date, today: dt.date) -> list[dt.date]:
    """Zero to four check days from `since` (at most a year back) up to today, oldest first."""
    start = max(since, today - dt.timedelta(days=365))
    span = (today - start).days
    if span <= 0:
        return []
    n = rng.choices([0, 1, 2, 3, 4], [8, 25, 35, 20, 12])[0]
    return sorted(start + dt.timedelta(days=rng.randint(0, span)) for _i in range(n))


def _items(
    rng: random.Random, catalogue: dict[str, Any], result: str
) -> tuple[dict[str, str], int]:
    """Item states consistent with the result (the services' rule: a pass has no hazard,
    rectification one or two, a failed check three or more)."""
    codes = list(catalogue)
    by_result: dict[str, int] = {CheckResult.PASS: 0, CheckResult.RECTIFY: rng.randint(1, 2)}
    hazards = by_result.get(result, rng.randint(3, 4))
    bad = set(rng.sample(codes, k=hazards))
    items: dict[str, str] = {
        c: ItemState.HAZARD if c in bad else (ItemState.NA if rng.random() < 0.05 else ItemState.OK)
        for c in codes
    }
    return items, hazards


def _result(rng: random.Random, careless: bool) -> str:
    weights = [45, 35, 20] if careless else [78, 18, 4]
    return rng.choices([CheckResult.PASS, CheckResult.RECTIFY, CheckResult.FAIL], weights)[0]


def build_places(
    *,
    county: Region,
    spots: list[GridSpot],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """Rental houses (with tenancies and checks), key places (with checks) and cameras of
    the county, each register only when the county has none yet."""
    out = Written()
    today = timezone.localdate(now)
    in_county = within_q("region_path", [county.path])
    by_grid = {s.region.pk: s for s in spots}
    with transaction.atomic():
        if not RentalHouse.objects.filter(in_county).exists():
            _rentals(out, county, by_grid, staff, random.Random(f"rentals:{seed}"), today, now)
        if not Place.objects.filter(in_county).exists():
            _places(out, spots, staff, random.Random(f"places:{seed}"), today, now, scale)
        if not Camera.objects.filter(in_county).exists():
            _cameras(out, county, spots, random.Random(f"cameras:{seed}"), now, scale)
    progress(
        f"场所：出租房 {out.rentals} 处（租住 {out.tenancies} 人次，检查 {out.rental_checks} 次），"
        f"重点场所 {out.places} 处（检查 {out.place_checks} 次），视频点位 {out.cameras} 个"
    )
    return out


def _rentals(
    out: Written,
    county: Region,
    by_grid: dict[int, GridSpot],
    staff: Staff,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
) -> None:
    rows = (
        Person.objects.filter(county=county)
        .values_list(
            "pk",
            "region_id",
            "household_id",
            "household__kind",
            "kind",
            "status",
            "moved_in_at",
            "moved_out_at",
            "birth_date",
        )
        .order_by("pk")
    )
    tenants: dict[int, list[tuple[Any, ...]]] = defaultdict(list)  # household → members
    household_grid: dict[int, int] = {}
    landlords: dict[int, list[int]] = defaultdict(list)  # grid → registered adults
    adult = today - dt.timedelta(days=25 * 365)
    for row in rows:
        pk, grid, household, hkind, kind, status, _came, _gone, born = row
        if hkind in (HouseholdKind.RENTAL, HouseholdKind.COLLECTIVE) and household:
            tenants[household].append(row)
            household_grid[household] = grid
        elif (
            kind == PersonKind.REGISTERED
            and status == PersonStatus.PRESENT
            and born
            and born < adult
        ):
            landlords[grid].append(pk)
    per_grid: dict[int, list[int]] = defaultdict(list)
    for household, grid in household_grid.items():
        per_grid[grid].append(household)
    addresses = {
        h.pk: h.address
        for h in Household.objects.filter(pk__in=list(household_grid)).only("pk", "address")
    }
    houses: list[RentalHouse] = []
    plan: list[tuple[RentalHouse, list[tuple[Any, ...]]]] = []
    for grid in sorted(per_grid):
        spot = by_grid.get(grid)
        if spot is None:
            continue
        queue = sorted(per_grid[grid])
        while queue:
            first = queue.pop(0)
            members = list(tenants[first])
            collective = members and members[0][3] == HouseholdKind.COLLECTIVE
            if collective:
                kind, rooms = RentalKind.DORMITORY, max(1, (len(members) + 3) // 4)
            else:
                rooms = rng.choices([1, 2, 3, 4, 6, 8], [40, 20, 15, 12, 8, 5])[0]
                kind = RentalKind.WHOLE if rooms == 1 else RentalKind.ROOMS
                if rooms >= 6 and rng.random() < 0.3:
                    kind = RentalKind.GROUP
                elif rooms > 1 and rng.random() < 0.05:
                    kind = RentalKind.MIXED
                for _i in range(rooms - 1):
                    if queue and tenants[queue[0]][0][3] == HouseholdKind.RENTAL:
                        members += tenants[queue.pop(0)]
            houses.append(_house(rng, spot, kind, rooms, addresses.get(first, ""), landlords, now))
            plan.append((houses[-1], members))
        for _i in range(max(0, round(len(per_grid[grid]) * VACANT_HOUSES))):
            house = _house(rng, spot, RentalKind.WHOLE, 1, "", landlords, now)
            house.status = RentalStatus.VACANT
            houses.append(house)
            plan.append((house, []))
    tenancies: list[Tenancy] = []
    checks: list[RentalCheck] = []
    for house, members in plan:
        moved = [m[6] for m in members if m[6]]
        house.registered_on = (
            min(moved) if moved else today - dt.timedelta(days=rng.randint(30, 1500))
        )
        for i, m in enumerate(members):
            tenancies.append(
                Tenancy(
                    house=house,
                    tenant_id=m[0],
                    start=m[6] or house.registered_on,
                    end=m[7] if m[5] == PersonStatus.MOVED_OUT else None,
                    room=f"{i // 3 + 1:02d}室" if house.rooms > 1 else "",
                    created_at=now,
                )
            )
        if members and all(m[5] == PersonStatus.MOVED_OUT for m in members):
            house.status = RentalStatus.VACANT
        checks.extend(_house_checks(house, rng, staff, today))
    RentalHouse.objects.bulk_create(houses, batch_size=BATCH)
    Tenancy.objects.bulk_create(tenancies, batch_size=BATCH)
    RentalCheck.objects.bulk_create(checks, batch_size=BATCH)
    out.rentals, out.tenancies, out.rental_checks = len(houses), len(tenancies), len(checks)
    for h in houses:
        out.ratings[h.rating] = out.ratings.get(h.rating, 0) + 1


def _house(
    rng: random.Random,
    spot: GridSpot,
    kind: str,
    rooms: int,
    address: str,
    landlords: dict[int, list[int]],
    now: dt.datetime,
) -> RentalHouse:
    lat, lng = _point(rng, spot)
    owners = landlords.get(spot.region.pk) or []
    managed = rng.choices(
        [
            [ManagedModel.SELF],
            [ManagedModel.CUSTODY],
            [ManagedModel.VILLAGE_LEASE],
            [ManagedModel.AGENCY],
            [ManagedModel.CUSTODY, ManagedModel.AGENCY],
        ],
        [60, 18, 10 if not spot.village_name.endswith("社区") else 0, 8, 4],
    )[0]
    if not address:
        address = f"{spot.village_name}{rng.randint(1, 12)}组{rng.randint(1, 120)}号"
    return RentalHouse(
        address=address,
        landlord_id=rng.choice(owners) if owners else None,
        rooms=rooms,
        kind=kind,
        managed=[str(m) for m in managed],
        status=RentalStatus.LET,
        region=spot.region,
        region_path=spot.region.path,
        lat=lat,
        lng=lng,
        registered_on=timezone.localdate(now),
        created_at=now,
        updated_at=now,
    )


def _house_checks(
    house: RentalHouse, rng: random.Random, staff: Staff, today: dt.date
) -> list[RentalCheck]:
    """The house's checks of the last year, oldest first, and its rating after each."""
    worker = staff.grid_workers.get(house.region.code)
    careless = rng.random() < 0.15
    facts: list[rules.CheckFacts] = []
    out = []
    for day in _check_dates(rng, house.registered_on, today):
        result = _result(rng, careless)
        items, hazards = _items(rng, rules.RENTAL_ITEMS, result)
        facts.insert(0, rules.CheckFacts(result, hazards))
        at = _stamp(day, rng)
        out.append(
            RentalCheck(
                house=house,
                items=items,
                result=result,
                hazards=hazards,
                hazard_note="；".join(rng.sample(HAZARD_NOTES, k=min(hazards, 3)))
                if hazards
                else "",
                rectify_by=day + dt.timedelta(days=15) if hazards else None,
                rating=rules.rating_of(facts[:2]),
                lat=house.lat,
                lng=house.lng,
                by=worker,
                at=at,
            )
        )
    house.rating = rules.rating_of(facts[:2])
    if out:
        house.last_check_on = timezone.localdate(out[-1].at)
        house.last_check_result = out[-1].result
        house.last_hazards = out[-1].hazards
    return out


def _name(rng: random.Random, template: str, spot: GridSpot) -> str:
    return template.format(
        p=spot.village_name or rng.choice(tx.ROADS),
        f=rng.choice(tx.FIRMS),
        s=rng.choice(tx.SURNAME),
        shop=rng.choice(tx.SHOPS),
        company=rng.choice(tx.COMPANIES),
        road=rng.choice(tx.ROADS),
    )


def _places(
    out: Written,
    spots: list[GridSpot],
    staff: Staff,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
    scale: float,
) -> None:
    ids = _Ids(random.Random(rng.random()))
    wanted: list[tuple[str, str, str]] = []  # kind, sector, name template
    for kind, n in PLACES.items():
        for _i in range(max(1, round(n * scale))):
            wanted.append((kind, "", rng.choice(NAMES[kind])))
    for code, _label in rules.sectors():
        template = SECTOR_NAMES.get(code, "{f}经营部")
        kind = PlaceKind.HAZCHEM if code == "hazchem" else PlaceKind.REALNAME
        for _i in range(max(1, round(REALNAME_PER_SECTOR * scale))):
            wanted.append((kind, code, template))
    specials = [s for s in spots if s.region.is_special] or spots
    places: list[Place] = []
    checks: list[PlaceCheck] = []
    seen: set[str] = set()
    for kind, sector, template in wanted:
        pool = (
            specials
            if kind in (PlaceKind.ENTERPRISE, PlaceKind.HAZCHEM) and rng.random() < 0.5
            else spots
        )
        spot = rng.choice(pool)
        name = _name(rng, template, spot)
        while name in seen:
            name = _name(rng, template, rng.choice(spots))
            if name in seen:
                name += f"（{rng.choice(tx.ROADS)}店）"
        seen.add(name)
        lat, lng = _point(rng, spot)
        person = kind in SMALL_KINDS and rng.random() < 0.7
        r = rng.random()
        status = (
            PlaceStatus.OPEN
            if r < 0.95
            else PlaceStatus.SUSPENDED
            if r < 0.98
            else PlaceStatus.CLOSED
        )
        registered = today - dt.timedelta(days=rng.randint(60, 2000))
        place = Place(
            kind=kind,
            name=name,
            credit_code="" if person else _credit_code(rng),
            address=f"{spot.village_name}{rng.choice(tx.ROADS)}{rng.randint(1, 300)}号",
            owner_is_person=person,
            manager_name=person_name(rng),
            manager_phone=ids.phone(),
            sector=sector,
            status=status,
            region=spot.region,
            region_path=spot.region.path,
            lat=lat,
            lng=lng,
            registered_on=registered,
            created_at=now,
            updated_at=now,
        )
        places.append(place)
        out.kinds[kind] = out.kinds.get(kind, 0) + 1
        worker = staff.grid_workers.get(spot.code)
        careless = rng.random() < 0.1
        last: PlaceCheck | None = None
        for day in _check_dates(rng, registered, today):
            result = _result(rng, careless)
            items, hazards = _items(rng, rules.PLACE_ITEMS, result)
            last = PlaceCheck(
                place=place,
                items=items,
                result=result,
                hazards=hazards,
                hazard_note="；".join(rng.sample(HAZARD_NOTES, k=min(hazards, 3)))
                if hazards
                else "",
                rectify_by=day + dt.timedelta(days=15) if hazards else None,
                records_kept=(rng.random() < 0.85) if sector else None,
                lat=lat,
                lng=lng,
                by=worker,
                at=_stamp(day, rng),
            )
            checks.append(last)
        if last is not None:
            place.last_check_on = timezone.localdate(last.at)
            place.last_check_result = last.result
            place.last_hazards = last.hazards
            place.last_records_kept = last.records_kept
    Place.objects.bulk_create(places, batch_size=BATCH)
    PlaceCheck.objects.bulk_create(checks, batch_size=BATCH)
    out.places, out.place_checks = len(places), len(checks)


def _credit_code(rng: random.Random) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91330424" + "".join(rng.choice(chars) for _i in range(10))


def _cameras(
    out: Written,
    county: Region,
    spots: list[GridSpot],
    rng: random.Random,
    now: dt.datetime,
    scale: float,
) -> None:
    kinds, weights = list(CAMERA_KINDS), list(CAMERA_KINDS.values())
    schools = list(
        Place.objects.filter(
            within_q("region_path", [county.path]), kind=PlaceKind.SCHOOL
        ).values_list("name", "region_id", "lat", "lng")
    )
    by_grid = {s.region.pk: s for s in spots}
    cameras: list[Camera] = []

    def add(kind: str, spot: GridSpot, name: str, owner: str, lat: float, lng: float) -> None:
        n = len(cameras) + 1
        r = rng.random()
        status = (
            CameraStatus.ONLINE
            if r < 0.9
            else CameraStatus.OFFLINE
            if r < 0.98
            else CameraStatus.REMOVED
        )
        code = f"{county.code}{n:06d}"
        cameras.append(
            Camera(
                code=code,
                name=name,
                kind=kind,
                owner_unit=owner,
                link_name=f"{county.name}/{spot.region.name}/{name}",
                status=status,
                region=spot.region,
                region_path=spot.region.path,
                lat=lat,
                lng=lng,
                created_at=now,
                updated_at=now,
            )
        )

    for name, region_id, lat, lng in schools:  # 校园监控: two at each school's gates
        spot = by_grid.get(region_id)
        if spot is None or lat is None or lng is None:
            continue
        for gate in ("正门", "侧门"):
            add(CameraKind.CAMPUS, spot, f"{name}{gate}", name, lat + rng.uniform(-2e-4, 2e-4), lng)
    total = max(10, round(CAMERAS * scale))
    owners = {
        CameraKind.PUBLIC_SECURITY: "海盐县公安局",
        CameraKind.SOCIAL: "海盐县社会治安综合治理中心",
        CameraKind.TRAFFIC: "海盐县公安局交通警察大队",
        CameraKind.RESIDENTIAL: "{village}",
        CameraKind.BUSINESS: "{f}有限公司",
    }
    while len(cameras) < total:
        spot = rng.choice(spots)
        kind = rng.choices(kinds, weights)[0]
        lat, lng = _point(rng, spot)
        road, road2 = rng.sample(tx.ROADS, k=2)
        name = {
            CameraKind.TRAFFIC: f"{road}与{road2}交叉口",
            CameraKind.RESIDENTIAL: f"{spot.village_name}出入口{rng.randint(1, 4)}号",
            CameraKind.BUSINESS: f"{rng.choice(tx.FIRMS)}{rng.choice(tx.COMPANIES)}大门",
        }.get(kind, f"{spot.village_name}{road}{rng.randint(1, 300)}号")
        owner = owners[kind].format(village=spot.village_name, f=rng.choice(tx.FIRMS))
        add(kind, spot, name, owner, lat, lng)
    Camera.objects.bulk_create(cameras, batch_size=BATCH)
    out.cameras = len(cameras)

"""Building the demo county end to end (`manage.py load_demo`).

1. Generate the geography and write it to var/demo/regions.{csv,geojson}; load it with
   `manage.py import_regions` (as the issue requires).
2. The default catalogue: departments, categories, routing rules (`pingan/routing/catalogue.py`).
3. The demo accounts and generated staff (`organisation.py`).
4. The year of events up to now (`EVENTS` a year, a real county's volume), planned day by
   day (`simulation.plan_events`): the days older than `live_days` written in bulk as they
   stand now (`bulk.py`), then the facts and rollups of those days rebuilt
   (`analytics.rebuild.rollup_rebuild`); the last `live_days` played through the services
   (`simulation.run_lives`), so queues, deadlines, timelines and notifications are live.
5. One deadline sweep, when the sla app provides it.

Every step skips what exists: a second run on the same day adds nothing and takes
seconds; a run on a later day adds the days since the last one (the older of them in
bulk, the last `live_days` through the services) and says how many days the demo was
behind. Events left open by the earlier run stay where they were (docs/demo-county.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from shapely import prepared
from shapely.geometry import Point
from shapely.ops import unary_union

from pingan.analytics.rebuild import rollup_rebuild
from pingan.demo import bulk, geography, selectors, simulation
from pingan.demo import mediation as demo_mediation
from pingan.demo.organisation import Staff, ensure_staff
from pingan.geo.geometry import to_shape
from pingan.geo.models import Region
from pingan.routing.catalogue import load_catalogue
from pingan.triage.alerts import alert_rules_install_defaults

DEMO_GRID = "330424001001001"  # demo-gridworker's grid: the first grid of 武原街道
EVENTS = 100_000  # events in the demo year: a real county's volume (≈ 274 a day)
LIVE_DAYS = 5  # the last days played through the services (the rest written in bulk)


@dataclass
class DemoReport:
    """What `load_demo` did, step by step, with timings in seconds."""

    regions: str = ""
    departments: int = 0
    categories: int = 0
    rules: int = 0
    users: int = 0
    planned: int = 0
    existed: int = 0
    behind_days: int | None = None  # days from the newest event found to today
    live_from: dt.datetime | None = None
    bulk: bulk.Written | None = None
    rebuilt: dict[str, int] = field(default_factory=dict)
    events: simulation.Outcome | None = None
    mediation: demo_mediation.Written | None = None
    swept: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo"


def _muted() -> Callable[[], contextlib.AbstractContextManager[Any]]:
    try:
        from pingan.notifications.services import muted
    except ImportError:  # the notifications app does not offer it (yet)
        return contextlib.nullcontext
    return muted


def _sweep() -> str:
    try:
        from pingan.sla.services import sweep
    except ImportError:
        return "未执行（无 sla.services.sweep）"
    run = sweep()
    return (
        f"临期 {getattr(run, 'warned', '?')}，超期 {getattr(run, 'overdue', '?')}，"
        f"自动提级 {getattr(run, 'escalated', '?')}"
    )


def _spots(grids: list[Region], seed: int) -> list[simulation.GridSpot]:
    """Each grid with a dozen points inside it and outside the special grids over it."""
    specials: dict[int | None, list[Any]] = {}
    for g in grids:
        if g.is_special and g.geometry:
            specials.setdefault(g.parent_id, []).append(to_shape(g.geometry))
    spots = []
    for g in grids:
        if not g.geometry:
            continue
        shape = to_shape(g.geometry)
        if not g.is_special and specials.get(g.parent_id):
            shape = shape.difference(unary_union(specials[g.parent_id]))
        inner = shape.buffer(-0.0002)
        if inner.is_empty:
            inner = shape
        rng = random.Random(f"spots:{seed}:{g.code}")
        area = prepared.prep(inner)
        minx, miny, maxx, maxy = inner.bounds
        points: list[tuple[float, float]] = []
        tries = 0
        while len(points) < 12 and tries < 2000:
            tries += 1
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if area.contains(Point(x, y)):
                points.append((round(y, 6), round(x, 6)))
        if not points:
            continue
        path = g.path.split("/")
        spots.append(
            simulation.GridSpot(
                code=g.code,
                region=g,
                town_code=path[1],
                village_name="",
                points=points,
                weight=6.0 if g.code == DEMO_GRID else (1.5 if g.is_special else 1.0),
            )
        )
    return spots


def load_demo(
    *,
    events: int = EVENTS,
    live_days: int = LIVE_DAYS,
    seed: int = 2026,
    villages_per_town: int | None = None,
    grids_per_village: int | None = None,
    progress: Callable[[str], None] = lambda s: None,
) -> DemoReport:
    """Build (or complete) the demo county; returns what each step did."""
    if events < 1:
        raise ValueError("事件数应为正整数")
    if not 0 <= live_days <= simulation.DEMO_DAYS:
        raise ValueError(f"经服务流转的天数应在 0 到 {simulation.DEMO_DAYS} 之间")
    report = DemoReport()
    t0 = time.monotonic()

    geo = geography.build(
        seed=seed, villages_per_town=villages_per_town, grids_per_village=grids_per_village
    )
    csv_path, geojson_path = geography.write_files(geo, demo_dir())
    out = StringIO()
    call_command("import_regions", csv=str(csv_path), geojson=str(geojson_path), stdout=out)
    report.regions = out.getvalue().strip()
    report.timings["regions"] = time.monotonic() - t0
    progress(f"区划：{report.regions}")

    t1 = time.monotonic()
    county = selectors.region_by_code(geo.county.code)
    assert county is not None
    catalogue = load_catalogue(county=county)
    departments = selectors.departments_by_code()
    report.departments = len(catalogue.county_departments) + len(catalogue.town_departments)
    report.categories = len(catalogue.categories)
    report.rules = catalogue.rules
    # The multi-condition risk rules in place of the one-word rules of the first release.
    alert_rules_install_defaults()
    report.timings["catalogue"] = time.monotonic() - t1
    progress(
        f"目录：部门 {report.departments} 个，事件小类 {report.categories} 个，"
        f"分流规则 {report.rules} 条"
    )

    t2 = time.monotonic()
    regions = selectors.regions_by_code([n.code for n in geo.nodes])
    towns = [regions[t.code] for t in geo.towns]
    villages = [regions[v.code] for v in geo.villages()]
    grids = [regions[g.code] for g in geo.grids()]
    demo_grid = regions.get(DEMO_GRID) or next(
        g for g in grids if g.code.startswith("330424001") and not g.is_special
    )
    staff: Staff = ensure_staff(
        county=county,
        towns=towns,
        villages=villages,
        grids=grids,
        departments=departments,
        demo_grid=demo_grid,
        seed=seed,
    )
    report.users = len(staff.grid_workers) + len(staff.grid_leaders) + len(staff.handlers)
    report.timings["accounts"] = time.monotonic() - t2
    progress(f"人员：网格员 {len(staff.grid_workers)} 名，网格长 {len(staff.grid_leaders)} 名")

    t3 = time.monotonic()
    names = {v.code: v.name for v in villages}
    spots = _spots(grids, seed)
    for spot in spots:
        spot.village_name = names.get(spot.code[:12], "")
    world = simulation.World(
        county=county,
        towns={t.code: t for t in towns},
        grids=spots,
        categories=dict(catalogue.categories),
        leaves=simulation.World.leaf_table(),
        departments=departments,
        staff=staff,
    )
    start, end = simulation.demo_period()
    live_from = end - dt.timedelta(days=live_days)
    planned = simulation.plan_events(
        count=events, seed=seed, grids=spots, start=start, end=end, live_from=live_from
    )
    existing = selectors.existing_event_ids([p.uuid for p in planned])
    if not existing:
        older_demo = selectors.county_events_before(county, live_from)
        if older_demo:
            # A demo built by an earlier version (other uuids): adding this year on top
            # would count every matter twice.
            raise ValueError(
                f"数据库中已有本县 {older_demo} 件较早的事件，但不是本版演示数据生成的；"
                "为免重复计数，未写入事件。请删除演示数据库后重新构建（make demo-reset）。"
            )
    report.planned = len(planned)
    report.existed = len(existing)
    report.live_from = live_from
    if existing:
        last = max(p.at for p in planned if p.uuid in existing)
        report.behind_days = (end.date() - timezone.localdate(last)).days
    older = [p for p in planned if p.at < live_from]
    report.bulk = bulk.write_history(
        world=world, planned=older, existing=existing, seed=seed, now=end, progress=progress
    )
    report.timings["bulk"] = time.monotonic() - t3
    if report.bulk.events:
        progress(
            f"批量写入：{report.bulk.events} 件（{report.bulk.first_day} 至 "
            f"{report.bulk.last_day}），流转记录 {report.bulk.transitions} 条"
        )
        t_rollup = time.monotonic()
        report.rebuilt = rollup_rebuild(
            date_from=report.bulk.first_day, date_to=report.bulk.last_day, sql=True
        )
        report.timings["rollups"] = time.monotonic() - t_rollup
        progress(
            f"统计重算：事实 {report.rebuilt['facts']} 条，汇总 {report.rebuilt['rollups']} 行"
        )
    existing.update(report.bulk.ids)

    t_live = time.monotonic()
    report.events = simulation.run_lives(
        world=world,
        planned=planned,
        existing=existing,
        seed=seed,
        end=min(end, simulation.clock.now()),
        muted=_muted(),
        progress=progress,
    )
    report.timings["events"] = time.monotonic() - t_live

    t_med = time.monotonic()
    report.mediation = demo_mediation.build_mediation(
        county=county,
        towns=towns,
        villages=villages,
        spots=spots,
        staff=staff,
        seed=seed,
        start=start,
        now=min(end, simulation.clock.now()),
        scale=events / EVENTS,
        progress=progress,
    )
    report.timings["mediation"] = time.monotonic() - t_med
    m = report.mediation
    progress(
        f"调解：新建调委会 {m.committees} 个、调解员 {m.mediators} 名；"
        f"调解案件 {m.cases} 件（事件转调解 {m.referred} 件），调解记录 {m.sessions} 条"
    )

    from pingan.demo import registry as demo_registry

    t_reg = time.monotonic()
    reg = demo_registry.build_registry(
        county=county,
        spots=spots,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        scale=events / EVENTS,
        progress=progress,
    )
    report.timings["registry"] = time.monotonic() - t_reg
    progress(
        f"实有人口：已有 {reg.existed} 人；新建 {reg.persons} 人（新居民 {reg.new_residents} 人）、"
        f"{reg.households} 户，居住证 {reg.permits} 张，重点人员 {reg.key_persons} 名，"
        f"走访任务 {reg.tasks} 条（逾期 {reg.missed} 条）"
    )
    from pingan.demo import places as demo_places

    t_places = time.monotonic()
    demo_places.build_places(
        county=county,
        spots=spots,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        scale=events / EVENTS,
        progress=progress,
    )
    report.timings["places"] = time.monotonic() - t_places
    from pingan.demo import risk as demo_risk

    t_risk = time.monotonic()
    demo_risk.build_risk(
        county=county,
        towns=towns,
        spots=spots,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        progress=progress,
    )
    report.timings["risk"] = time.monotonic() - t_risk
    from pingan.demo import emergency as demo_emergency

    t_em = time.monotonic()
    demo_emergency.build_emergency(
        county=county,
        towns=towns,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        progress=progress,
    )
    report.timings["emergency"] = time.monotonic() - t_em
    from pingan.demo import screening as demo_screening

    t_scr = time.monotonic()
    demo_screening.build_screening(
        county=county,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        muted=_muted(),
        progress=progress,
    )
    report.timings["screening"] = time.monotonic() - t_scr
    from pingan.demo import campaigns as demo_campaigns

    t_camp = time.monotonic()
    demo_campaigns.build_campaigns(
        county=county,
        towns=towns,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        progress=progress,
    )
    report.timings["campaigns"] = time.monotonic() - t_camp
    from pingan.demo import inspections as demo_inspections

    t_insp = time.monotonic()
    demo_inspections.build_inspections(
        county=county,
        towns=towns,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        progress=progress,
    )
    report.timings["inspections"] = time.monotonic() - t_insp
    from pingan.demo import surveys as demo_surveys

    t_sur = time.monotonic()
    demo_surveys.build_surveys(
        county=county,
        towns=towns,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        progress=progress,
    )
    report.timings["surveys"] = time.monotonic() - t_sur
    from pingan.demo import assessment as demo_assessment

    t_as = time.monotonic()
    demo_assessment.build_assessment(
        county=county,
        staff=staff,
        seed=seed,
        now=min(end, simulation.clock.now()),
        progress=progress,
    )
    report.timings["assessment"] = time.monotonic() - t_as

    t4 = time.monotonic()
    report.swept = _sweep()
    report.timings["sweep"] = time.monotonic() - t4
    report.timings["total"] = time.monotonic() - t0
    return report

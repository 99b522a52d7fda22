"""The demo county's major matters under stability-risk assessment (稳评, docs/risk.md):
ten matters across kinds, grades and decisions, three of them assessed by third-party
bodies, with their steps, measures (some done late, some overdue) and tracking, placed at
grid points of the county's towns (so the events reported around them are linked).

Written through the services at the moments they happened (`core.clock.frozen`, days
before the demo's "now"), so the timeline, the audit rows and the figures are the ones
the workflow writes. Deterministic (seeded) and idempotent: a matter whose title exists
in the county is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.demo.simulation import GridSpot
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.models import Department
from pingan.risk.models import MajorMatter
from pingan.risk.services import matter_create, risk_transition


@dataclass(frozen=True)
class Spec:
    """One demo matter: what, where (the n-th town), who owns it, how far it went.

    `stage`: registered | assessing | graded | decided | tracking | closed | withdrawn.
    `measures`: (days from the decision to the deadline, done after N days or None)."""

    title: str
    kind: str
    town: int
    owner: str  # department code suffix
    people: int
    registered_days_ago: int
    stage: str
    steps: tuple[str, ...] = ("survey", "legality")
    body: str = ""
    grade: str = ""
    decision: str = ""
    measures: tuple[tuple[int, int | None], ...] = ()
    radius_m: int = 600
    polygon: bool = False
    summary: str = ""


SPECS = (
    Spec(
        "城东片区旧城改造房屋征收",
        "land",
        0,
        "ZJ",
        1260,
        200,
        "tracking",
        ("survey", "hearing", "third_party", "legality"),
        body="浙江省社会风险评估研究中心",
        grade="high",
        decision="conditional",
        measures=((20, 12), (30, 41), (45, None), (400, None)),
        polygon=True,
        summary="涉及住户约420户、商铺36间，补偿安置方案分歧较大。",
    ),
    Spec(
        "县第二污水处理厂扩建工程",
        "project",
        1,
        "HB",
        850,
        170,
        "tracking",
        ("survey", "expert", "legality"),
        grade="medium",
        decision="conditional",
        measures=((15, 10), (25, None)),
        summary="周边村民担心异味与噪声，选址论证后调整了排放口位置。",
    ),
    Spec(
        "县属粮油公司改制",
        "restructuring",
        0,
        "MZ",
        310,
        150,
        "closed",
        ("survey", "hearing", "legality"),
        grade="medium",
        decision="conditional",
        measures=((20, 15), (30, 28)),
        summary="职工安置与社保接续是主要关注点。",
    ),
    Spec(
        "城区公交线网优化调整",
        "policy",
        0,
        "JT",
        25000,
        130,
        "closed",
        ("survey", "legality"),
        grade="low",
        decision="implement",
        measures=((10, 8),),
        summary="撤并线路6条，新增社区微循环线路3条。",
    ),
    Spec(
        "沿海防洪堤加固工程征地",
        "land",
        1,
        "ZF",
        240,
        120,
        "decided",
        ("survey", "third_party", "legality"),
        body="嘉兴市公共政策评估所",
        grade="medium",
        decision="implement",
        measures=((30, 20), (60, None)),
        radius_m=900,
        summary="涉及承包地约180亩。",
    ),
    Spec(
        "工业园区化工项目引进",
        "project",
        1,
        "HB",
        3200,
        100,
        "closed",
        ("survey", "hearing", "expert", "third_party", "legality"),
        body="浙江省社会风险评估研究中心",
        grade="high",
        decision="reject",
        summary="群众反对意见集中，专家论证认为环境风险不可控。",
    ),
    Spec(
        "农贸市场整体搬迁",
        "project",
        0,
        "SJ",
        560,
        80,
        "decided",
        ("survey", "hearing", "legality"),
        grade="high",
        decision="postpone",
        summary="摊主对新址客流与租金有顾虑，待过渡方案完善后再议。",
    ),
    Spec(
        "老旧小区加装电梯补助政策",
        "policy",
        0,
        "ZJ",
        4800,
        45,
        "graded",
        ("survey", "legality"),
        grade="low",
        summary="高低楼层住户意见不一。",
    ),
    Spec(
        "镇卫生院迁建",
        "project",
        1,
        "MZ",
        900,
        20,
        "assessing",
        ("survey",),
        summary="新址距老镇区约2公里。",
    ),
    Spec(
        "渔港码头岸线整治",
        "other",
        1,
        "ZF",
        150,
        6,
        "registered",
        (),
        summary="涉及违章搭建的渔具仓库约40间。",
    ),
)

STEP_TEXTS = {
    "survey": "入户走访与问卷调查，支持率约{p}%",
    "hearing": "召开听证会，群众代表{n}名参加",
    "expert": "组织专家论证，认为方案总体可行",
    "third_party": "第三方评估报告认为风险总体可控，提出防范建议",
    "legality": "合法性审查：程序与依据合法",
}
MEASURE_TEXTS = (
    "逐户上门解释政策，建立一户一档",
    "设立现场接待点，专人受理群众诉求",
    "落实过渡安置与临时补助",
    "开展矛盾纠纷排查，重点人员专人稳控",
)


@dataclass
class Written:
    matters: int = 0
    skipped: int = 0
    measures: int = 0


def _department(county: Region, suffix: str) -> Department:
    dept = Department.objects.filter(code=f"{county.code}-{suffix}").first()
    if dept is None:
        dept = Department.objects.filter(region=county, is_active=True).order_by("code").first()
    assert dept is not None, "the demo county has no departments"
    return dept


def _at(now: dt.datetime, days_ago: float) -> dt.datetime:
    """A working-hours moment `days_ago` days before now (10:00 local)."""
    day = timezone.localdate(now) - dt.timedelta(days=int(days_ago))
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return min(moment, now)


def build_risk(
    *,
    county: Region,
    towns: Any,
    spots: list[GridSpot],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """The ten demo matters (module docstring)."""
    out = Written()
    rng = random.Random(f"risk:{seed}")
    office = staff.dispatchers[county.code][0]
    leader = staff.leaders.get(county.code, office)
    town_codes = sorted({s.town_code for s in spots})
    existing = set(
        MajorMatter.objects.filter(within_q("region_path", [county.path])).values_list(
            "title", flat=True
        )
    )
    for spec in SPECS:
        if spec.title in existing:
            out.skipped += 1
            continue
        town = town_codes[spec.town % len(town_codes)]
        spot = rng.choice([s for s in spots if s.town_code == town])
        lat, lng = rng.choice(spot.points)
        dept = _department(county, spec.owner)
        handler = (staff.handlers.get(dept.code) or [office])[0]
        _write(out, spec, rng, spot, lat, lng, dept, handler, office, leader, now)
    progress(
        f"稳评：重大事项 {out.matters} 件（已有 {out.skipped} 件），防范措施 {out.measures} 项"
    )
    return out


def _write(
    out: Written,
    spec: Spec,
    rng: random.Random,
    spot: GridSpot,
    lat: float,
    lng: float,
    dept: Department,
    handler: Any,
    office: Any,
    leader: Any,
    now: dt.datetime,
) -> None:
    start = spec.registered_days_ago
    area = None
    if spec.polygon:
        d = 0.004
        area = {
            "type": "Polygon",
            "coordinates": [
                [
                    [lng - d, lat - d],
                    [lng + d, lat - d],
                    [lng + d, lat + d],
                    [lng - d, lat + d],
                    [lng - d, lat - d],
                ]
            ],
        }
    with clock.frozen(_at(now, start)):
        m = matter_create(
            actor=office,
            title=spec.title,
            kind=spec.kind,
            owner_department=dept.pk,
            region=spot.region.pk,
            lat=lat,
            lng=lng,
            area=area,
            radius_m=spec.radius_m,
            people_affected=spec.people,
            planned_on=timezone.localdate(now) + dt.timedelta(days=rng.randint(30, 240)),
            description=spec.summary,
        )
    out.matters += 1

    def fire(user: Any, action: str, days_ago: float, **payload: Any) -> None:
        with clock.frozen(_at(now, days_ago)):
            risk_transition(actor=user, matter_id=m.pk, action=action, payload=payload)

    if spec.stage == "registered":
        return
    day = start - 2
    fire(office, "start", day)
    for kind in spec.steps:
        day -= 3
        held = timezone.localdate(_at(now, day))
        text = STEP_TEXTS[kind].format(p=rng.randint(72, 93), n=rng.randint(12, 30))
        who = handler if kind in ("survey", "expert") else office
        extra = {"body": spec.body} if kind == "third_party" else {}
        fire(
            who, "record_step", day, step_kind=kind, held_on=held.isoformat(), summary=text, **extra
        )
    if spec.stage == "assessing" or not spec.grade:
        return
    day -= 2
    fire(office, "grade", day, grade=spec.grade, reasons=spec.summary or "综合评估结果")
    decided_day = day - 5
    for i, (due, _finished) in enumerate(spec.measures):
        deadline = timezone.localdate(_at(now, decided_day)) + dt.timedelta(days=due)
        fire(
            office,
            "add_measure",
            day - 1,
            measure=MEASURE_TEXTS[i % len(MEASURE_TEXTS)],
            owner_department=dept.pk,
            deadline=deadline.isoformat(),
        )
        out.measures += 1
    if spec.stage == "graded":
        return
    fire(leader, "decide", decided_day, decision=spec.decision, note="经县维稳工作领导小组研究决定")
    if spec.stage == "closed" and spec.decision in ("reject", "postpone"):
        fire(office, "close", decided_day - 1)
        return
    if spec.stage == "decided":
        _mark_done(m, spec, handler, decided_day, fire)
        return
    fire(office, "start_tracking", decided_day - 1)
    _mark_done(m, spec, handler, decided_day, fire)
    fire(handler, "track_note", max(decided_day - 20, 0), note="现场平稳，未发现聚集苗头")
    if spec.stage == "closed":
        fire(office, "close", max(decided_day - 40, 0), note="各项措施落实到位，群众情绪平稳")


def _mark_done(
    m: MajorMatter, spec: Spec, handler: Any, decided_day: int, fire: Callable[..., None]
) -> None:
    ids = list(m.measures.order_by("id").values_list("id", flat=True))
    for pk, (_due, done) in zip(ids, spec.measures, strict=True):
        if done is None or decided_day - done < 0:
            continue
        fire(handler, "measure_done", decided_day - done, measure_id=pk, note="已落实")

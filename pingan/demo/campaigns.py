"""The demo county's campaign and listed rectification (docs/campaigns.md): one campaign
「百日攻坚」安全隐患大排查整治 over the last 100 days (the county's hazards, four targets,
a few events of other kinds tagged by hand, the inspection headcount entered), and eight
listed items — key complex areas and prominent problems — in every state, two of them
overdue, with their progress reports, placed in the towns (so they are on the map).

Written through the services at the moments they happened (`core.clock.frozen`, days
before the demo's "now"), so the timelines and audit rows are the workflow's own.
Deterministic (seeded) and idempotent: skipped when the campaign exists in the county.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from shapely.geometry import shape

from pingan.campaigns.models import Campaign
from pingan.campaigns.selectors import event_counts
from pingan.campaigns.services import (
    campaign_activate,
    campaign_create,
    campaign_event_add,
    campaign_update,
    listing_create,
    listing_transition,
    target_enter,
)
from pingan.core import clock
from pingan.core.errors import DomainError
from pingan.demo.organisation import Staff
from pingan.events.models import Category, Event
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.models import Department

NAME = "「百日攻坚」安全隐患大排查整治"


@dataclass
class Written:
    campaigns: int = 0
    tagged: int = 0
    listings: int = 0
    skipped: bool = False


@dataclass(frozen=True)
class Item:
    """One demo listed item: what, which town (index), owner (town or a department code
    suffix), listed how many days ago, its deadline (days after listing) and how far it
    went (listed | rectifying | acceptance | accepted | delisted | cancelled)."""

    kind: str
    name: str
    town: int
    target: str
    days_ago: int
    due_days: int
    stage: str
    department: str = ""
    reports: tuple[str, ...] = ()
    rejected_once: bool = False
    extended: bool = False


ITEMS = (
    Item(
        "key_area",
        "城东老街片区（治安复杂区域）",
        0,
        "可防性案件同比下降30%，群众安全感明显提升",
        95,
        90,
        "rectifying",
        reports=("新增视频监控点位24个", "组建平安巡防队夜间巡逻"),
    ),
    Item(
        "key_area",
        "火车站周边区域",
        1,
        "非法营运、揽客现象基本消除",
        80,
        60,
        "acceptance",
        reports=("联合交警、运管开展整治行动6次", "设置临时停车泊位120个"),
        extended=True,
    ),
    Item(
        "key_area",
        "工业园区出租房集中区",
        2,
        "出租房消防隐患整改率100%，登记率100%",
        120,
        75,
        "delisted",
        reports=("排查出租房412户，整改隐患238处",),
    ),
    Item("key_area", "城郊结合部村庄", 3, "矛盾纠纷化解率95%以上", 40, 120, "listed"),
    Item(
        "prominent_problem",
        "电动自行车违规停放充电",
        0,
        "楼道停放、飞线充电清零",
        70,
        45,
        "rectifying",
        department="XF",
        reports=("清理飞线充电点63处",),
    ),
    Item(
        "prominent_problem",
        "农贸市场周边占道经营",
        1,
        "占道经营清零，消防通道畅通",
        110,
        60,
        "accepted",
        department="ZF",
        reports=("取缔占道摊点41处",),
        rejected_once=True,
    ),
    Item(
        "prominent_problem",
        "建筑工地欠薪隐患",
        2,
        "欠薪案件动态清零",
        60,
        30,
        "listed",
        department="RS",
    ),
    Item(
        "prominent_problem",
        "河道非法采砂",
        3,
        "非法采砂点全部取缔",
        90,
        50,
        "cancelled",
        department="SL",
    ),
)


def _at(now: dt.datetime, days_ago: float) -> dt.datetime:
    day = timezone.localdate(now) - dt.timedelta(days=int(days_ago))
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))), now)


def _point(region: Region, rng: random.Random) -> tuple[float, float] | None:
    if region.geometry:
        p = shape(region.geometry).representative_point()
        return p.y + rng.uniform(-0.002, 0.002), p.x + rng.uniform(-0.002, 0.002)
    if region.lat is not None and region.lng is not None:
        return region.lat, region.lng
    return None


def build_campaigns(
    *,
    county: Region,
    towns: list[Region],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """The demo campaign and listed items (module docstring)."""
    out = Written()
    office_users = staff.dispatchers.get(county.code) or []
    if not office_users or not towns:
        return out
    office = office_users[0]
    if Campaign.objects.filter(name=NAME, region=county).exists():
        out.skipped = True
        return out
    rng = random.Random(f"campaigns:{seed}")
    campaign = _campaign(county, office, now, rng, out)
    _listings(county, towns, staff, office, campaign, now, rng, out)
    progress(
        f"专项行动：{out.campaigns} 项（手工标记事件 {out.tagged} 件）；挂牌整治 {out.listings} 项"
    )
    return out


def _campaign(
    county: Region, office: Any, now: dt.datetime, rng: random.Random, out: Written
) -> Campaign:
    today = timezone.localdate(now)
    hazard = (
        Category.objects.filter(code="hazard").first()
        or Category.objects.filter(name="安全隐患", parent__isnull=True).first()
    )
    start = _at(now, 100)
    with clock.frozen(start):
        c = campaign_create(
            actor=office,
            name=NAME,
            kind="hundred_days",
            description="聚焦消防、安全生产、道路交通、危化品、燃气等领域，"
            "开展为期100天的安全隐患大排查大整治，做到隐患排查全覆盖、整改销号全闭环。",
            starts_on=today - dt.timedelta(days=99),
            ends_on=today,
            categories=[hazard.pk] if hazard else [],
            targets=[{"metric": "events", "label": "排查安全隐患", "target": 1}],
        )
    counts = event_counts(c)
    found = max(counts["events"], 10)
    with clock.frozen(start):
        campaign_update(
            actor=office,
            campaign_id=c.pk,
            targets=[
                {
                    "metric": "events",
                    "label": "排查安全隐患",
                    "target": int(round(found * 1.1, -1)),
                },
                {
                    "metric": "hazards_fixed",
                    "label": "整改销号隐患",
                    "target": int(round(found, -1)),
                },
                {"metric": "listings_delisted", "label": "挂牌整治摘牌", "target": 3},
                {"metric": "entered", "label": "出动检查人次", "target": 5000},
            ],
        )
        campaign_activate(actor=office, campaign_id=c.pk)
    out.campaigns += 1
    # A few events of other kinds that belong to the drive (e.g. 群租房 reported as order).
    period = Event.objects.filter(
        within_q("region_path", [county.path]),
        reported_at__gte=_at(now, 99),
        category__parent__code="public_order",
    ).order_by("id")[:40]
    picks = rng.sample(list(period), min(4, len(period)))
    for e in picks:
        with clock.frozen(_at(now, rng.randint(1, 60))):
            try:
                campaign_event_add(
                    actor=office, campaign_id=c.pk, event_id=e.pk, note="涉及安全隐患，纳入专项行动"
                )
                out.tagged += 1
            except DomainError:
                continue
    entered = c.targets.get(metric="entered")
    with clock.frozen(_at(now, 1)):
        target_enter(
            actor=office,
            campaign_id=c.pk,
            target_id=entered.pk,
            value=4620,
            note="据各乡镇（街道）和县级部门报表汇总",
        )
    return c


def _listings(
    county: Region,
    towns: list[Region],
    staff: Staff,
    office: Any,
    campaign: Campaign,
    now: dt.datetime,
    rng: random.Random,
    out: Written,
) -> None:
    for spec in ITEMS:
        town = towns[spec.town % len(towns)]
        point = _point(town, rng)
        dept = None
        if spec.department:
            dept = Department.objects.filter(code=f"{county.code}-{spec.department}").first()
        listed = _at(now, spec.days_ago)
        with clock.frozen(listed):
            item = listing_create(
                actor=office,
                kind=spec.kind,
                name=spec.name,
                description=f"{town.name}{spec.name}问题突出，群众反映强烈，经县平安办研究决定挂牌整治。",
                region=town.pk,
                lat=point[0] if point else None,
                lng=point[1] if point else None,
                unit_region=None if dept else town.pk,
                unit_department=dept.pk if dept else None,
                responsible_title="局长" if dept else "镇（街道）主要负责人",
                target=spec.target,
                deadline=(
                    timezone.localdate(listed) + dt.timedelta(days=spec.due_days)
                ).isoformat(),
                campaign=campaign.pk,
            )
        out.listings += 1
        if dept is not None:
            unit = (staff.handlers.get(dept.code) or [office])[0]
        else:
            unit = (staff.dispatchers.get(town.code) or [office])[0]
        day = spec.days_ago

        def fire(user: Any, action: str, days: float, _pk: int = item.pk, **payload: Any) -> None:
            with clock.frozen(_at(now, max(days, 0))):
                listing_transition(actor=user, listing_id=_pk, action=action, payload=payload)

        if spec.stage == "listed":
            continue
        if spec.stage == "cancelled":
            fire(office, "cancel", day - 20, note="问题已纳入河道综合治理项目统一推进，撤销挂牌")
            continue
        day -= 3
        fire(unit, "start", day, note="成立整治专班，制定整治方案")
        for text in spec.reports:
            day -= rng.randint(8, 15)
            fire(unit, "report", day, text=text)
        if spec.extended:
            fire(
                office,
                "extend",
                day - 1,
                deadline=(item.deadline + dt.timedelta(days=30)).isoformat(),
                note="汛期顺延",
            )
        if spec.stage == "rectifying":
            continue
        day -= 5
        fire(unit, "request_acceptance", day, note="已完成整治目标，申请验收")
        if spec.rejected_once:
            day -= 3
            fire(office, "reject", day, note="现场复查仍有占道摊点，继续整改")
            day -= 7
            fire(unit, "request_acceptance", day, note="已全部清理，再次申请验收")
        if spec.stage == "acceptance":
            continue
        day -= 3
        fire(office, "accept", day, note="经现场验收，达到整治目标")
        if spec.stage == "delisted":
            fire(office, "delist", day - 2, note="验收合格，予以摘牌")

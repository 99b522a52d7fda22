"""The default catalogue a county can start from: departments, categories, routing rules.

`load_catalogue(county=...)` creates (or brings up to date) the county bureaus, each
town's offices, the two-level category tree with deadlines per urgency, extra fields and
default lead departments, and the routing rules (county-wide, plus town-level rules
sending neighbourhood matters to the town's own offices). Idempotent: it upserts by code.
`manage.py load_catalogue` runs it (a production set-up step, docs/deploy.md); the demo
county (pingan.demo) calls it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from pingan.events.catalogue import category_upsert
from pingan.events.models import Category
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.selectors import region_list
from pingan.org.models import Department
from pingan.org.services import department_upsert
from pingan.routing.models import RoutingRule

# ---- departments ----------------------------------------------------------------------

# (key, name). Codes are "<county code>-<key>", unique across counties.
COUNTY_DEPARTMENTS: list[tuple[str, str]] = [
    ("GA", "县公安局"),
    ("SJ", "县市场监管局"),
    ("YJ", "县应急管理局"),
    ("ZJ", "县住建局"),
    ("ZRZY", "县自然资源和规划局"),
    ("STHJ", "市生态环境局海盐分局"),
    ("JT", "县交通运输局"),
    ("JY", "县教育局"),
    ("WJ", "县卫生健康局"),
    ("MZ", "县民政局"),
    ("RS", "县人力社保局"),
    ("NY", "县农业农村局"),
    ("ZF", "县综合行政执法局"),
    ("XF", "县消防救援大队"),
    ("SF", "县司法局"),
    ("XFJ", "县信访局"),
    ("SL", "县水利局"),
    ("JJ", "县公安局交警大队"),
    ("CT", "县城投集团"),
    ("GD", "国网海盐县供电公司"),
    ("GS", "县水务集团"),
    ("RQ", "县燃气公司"),
    ("FG", "县发改局"),
    ("JX", "县经信局"),
    ("SW", "县商务局"),
    ("WGLT", "县文广旅体局"),
    ("YB", "县医保局"),
    ("TYJR", "县退役军人事务局"),
    ("ZGH", "县总工会"),
    ("FL", "县妇联"),
    ("CL", "县残联"),
]

# (key, suffix): each town's own offices, named "<town><suffix>".
TOWN_OFFICES: list[tuple[str, str]] = [
    ("ZZB", "综治办"),
    ("PCS", "派出所"),
    ("SFS", "司法所"),
    ("SJS", "市场监管所"),
    ("ZFZD", "综合执法中队"),
    ("YJB", "应急办"),
]


def county_department_code(county: Region, key: str) -> str:
    return f"{county.code}-{key}"


def town_department_code(town: Region, key: str) -> str:
    return f"{town.code}-{key}"


# ---- categories -----------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """A leaf category: code suffix, name, default lead (county key), handling days for
    normal urgency, assisting departments for joint handling (county keys or "town:KEY"),
    the town office that leads it in each town (if any), and its extra fields."""

    key: str
    name: str
    lead: str
    days: int
    assist: tuple[str, ...] = ()
    town_lead: str = ""
    extra: tuple[dict[str, Any], ...] = ()
    ack_hours: float = 4
    joint: bool = False  # the routing rule names the assisting departments by default


@dataclass(frozen=True)
class Group:
    """A top-level category and its leaves."""

    key: str
    name: str
    leaves: tuple[Leaf, ...]


PLACE_KINDS = [
    "住宅",
    "出租房",
    "沿街商铺",
    "厂房仓库",
    "餐饮场所",
    "学校幼儿园",
    "养老机构",
    "其他",
]

CATALOGUE: tuple[Group, ...] = (
    Group(
        "dispute",
        "矛盾纠纷",
        (
            Leaf("neighbour", "邻里纠纷", "SF", 5, ("town:PCS",), town_lead="SFS"),
            Leaf("family", "婚姻家庭纠纷", "SF", 7, ("FL",), town_lead="SFS"),
            Leaf(
                "labour",
                "劳资纠纷(欠薪)",
                "RS",
                7,
                ("ZGH", "town:SFS", "GA"),
                joint=True,
                extra=(
                    {"name": "people", "label": "涉及人数", "type": "number", "required": True},
                    {"name": "amount", "label": "欠薪金额(元)", "type": "number"},
                ),
            ),
            Leaf("land", "土地山林纠纷", "ZRZY", 15, ("NY", "town:SFS")),
            Leaf("property", "物业纠纷", "ZJ", 7, ("town:SFS",)),
            Leaf("medical", "医患纠纷", "WJ", 10, ("SF", "GA")),
            Leaf("traffic", "交通事故纠纷", "JJ", 5, ("SF",)),
            Leaf("demolition", "征地拆迁纠纷", "ZRZY", 15, ("ZJ", "XFJ", "town:SFS"), joint=True),
            Leaf("consumer", "消费纠纷", "SJ", 5, (), town_lead="SJS"),
            Leaf("debt", "合同债务纠纷", "SF", 10, (), town_lead="SFS"),
        ),
    ),
    Group(
        "hazard",
        "安全隐患",
        (
            Leaf(
                "fire",
                "消防安全隐患",
                "XF",
                3,
                ("town:YJB",),
                extra=(
                    {
                        "name": "place_kind",
                        "label": "场所类型",
                        "type": "choice",
                        "required": True,
                        "choices": PLACE_KINDS,
                    },
                ),
                ack_hours=2,
            ),
            Leaf("production", "安全生产隐患", "YJ", 5, ("JX",), town_lead="YJB", ack_hours=2),
            Leaf("road", "道路交通安全隐患", "JJ", 5, ("JT",)),
            Leaf("chemicals", "危化品安全隐患", "YJ", 3, ("XF", "GA"), ack_hours=2, joint=True),
            Leaf("building", "房屋建筑安全隐患", "ZJ", 5, ("town:YJB",)),
            Leaf("gas", "燃气安全隐患", "ZJ", 2, ("RQ", "XF"), ack_hours=2, joint=True),
            Leaf("flood", "防汛防台隐患", "SL", 2, ("YJ", "town:YJB"), ack_hours=2, joint=True),
            Leaf("power", "电力设施隐患", "GD", 3, ()),
        ),
    ),
    Group(
        "public_order",
        "社会治安",
        (
            Leaf("disorder", "治安扰序", "GA", 3, (), town_lead="PCS", ack_hours=2),
            Leaf("gambling", "涉赌涉黄线索", "GA", 5, (), town_lead="PCS"),
            Leaf("fraud", "电信网络诈骗线索", "GA", 3, (), ack_hours=2),
            Leaf("key_person", "重点人员动态", "GA", 3, ("WJ", "SF"), town_lead="PCS"),
            Leaf(
                "gathering", "群体性事件苗头", "XFJ", 2, ("GA", "town:ZZB"), ack_hours=1, joint=True
            ),
        ),
    ),
    Group(
        "environment",
        "生态环境",
        (
            Leaf("water", "水体污染", "STHJ", 7, ("SL",)),
            Leaf("air", "废气烟尘扰民", "STHJ", 5, ()),
            Leaf("noise", "噪声扰民", "STHJ", 3, ("town:ZFZD",)),
            Leaf("waste", "固废垃圾乱倒", "ZF", 3, ("STHJ",), town_lead="ZFZD"),
            Leaf("burning", "露天焚烧", "ZF", 1, ("NY",), town_lead="ZFZD", ack_hours=2),
        ),
    ),
    Group(
        "food_drug",
        "食品药品",
        (
            Leaf("food", "食品安全", "SJ", 5, ("town:SJS",)),
            Leaf("unlicensed", "无证无照经营", "SJ", 7, ("ZF",), town_lead="SJS"),
            Leaf("drug", "药品医疗器械", "SJ", 5, ("WJ",)),
        ),
    ),
    Group(
        "city_management",
        "城市管理",
        (
            Leaf("stalls", "占道经营", "ZF", 2, (), town_lead="ZFZD"),
            Leaf("illegal_building", "违章搭建", "ZF", 15, ("ZRZY",), town_lead="ZFZD"),
            Leaf("parking", "车辆乱停乱放", "JJ", 2, ("ZF",)),
            Leaf("facilities", "市政设施损坏", "CT", 5, ()),
            Leaf("sanitation", "环境卫生", "ZF", 2, (), town_lead="ZFZD"),
            Leaf("advertising", "违规广告招牌", "ZF", 5, (), town_lead="ZFZD"),
        ),
    ),
    Group(
        "livelihood",
        "民生服务",
        (
            Leaf("utilities", "水电气供应", "GS", 3, ("GD", "RQ")),
            Leaf("assistance", "困难群众帮扶", "MZ", 10, ("CL",)),
            Leaf("social_security", "社保医保咨询", "RS", 5, ("YB",)),
            Leaf("schooling", "入学入托", "JY", 10, ()),
            Leaf("transit", "公交出行", "JT", 7, ()),
            Leaf("elderly", "养老服务", "MZ", 7, ("WJ",)),
        ),
    ),
)


def leaf_code(group: Group, leaf: Leaf) -> str:
    return f"{group.key}.{leaf.key}"


def deadlines_for(leaf: Leaf) -> dict[str, tuple[float, str, float, str]]:
    """Allowances per urgency: normal as configured, urgent about a third, critical a day."""
    days = leaf.days
    return {
        "normal": (leaf.ack_hours, "hours", days, "days"),
        "urgent": (1, "hours", max(1, days // 3), "days"),
        "critical": (0.5, "hours", 8 if days > 1 else 4, "hours"),
    }


def rule_upsert(
    *,
    category: Category,
    region: Region,
    lead: Department,
    assisting: list[Department],
    note: str = "",
) -> RoutingRule:
    """Create or update the catalogue's rule for a category in a region (one per pair)."""
    rule, _ = RoutingRule.objects.update_or_create(
        category=category,
        region=region,
        defaults={"lead_department": lead, "note": note, "is_active": True},
    )
    if {d.pk for d in rule.assisting_departments.all()} != {d.pk for d in assisting}:
        rule.assisting_departments.set(assisting)
    return rule


# ---- applying it ----------------------------------------------------------------------


def catalogue_county(code: str | None) -> Region | None:
    """The region with this code; without a code, the only county in the database (None
    when there is none, or several)."""
    if code:
        return region_list().filter(code=code).first()
    counties = list(region_list(level=Level.COUNTY)[:2])
    return counties[0] if len(counties) == 1 else None


@dataclass
class CatalogueResult:
    """What `load_catalogue` left in place, by code."""

    county_departments: dict[str, Department]  # key → department
    town_departments: dict[tuple[str, str], Department]  # (town code, key) → department
    categories: dict[str, Category]  # leaf code → category
    rules: int


def _resolve(
    key: str, town: Region | None, county_depts: dict[str, Department], town_depts: dict
) -> Department | None:
    if key.startswith("town:"):
        return town_depts.get((town.code, key[5:])) if town is not None else None
    return county_depts.get(key)


def load_catalogue(*, county: Region, with_town_rules: bool = True) -> CatalogueResult:
    """Create or update the default departments, categories and routing rules of `county`;
    returns what is in place. Running it again changes nothing."""
    towns = list(region_list(parent=county.pk, level=Level.TOWN))
    with transaction.atomic():
        county_depts = {
            key: department_upsert(
                code=county_department_code(county, key), name=name, region=county
            )
            for key, name in COUNTY_DEPARTMENTS
        }
        town_depts: dict[tuple[str, str], Department] = {}
        for town in towns:
            for key, suffix in TOWN_OFFICES:
                town_depts[(town.code, key)] = department_upsert(
                    code=town_department_code(town, key), name=f"{town.name}{suffix}", region=town
                )
        categories: dict[str, Category] = {}
        rules = 0
        for g_sort, group in enumerate(CATALOGUE, start=1):
            parent = category_upsert(code=group.key, name=group.name, sort=g_sort * 10)
            for l_sort, leaf in enumerate(group.leaves, start=1):
                lead = county_depts[leaf.lead]
                cat = category_upsert(
                    code=leaf_code(group, leaf),
                    name=leaf.name,
                    parent=parent,
                    default_department=lead,
                    extra_fields=[dict(f) for f in leaf.extra],
                    sort=g_sort * 10 + l_sort,
                    escalate_on_overdue=group.key in ("public_order",) or leaf.key == "gathering",
                    deadlines=deadlines_for(leaf),
                )
                categories[cat.code] = cat
                county_assist = [
                    d
                    for k in (leaf.assist if leaf.joint else ())
                    if (d := _resolve(k, None, county_depts, town_depts))
                ]
                rule_upsert(
                    category=cat,
                    region=county,
                    lead=lead,
                    assisting=county_assist,
                    note="县级默认分流",
                )
                rules += 1
                if with_town_rules and leaf.town_lead:
                    for town in towns:
                        town_lead = town_depts[(town.code, leaf.town_lead)]
                        assisting = [
                            d
                            for k in (leaf.assist if leaf.joint else ())
                            if (d := _resolve(k, town, county_depts, town_depts))
                            and d.pk != town_lead.pk
                        ]
                        rule_upsert(
                            category=cat,
                            region=town,
                            lead=town_lead,
                            assisting=assisting,
                            note="属地优先：镇街站所主办",
                        )
                        rules += 1
    return CatalogueResult(county_depts, town_depts, categories, rules)

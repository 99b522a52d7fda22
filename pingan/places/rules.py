"""The rules of the places registers, in one place (docs/places.md, "Rules"): the check
lists, the 12 real-name sectors, how a rental house is rated from its last checks, how
often houses and places must be checked, and the distance of a camera.

Intervals and sectors are settings (read at each use, so a change needs no data
migration): `PINGAN_RENTAL_CHECK_DAYS`, `PINGAN_PLACE_CHECK_DAYS`,
`PINGAN_REALNAME_SECTORS`, `PINGAN_CAMERA_RADIUS_M`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.places.choices import CheckResult, PlaceKind, Rating

# ---- check lists ----------------------------------------------------------------------------

# 出租房 fire-safety and public-security check (消防安全 + 治安管理): code → label.
RENTAL_ITEMS: dict[str, Any] = {  # code → label (a lazy msgid)
    "extinguisher": _("配备灭火器且在有效期内"),
    "smoke_alarm": _("安装独立式烟感报警器"),
    "escape_route": _("疏散通道、安全出口畅通"),
    "window_bars": _("窗户未设影响逃生的防盗网"),
    "ebike_charging": _("无电动自行车室内停放充电"),
    "wiring": _("无私拉乱接电线"),
    "gas": _("燃气使用安全"),
    "tenant_registration": _("租客信息已登记（人来登记、人走注销）"),
    "responsibility": _("已签订治安消防责任书"),
}

# 重点场所 safety check: code → label (the real-name records are a field of their own).
PLACE_ITEMS: dict[str, Any] = {
    "fire_equipment": _("消防设施器材完好有效"),
    "escape_route": _("疏散通道、安全出口畅通"),
    "duty": _("安全管理制度与值守落实"),
    "security_staff": _("保安、技防设施到位"),
    "hazard_storage": _("危险物品规范存放"),
    "electric": _("用电用气安全"),
    "emergency_plan": _("有应急预案并开展演练"),
}

# A check with this many hazards rates the house red whatever result was written.
RED_HAZARDS = 3

# ---- the 12 real-name sectors (实名制行业) ----------------------------------------------------

DEFAULT_SECTORS: tuple[tuple[str, Any], ...] = (
    ("express", _("寄递物流")),
    ("bottled_gas", _("瓶装燃气")),
    ("car_rental", _("汽车租赁")),
    ("hotel", _("旅馆业")),
    ("used_goods", _("二手车、二手手机交易")),
    ("scrap_metal", _("废旧金属收购")),
    ("locksmith", _("开锁")),
    ("seal", _("公章刻制")),
    ("pawn", _("典当")),
    ("bulk_fuel", _("加油站散装汽油销售")),
    ("internet_cafe", _("网吧（上网服务营业场所）")),
    ("hazchem", _("危险化学品（剧毒、易制爆）销售")),
)


def sectors() -> list[tuple[str, str]]:
    """The real-name sectors (code, name): `PINGAN_REALNAME_SECTORS` when set (a list of
    "code:名称" strings or (code, name) pairs), else the twelve above."""
    raw = getattr(settings, "PINGAN_REALNAME_SECTORS", None)
    if not raw:
        return [(code, str(name)) for code, name in DEFAULT_SECTORS]
    out: list[tuple[str, str]] = []
    for item in raw:
        if isinstance(item, str):
            code, _sep, name = item.partition(":")
            out.append((code.strip(), name.strip() or code.strip()))
        else:
            out.append((str(item[0]), str(item[1])))
    return out


def sector_name(code: str) -> str:
    return dict(sectors()).get(code, code)


# ---- rating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckFacts:
    """What the rating reads of a check."""

    result: str
    hazards: int


def _red(c: CheckFacts) -> bool:
    return c.result == CheckResult.FAIL or c.hazards >= RED_HAZARDS


def rating_of(last: Sequence[CheckFacts]) -> str:
    """The rating from the house's checks, newest first (only the last two count):

    - no check: unrated (未评级);
    - the last check failed (重大隐患) or found `RED_HAZARDS` hazards or more: red;
    - the last check asked for rectification (限期整改): yellow;
    - the last check passed, but the one before was red: yellow (one clean check after a
      red one is probation);
    - the last check passed: green."""
    if not last:
        return Rating.UNRATED
    newest = last[0]
    if _red(newest):
        return Rating.RED
    if newest.result == CheckResult.RECTIFY or newest.hazards > 0:
        return Rating.YELLOW
    if len(last) > 1 and _red(last[1]):
        return Rating.YELLOW
    return Rating.GREEN


# ---- check intervals and overdue checks --------------------------------------------------------

DEFAULT_RENTAL_DAYS = {"red": 30, "yellow": 90, "green": 180, "unrated": 30}

DEFAULT_PLACE_DAYS = {
    PlaceKind.SCHOOL: 90,
    PlaceKind.HOSPITAL: 90,
    PlaceKind.MARKET: 30,
    PlaceKind.HAZCHEM: 30,
    PlaceKind.CATERING: 90,
    PlaceKind.CROWDED: 30,
    PlaceKind.ENTERPRISE: 180,
    PlaceKind.SITE: 30,
    PlaceKind.SCENIC: 90,
    PlaceKind.REALNAME: 90,
    PlaceKind.OTHER: 180,
}


def rental_days() -> dict[str, int]:
    """Days between checks of a rental house by rating (`unrated`: from registration to
    the first check); `PINGAN_RENTAL_CHECK_DAYS` overrides any of them."""
    days = dict(DEFAULT_RENTAL_DAYS)
    days.update(
        {
            str(k): int(v)
            for k, v in (getattr(settings, "PINGAN_RENTAL_CHECK_DAYS", None) or {}).items()
        }
    )
    return days


def rental_interval(rating: str) -> int:
    return rental_days()[rating or "unrated"]


def place_days() -> dict[str, int]:
    """Days between checks of a place by kind (also from registration to the first
    check); `PINGAN_PLACE_CHECK_DAYS` overrides any of them."""
    days = {str(k): v for k, v in DEFAULT_PLACE_DAYS.items()}
    days.update(
        {
            str(k): int(v)
            for k, v in (getattr(settings, "PINGAN_PLACE_CHECK_DAYS", None) or {}).items()
        }
    )
    return days


def place_interval(kind: str) -> int:
    return place_days().get(kind, DEFAULT_PLACE_DAYS[PlaceKind.OTHER])


def next_due(last_check_on: dt.date | None, registered_on: dt.date, days: int) -> dt.date:
    """The day by which the next check is due: `days` after the last check (after the
    registration when there was none). Overdue from the day after."""
    return (last_check_on or registered_on) + dt.timedelta(days=days)


def _overdue_q(interval: int, today: dt.date) -> Q:
    """Checked last (or, never checked, registered) more than `interval` days ago."""
    limit = today - dt.timedelta(days=interval)
    return Q(last_check_on__lt=limit) | Q(last_check_on__isnull=True, registered_on__lt=limit)


def rentals_overdue_q(today: dt.date) -> Q:
    """Filter: rental houses still let or vacant whose next check is overdue on `today`."""
    q = Q(pk__in=[])
    for rating in Rating.values:
        q |= Q(rating=rating) & _overdue_q(rental_interval(rating), today)
    return q & ~Q(status="closed")


def places_overdue_q(today: dt.date) -> Q:
    """Filter: open or suspended places whose next check is overdue on `today`."""
    q = Q(pk__in=[])
    for kind in PlaceKind.values:
        q |= Q(kind=kind) & _overdue_q(place_interval(kind), today)
    return q & ~Q(status="closed")


# ---- cameras ---------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0
MAX_RADIUS_M = 5_000


def camera_radius_m() -> int:
    """The radius of "cameras near this event" (`PINGAN_CAMERA_RADIUS_M`, default 300)."""
    return int(getattr(settings, "PINGAN_CAMERA_RADIUS_M", 300) or 300)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding every point within `radius_m`: the
    indexed prefilter before the exact distance."""
    dlat = radius_m / METRES_PER_DEGREE
    dlng = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng

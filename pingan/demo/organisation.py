"""The demo county's people: the demo accounts of architecture.md and generated staff.

Generated staff (a grid worker per grid, a grid leader per village, a dispatcher and a
leader per town, a handler per department) get plausible Chinese names and no usable
password; only the demo accounts sign in, with DEMO_PASSWORD.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from pingan.accounts.models import User
from pingan.demo import selectors
from pingan.geo.models import Region
from pingan.org.choices import Role
from pingan.org.models import Department
from pingan.org.services import membership_grant, user_upsert

DEMO_PASSWORD = "Pingan@2026"

SURNAMES = "张王李陈沈朱徐吴顾周钱陆杨黄金褚蒋姚许马胡郑孙曹潘范高俞屠冯戴何沈钟宋叶程施任夏邵"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "建国",
    "国强",
    "海燕",
    "晓东",
    "晓燕",
    "志强",
    "志明",
    "丽萍",
    "美华",
    "卫东",
    "红梅",
    "春燕",
    "雪芳",
    "海峰",
    "建平",
    "玉兰",
    "永康",
    "林峰",
    "佳怡",
    "梓涵",
    "浩然",
    "文博",
    "思远",
    "雨欣",
    "一鸣",
    "凯",
    "斌",
    "鑫",
    "婷",
    "倩",
    "颖",
    "慧",
    "琴",
    "燕",
    "亮",
    "华",
    "辉",
    "飞",
    "斌斌",
    "晨",
    "宇",
    "俊",
]

# Configuration models the system administrator edits in Django admin.
SYSADMIN_MODELS = (
    Q(content_type__app_label__in=["geo", "org", "routing", "sla"])
    | Q(content_type__app_label="events", content_type__model__in=["category", "categorydeadline"])
    | Q(content_type__app_label="core", content_type__model="workdayoverride")
    | Q(content_type__app_label="accounts", content_type__model="user")
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo account: username, full name, role, and the scope it acts in (a label)."""

    username: str
    name: str
    role: str
    scope: str


@dataclass
class Staff:
    """Who acts in the demo: users by role and scope (the same objects throughout, so
    their memberships are loaded once)."""

    grid_workers: dict[str, User] = field(default_factory=dict)  # grid code → user
    grid_leaders: dict[str, User] = field(default_factory=dict)  # village code → user
    dispatchers: dict[str, list[User]] = field(default_factory=dict)  # town/county code → users
    leaders: dict[str, User] = field(default_factory=dict)  # region code → user
    handlers: dict[str, list[User]] = field(default_factory=dict)  # department code → users
    demo: dict[str, User] = field(default_factory=dict)  # username → user
    demo_grid: str = ""


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _grant(
    user: User,
    role: str,
    have: set[tuple[int, str, int | None, int | None]],
    *,
    region: Region | None = None,
    department: Department | None = None,
) -> None:
    key = (user.pk, role, region.pk if region else None, department.pk if department else None)
    if key not in have:
        membership_grant(user=user, role=role, region=region, department=department)


def demo_accounts_table(county: Region, towns: dict[str, Region], grid: Region | None) -> list:
    """The demo accounts with their scopes, for `manage.py demo_accounts`."""
    wuyuan, tongyuan = towns.get("330424001"), towns.get("330424106")
    return [
        DemoAccount("demo-gridworker", "张晓东", Role.GRID_WORKER, grid.name if grid else ""),
        DemoAccount(
            "demo-town-dispatcher", "王丽萍", Role.DISPATCHER, wuyuan.name if wuyuan else ""
        ),
        DemoAccount(
            "demo-other-dispatcher", "陆海燕", Role.DISPATCHER, tongyuan.name if tongyuan else ""
        ),
        DemoAccount("demo-dispatcher", "沈建华", Role.DISPATCHER, county.name),
        DemoAccount("demo-handler", "朱志强", Role.HANDLER, "县公安局"),
        DemoAccount("demo-other-handler", "顾美华", Role.HANDLER, "县市场监管局"),
        DemoAccount("demo-leader", "徐国强", Role.LEADER, county.name),
        DemoAccount(
            "mediator",
            "陈春燕",
            Role.MEDIATOR,
            f"{wuyuan.name}人民调解委员会" if wuyuan else "",
        ),
        DemoAccount("demo-inspector", "葛文斌", Role.INSPECTOR, county.name),
        DemoAccount("demo-sysadmin", "系统管理员", Role.SYS_ADMIN, "全系统"),
        DemoAccount("demo-secadmin", "安全管理员", Role.SEC_ADMIN, "全系统"),
        DemoAccount("demo-auditadmin", "审计管理员", Role.AUDIT_ADMIN, "全系统"),
    ]


def ensure_staff(
    *,
    county: Region,
    towns: list[Region],
    villages: list[Region],
    grids: list[Region],
    departments: dict[str, Department],
    demo_grid: Region,
    seed: int,
) -> Staff:
    """Create the demo accounts and generated staff that do not exist yet (by username),
    and return everyone by role and scope."""
    rng = random.Random(f"staff:{seed}")
    wanted: list[tuple[str, str, str, dict]] = []  # username, name, role, scope kwargs
    town_by_code = {t.code: t for t in towns}
    for acct in demo_accounts_table(county, town_by_code, demo_grid):
        scope: dict = {}
        if acct.username == "demo-gridworker":
            scope = {"region": demo_grid}
        elif acct.username == "demo-town-dispatcher":
            scope = {"region": town_by_code["330424001"]}
        elif acct.username == "demo-other-dispatcher":
            scope = {"region": town_by_code["330424106"]}
        elif acct.username == "mediator":  # the committee's post: pingan/demo/mediation.py
            scope = {"region": town_by_code["330424001"]}
        elif acct.username in ("demo-dispatcher", "demo-leader", "demo-inspector"):
            scope = {"region": county}
        elif acct.username == "demo-handler":
            scope = {"department": departments[f"{county.code}-GA"]}
        elif acct.username == "demo-other-handler":
            scope = {"department": departments[f"{county.code}-SJ"]}
        wanted.append((acct.username, acct.name, acct.role, scope))
    demo_names = {w[0] for w in wanted}
    for grid in grids:
        if grid.pk != demo_grid.pk:
            wanted.append((f"gw-{grid.code}", person_name(rng), Role.GRID_WORKER, {"region": grid}))
    for village in villages:
        wanted.append(
            (f"gl-{village.code}", person_name(rng), Role.GRID_LEADER, {"region": village})
        )
    for town in towns:
        wanted.append((f"disp-{town.code}", person_name(rng), Role.DISPATCHER, {"region": town}))
        wanted.append((f"leader-{town.code}", person_name(rng), Role.LEADER, {"region": town}))
    wanted.append((f"disp-{county.code}", person_name(rng), Role.DISPATCHER, {"region": county}))
    for code in sorted(departments):
        wanted.append(
            (f"h-{code}", person_name(rng), Role.HANDLER, {"department": departments[code]})
        )

    existing = selectors.users_by_username([w[0] for w in wanted])
    have = selectors.membership_keys([u.pk for u in existing.values()])
    users: dict[str, User] = {}
    with transaction.atomic():
        for username, name, role, scope in wanted:
            user = existing.get(username)
            if user is None:
                is_demo = username in demo_names
                user = user_upsert(
                    username=username,
                    name=name,
                    password=DEMO_PASSWORD if is_demo else None,
                    email=f"{username}@demo.pingan.invalid" if is_demo else "",
                )
            if scope or role not in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN):
                _grant(user, role, have, **scope)
            else:
                _grant(user, role, have)
            users[username] = user
        sysadmin = users["demo-sysadmin"]
        if not sysadmin.is_staff:
            sysadmin.is_staff = True
            sysadmin.save(update_fields=["is_staff"])
            sysadmin.user_permissions.set(Permission.objects.filter(SYSADMIN_MODELS))

    staff = Staff(demo={u: users[u] for u in demo_names}, demo_grid=demo_grid.code)
    for grid in grids:
        staff.grid_workers[grid.code] = (
            users["demo-gridworker"] if grid.pk == demo_grid.pk else users[f"gw-{grid.code}"]
        )
    for village in villages:
        staff.grid_leaders[village.code] = users[f"gl-{village.code}"]
    for town in towns:
        staff.dispatchers[town.code] = [users[f"disp-{town.code}"]]
        staff.leaders[town.code] = users[f"leader-{town.code}"]
    staff.dispatchers["330424001"].insert(0, users["demo-town-dispatcher"])
    staff.dispatchers.setdefault("330424106", []).insert(0, users["demo-other-dispatcher"])
    staff.dispatchers[county.code] = [users["demo-dispatcher"], users[f"disp-{county.code}"]]
    staff.leaders[county.code] = users["demo-leader"]
    for code in departments:
        staff.handlers[code] = [users[f"h-{code}"]]
    staff.handlers[f"{county.code}-GA"].insert(0, users["demo-handler"])
    staff.handlers[f"{county.code}-SJ"].insert(0, users["demo-other-handler"])
    return staff

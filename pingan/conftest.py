"""The named cast every test can use, built by calling the services.

A county (海盐县) with two towns (武原街道 = A, 通元镇 = B), a village and two grids in A,
a village and a grid in B, two county departments (police, market supervision), one
user per role, and strangers from the other town and the other department.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest

from pingan.events.catalogue import category_upsert
from pingan.geo.choices import Level
from pingan.geo.services import region_upsert
from pingan.inspections.defaults import checklists_ensure
from pingan.org.choices import Role
from pingan.org.services import department_upsert, membership_grant, user_upsert
from pingan.registry.defaults import categories_ensure

PASSWORD = "Pingan@2026-test"

if "FAKETIME" in os.environ:
    # make test-future (libfaketime, the monotonic clock kept real): time.sleep fails there
    # with EINVAL (an absolute clock_nanosleep), while a timed wait on a lock works.
    import threading
    import time

    def _sleep(seconds: float) -> None:
        threading.Event().wait(seconds)

    time.sleep = _sleep  # type: ignore[assignment]


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square polygon with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lng, lat],
                [lng + size, lat],
                [lng + size, lat + size],
                [lng, lat + size],
                [lng, lat],
            ]
        ],
    }


def build_cast() -> SimpleNamespace:
    c = SimpleNamespace()
    c.county, _ = region_upsert(code="330424", name="海盐县", level=Level.COUNTY)
    c.town_a, _ = region_upsert(
        code="330424001", name="武原街道", level=Level.TOWN, parent=c.county
    )
    c.town_b, _ = region_upsert(code="330424106", name="通元镇", level=Level.TOWN, parent=c.county)
    c.village_a, _ = region_upsert(
        code="330424001001", name="城东社区", level=Level.VILLAGE, parent=c.town_a
    )
    c.village_b, _ = region_upsert(
        code="330424106201", name="通元村", level=Level.VILLAGE, parent=c.town_b
    )
    c.grid_a1, _ = region_upsert(
        code="330424001001001",
        name="城东社区第一网格",
        level=Level.GRID,
        parent=c.village_a,
        geometry=square(120.94, 30.52),
    )
    c.grid_a2, _ = region_upsert(
        code="330424001001002",
        name="城东社区第二网格",
        level=Level.GRID,
        parent=c.village_a,
        geometry=square(120.95, 30.52),
    )
    c.grid_b1, _ = region_upsert(
        code="330424106201001",
        name="通元村第一网格",
        level=Level.GRID,
        parent=c.village_b,
        geometry=square(120.80, 30.60),
    )
    # Points inside each grid.
    c.point_a1 = (30.525, 120.945)
    c.point_a2 = (30.525, 120.955)
    c.point_b1 = (30.605, 120.805)

    c.police = department_upsert(code="D-GA", name="县公安局", region=c.county)
    c.market = department_upsert(code="D-SJ", name="县市场监管局", region=c.county)
    c.housing = department_upsert(code="D-ZJ", name="县住建局", region=c.county)

    c.dispute = category_upsert(code="dispute", name="矛盾纠纷")
    c.neighbour = category_upsert(
        code="dispute.neighbour",
        name="邻里纠纷",
        parent=c.dispute,
        default_department=c.police,
        deadlines={"normal": (4, "hours", 5, "days"), "urgent": (1, "hours", 1, "days")},
    )
    c.hazard = category_upsert(code="hazard", name="安全隐患")
    c.fire = category_upsert(
        code="hazard.fire",
        name="消防隐患",
        parent=c.hazard,
        default_department=c.housing,
        deadlines={"normal": (2, "hours", 3, "days")},
        extra_fields=[
            {
                "name": "place_kind",
                "label": "场所类型",
                "type": "choice",
                "required": True,
                "choices": ["住宅", "商铺", "厂房"],
            }
        ],
    )

    def person(username: str, name: str, role: str, **scope: Any) -> Any:
        u = user_upsert(
            username=username, name=name, password=PASSWORD, email=f"{username}@example.invalid"
        )
        membership_grant(user=u, role=role, **scope)
        return u

    c.gridworker = person("gw", "张网格", Role.GRID_WORKER, region=c.grid_a1)
    c.gridleader = person("gl", "李网格长", Role.GRID_LEADER, region=c.village_a)
    c.gridworker_b = person("gw-b", "王网格", Role.GRID_WORKER, region=c.grid_b1)
    c.dispatcher = person("disp-a", "赵受理", Role.DISPATCHER, region=c.town_a)
    c.dispatcher_b = person("disp-b", "钱受理", Role.DISPATCHER, region=c.town_b)
    c.county_dispatcher = person("disp-county", "孙调度", Role.DISPATCHER, region=c.county)
    c.handler = person("h-police", "周民警", Role.HANDLER, department=c.police)
    c.handler_market = person("h-market", "吴市监", Role.HANDLER, department=c.market)
    c.handler_housing = person("h-housing", "郑住建", Role.HANDLER, department=c.housing)
    c.leader = person("leader", "冯领导", Role.LEADER, region=c.county)
    c.leader_b = person("leader-b", "陈镇长", Role.LEADER, region=c.town_b)
    c.sysadmin = person("sysadmin", "系统管理员", Role.SYS_ADMIN)
    c.password = PASSWORD
    # Rows the data migrations wrote, gone after another test file's flush (transactional
    # tests) on the same worker.
    categories_ensure()
    checklists_ensure()
    return c


@pytest.fixture
def cast(db: Any) -> SimpleNamespace:
    return build_cast()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _site_language() -> Any:
    """Each test starts and ends in the site language: a request in English (the
    LocaleMiddleware activates its language for the thread) must not carry over into the
    next test of the same worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    from pingan.geo import locator

    locator.invalidate()


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


# ---- the log scan: no phone or ID number in plain text in any log record ----------------


def pytest_configure(config: Any) -> None:
    from pingan.privacy import logscan

    logscan.install()


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs() -> Any:
    """Fails the test (an error at teardown) when it logged a phone or ID number."""
    from pingan.privacy.logscan import HANDLER

    HANDLER.texts.clear()
    yield HANDLER
    found = HANDLER.findings()
    HANDLER.texts.clear()
    if found:
        pytest.fail("personal data logged in plain text:\n" + "\n".join(found), pytrace=False)


def shared_or_skip(relative: str | Any) -> Any:
    """A file of the third-party data folder, or skip the test saying what is missing.
    Under CI (CI=true) the folder is always laid beside the checkout: a missing file fails
    the test instead of skipping it."""
    from pingan.core.shared_data import shared_file

    try:
        return shared_file(relative)
    except FileNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"third-party data missing in CI: {exc}")
        pytest.skip(f"third-party data not here: {exc}")

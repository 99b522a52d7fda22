"""The demo county: built (older months in bulk, the last week with the real services),
idempotent, every state present."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from pingan.accounts.models import User
from pingan.core import clock
from pingan.demo import geography
from pingan.demo.build import load_demo
from pingan.events.choices import Source, Status
from pingan.events.models import Category, Event, EventTransition
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.org.models import Department, Membership
from pingan.routing.models import RoutingRule

BUILT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TINY = {"events": 200, "seed": 5, "villages_per_town": 2, "grids_per_village": 2}


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "categories": Category.objects.count(),
        "rules": RoutingRule.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "events": Event.objects.count(),
        "transitions": EventTransition.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """A tiny demo county built twice, rolled back after the module."""
    var = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var),
        transaction.atomic(),
        clock.frozen(BUILT),
    ):
        first = load_demo(**TINY)
        after_first = counts()
        second = load_demo(**TINY)
        yield {"first": first, "second": second, "after_first": after_first}
        transaction.set_rollback(True)


def test_geography_has_real_towns_and_plausible_villages_and_grids():
    geo = geography.build(seed=2026)
    assert [t.name for t in geo.towns][:2] == ["武原街道", "西塘桥街道"]
    assert len(geo.towns) == 9
    assert 90 <= len(geo.villages()) <= 110
    grids = geo.grids()
    assert 750 <= len(grids) <= 850
    assert all(len(v.code) == 12 and v.code.startswith(v.parent_code) for v in geo.villages())
    assert all(len(g.code) == 15 and g.code.startswith(g.parent_code) for g in grids)
    assert {g.kind for g in grids if g.is_special} == {"工业园区", "农贸市场", "学校"}
    streets = [v for v in geo.villages() if v.parent_code == "330424001"]
    assert sum(v.name.endswith("社区") for v in streets) > len(streets) / 2
    towns_villages = [v for v in geo.villages() if v.parent_code == "330424106"]
    assert sum(v.name.endswith("村") for v in towns_villages) >= len(towns_villages) - 1
    area = sum(t.shape.area for t in geo.towns)
    assert 570 < area < 600  # km², the county's size

    # Grids are smaller in the street offices' centres than in farmland.
    def mean_area(town: str) -> float:
        shapes = [g.shape.area for g in grids if g.code.startswith(town) and not g.is_special]
        return sum(shapes) / len(shapes)

    assert mean_area("330424001") < mean_area("330424106")


@pytest.mark.django_db
def test_second_run_creates_nothing(demo):
    first, second = demo["first"], demo["second"]
    # The older months in bulk, the last week through the services: every planned event.
    assert first.bulk.events > 0 and first.events.created > 0
    assert first.bulk.events + first.events.created == first.planned
    assert first.events.errors == 0
    assert second.bulk.events == 0
    assert second.events.created == 0
    assert second.existed == second.planned == first.planned
    assert "新建 0，更新 0" in demo["second"].regions
    assert counts() == demo["after_first"]


@pytest.mark.django_db
def test_regions_were_loaded_with_polygons(demo):
    grids = Region.objects.filter(level=Level.GRID)
    assert grids.count() == 9 * 2 * 2 + len(geography.SPECIAL_GRIDS)
    assert not grids.filter(geometry__isnull=True).exists()
    assert Region.objects.get(code="330424").name == "海盐县"


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_scopes(demo):
    expected = {
        "demo-gridworker": ("grid_worker", None),
        "demo-town-dispatcher": ("dispatcher", "330424001"),
        "demo-other-dispatcher": ("dispatcher", "330424106"),
        "demo-dispatcher": ("dispatcher", "330424"),
        "demo-handler": ("handler", "县公安局"),
        "demo-other-handler": ("handler", "县市场监管局"),
        "demo-leader": ("leader", "330424"),
        "demo-inspector": ("inspector", "330424"),
        "demo-sysadmin": ("sys_admin", None),
        "demo-secadmin": ("sec_admin", None),
        "demo-auditadmin": ("audit_admin", None),
    }
    for username, (role, scope) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("Pingan@2026"), username
        (m,) = Membership.objects.filter(user=user, is_active=True)
        assert m.role == role, username
        if scope and m.department_id:
            assert m.department.name == scope
        elif scope:
            assert m.region.code == scope
    sysadmin = User.objects.get(username="demo-sysadmin")
    assert sysadmin.is_staff and not sysadmin.is_superuser
    assert sysadmin.has_perm("events.change_category")
    assert sysadmin.has_perm("org.add_department")
    assert not sysadmin.has_perm("events.change_event")


@pytest.mark.django_db
def test_demo_gridworker_works_a_grid_in_wuyuan(demo):
    m = Membership.objects.get(user__username="demo-gridworker")
    assert m.region.level == Level.GRID
    assert m.region.path.startswith("330424/330424001/")
    assert Event.objects.filter(reporter=m.user).exists()


@pytest.mark.django_db
def test_every_timeline_starts_with_report_and_ends_at_the_status(demo):
    events = Event.objects.filter(client_uuid__isnull=False)
    assert events.count() == demo["first"].planned
    for event in events:
        rows = list(event.timeline.order_by("at", "id"))
        assert rows[0].action == "report", event.code
        assert rows[-1].to_status == event.status, event.code
        times = [r.at for r in rows]
        assert times == sorted(times)


@pytest.mark.django_db
def test_state_mix_holds_every_status_and_the_loop_variety(demo):
    statuses = set(Event.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    actions = set(EventTransition.objects.values_list("action", flat=True))
    assert {"resolve_on_site", "dispatch", "acknowledge", "verify", "follow_up"} <= actions
    sources = set(Event.objects.values_list("source", flat=True))
    assert Source.GRID_PATROL in sources and Source.HOTLINE_12345 in sources


@pytest.mark.django_db
def test_grid_patrol_reports_are_located_in_the_reporters_grid(demo):
    for event in Event.objects.filter(source=Source.GRID_PATROL).select_related("region")[:80]:
        grid_ids = Membership.objects.filter(user=event.reporter, role="grid_worker").values_list(
            "region_id", flat=True
        )
        assert event.region_id in set(grid_ids), event.code


@pytest.mark.django_db
def test_demo_accounts_command_prints_the_table(demo):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for name in ("demo-gridworker", "demo-dispatcher", "demo-auditadmin", "Pingan@2026"):
        assert name in text
    assert "武原街道" in text

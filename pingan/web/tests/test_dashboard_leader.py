"""The dashboard's leader fragment: rankings, today's figures, grid-worker activity."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from pingan.analytics.tests.conftest import act, at, reported
from pingan.core import clock

PERIOD = {"from": "2025-03-01", "to": "2025-03-31"}


@pytest.fixture
def march(cast):
    """Town A: two matters settled on site (on time); town B: one waiting."""
    for day in (3, 4):
        e = reported(cast, at(3, day))
        act(cast.gridworker, e, "resolve_on_site", at(3, day, hour=10), result="现场调解")
    reported(cast, at(3, 8), town_b=True)
    return cast


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def fragment(user, **params):
    with clock.frozen(at(3, 31, hour=18)):
        return client_for(user).get("/dashboard/leader/", params)


def test_county_leader_gets_rankings_today_and_activity(march):
    r = fragment(march.leader, region=march.county.pk, **PERIOD)
    assert r.status_code == 200
    page = r.content.decode()
    for part in ("leader-today", "leader-rankings", "leader-activity"):
        assert f'data-testid="{part}"' in page
    # Two closures per town at most: under the default minimum of 10, so no rate ranking.
    assert "样本不足" in page
    assert r.context["min_base"] == 10
    on_time = r.context["regions"][0]
    assert on_time["key"] == "on_time_rate" and on_time["best"] == []
    assert {u["name"] for u in on_time["insufficient"]} == {"武原街道", "通元镇"}
    # Each town links to its own dashboard.
    assert f"/dashboard/?from=2025-03-01&amp;to=2025-03-31&amp;region={march.town_a.pk}" in page


def test_rates_show_two_decimals_with_their_base_on_hover(march, settings):
    settings.PINGAN_RANKING_MIN_BASE = 1
    r = fragment(march.leader, region=march.county.pk, **PERIOD)
    page = r.content.decode()
    best = r.context["regions"][0]["best"]
    assert [(u["name"], u["text"], u["title"]) for u in best] == [
        ("武原街道", "100.00%", "按期办结 2 / 计时办结 2")
    ]
    assert re.search(r'title="按期办结 2 / 计时办结 2">100.00%</span>', page)
    # 通元镇 closed nothing: no rate, listed as 样本不足 even from a base of 1.
    assert [u["name"] for u in r.context["regions"][0]["insufficient"]] == ["通元镇"]


def test_town_leader_sees_only_their_town(march):
    r = fragment(march.leader_b, **PERIOD)
    assert r.status_code == 200
    page = r.content.decode()
    assert "武原街道" not in page and "张网格" not in page
    # Their town's workers, by name; their villages in the ranking.
    assert "王网格" in page and "通元村" in page
    assert r.context["today"]["region"] == march.town_b.pk
    # Asking about the county: no activity table, no figures of town A.
    other = fragment(march.leader_b, region=march.county.pk, **PERIOD)
    assert not other.context["activity"]["allowed"]
    assert 'data-testid="leader-activity"' not in other.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"from": "2025-03-31", "to": "2025-03-01"}, "to"),
        ({"region": "abc"}, "region"),
    ],
)
def test_bad_input_is_refused_with_422_naming_the_field(cast, params, field):
    r = fragment(cast.leader, **params)
    assert r.status_code == 422
    assert f"{field}:" in r.content.decode()


def test_the_fragment_needs_a_login(cast):
    r = Client().get("/dashboard/leader/", PERIOD)
    assert r.status_code == 302 and "/login" in r["Location"]

"""The leader's figures (analytics.leader): rankings with the minimum base, today against
yesterday, grid-worker activity; on a small hand-counted world."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from pingan.analytics import leader, selectors
from pingan.analytics.tests.conftest import TZ, act, at, handled, reported
from pingan.core import clock
from pingan.patrols.services import patrol_finish, patrol_start, patrol_visit_add

MARCH = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}


@pytest.fixture
def towns(cast):
    """March 2025. Town A (武原街道): two matters settled on site (on time), both rated
    satisfied. Town B (通元镇): one settled on site and rated satisfied, one dispatched to
    the police and closed 18 days late, rated dissatisfied."""
    c = cast
    for day in (3, 4):
        e = reported(c, at(3, day))
        act(c.gridworker, e, "resolve_on_site", at(3, day, hour=10), result="现场调解")
        act(c.county_dispatcher, e, "follow_up", at(3, day, hour=16), satisfaction="satisfied")
    e = reported(c, at(3, 5), town_b=True)
    act(c.gridworker_b, e, "resolve_on_site", at(3, 5, hour=10), result="现场调解")
    act(c.county_dispatcher, e, "follow_up", at(3, 5, hour=16), satisfaction="satisfied")
    late = reported(c, at(3, 6), category=c.fire, town_b=True)
    handled(c, late, day=6, resolve_on=at(3, 24, hour=15))
    act(c.county_dispatcher, late, "follow_up", at(3, 25), satisfaction="dissatisfied")
    return c


def _by(ranking, key):
    return next(r for r in ranking if r["measure"].key == key)


def names(units):
    return [u["name"] for u in units]


def test_towns_are_ranked_best_and_worst_with_numerator_and_denominator(towns, settings):
    settings.PINGAN_RANKING_MIN_BASE = 2
    r = leader.rankings(user=towns.leader, region_id=towns.county.pk, **MARCH)
    on_time = _by(r["regions"], "on_time_rate")
    assert names(on_time["best"]) == ["武原街道", "通元镇"]
    assert names(on_time["worst"]) == ["通元镇", "武原街道"]
    b = on_time["worst"][0]
    assert (b["closed_on_time"], b["closed_timed"], b["on_time_rate"]) == (1, 2, 0.5)
    satisfaction = _by(r["regions"], "satisfaction_rate")
    assert names(satisfaction["best"]) == ["武原街道", "通元镇"]
    assert (satisfaction["worst"][0]["satisfied"], satisfaction["worst"][0]["followed_up"]) == (
        1,
        2,
    )
    # The town figures are those of the dashboard's region table.
    table = {
        t["name"]: t
        for t in selectors.region_breakdown(user=towns.leader, region_id=towns.county.pk, **MARCH)
    }
    for u in on_time["best"]:
        assert u["on_time_rate"] == table[u["name"]]["on_time_rate"]
        assert u["satisfaction_rate"] == table[u["name"]]["satisfaction_rate"]


def test_units_under_the_minimum_base_are_left_out_of_rate_rankings(towns, settings):
    settings.PINGAN_RANKING_MIN_BASE = 3  # each town closed 2
    r = leader.rankings(user=towns.leader, region_id=towns.county.pk, **MARCH)
    on_time = _by(r["regions"], "on_time_rate")
    assert (on_time["best"], on_time["worst"], on_time["ranked"]) == ([], [], 0)
    assert sorted(names(on_time["insufficient"])) == ["武原街道", "通元镇"]
    # The police closed one matter (late): ranked from a base of 1, not from 2.
    settings.PINGAN_RANKING_MIN_BASE = 1
    police = _by(
        leader.rankings(user=towns.leader, region_id=towns.county.pk, **MARCH)["departments"],
        "on_time_rate",
    )
    assert [(u["name"], u["closed_on_time"], u["closed_timed"]) for u in police["best"]] == [
        ("县公安局", 0, 1)
    ]
    settings.PINGAN_RANKING_MIN_BASE = 2
    police = _by(
        leader.rankings(user=towns.leader, region_id=towns.county.pk, **MARCH)["departments"],
        "on_time_rate",
    )
    assert police["best"] == [] and names(police["insufficient"]) == ["县公安局"]


def test_department_on_time_figures_equal_the_department_table(towns, settings):
    settings.PINGAN_RANKING_MIN_BASE = 1
    r = leader.rankings(user=towns.leader, region_id=towns.county.pk, **MARCH)
    basis = selectors.basis_for(towns.leader, towns.county.pk)
    table = selectors.department_tables(basis, MARCH["date_from"], MARCH["date_to"])
    expected = {d["name"]: (d["closed_timed"], d["on_time_rate"]) for d in table["by_department"]}
    got = {
        u["name"]: (u["closed_timed"], u["on_time_rate"])
        for u in _by(r["departments"], "on_time_rate")["best"]
    }
    assert got == expected


def _unit(name, value, den, key="on_time_rate", den_key="closed_timed"):
    return {"name": name, key: value, den_key: den}


def test_equal_rates_rank_the_larger_base_first_then_the_name():
    m = _by([{"measure": m} for m in leader.MEASURES], "on_time_rate")["measure"]
    units = [
        _unit("乙镇", 0.9, 20),
        _unit("甲镇", 0.9, 20),
        _unit("丙镇", 0.9, 50),
        _unit("丁镇", 1.0, 10),
        _unit("戊镇", 0.5, 30),
        _unit("己镇", 1.0, 9),
    ]
    r = leader.rank(units, m, base=10)
    assert names(r["best"]) == ["丁镇", "丙镇", "乙镇", "甲镇", "戊镇"]
    assert names(r["worst"]) == ["戊镇", "丙镇", "乙镇", "甲镇", "丁镇"]
    assert names(r["insufficient"]) == ["己镇"]


def test_fewest_overdue_is_best_and_units_with_nothing_accepted_are_left_out():
    m = _by([{"measure": m} for m in leader.MEASURES], "overdue")["measure"]
    units = [
        _unit("甲镇", 3, 40, "overdue", "accepted"),
        _unit("乙镇", 0, 5, "overdue", "accepted"),
        _unit("丙镇", 0, 50, "overdue", "accepted"),
        _unit("丁镇", 0, 0, "overdue", "accepted"),
    ]
    r = leader.rank(units, m, base=10)  # the rate minimum does not apply to a count
    assert names(r["best"]) == ["丙镇", "乙镇", "甲镇"]
    assert names(r["worst"]) == ["甲镇", "丙镇", "乙镇"]
    assert names(r["insufficient"]) == ["丁镇"]


# ---- today ------------------------------------------------------------------------------


def _flows(user, region=None):
    got = leader.today_figures(user=user, region_id=region)
    return {f["key"]: (f["today"], f["yesterday"], f["change"]) for f in got["flows"]}


def test_today_counts_reports_acceptances_and_closures_of_the_day(cast):
    reported(cast, at(3, 9))  # yesterday, still waiting
    waiting = reported(cast, at(3, 9, hour=11))
    today = reported(cast, at(3, 10))
    with clock.frozen(at(3, 10, hour=12)):
        before = _flows(cast.leader)
    assert before["reported"] == (1, 2, -1)
    assert before["closed"] == (0, 0, 0)

    act(cast.county_dispatcher, waiting, "accept", at(3, 10, hour=13))
    act(cast.gridworker, today, "resolve_on_site", at(3, 10, hour=14), result="现场调解")
    with clock.frozen(at(3, 10, hour=15)):
        after = _flows(cast.leader)
    assert after["accepted"][:2] == (1, 0)
    assert after["closed"] == (1, 0, 1)
    assert after["reported"] == (1, 2, -1)
    # The next day the same closure counts as yesterday's.
    with clock.frozen(at(3, 11, hour=9)):
        nxt = _flows(cast.leader)
    assert nxt["closed"] == (0, 1, -1)
    assert nxt["reported"] == (0, 1, -1)


def test_today_keeps_to_the_callers_scope(cast):
    reported(cast, at(3, 10))  # town A
    reported(cast, at(3, 10, hour=10), town_b=True)
    with clock.frozen(at(3, 10, hour=12)):
        assert _flows(cast.leader)["reported"][0] == 2
        assert _flows(cast.leader_b)["reported"][0] == 1
        # Asking about the other town gives nothing of it.
        assert _flows(cast.leader_b, cast.town_a.pk)["reported"][0] == 0


# ---- grid workers ---------------------------------------------------------------------


def _patrol(user, start, minutes, *, visits=0, finish=True):
    with clock.frozen(start):
        patrol, _ = patrol_start(actor=user, client_uuid=uuid.uuid4(), started_at=start)
    for i in range(visits):
        when = start + dt.timedelta(minutes=i + 1)
        with clock.frozen(when):
            patrol_visit_add(
                actor=user,
                patrol_id=patrol.pk,
                client_uuid=uuid.uuid4(),
                kind="household",
                target="城东小区3幢201室",
                at=when,
            )
    if finish:
        end = start + dt.timedelta(minutes=minutes)
        with clock.frozen(end):
            patrol_finish(actor=user, patrol_id=patrol.pk, finished_at=end)
    return patrol


@pytest.fixture
def patrols(cast):
    """Worker A: patrols of 2 h and 1 h 30 in March (one visit), one of 1 h in February, one
    still under way; two reports from patrol and one from the hotline. Worker B: none."""
    _patrol(cast.gridworker, dt.datetime(2025, 3, 3, 8, tzinfo=TZ), 120, visits=1)
    _patrol(cast.gridworker, dt.datetime(2025, 3, 31, 22, 30, tzinfo=TZ), 90)
    _patrol(cast.gridworker, dt.datetime(2025, 2, 27, 8, tzinfo=TZ), 60, visits=2)
    _patrol(cast.gridworker, dt.datetime(2025, 3, 20, 8, tzinfo=TZ), 0, finish=False)
    reported(cast, at(3, 4))
    reported(cast, at(3, 5))
    reported(cast, at(3, 6), source="hotline_12345")
    return cast


def test_grid_activity_per_town_sums_patrol_hours_of_the_period(patrols):
    a = leader.grid_activity(user=patrols.leader, region_id=patrols.county.pk, **MARCH)
    assert a["allowed"] and not a["per_worker"]
    rows = {r["name"]: r for r in a["rows"]}
    town_a = rows["武原街道"]
    # 2 h + 1.5 h (the one started on 31 March counts whole); February's and the open one not.
    assert (town_a["hours"], town_a["patrols"], town_a["visits"]) == (3.5, 2, 1)
    assert (town_a["workers"], town_a["active"], town_a["active_rate"]) == (1, 1, 1.0)
    assert town_a["reports"] == 2
    town_b = rows["通元镇"]
    assert (town_b["workers"], town_b["hours"], town_b["active_rate"]) == (1, 0.0, 0.0)
    assert (a["total"]["workers"], a["total"]["active"], a["total"]["hours"]) == (2, 1, 3.5)


def test_a_town_lists_its_workers_named_for_leaders_and_masked_for_dispatchers(patrols):
    mine = leader.grid_activity(user=patrols.leader, region_id=patrols.town_a.pk, **MARCH)
    assert mine["per_worker"]
    assert [(r["name"], r["hours"], r["reports"]) for r in mine["rows"]] == [("张网格", 3.5, 2)]
    seen = leader.grid_activity(user=patrols.dispatcher, region_id=patrols.town_a.pk, **MARCH)
    assert [(r["name"], r["hours"]) for r in seen["rows"]] == [("张**", 3.5)]


def test_a_town_leader_sees_only_their_towns_workers(patrols):
    own = leader.grid_activity(user=patrols.leader_b, region_id=None, **MARCH)
    assert own["allowed"] and [r["name"] for r in own["rows"]] == ["王网格"]
    for region in (patrols.county.pk, patrols.town_a.pk):
        other = leader.grid_activity(user=patrols.leader_b, region_id=region, **MARCH)
        assert (other["allowed"], other["rows"]) == (False, [])
    # A grid worker oversees nobody's patrols.
    assert not leader.grid_activity(user=patrols.gridworker, region_id=None, **MARCH)["allowed"]


def test_overdue_now_counts_open_events_the_sweeper_marked_red(cast):
    from pingan.sla.services import sweep

    e = reported(cast, at(3, 3))
    act(cast.county_dispatcher, e, "accept", at(3, 3, hour=10))
    act(cast.county_dispatcher, e, "dispatch", at(3, 3, hour=11), lead_department=cast.police.pk)
    reported(cast, at(3, 4))  # waiting: no handling deadline yet
    with clock.frozen(at(3, 20)):
        assert leader.today_figures(user=cast.leader, region_id=None)["overdue_now"] == 0
        sweep(at(3, 20))
        assert leader.today_figures(user=cast.leader, region_id=None)["overdue_now"] == 1
        assert leader.today_figures(user=cast.leader_b, region_id=None)["overdue_now"] == 0

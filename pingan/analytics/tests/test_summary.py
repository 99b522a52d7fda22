"""The summary figures against values worked out by hand for a small set of events."""

from __future__ import annotations

import datetime as dt

from pingan.analytics.selectors import summary

MARCH_2025 = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}


def test_figures_match_the_hand_count(world):
    s = summary(user=world.leader, **MARCH_2025)
    assert s["total"] == 6
    assert s["closed"] == 3
    # closed ÷ accepted-or-beyond: e1, e2, e3 closed; e6 accepted; e4 rejected and
    # e5 still reported are not counted.
    assert s["accepted"] == 4
    assert s["closure_rate"] == 0.75
    # on time: e1 and e2 (on site), not e3.
    assert s["closed_on_time"] == 2
    assert s["on_time_rate"] == 0.6667
    # satisfied + basically satisfied ÷ followed up = 2 ÷ 3.
    assert s["followed_up"] == 3
    assert s["satisfaction_rate"] == 0.6667
    assert named(s["by_category"], "category") == [
        {"category": world.dispute.pk, "name": "矛盾纠纷", "count": 4},
        {"category": world.hazard.pk, "name": "安全隐患", "count": 2},
    ]
    assert named(s["by_source"], "source") == [
        {"source": "grid_patrol", "name": "网格巡查", "count": 5},
        {"source": "hotline_12345", "name": "12345热线", "count": 1},
    ]
    assert named(s["by_status"], "status") == [
        {"status": "closed", "name": "已办结", "count": 3},
        {"status": "accepted", "name": "已受理", "count": 1},
        {"status": "rejected", "name": "不予受理", "count": 1},
        {"status": "reported", "name": "待受理", "count": 1},
    ]


def named(items, key):
    return [{key: i[key], "name": i["name"], "count": i["count"]} for i in items]


def test_year_on_year_against_march_2024(world, settings):
    # Records whole from 2024 on, and comparisons allowed on these small numbers.
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    s = summary(user=world.leader, **MARCH_2025)
    # March 2024: 2 events, 1 closed (on time, on site), 2 accepted-or-beyond, none rated.
    assert (
        s["previous_period"].items()
        >= {
            "from": "2024-03-01",
            "to": "2024-03-31",
            "total": 2,
            "closed": 1,
            "closure_rate": 0.5,
            "on_time_rate": 1.0,
            "satisfaction_rate": None,
        }.items()
    )
    assert (
        s["yoy"].items()
        >= {
            "total": 200.0,  # 2 → 6: percent
            "closed": 200.0,  # 1 → 3
            "closure_rate": 25.0,  # 50.00% → 75.00%: percentage points
            "on_time_rate": -33.33,  # 100.00% → 66.67%
            "satisfaction_rate": None,  # nothing to compare with
        }.items()
    )
    # Only what rests on nothing a year before is withheld.
    assert set(s["yoy_withheld"]) == {"followed_up", "satisfied", "satisfaction_rate", "overdue"}


def test_scope_and_region_narrow_the_figures(world):
    # The town B dispatcher sees only the waiting fire hazard in town B.
    s = summary(user=world.dispatcher_b, **MARCH_2025)
    assert s["total"] == 1
    assert named(s["by_status"], "status") == [{"status": "reported", "name": "待受理", "count": 1}]
    assert s["closure_rate"] is None
    # The police handler sees the two events the police handled.
    s = summary(user=world.handler, **MARCH_2025)
    assert (s["total"], s["closed"], s["on_time_rate"]) == (2, 2, 0.5)
    # The county leader, narrowed to town A.
    s = summary(user=world.leader, region_id=world.town_a.pk, **MARCH_2025)
    assert s["total"] == 5
    # Someone without scope sees nothing.
    assert summary(user=world.sysadmin, **MARCH_2025)["total"] == 0


def test_open_bounds_cover_everything_reported(world):
    s = summary(user=world.leader, today=dt.date(2025, 6, 1))
    assert s["total"] == 9
    # Without bounds the earlier period is everything reported up to a year before today.
    assert s["previous_period"]["to"] == "2024-06-01"
    assert s["previous_period"]["total"] == 2


def test_leap_day_moves_to_28_february(cast):
    s = summary(user=cast.leader, date_from=dt.date(2024, 2, 29), date_to=dt.date(2024, 2, 29))
    assert s["previous_period"]["from"] == s["previous_period"]["to"] == "2023-02-28"


def test_summary_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    world.leader._pingan_memberships = None
    with django_assert_max_num_queries(10):
        summary(user=world.leader, region_id=world.county.pk, **MARCH_2025)


def test_several_periods_read_together_equal_each_read_alone(world):
    from pingan.analytics.selectors import GROUP, rollup_rows, rollup_rows_many

    def key(rows):
        return sorted((tuple(r[g] for g in GROUP), r["n"], r["handled"]) for r in rows)

    periods = [
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
        (dt.date(2025, 3, 4), dt.date(2025, 4, 2)),
        (None, dt.date(2025, 3, 10)),
        (dt.date(2024, 3, 5), None),
        (None, None),
        (dt.date(2025, 3, 20), dt.date(2025, 3, 20)),
    ]
    for region in (world.county.pk, world.town_a.pk, world.grid_a1.pk):
        together = rollup_rows_many([region], periods, GROUP)
        for (a, b), rows in zip(periods, together, strict=True):
            assert key(rows) == key(rollup_rows([region], a, b, GROUP)), (a, b)
        assert key(rollup_rows_many([region], periods[:1], GROUP)[0]) == key(together[0])


def test_each_grouping_read_in_one_statement_equals_the_full_rows_summed_down(world):
    """The summary reads its periods grouped by category and by source at once
    (`rollup_sets_many`): each set's rows are the full rows summed down to it, from the
    rollups as from the facts."""
    from pingan.analytics.selectors import (
        GROUP,
        MEASURES,
        SUMMARY_SETS,
        Basis,
        collapse,
        grouped_sets_many,
        rollup_rows,
        rollup_sets_many,
    )

    def key(rows, group):
        return sorted(
            (tuple(r[g] for g in group), *(round(float(r[m] or 0), 6) for m in MEASURES))
            for r in rows
        )

    periods = [
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
        (dt.date(2025, 3, 4), dt.date(2025, 4, 2)),
        (None, None),
    ]
    for region in (world.county, world.town_a, world.grid_a1):
        together = rollup_sets_many([region.pk], periods, SUMMARY_SETS)
        scanned = grouped_sets_many(
            Basis(region=region, rollup=False, user=world.leader), periods, SUMMARY_SETS
        )
        for i, (a, b) in enumerate(periods):
            full = rollup_rows([region.pk], a, b, GROUP)
            for j, group in enumerate(SUMMARY_SETS):
                expected = key(collapse(full, group), group)
                assert key(together[i][j], group) == expected, (region, a, b, group)
                assert key(scanned[i][j], group) == expected, (region, a, b, group)
        assert any(together[0][0]), "the fixture's March has rows"
        counts = [r["n"] for r in together[0][0]]
        assert all(isinstance(n, int) for n in counts)


def test_a_category_moved_under_another_keeps_its_name_in_the_figures(world):
    # The facts keep the top category they were counted under; the category is now a
    # child of another (a catalogue tidied up after the fact).
    world.hazard.parent = world.dispute
    world.hazard.save(update_fields=["parent"])
    s = summary(user=world.leader, **MARCH_2025)
    assert {"category": world.hazard.pk, "name": "安全隐患", "count": 2} in named(
        s["by_category"], "category"
    )

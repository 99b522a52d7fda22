"""The figures per child region (places.stats.counts)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.access.actor import Actor
from pingan.core import clock
from pingan.places.stats import counts
from pingan.places.tests.factories import check_rental, new_camera, new_place, new_rental


def test_counts_per_child_region_in_the_actors_scope(cast):
    with clock.frozen(clock.now() - dt.timedelta(days=60)):
        old = new_rental(cast)  # never checked: overdue after 30 days
    green = new_rental(cast)
    check_rental(green, cast.gridworker)
    red = new_rental(cast, actor=cast.gridleader, region=cast.grid_a2.pk)
    check_rental(red, cast.gridleader, "gas", result="fail")
    new_rental(cast, actor=cast.gridworker_b, region=cast.grid_b1.pk)
    new_place(cast)
    new_place(cast, kind="market", name="农贸市场")
    new_camera(cast, "C1", 30.525, 120.945)
    new_camera(cast, "C2", 30.525, 120.946, status="removed")

    leader = Actor.for_user(cast.leader)
    with CaptureQueriesContext(connection) as q:
        rows = counts(leader, cast.county)
    assert len(q.captured_queries) <= 4  # the children, then one per register
    by_name = {r["name"]: r for r in rows}
    a, b = by_name["武原街道"], by_name["通元镇"]
    assert a["rentals"] == {"green": 1, "yellow": 0, "red": 1, "unrated": 1, "total": 3}
    assert a["rentals_overdue"] == 1 and old.pk
    assert a["places"]["school"] == 1 and a["places"]["market"] == 1
    assert a["places"]["total"] == 2 and a["places_overdue"] == 0
    assert a["cameras"] == 1
    assert b["rentals"]["total"] == 1 and b["rentals"]["unrated"] == 1

    grids = {r["name"]: r for r in counts(cast.gridworker, cast.village_a)}
    assert grids["城东社区第一网格"]["rentals"]["total"] == 2
    assert grids["城东社区第二网格"]["rentals"]["total"] == 0  # not her grid
    assert counts(cast.dispatcher_b, cast.county)[0]["rentals"]["total"] == 0


def test_children_with_codes_of_different_lengths_are_counted_apart(cast):
    from pingan.geo.choices import Level
    from pingan.geo.services import region_upsert

    special, _ = region_upsert(
        code="330424001001001901", name="工业园专属网格", level=Level.GRID, parent=cast.village_a
    )
    new_rental(cast)
    new_rental(cast, actor=cast.gridleader, region=special.pk)
    new_rental(cast, actor=cast.gridleader, region=special.pk)
    rows = {r["name"]: r["rentals"]["total"] for r in counts(cast.leader, cast.village_a)}
    assert rows == {"城东社区第一网格": 1, "城东社区第二网格": 0, "工业园专属网格": 2}

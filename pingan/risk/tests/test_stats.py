"""The figures: matters assessed (by month, by third parties), by grade and decision,
measures done on time over those due."""

from __future__ import annotations

import datetime as dt

import pytest

from pingan.core import clock
from pingan.risk.stats import default_period, figures
from pingan.risk.tests.factories import assessed, decided, fire, measured, new_matter, today

pytestmark = pytest.mark.django_db


def test_counts_and_the_on_time_measures(cast):
    d = cast.county_dispatcher
    a = assessed(cast, new_matter(cast), grade="high")
    on_time = measured(cast, a, days=2)
    late = measured(cast, a, days=1)
    never = measured(cast, a, days=3)
    decided(cast, a, "conditional")
    fire(a, d, "measure_done", measure_id=on_time)
    b = fire(new_matter(cast, region=cast.town_b.pk), d, "start")
    fire(
        b,
        d,
        "record_step",
        step_kind="third_party",
        held_on=today().isoformat(),
        body="第三方评估机构",
        summary="报告",
    )
    fire(b, d, "grade", grade="low", reasons="风险低")
    new_matter(cast)  # registered, not assessed

    five_days_on = clock.now() + dt.timedelta(days=5)
    with clock.frozen(five_days_on):
        fire(a, d, "measure_done", measure_id=late)
        start, _ = default_period()
        end = today() + dt.timedelta(days=10)
        f = figures(actor=d, date_from=min(start, today()), date_to=end)
    assert (f["registered"], f["assessed"], f["third_party"], f["decided"]) == (3, 2, 1, 1)
    assert f["by_grade"] == {"high": 1, "medium": 0, "low": 1}
    assert f["by_decision"]["conditional"] == 1
    assert f["by_kind"]["land"] == 3
    assert sum(r["assessed"] for r in f["by_month"]) == 2
    # Due: on time (done), late (done after its day), never (past its day, open).
    assert (f["measures_on_time"], f["measures_late"], f["measures_overdue"]) == (1, 1, 1)
    assert f["measures_due"] == 3
    assert never


def test_figures_follow_the_viewers_scope_and_the_region(cast):
    assessed(cast, new_matter(cast))
    assessed(cast, new_matter(cast, region=cast.town_b.pk))
    lo, hi = today(), today()
    assert figures(actor=cast.county_dispatcher, date_from=lo, date_to=hi)["assessed"] == 2
    assert figures(actor=cast.dispatcher_b, date_from=lo, date_to=hi)["assessed"] == 1
    assert (
        figures(actor=cast.county_dispatcher, date_from=lo, date_to=hi, region=cast.town_a)[
            "assessed"
        ]
        == 1
    )
    yesterday = today() - dt.timedelta(days=1)
    assert (
        figures(actor=cast.county_dispatcher, date_from=yesterday, date_to=yesterday)["assessed"]
        == 0
    )

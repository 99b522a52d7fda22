"""Every KPI against values counted by hand, period edges, reopening and locking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Sum

from pingan.analytics.selectors import kpi_table, summary
from pingan.analytics.services import period_lock, period_unlock, rollup_rebuild
from pingan.analytics.tests.conftest import TZ, act, at, reported
from pingan.core.errors import Conflict, Forbidden
from pingan.core.models import AuditEntry
from pingan.events.services import event_mark_deadline

MARCH_2025 = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}


def test_full_kpi_table_matches_the_hand_count(world):
    k = kpi_table(user=world.leader, **MARCH_2025)
    # Handling time, report → closure, in working days of 7.5 hours (08:30–12:00,
    # 13:30–17:30): e1 Mon 3 Mar 09:00 → Tue 4 Mar 16:00 = 7 h + 6 h = 1.73 days;
    # e2 on site 09:00 → 10:00 = 0.13; e3 Mon 10 Mar 09:00 → Fri 28 Mar 16:00 =
    # 7 + 13 × 7.5 + 6 = 110.5 h = 14.73 days.
    assert k["handle_days_avg"] == round((1.73 + 0.13 + 14.73) / 3, 2)
    assert k["handle_days_median"] == 1.73
    # The same in calendar days (nights and weekends count): e1 31 h = 1.29, e2 1 h =
    # 0.04, e3 18 days 7 h = 18.29.
    assert k["handle_cal_days_avg"] == round((1.29 + 0.04 + 18.29) / 3, 2)
    assert k["handle_cal_days_median"] == 1.29
    # Disputes (邻里纠纷): e1, e2, e4 (rejected), e6 (accepted); resolved: e1, e2 of the
    # three taken in.
    assert (k["dispute_total"], k["dispute_closed"]) == (4, 2)
    assert k["dispute_resolution_rate"] == 0.6667
    # Repeats: same grid and category within 30 days of an earlier one: e2 (after e1),
    # e4 (after e2), e6 (after e4); e3 and e5 are the only fire reports in their grids.
    assert (k["repeats"], k["repeat_rate"]) == (3, 0.5)
    # The police had e1 and e3, returned neither.
    assert k["returns_by_department"] == [
        {
            "department": world.police.pk,
            "name": "县公安局",
            "assigned": 2,
            "returned": 0,
            "return_rate": 0.0,
        }
    ]
    # The police led e1 (on time) and e3 (late), both closed.
    assert k["by_department"] == [
        {
            "department": world.police.pk,
            "name": "县公安局",
            "count": 2,
            "accepted": 2,
            "closed": 2,
            "closed_on_time": 1,
            "closed_timed": 2,
            "closure_rate": 1.0,
            "on_time_rate": 0.5,
        }
    ]
    # February 2025 had nothing: no month-on-month change to speak of.
    assert k["mom_period"]["from"] == "2025-02-01"
    assert k["mom_period"]["to"] == "2025-02-28"
    assert k["mom"]["total"] is None
    labels = {r["key"]: r["label"] for r in k["rows"]}
    assert labels["closure_rate"] == "办结率"


def test_month_on_month_against_the_month_before(world, settings):
    settings.PINGAN_COMPARE_MIN_BASE = 1
    # April 2025 has one event (reported, waiting); March had 6.
    s = summary(user=world.leader, date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 4, 30))
    assert s["total"] == 1
    assert s["mom_period"]["total"] == 6
    assert s["mom"]["total"] == round((1 - 6) / 6 * 100, 2)


def test_leap_day_and_year_boundaries(cast, settings):
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    reported(cast, dt.datetime(2024, 2, 29, 12, tzinfo=TZ))
    reported(cast, dt.datetime(2024, 12, 31, 23, 30, tzinfo=TZ))
    reported(cast, dt.datetime(2025, 1, 1, 0, 30, tzinfo=TZ))
    reported(cast, dt.datetime(2025, 2, 28, 10, tzinfo=TZ))
    day = dt.date(2024, 12, 31)
    assert summary(user=cast.leader, date_from=day, date_to=day)["total"] == 1
    year_2025 = summary(
        user=cast.leader, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
    )
    assert year_2025["total"] == 2
    # 2024 had two (29 Feb and 31 Dec): +0 %.
    assert year_2025["previous_period"]["total"] == 2
    assert year_2025["yoy"]["total"] == 0.0
    # February 2025 against February 2024 (which ends on the 29th).
    feb = summary(user=cast.leader, date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 28))
    assert feb["previous_period"]["to"] == "2024-02-28"
    assert feb["previous_period"]["total"] == 0
    leap = summary(user=cast.leader, date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 29))
    assert leap["total"] == 1
    # Month-on-month of February 2024 is January 2024, whole months.
    assert (leap["mom_period"]["from"], leap["mom_period"]["to"]) == ("2024-01-01", "2024-01-31")


def test_overdue_counts_open_events_marked_red(cast):
    e = reported(cast, at(3, 3))
    act(cast.county_dispatcher, e, "accept", at(3, 3, hour=10))
    act(cast.county_dispatcher, e, "dispatch", at(3, 3, hour=11), lead_department=cast.police.pk)
    assert summary(user=cast.leader, **MARCH_2025)["overdue"] == 0
    assert event_mark_deadline(event_id=e.pk, state="overdue", now=at(3, 20))
    s = summary(user=cast.leader, **MARCH_2025)
    assert s["overdue"] == 1
    # Closing it late moves it from "overdue" to "closed late".
    act(cast.handler, e, "acknowledge", at(3, 21))
    act(cast.handler, e, "resolve", at(3, 21, hour=11), result="已处置", resolution="resolved")
    act(cast.county_dispatcher, e, "verify", at(3, 21, hour=15), passed=True)
    s = summary(user=cast.leader, **MARCH_2025)
    assert (s["overdue"], s["closed"], s["closed_on_time"]) == (0, 1, 0)


def _closed_and_rated(cast):
    e = reported(cast, at(3, 3))
    act(cast.gridworker, e, "resolve_on_site", at(3, 3, hour=10), result="现场调解")
    act(cast.county_dispatcher, e, "follow_up", at(3, 4), satisfaction="dissatisfied")
    return e


def test_an_event_reopened_after_its_period_moves_an_open_period(cast):
    e = _closed_and_rated(cast)
    assert summary(user=cast.leader, **MARCH_2025)["closed"] == 1
    act(cast.county_dispatcher, e, "reopen", at(5, 6), note="群众不满意，重新办理")
    s = summary(user=cast.leader, **MARCH_2025)
    # March is not locked: the event counts where it stands now (open again).
    assert (s["total"], s["closed"], s["closure_rate"]) == (1, 0, 0.0)


def test_a_locked_period_does_not_move_and_locking_is_audited(cast):
    e = _closed_and_rated(cast)
    before = summary(user=cast.leader, **MARCH_2025)
    with_lock = at(4, 2)
    from pingan.core import clock

    with clock.frozen(with_lock):
        lock = period_lock(
            user=cast.leader, date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31)
        )
    entry = AuditEntry.objects.get(action="analytics.period_lock")
    assert (entry.actor, entry.detail["from"], entry.detail["to"]) == (
        cast.leader,
        "2025-03-01",
        "2025-03-31",
    )
    act(cast.county_dispatcher, e, "reopen", at(5, 6), note="群众不满意，重新办理")
    # Editing the old event later, and even a rebuild, leave March as it was locked.
    rollup_rebuild()
    after = summary(user=cast.leader, **MARCH_2025)
    for name in ("total", "closed", "closure_rate", "on_time_rate", "satisfaction_rate"):
        assert after[name] == before[name], name
    assert after["locked"] is True
    # A town cannot lock; overlapping locks conflict.
    with pytest.raises(Forbidden), clock.frozen(with_lock):
        period_lock(
            user=cast.dispatcher_b, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)
        )
    with pytest.raises(Conflict), clock.frozen(with_lock):
        period_lock(user=cast.leader, date_from=dt.date(2025, 3, 31), date_to=dt.date(2025, 3, 31))
    # Unlocking recounts March as the events are now, and is audited too.
    period_unlock(user=cast.leader, lock_id=lock.pk)
    assert AuditEntry.objects.filter(action="analytics.period_unlock").count() == 1
    assert summary(user=cast.leader, **MARCH_2025)["closed"] == 0


def test_summary_equals_the_event_list_for_the_same_filters(world):
    from pingan.events.selectors import EventFilters, event_count

    for user in (world.leader, world.dispatcher, world.handler, world.gridworker):
        for region in (None, world.county.pk, world.town_a.pk, world.grid_a1.pk, world.town_b.pk):
            f = EventFilters(
                region=region,
                **{"reported_from": MARCH_2025["date_from"], "reported_to": MARCH_2025["date_to"]},
            )
            listed = event_count(user=user, filters=f)
            assert summary(user=user, region_id=region, **MARCH_2025)["total"] == listed


def test_rebuild_command_recounts_from_the_events(world, capsys):
    from django.core.management import call_command

    from pingan.analytics.models import DailyRollup, MonthlyRollup

    before = summary(user=world.leader, **MARCH_2025)
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    assert summary(user=world.leader, **MARCH_2025)["total"] == 0
    call_command("rollup", "rebuild", "--from", "2024-01-01")
    assert "重算完成：事件 9 条" in capsys.readouterr().out
    after = summary(user=world.leader, **MARCH_2025)
    assert {k: after[k] for k in ("total", "closed", "by_category", "yoy")} == {
        k: before[k] for k in ("total", "closed", "by_category", "yoy")
    }


def test_overdue_figure_equals_the_overdue_list(cast):
    """One calibre (docs/kpis.md): open events the deadline sweeper has marked red. The
    figure, the event list with `deadline_mark=overdue` and the dashboard's overdue list
    count the same events, also for an event past its deadline the sweeper has not seen
    yet (neither counts it) and for one closed after being marked (neither counts it)."""
    from pingan.analytics import briefings
    from pingan.analytics.selectors import basis_for
    from pingan.core import clock
    from pingan.events.selectors import EventFilters, event_count

    events = []
    for day, town_b in ((3, False), (4, False), (5, True), (6, False)):
        e = reported(cast, at(3, day), town_b=town_b)
        dispatcher = cast.dispatcher_b if town_b else cast.county_dispatcher
        act(dispatcher, e, "accept", at(3, day, hour=10))
        act(dispatcher, e, "dispatch", at(3, day, hour=11), lead_department=cast.police.pk)
        events.append(e)
    for e in events[:3]:
        assert event_mark_deadline(event_id=e.pk, state="overdue", now=at(3, 20))
    act(cast.handler, events[0], "acknowledge", at(3, 21))
    act(
        cast.handler,
        events[0],
        "resolve",
        at(3, 21, hour=11),
        result="已处置",
        resolution="resolved",
    )
    act(cast.county_dispatcher, events[0], "verify", at(3, 21, hour=15), passed=True)
    with clock.frozen(at(3, 25)):  # events[3] is past its deadline but not yet marked
        for user in (cast.leader, cast.county_dispatcher):
            for region in (cast.county.pk, cast.town_a.pk, cast.town_b.pk, cast.grid_a1.pk):
                figure = summary(user=user, region_id=region, **MARCH_2025)["overdue"]
                f = EventFilters(
                    region=region,
                    reported_from=MARCH_2025["date_from"],
                    reported_to=MARCH_2025["date_to"],
                    deadline_mark="overdue",
                )
                listed = briefings._overdue_events(
                    user, basis_for(user, region), limit=100, **MARCH_2025
                )
                assert figure == event_count(user=user, filters=f) == len(listed), region
        assert summary(user=cast.leader, region_id=cast.county.pk, **MARCH_2025)["overdue"] == 2


def test_department_figures_read_from_the_monthly_rollup_equal_a_count_of_the_facts(world):
    """And the handling-time counts: monthly rows for whole months, daily rows for the
    days at either end, against the facts grouped directly."""
    import dataclasses

    from pingan.analytics.selectors import basis_for, department_tables, handling_counts

    c = world
    # One more: dispatched to the market regulator, who returned it; then to the police.
    e = reported(c, at(3, 18))
    act(c.county_dispatcher, e, "accept", at(3, 18, hour=10))
    act(c.county_dispatcher, e, "dispatch", at(3, 18, hour=11), lead_department=c.market.pk)
    act(c.handler_market, e, "return", at(3, 18, hour=15), note="不属本部门")
    act(c.county_dispatcher, e, "dispatch", at(3, 19, hour=9), lead_department=c.police.pk)
    monthly = basis_for(c.leader, None)
    assert monthly.rollup and monthly.region is not None
    from_facts = dataclasses.replace(monthly, rollup=False)
    for date_from, date_to in [
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),  # one whole month
        (dt.date(2025, 3, 4), dt.date(2025, 4, 30)),  # edge days and a month
        (dt.date(2025, 3, 4), dt.date(2025, 3, 20)),  # days of one month only
        (dt.date(2025, 2, 27), dt.date(2025, 3, 18)),  # the ends of two months
        (dt.date(2024, 1, 1), dt.date(2025, 12, 31)),  # two years
    ]:
        assert department_tables(monthly, date_from, date_to) == department_tables(
            from_facts, date_from, date_to
        )
        assert handling_counts(monthly, date_from, date_to) == handling_counts(
            from_facts, date_from, date_to
        )
    assert handling_counts(monthly, dt.date(2025, 3, 4), dt.date(2025, 3, 20))
    march = department_tables(monthly, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    returns = {r["department"]: r for r in march["returns_by_department"]}
    assert (returns[c.market.pk]["assigned"], returns[c.market.pk]["returned"]) == (1, 1)
    assert returns[c.market.pk]["return_rate"] == 1.0
    assert returns[c.police.pk]["assigned"] == 3
    led = {d["department"]: d for d in march["by_department"]}
    assert (led[c.police.pk]["count"], led[c.police.pk]["closed"]) == (3, 2)
    assert c.market.pk not in led  # it no longer leads anything


@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="covering indexes exist on PostgreSQL only",
)
def test_histogram_and_status_rows_are_read_from_the_index_alone(world):
    """The median's histogram rows and the map's status rows come from covering indexes
    (analytics.0007): an index-only scan, no heap page per row."""
    from django.db import connection

    from pingan.analytics.models import HandlingHistogram, MonthlyStatusRollup

    reads = [
        HandlingHistogram.objects.filter(region=world.county.pk, day__gte=dt.date(2025, 1, 1))
        .values("centidays")
        .annotate(c=Sum("n")),
        MonthlyStatusRollup.objects.filter(
            region__in=[world.grid_a1.pk, world.grid_a2.pk], day__gte=dt.date(2025, 1, 1)
        )
        .values("region", "status")
        .annotate(c=Sum("n"), s=Sum("satisfied")),
    ]
    for qs in reads:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
            sql, params = qs.query.sql_with_params()
            cur.execute("EXPLAIN " + sql, params)
            plan = "\n".join(r[0] for r in cur.fetchall())
        assert "Index Only Scan" in plan, plan

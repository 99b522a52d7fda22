"""The set-based rebuild (`rollup rebuild --sql`: facts derived in one INSERT … SELECT on
PostgreSQL) gives exactly what the event-by-event rebuild gives: facts (handling time to
the hundredth of a working day across weekends, holidays and make-up days, half-way
ties included), repeat flags, the unresolved flag (a dispute closed 未化解), rollups and
the handling-time histogram."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from pingan.analytics.facts import FACT_FIELDS, handle_cal_days_of, handle_days_of
from pingan.analytics.models import (
    CalendarHistogram,
    DailyCalendarHistogram,
    DailyDepartmentRollup,
    DailyHandlingHistogram,
    DailyRollup,
    DepartmentRollup,
    EventFact,
    HandlingHistogram,
    MonthlyRollup,
    MonthlyStatusRollup,
)
from pingan.analytics.rebuild import rollup_rebuild
from pingan.analytics.tests.conftest import TZ, act, reported

DEPARTMENT_MEASURES = ("n", "accepted", "closed", "timed", "on_time", "assigned", "returned")


def snapshot() -> tuple:
    facts = {f["event"]: f for f in EventFact.objects.values("event", *FACT_FIELDS)}
    key = ("region", "day", "top_category", "source", "status", "outcome")
    measures = (
        "n",
        "followed_up",
        "satisfied",
        "handled",
        "handle_days",
        "handle_cal_days",
        "repeats",
        "unresolved",
    )

    def rows(model, key=key):
        return {
            tuple(r[k] for k in key): tuple(round(r[m], 6) for m in measures)
            for r in model.objects.filter(n__gt=0).values(*key, *measures)
        }

    def histogram(model):
        return set(model.objects.filter(n__gt=0).values_list("region", "day", "centidays", "n"))

    def departments(model):
        return {
            (r["region"], r["day"], r["department"]): tuple(r[m] for m in DEPARTMENT_MEASURES)
            for r in model.objects.values("region", "day", "department", *DEPARTMENT_MEASURES)
            if any(r[m] for m in DEPARTMENT_MEASURES)
        }

    return (
        facts,
        rows(DailyRollup),
        rows(MonthlyRollup),
        histogram(HandlingHistogram),
        histogram(DailyHandlingHistogram),
        departments(DepartmentRollup),
        departments(DailyDepartmentRollup),
        rows(MonthlyStatusRollup, ("region", "day", "status", "outcome")),
        histogram(CalendarHistogram),
        histogram(DailyCalendarHistogram),
    )


def test_half_way_handling_times_round_up(db):  # the working calendar reads its overrides
    # 56 min 15 s of working time = 3,375 s = 0.125 of a 7.5-hour working day → 0.13.
    start = dt.datetime(2025, 3, 3, 9, tzinfo=TZ)
    assert handle_days_of("closed", start, start + dt.timedelta(seconds=3375)) == 0.13
    assert handle_days_of("closed", start, start) == 0.0
    assert handle_days_of("resolved", start, start + dt.timedelta(hours=1)) is None


def test_calendar_days_count_nights_and_weekends_and_round_half_up():
    # Friday 17:00 → Monday 09:00: 64 hours = 2.6667 calendar days → 2.67; 18 hours =
    # 0.75 exactly; 1 h 48 min = 0.075 of a day → 0.08 (half up).
    friday = dt.datetime(2025, 3, 7, 17, tzinfo=TZ)
    assert handle_cal_days_of("closed", friday, friday + dt.timedelta(hours=64)) == 2.67
    assert handle_cal_days_of("closed", friday, friday + dt.timedelta(hours=18)) == 0.75
    assert handle_cal_days_of("closed", friday, friday + dt.timedelta(minutes=108)) == 0.08
    assert handle_cal_days_of("closed", friday, friday - dt.timedelta(hours=1)) == 0.0
    assert handle_cal_days_of("in_progress", friday, None) is None


def test_set_based_rebuild_equals_the_exact_one(world, capsys):
    c = world
    # Across the 2025 Spring Festival: Sunday 26 Jan was a make-up working day, 28 Jan –
    # 4 Feb holidays, Saturday 8 Feb a make-up working day.
    spring = reported(c, dt.datetime(2025, 1, 24, 16, 59, 59, tzinfo=TZ))
    act(
        c.gridworker,
        spring,
        "resolve_on_site",
        dt.datetime(2025, 2, 8, 10, 1, 7, tzinfo=TZ),
        result="节后解决",
    )
    # A half-way tie: 0.125 working days.
    tie = reported(c, dt.datetime(2025, 1, 6, 9, tzinfo=TZ))
    act(
        c.gridworker,
        tie,
        "resolve_on_site",
        dt.datetime(2025, 1, 6, 9, 56, 15, tzinfo=TZ),
        result="现场解决",
    )
    # Reported after hours on a Saturday, closed before work on Monday: no working time.
    night = reported(c, dt.datetime(2025, 1, 11, 22, 30, tzinfo=TZ), town_b=True)
    act(
        c.gridworker_b,
        night,
        "resolve_on_site",
        dt.datetime(2025, 1, 13, 7, tzinfo=TZ),
        result="现场解决",
    )

    # Dispatched to the police, who returned it.
    returned = reported(c, dt.datetime(2025, 1, 8, 9, tzinfo=TZ))
    act(c.county_dispatcher, returned, "accept", dt.datetime(2025, 1, 8, 10, tzinfo=TZ))
    act(
        c.county_dispatcher,
        returned,
        "dispatch",
        dt.datetime(2025, 1, 8, 11, tzinfo=TZ),
        lead_department=c.police.pk,
    )
    act(c.handler, returned, "return", dt.datetime(2025, 1, 8, 15, tzinfo=TZ), note="不属本部门")
    e1 = EventFact.objects.filter(department=c.police.pk, status="closed").first()
    # A dispute closed with the outcome 未化解 (the parties guided to arbitration).
    unsettled = reported(c, dt.datetime(2025, 1, 9, 9, tzinfo=TZ))
    act(c.county_dispatcher, unsettled, "accept", dt.datetime(2025, 1, 9, 10, tzinfo=TZ))
    act(
        c.county_dispatcher,
        unsettled,
        "dispatch",
        dt.datetime(2025, 1, 9, 11, tzinfo=TZ),
        lead_department=c.police.pk,
    )
    act(c.handler, unsettled, "acknowledge", dt.datetime(2025, 1, 9, 14, tzinfo=TZ))
    act(
        c.handler,
        unsettled,
        "resolve",
        dt.datetime(2025, 1, 10, 9, tzinfo=TZ),
        result="调解不成",
        resolution="unresolved",
        referral="arbitration",
    )
    act(
        c.county_dispatcher,
        unsettled,
        "verify",
        dt.datetime(2025, 1, 10, 10, tzinfo=TZ),
        passed=True,
    )

    rollup_rebuild()
    exact = snapshot()
    assert exact[0][tie.pk]["handle_days"] == 0.13
    assert exact[0][night.pk]["handle_days"] == 0.0
    assert any(f["repeat"] for f in exact[0].values())
    assert exact[0][returned.pk]["assignments"] == [f"{c.police.pk}r"]
    assert exact[0][e1.event_id]["assignments"] == [str(c.police.pk)]
    assert any(v[6] for v in exact[5].values())  # the returned assignment is counted
    assert any(v[6] for v in exact[6].values())  # in the daily rows too
    assert exact[7]  # the monthly status rows
    assert [pk for pk, f in exact[0].items() if f["unresolved"]] == [unsettled.pk]
    assert any(v[7] for v in exact[1].values())  # counted in the daily rows
    assert exact[8] and exact[9]  # the calendar-day histograms
    EventFact.objects.all().delete()
    call_command("rollup", "rebuild", "--sql")
    assert "重算完成：事件 14 条" in capsys.readouterr().out
    assert snapshot() == exact
    # A range rebuild by SQL leaves the same figures too.
    rollup_rebuild(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 2, 28), sql=True)
    assert snapshot() == exact
    # Days in the middle of a month: the month's rows are summed again from all its days.
    rollup_rebuild(date_from=dt.date(2025, 1, 7), date_to=dt.date(2025, 1, 9), sql=True)
    assert snapshot() == exact

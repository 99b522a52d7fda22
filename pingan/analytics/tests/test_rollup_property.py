"""Property: whatever sequence of transitions happens (and reports entered out of day
order), every fact and every rollup row kept current inside each transition's
transaction equals a recount from the events, and a rebuild (event by event, then
set-based) changes nothing.

The recount is written here, in plain Python over the Event, Assignment, Category and
Region rows, without the analytics code it checks (no facts, rules, declarations or KPI
module): each event's fact as docs/kpis.md defines it, then each table's rows from those
facts. Only the working calendar (`core.workcal`) is shared."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.analytics.models import (
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
from pingan.core import workcal
from pingan.core.errors import DomainError
from pingan.events.models import Assignment, Category, Event
from pingan.events.services import event_mark_deadline
from pingan.geo.models import Region

ACTIONS = [
    ("accept", "county_dispatcher", {}),
    ("reject", "county_dispatcher", {"note": "不属于受理范围"}),
    ("dispatch", "county_dispatcher", {"lead_department": "police"}),
    ("dispatch", "county_dispatcher", {"lead_department": "market"}),
    ("acknowledge", "handler", {}),
    ("acknowledge", "handler_market", {}),
    ("return", "handler", {"note": "不属本部门"}),
    # A dispute's outcome is required (422 without it, nothing written): kept on purpose.
    ("resolve", "handler", {"result": "已处置"}),
    ("resolve", "handler", {"result": "已处置", "resolution": "resolved"}),
    ("resolve", "handler", {"result": "调解不成", "resolution": "unresolved"}),
    (
        "resolve",
        "handler",
        {"result": "调解不成", "resolution": "unresolved", "referral": "litigation"},
    ),
    ("resolve", "handler_market", {"result": "已处置", "resolution": "resolved"}),
    ("resolve", "handler_market", {"result": "调解不成", "resolution": "unresolved"}),
    ("verify", "county_dispatcher", {"passed": True}),
    ("verify", "county_dispatcher", {"passed": False, "note": "未整改到位"}),
    ("follow_up", "county_dispatcher", {"satisfaction": "satisfied"}),
    ("follow_up", "county_dispatcher", {"satisfaction": "basically_satisfied"}),
    ("follow_up", "county_dispatcher", {"satisfaction": "dissatisfied"}),
    ("reopen", "county_dispatcher", {"note": "重新办理"}),
    ("resolve_on_site", "gridworker", {"result": "现场解决"}),
    ("overdue", None, {}),
    ("warning", None, {}),
]

OPEN = {"reported", "accepted", "dispatched", "in_progress", "resolved"}
ACCEPTED_OR_BEYOND = {"accepted", "dispatched", "in_progress", "resolved", "closed"}
SATISFIED = {"satisfied", "basically_satisfied"}
ROLLUP_MEASURES = (
    "n",
    "followed_up",
    "satisfied",
    "handled",
    "handle_days",
    "repeats",
    "unresolved",
)
DEPARTMENT_MEASURES = ("n", "accepted", "closed", "on_time", "assigned", "returned")
TOP_LEVELS = 3  # the histograms and department rollups: the root and two levels below


@dataclass
class Fact:
    event: Event
    day: dt.date
    regions: list[int]  # the event's region and its ancestors, root first
    top: int
    outcome: str
    handle_days: float | None
    repeat: bool
    assignments: list[tuple[int, bool]]  # (department, returned)
    unresolved: bool  # closed with the outcome 未化解


def working_days(start: dt.datetime, end: dt.datetime) -> float:
    """Working time from start to end in working days, in whole microseconds, rounded
    half up to two decimals."""
    per_day = sum(
        (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).seconds
        for a, b in workcal.working_periods()
    )
    micro = round(workcal.working_seconds_between(start, end) * 1_000_000)
    return math.floor(Fraction(micro, per_day * 1_000_000) * 100 + Fraction(1, 2)) / 100


def recount_facts() -> dict[int, Fact]:
    events = list(Event.objects.all())
    region_ids = dict(Region.objects.values_list("code", "pk"))
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    window = django_settings.PINGAN_REPEAT_DAYS
    days = {e.pk: timezone.localdate(e.reported_at) for e in events}
    facts = {}
    for e in events:
        day = days[e.pk]
        if e.status == "closed":
            outcome = {None: "", True: "on_time", False: "late"}[e.closed_on_time]
        elif e.status in OPEN:
            outcome = e.deadline_state or ""
        else:
            outcome = ""
        closed = e.status == "closed" and e.closed_at is not None
        facts[e.pk] = Fact(
            event=e,
            day=day,
            regions=[region_ids[c] for c in e.region_path.split("/") if c],
            top=parents[e.category_id] or e.category_id,
            outcome=outcome,
            handle_days=working_days(e.reported_at, e.closed_at) if closed else None,
            # An earlier report (by day, then id) at the same place and in the same
            # category at most `window` days before.
            repeat=any(
                o.region_path == e.region_path
                and o.category_id == e.category_id
                and (days[o.pk], o.pk) < (day, e.pk)
                and (day - days[o.pk]).days <= window
                for o in events
            ),
            assignments=[
                (a.department_id, a.status == "returned")
                for a in Assignment.objects.filter(event_id=e.pk)
            ],
            unresolved=e.status == "closed" and e.resolution == "unresolved",
        )
    return facts


def expected_tables() -> dict[type, Counter]:
    tables: dict[type, Counter] = {
        m: Counter()
        for m in (
            DailyRollup,
            MonthlyRollup,
            MonthlyStatusRollup,
            DailyHandlingHistogram,
            HandlingHistogram,
            DailyDepartmentRollup,
            DepartmentRollup,
        )
    }
    for f in recount_facts().values():
        e, month = f.event, f.day.replace(day=1)
        measures = {
            "n": 1,
            "followed_up": int(e.satisfaction != ""),
            "satisfied": int(e.satisfaction in SATISFIED),
            "handled": int(f.handle_days is not None),
            "handle_days": f.handle_days or 0.0,
            "repeats": int(f.repeat),
            "unresolved": int(f.unresolved),
        }
        closed = e.status == "closed"
        by_department: Counter = Counter()
        if e.lead_department_id:
            d = e.lead_department_id
            by_department[(d, "n")] += 1
            by_department[(d, "accepted")] += int(e.status in ACCEPTED_OR_BEYOND)
            by_department[(d, "closed")] += int(closed)
            by_department[(d, "on_time")] += int(closed and e.closed_on_time is True)
        for d, returned in f.assignments:
            by_department[(d, "assigned")] += 1
            by_department[(d, "returned")] += int(returned)
        for level, region in enumerate(f.regions):
            dims = (f.top, e.source, e.status, f.outcome)
            for name, v in measures.items():
                tables[DailyRollup][(region, f.day, *dims, name)] += v
                tables[MonthlyRollup][(region, month, *dims, name)] += v
                tables[MonthlyStatusRollup][(region, month, e.status, f.outcome, name)] += v
            if level >= TOP_LEVELS:
                continue
            if f.handle_days is not None:
                bucket = round(f.handle_days * 100)
                tables[DailyHandlingHistogram][(region, f.day, bucket, "n")] += 1
                tables[HandlingHistogram][(region, month, bucket, "n")] += 1
            for (d, name), v in by_department.items():
                tables[DailyDepartmentRollup][(region, f.day, d, name)] += v
                tables[DepartmentRollup][(region, month, d, name)] += v
    return tables


def stored(model: type, keys: tuple[str, ...], measures: tuple[str, ...]) -> Counter:
    have: Counter = Counter()
    for row in model.objects.values(*keys, *measures):  # type: ignore[attr-defined]
        for name in measures:
            have[(*(row[k] for k in keys), name)] += row[name]
    return have


def nonzero(counts: Counter) -> dict:
    """Entries whose value is not 0 (rows an event left keep n = 0 until a rebuild);
    negative values are kept, so an over-subtraction shows."""
    return {k: round(v, 6) for k, v in counts.items() if round(v, 6) != 0}


def assert_equal_to_a_recount() -> None:
    facts = recount_facts()
    have_facts = {
        f["event_id"]: f
        for f in EventFact.objects.values(
            "event_id", "day", "r0", "r1", "r2", "r3", "r4", "top_category", "outcome",
            "handle_days", "repeat", "assignments", "status", "source", "department",
            "unresolved",
        )
    }  # fmt: skip
    assert set(have_facts) == set(facts)
    for pk, f in facts.items():
        want = {
            "event_id": pk,
            "day": f.day,
            **{f"r{i}": (f.regions[i] if i < len(f.regions) else None) for i in range(5)},
            "top_category": f.top,
            "outcome": f.outcome,
            "handle_days": f.handle_days,
            "repeat": f.repeat,
            "assignments": [f"{d}r" if r else str(d) for d, r in sorted(f.assignments)],
            "status": f.event.status,
            "source": f.event.source,
            "department": f.event.lead_department_id or 0,
            "unresolved": f.unresolved,
        }
        assert have_facts[pk] == want, pk
    rollup = ("region", "day", "top_category", "source", "status", "outcome")
    layout = {
        DailyRollup: (rollup, ROLLUP_MEASURES),
        MonthlyRollup: (rollup, ROLLUP_MEASURES),
        MonthlyStatusRollup: (("region", "day", "status", "outcome"), ROLLUP_MEASURES),
        DailyHandlingHistogram: (("region", "day", "centidays"), ("n",)),
        HandlingHistogram: (("region", "day", "centidays"), ("n",)),
        DailyDepartmentRollup: (("region", "day", "department"), DEPARTMENT_MEASURES),
        DepartmentRollup: (("region", "day", "department"), DEPARTMENT_MEASURES),
    }
    for model, expected in expected_tables().items():
        keys, measures = layout[model]
        assert nonzero(stored(model, keys, measures)) == nonzero(expected), model.__name__


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(ACTIONS), st.integers(0, 40)),
        min_size=1,
        max_size=25,
    ),
    # Report days in any order (a late-entered report can land before earlier-entered
    # ones and turn them into, or out of, repeats), some more than 30 days apart.
    days=st.lists(st.integers(0, 70), min_size=5, max_size=5),
)
def test_rollups_equal_a_recount_after_random_transitions(cast, steps, days):
    with transaction.atomic():
        start = dt.datetime(2025, 1, 20, 9, tzinfo=TZ)
        events = [
            reported(
                cast,
                start + dt.timedelta(days=d),
                town_b=(i == 3),
                category=cast.fire if i == 2 else None,
            )
            for i, d in enumerate(days)
        ]
        assert_equal_to_a_recount()
        for index, (action, who, payload), hours in steps:
            index = min(index, len(events) - 1)
            event = events[index]
            when = start + dt.timedelta(days=75, hours=hours)
            try:
                if who is None:
                    event_mark_deadline(event_id=event.pk, state=action, now=when)
                    continue
                p = {
                    k: getattr(cast, v).pk if k == "lead_department" else v
                    for k, v in payload.items()
                }
                act(getattr(cast, who), event, action, when, **p)
            except DomainError:
                pass
        assert_equal_to_a_recount()
        rollup_rebuild()
        assert_equal_to_a_recount()
        rollup_rebuild(sql=True)  # set-based on PostgreSQL
        assert_equal_to_a_recount()
        transaction.set_rollback(True)


def test_rollups_equal_a_recount_for_every_kind_of_event(cast):
    """The same check on one hand-made history that reaches every branch of the rules:
    closed on time and late, resolved on site, each satisfaction, a returned assignment
    and an assisting department, deadline marks, a rejection, repeat reports, and
    disputes closed unresolved (one of them resolved after a failed verification)."""
    c = cast
    day = dt.datetime(2025, 3, 3, 9, tzinfo=TZ)

    def later(days: int, hours: int = 0) -> dt.datetime:
        return day + dt.timedelta(days=days, hours=hours)

    on_time = reported(c, day)
    act(c.county_dispatcher, on_time, "accept", later(0, 1))
    act(c.county_dispatcher, on_time, "dispatch", later(0, 2), lead_department=c.police.pk)
    act(c.handler, on_time, "acknowledge", later(0, 3))
    act(c.handler, on_time, "resolve", later(1), result="已处置", resolution="resolved")
    act(c.county_dispatcher, on_time, "verify", later(1, 2), passed=True)
    act(c.county_dispatcher, on_time, "follow_up", later(2), satisfaction="basically_satisfied")

    late = reported(c, later(1), category=c.fire)  # returned by one, closed late by another
    act(c.county_dispatcher, late, "accept", later(1, 1))
    act(c.county_dispatcher, late, "dispatch", later(1, 2), lead_department=c.market.pk)
    act(c.handler_market, late, "return", later(1, 3), note="不属本部门")
    act(c.county_dispatcher, late, "dispatch", later(2), lead_department=c.police.pk)
    act(c.handler, late, "acknowledge", later(2, 1))
    act(c.handler, late, "resolve", later(60), result="已处置", resolution="unresolved")
    act(c.county_dispatcher, late, "verify", later(60, 2), passed=True)
    act(c.county_dispatcher, late, "follow_up", later(61), satisfaction="dissatisfied")

    on_site = reported(c, later(3))  # a repeat of `on_time` (same grid and category)
    act(c.gridworker, on_site, "resolve_on_site", later(3, 1), result="现场解决")
    act(c.county_dispatcher, on_site, "follow_up", later(4), satisfaction="satisfied")

    for state, offset in (("overdue", 5), ("warning", 6)):
        marked = reported(c, later(offset), town_b=True)
        act(c.dispatcher_b, marked, "accept", later(offset, 1))
        act(c.dispatcher_b, marked, "dispatch", later(offset, 2), lead_department=c.police.pk)
        event_mark_deadline(event_id=marked.pk, state=state, now=later(offset + 20))
    unsettled = reported(c, later(8), town_b=True)  # a dispute closed unresolved
    act(c.dispatcher_b, unsettled, "accept", later(8, 1))
    act(c.dispatcher_b, unsettled, "dispatch", later(8, 2), lead_department=c.police.pk)
    act(c.handler, unsettled, "acknowledge", later(8, 3))
    p = {"result": "调解不成", "resolution": "unresolved", "referral": "litigation"}
    act(c.handler, unsettled, "resolve", later(9), **p)
    act(c.dispatcher_b, unsettled, "verify", later(9, 1), passed=True)
    retried = reported(c, later(10))  # unresolved, sent back, then resolved
    act(c.county_dispatcher, retried, "accept", later(10, 1))
    act(c.county_dispatcher, retried, "dispatch", later(10, 2), lead_department=c.police.pk)
    act(c.handler, retried, "acknowledge", later(10, 3))
    act(c.handler, retried, "resolve", later(11), result="调解不成", resolution="unresolved")
    act(c.county_dispatcher, retried, "verify", later(11, 1), passed=False, note="再调解")
    act(c.handler, retried, "resolve", later(12), result="已调解", resolution="resolved")
    act(c.county_dispatcher, retried, "verify", later(12, 1), passed=True)
    rejected = reported(c, later(7))
    act(c.county_dispatcher, rejected, "reject", later(7, 1), note="不属于受理范围")
    reported(c, later(50))  # more than 30 days after the last report there: no repeat

    facts = recount_facts()
    assert {f.outcome for f in facts.values()} >= {"on_time", "late", "overdue", "warning", ""}
    assert sum(f.repeat for f in facts.values()) >= 2
    assert any(returned for f in facts.values() for _, returned in f.assignments)
    assert {pk for pk, f in facts.items() if f.unresolved} == {late.pk, unsettled.pk}
    assert_equal_to_a_recount()
    rollup_rebuild()
    assert_equal_to_a_recount()
    rollup_rebuild(sql=True)
    assert_equal_to_a_recount()

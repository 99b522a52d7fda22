"""Property: whatever sequence of transitions happens, the rollups (kept current inside
each transition's transaction) equal a recount from the events, and a rebuild changes
nothing. Repeat reports (a flag on each fact, depending on the other events at the same
place) and the handling-time histogram are recounted independently too."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pingan.analytics import kpis
from pingan.analytics.models import (
    DEPARTMENT_MEASURES,
    HISTOGRAM_DEPTHS,
    DailyDepartmentRollup,
    DailyHandlingHistogram,
    DailyRollup,
    DepartmentRollup,
    EventFact,
    HandlingHistogram,
    MonthlyRollup,
    MonthlyStatusRollup,
)
from pingan.analytics.services import _contributions, _Lookups, fact_values, rollup_rebuild
from pingan.analytics.tests.conftest import TZ, act, reported
from pingan.core.errors import DomainError
from pingan.events.models import Assignment, Event
from pingan.events.services import event_mark_deadline

ACTIONS = [
    ("accept", "county_dispatcher", {}),
    ("reject", "county_dispatcher", {"note": "不属于受理范围"}),
    ("dispatch", "county_dispatcher", {"lead_department": "police"}),
    ("dispatch", "county_dispatcher", {"lead_department": "market"}),
    ("acknowledge", "handler", {}),
    ("acknowledge", "handler_market", {}),
    ("return", "handler", {"note": "不属本部门"}),
    ("resolve", "handler", {"result": "已处置"}),
    ("resolve", "handler_market", {"result": "已处置"}),
    ("verify", "county_dispatcher", {"passed": True}),
    ("verify", "county_dispatcher", {"passed": False, "note": "未整改到位"}),
    ("follow_up", "county_dispatcher", {"satisfaction": "satisfied"}),
    ("follow_up", "county_dispatcher", {"satisfaction": "dissatisfied"}),
    ("reopen", "county_dispatcher", {"note": "重新办理"}),
    ("resolve_on_site", "gridworker", {"result": "现场解决"}),
    ("overdue", None, {}),
    ("warning", None, {}),
]


MEASURES = ("n", "followed_up", "satisfied", "handled", "handle_days", "repeats")


def recount_facts() -> dict[int, dict]:
    """Every event's fact, with its repeat flag found by kpis.repeats over all of them."""
    lookups = _Lookups()
    facts = {e.pk: fact_values(e, lookups) for e in Event.objects.all()}
    rows = [(f["region_path"], f["category"], f["day"], pk) for pk, f in facts.items()]
    for pk in kpis.repeats(rows, django_settings.PINGAN_REPEAT_DAYS):
        facts[pk]["repeat"] = True
    return facts


def recount_departments(monthly: bool) -> Counter:
    """The department rollup (daily, or `monthly`) as it should be, from the events and
    their assignments."""
    counts: Counter = Counter()
    for e in Event.objects.all():
        day = timezone.localdate(e.reported_at)
        month = day.replace(day=1) if monthly else day
        regions = [r for r in _Lookups().ancestors(e.region_path)[:HISTOGRAM_DEPTHS] if r]
        per: Counter = Counter()
        if e.lead_department_id:
            d = e.lead_department_id
            per[(d, "n")] += 1
            per[(d, "accepted")] += e.status in kpis.ACCEPTED_OR_BEYOND
            per[(d, "closed")] += e.status == "closed"
            per[(d, "on_time")] += e.status == "closed" and e.closed_on_time is True
        for a in Assignment.objects.filter(event=e):
            per[(a.department_id, "assigned")] += 1
            per[(a.department_id, "returned")] += a.status == "returned"
        for region in regions:
            for (d, name), v in per.items():
                counts[(region, month, d, name)] += v
    return +counts


def recount() -> tuple[Counter, Counter, Counter, Counter]:
    """Daily and monthly rollup rows and histogram counts as they should be, from the
    events themselves."""
    daily: Counter = Counter()
    monthly: Counter = Counter()
    histogram: Counter = Counter()
    daily_histogram: Counter = Counter()
    for fact in recount_facts().values():
        for key, measures in _contributions(fact, 1):
            month_key = (key[0], key[1].replace(day=1), *key[2:])
            for name, value in zip(MEASURES, measures, strict=True):
                daily[(*key, name)] += round(value, 6)
                monthly[(*month_key, name)] += round(value, 6)
        if fact["handle_days"] is not None:
            for i in range(HISTOGRAM_DEPTHS):
                if fact[f"r{i}"] is not None:
                    month = fact["day"].replace(day=1)
                    bucket = round(fact["handle_days"] * 100)
                    histogram[(fact[f"r{i}"], month, bucket)] += 1
                    daily_histogram[(fact[f"r{i}"], fact["day"], bucket)] += 1
    return +daily, +monthly, +histogram, +daily_histogram


def rolled_up(model) -> Counter:
    have: Counter = Counter()
    for r in model.objects.all():
        key = (r.region, r.day, r.top_category, r.source, r.status, r.outcome)
        for name in MEASURES:
            have[(*key, name)] += round(getattr(r, name), 6)
    return +have


def assert_rollups_match() -> None:
    daily, monthly, histogram, daily_histogram = recount()
    assert rolled_up(DailyRollup) == daily
    assert rolled_up(MonthlyRollup) == monthly
    narrow: Counter = Counter()
    for (region, day, _cat, _source, status, outcome, name), v in monthly.items():
        narrow[(region, day, status, outcome, name)] += v
    have: Counter = Counter()
    for r in MonthlyStatusRollup.objects.all():
        for name in MEASURES:
            have[(r.region, r.day, r.status, r.outcome, name)] += round(getattr(r, name), 6)
    assert +have == +Counter({k: round(v, 6) for k, v in narrow.items()})
    for model, expected in (
        (HandlingHistogram, histogram),
        (DailyHandlingHistogram, daily_histogram),
    ):
        have = Counter({(h.region, h.day, h.centidays): h.n for h in model.objects.all()})
        assert +have == expected, model.__name__
    for model, monthly_rows in ((DepartmentRollup, True), (DailyDepartmentRollup, False)):
        departments: Counter = Counter()
        for r in model.objects.all():
            for name in DEPARTMENT_MEASURES:
                departments[(r.region, r.day, r.department, name)] += getattr(r, name)
        assert +departments == recount_departments(monthly_rows), model.__name__
    flags = dict(EventFact.objects.values_list("event_id", "repeat"))
    assert flags == {pk: f["repeat"] for pk, f in recount_facts().items()}


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
        assert_rollups_match()
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
        assert_rollups_match()
        facts = {f.pk: f for f in EventFact.objects.all()}
        assert set(facts) == {e.pk for e in events}
        rollup_rebuild()
        assert_rollups_match()
        transaction.set_rollback(True)

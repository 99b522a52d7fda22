"""The demo's `advance_orders`: orders issued weeks ago end closed, overdue with their
deductions, one failed re-check; recent ones stay open; unpublished ones untouched."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.demo.rectification import advance_orders
from pingan.rectification.models import Deduction
from pingan.rectification.tests.factories import new_order

pytestmark = pytest.mark.django_db


def test_advance_orders_moves_old_orders_and_leaves_recent_and_hidden_ones(cast):
    now = clock.now()
    staff = Staff(
        dispatchers={
            cast.town_a.code: [cast.dispatcher],
            cast.town_b.code: [cast.dispatcher_b],
            cast.county.code: [cast.county_dispatcher],
        },
        handlers={cast.police.code: [cast.handler]},
    )
    old = []
    with clock.frozen(now - dt.timedelta(days=60)):
        for i in range(12):
            unit = ("town_a", "town_b", "police")[i % 3]
            old.append(new_order(cast, unit=unit, days=7 + i, watchers=()))
        hidden = new_order(cast, published=False, watchers=())
    recent = new_order(cast, watchers=())
    counts = advance_orders([*old, hidden, recent], staff=staff, now=now, rng=random.Random(7))
    assert counts["failed_recheck"] == 1
    assert counts["skipped"] == 1 and counts["open"] >= 1
    assert sum(counts.values()) == 14
    assert counts["closed"] + counts["overdue"] == 11
    hidden.refresh_from_db()
    recent.refresh_from_db()
    assert hidden.status == recent.status == "issued"
    kinds = list(Deduction.objects.values_list("source_kind", flat=True))
    assert kinds.count("failed_recheck") == 1
    assert kinds.count("overdue_order") == counts["overdue"]
    for o in old:
        o.refresh_from_db()
        times = list(o.timeline.values_list("at", flat=True))
        assert times == sorted(times) and times[-1] <= now
    # Idempotent: nothing left in `issued` among the old ones, so a second run skips them.
    again = advance_orders(old, staff=staff, now=now, rng=random.Random(7))
    assert again["skipped"] == 12

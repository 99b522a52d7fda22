"""矛盾纠纷化解率 counts disputes resolved, not every closed one (issue 18): a dispute
closed with the outcome 未化解 counts as closed (办结) but not as 化解; the rate is
resolved ÷ disputes accepted or beyond, from the rollups and from the facts alike, kept
by the upkeep inside each transition and recounted the same by both rebuilds."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from pingan.analytics.models import DailyRollup, EventFact, MonthlyRollup, MonthlyStatusRollup
from pingan.analytics.rebuild import rollup_rebuild
from pingan.analytics.selectors import summary
from pingan.analytics.tests.conftest import act, at, handled, reported

MARCH_2025 = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}
KEYS = ("dispute_total", "dispute_accepted", "dispute_closed", "dispute_resolved")


def disputes(user, **period) -> tuple:
    s = summary(user=user, **(period or MARCH_2025))
    return (*(s[k] for k in KEYS), s["dispute_resolution_rate"])


def month_of(model, **filters) -> int:
    return model.objects.filter(day__month=3, **filters).aggregate(u=Sum("unresolved"))["u"] or 0


def county_world(c):
    """Four disputes in March 2025 (resolved; unresolved; still in handling; settled on
    site) and a fire hazard closed as not resolved, which is no dispute."""
    resolved = reported(c, at(3, 3))
    handled(c, resolved, day=3, resolve_on=at(3, 4, hour=15))
    unresolved = reported(c, at(3, 5))
    handled(c, unresolved, day=5, resolve_on=at(3, 6, hour=15), resolution="unresolved")
    handling = reported(c, at(3, 7))
    act(c.county_dispatcher, handling, "accept", at(3, 7, hour=10))
    act(c.county_dispatcher, handling, "dispatch", at(3, 7, hour=11), lead_department=c.police.pk)
    act(c.handler, handling, "acknowledge", at(3, 7, hour=14))
    on_site = reported(c, at(3, 10))
    act(c.gridworker, on_site, "resolve_on_site", at(3, 10, hour=10), result="现场调解")
    hazard = reported(c, at(3, 12), category=c.fire)
    handled(c, hazard, day=12, resolve_on=at(3, 13, hour=15), resolution="unresolved")
    return unresolved, hazard


def test_an_unresolved_dispute_is_closed_but_not_resolved(cast):
    unresolved, hazard = county_world(cast)
    # The leader's county reads the rollups: 4 disputes, all accepted or beyond, 3
    # closed, of them 2 resolved (the one closed 未化解 is not): 2 ÷ 4.
    assert disputes(cast.leader) == (4, 4, 3, 2, 0.5)
    s = summary(user=cast.leader, **MARCH_2025)
    assert (s["closed"], s["accepted"]) == (4, 5)  # the hazard still counts as closed
    # The police handler's figures come from the facts of its events (not the one
    # settled on site): 3 disputes, 2 closed, 1 resolved.
    assert summary(user=cast.handler, **MARCH_2025)["basis"] == "scan"
    assert disputes(cast.handler) == (3, 3, 2, 1, 0.3333)
    assert set(EventFact.objects.filter(unresolved=True).values_list("pk", flat=True)) == {
        unresolved.pk,
        hazard.pk,
    }
    top = cast.dispute.pk
    assert month_of(DailyRollup, region=cast.county.pk, top_category=top) == 1
    assert month_of(MonthlyRollup, region=cast.county.pk, top_category=top) == 1
    assert month_of(MonthlyStatusRollup, region=cast.county.pk) == 2


def test_the_upkeep_follows_a_reopening_and_equals_both_rebuilds(cast):
    unresolved, _hazard = county_world(cast)
    act(cast.county_dispatcher, unresolved, "reopen", at(3, 20), note="再组织调解")
    # Back in handling: neither closed nor unresolved any more.
    assert disputes(cast.leader) == (4, 4, 2, 2, 0.5)
    act(
        cast.handler,
        unresolved,
        "resolve",
        at(3, 21),
        result="已调解，双方和解",
        resolution="resolved",
    )
    act(cast.county_dispatcher, unresolved, "verify", at(3, 21, hour=12), passed=True)
    upkeep = disputes(cast.leader), disputes(cast.handler), month_of(MonthlyStatusRollup)
    assert upkeep[0] == (4, 4, 3, 3, 0.75)
    rollup_rebuild()
    assert (disputes(cast.leader), disputes(cast.handler), month_of(MonthlyStatusRollup)) == upkeep
    rollup_rebuild(sql=True)  # set-based on PostgreSQL (event by event on SQLite)
    assert (disputes(cast.leader), disputes(cast.handler), month_of(MonthlyStatusRollup)) == upkeep


def test_events_closed_before_the_outcome_existed_count_as_resolved(cast):
    unresolved, _hazard = county_world(cast)
    # As the migration leaves them: no outcome recorded (blank).
    type(unresolved).objects.filter(pk=unresolved.pk).update(resolution="", referral="")
    rollup_rebuild()
    assert disputes(cast.leader) == (4, 4, 3, 3, 0.75)

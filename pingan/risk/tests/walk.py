"""The major matter's part of the permission walk (pingan/cases/tests/test_walk.py): one
user per role, one matter in each state a row starts from, "nothing changed"."""

from __future__ import annotations

from typing import Any

from pingan.events.tests import walk as event_walk
from pingan.org.choices import Role
from pingan.risk.models import MajorMatter, MatterTransition
from pingan.risk.tests.factories import assessed, decided, fire, measured, new_matter


def people(cast: Any) -> dict[str, Any]:
    """The event's people; the dispatcher is the county's (the office)."""
    out = event_walk.people(cast)
    out[Role.DISPATCHER] = cast.county_dispatcher
    return out


def build(cast: Any) -> dict[str, MajorMatter]:
    """One matter per state, in grid A1 (its grid staff see them), owned by the police."""
    d = cast.county_dispatcher
    out = {"registered": new_matter(cast)}
    out["assessing"] = fire(new_matter(cast), d, "start")
    out["graded"] = assessed(cast, new_matter(cast))
    m = assessed(cast, new_matter(cast))
    measured(cast, m)
    out["decided"] = decided(cast, m)
    m = assessed(cast, new_matter(cast))
    measured(cast, m)
    out["tracking"] = fire(decided(cast, m), d, "start_tracking")
    return out


_PREFERENCE = ["assessing", "graded", "tracking", "decided", "registered"]


def case_for(row: Any, built: dict[str, MajorMatter]) -> MajorMatter:
    for state in _PREFERENCE:
        if state in row.sources:
            return built[state]
    raise AssertionError(f"no matter built for {row.action}")


def payload_for(row: Any) -> dict[str, Any]:
    return {}


def snapshot(matter: MajorMatter) -> tuple[str, int, int, int]:
    fresh = MajorMatter.objects.get(pk=matter.pk)
    return (
        fresh.status,
        MatterTransition.objects.filter(matter=matter).count(),
        fresh.steps.count(),
        fresh.measures.count(),
    )

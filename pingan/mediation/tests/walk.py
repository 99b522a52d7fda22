"""The mediation case's part of the permission walk (pingan/cases/tests/test_walk.py):
one user per role, one case in each state a row starts from, "nothing changed"."""

from __future__ import annotations

from typing import Any

from pingan.events.tests import walk as event_walk
from pingan.mediation.models import MediationCase, MediationTransition
from pingan.mediation.tests.factories import fire, mediation_cast, new_case
from pingan.org.choices import Role


def _med(cast: Any) -> Any:
    """The committees and mediators, built once per cast (kept on it)."""
    if not hasattr(cast, "mediation"):
        cast.mediation = mediation_cast(cast)
    return cast.mediation


def people(cast: Any) -> dict[str, Any]:
    """The event's people (town A), and a mediator of the village committee."""
    out = event_walk.people(cast)
    m = _med(cast)
    out[Role.MEDIATOR] = m.village_mediator.user
    return out


def build(cast: Any) -> dict[str, MediationCase]:
    """One case per state, registered by the grid worker (who thus sees them all) at the
    village committee."""
    m = _med(cast)
    d = cast.dispatcher

    def case() -> MediationCase:
        return new_case(cast, cast.gridworker, committee=m.village.pk)

    out = {"registered": case()}
    out["accepted"] = fire(case(), d, "accept")
    c = fire(case(), d, "accept")
    out["mediating"] = fire(c, d, "assign", committee=m.village.pk)
    c = fire(fire(case(), d, "accept"), d, "assign", committee=m.village.pk)
    out["succeeded"] = fire(c, d, "succeed", terms="赔偿500元", performance="at_once")
    c = fire(fire(case(), d, "accept"), d, "assign", committee=m.village.pk)
    out["failed"] = fire(c, d, "fail", note="双方分歧较大")
    return out


_PREFERENCE = ["accepted", "mediating", "succeeded", "failed", "registered"]


def case_for(row: Any, built: dict[str, MediationCase]) -> MediationCase:
    for state in _PREFERENCE:
        if state in row.sources:
            return built[state]
    raise AssertionError(f"no case built for {row.action}")


def payload_for(row: Any) -> dict[str, Any]:
    return {}


def snapshot(case: MediationCase) -> tuple[str, int]:
    fresh = MediationCase.objects.get(pk=case.pk)
    return (fresh.status, MediationTransition.objects.filter(case=case).count())

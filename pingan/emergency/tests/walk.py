"""The activation's part of the permission walk (pingan/cases/tests/test_walk.py): one
user per role, one activation in each state a row starts from, "nothing changed"."""

from __future__ import annotations

from typing import Any

from pingan.emergency.models import Activation, ActivationTransition
from pingan.emergency.tests.factories import activate, fire, wage_plan
from pingan.events.tests import walk as event_walk
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert


def _mediator(cast: Any) -> Any:
    if not hasattr(cast, "emergency_mediator"):
        u = user_upsert(username="em-mediator", name="调解员", password=cast.password)
        membership_grant(user=u, role=Role.MEDIATOR, region=cast.town_a)
        cast.emergency_mediator = u
    return cast.emergency_mediator


def people(cast: Any) -> dict[str, Any]:
    """The event's people (town A) and a mediator called up in a group (so that the
    centre's rows refuse him with a 403, not the 404 of not seeing it)."""
    out = event_walk.people(cast)
    out[Role.MEDIATOR] = _mediator(cast)
    return out


def build(cast: Any) -> dict[str, Activation]:
    plan = wage_plan(
        cast,
        groups=[
            {
                "name": "谈判组",
                "lead_department": cast.police.pk,
                "members": [_mediator(cast).pk],
                "tasks": [{"title": "对话", "minutes": 30}],
            }
        ],
    )
    d = cast.dispatcher
    out = {"activated": activate(cast, plan)}
    out["on_site"] = fire(activate(cast, plan), d, "arrive")
    out["under_control"] = fire(activate(cast, plan), d, "control")
    return out


_PREFERENCE = ["on_site", "activated", "under_control"]


def case_for(row: Any, built: dict[str, Activation]) -> Activation:
    for state in _PREFERENCE:
        if state in row.sources:
            return built[state]
    raise AssertionError(f"no activation built for {row.action}")


def payload_for(row: Any) -> dict[str, Any]:
    return {}


def snapshot(case: Activation) -> tuple[str, str, int]:
    fresh = Activation.objects.get(pk=case.pk)
    return (fresh.status, fresh.level, ActivationTransition.objects.filter(activation=case).count())

"""The event's part of the permission walk (pingan/cases/tests/test_walk.py): one user per
role, one event in each state a row starts from, what counts as "nothing changed"."""

from __future__ import annotations

from typing import Any

from pingan.events.models import Event, EventTransition
from pingan.events.services import event_report, event_transition
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert


def people(cast: Any) -> dict[str, Any]:
    """One user per role, all scoped over town A where the events are."""

    def admin(username: str, role: str) -> Any:
        u = user_upsert(username=username, name=username, password=cast.password)
        membership_grant(user=u, role=role)
        return u

    return {
        Role.GRID_WORKER: cast.gridworker,
        Role.GRID_LEADER: cast.gridleader,
        Role.DISPATCHER: cast.dispatcher,
        Role.HANDLER: cast.handler,
        Role.LEADER: cast.leader,
        Role.SYS_ADMIN: cast.sysadmin,
        Role.SEC_ADMIN: admin("secadmin", Role.SEC_ADMIN),
        Role.AUDIT_ADMIN: admin("auditadmin", Role.AUDIT_ADMIN),
    }


def build(cast: Any) -> dict[str, Event]:
    """One event in each reachable non-terminal state, built through the services.

    The accepted one went to the police and came back, so the police handler can see it.
    `closed_on_site` was never dispatched (the `undispatched` reopen variant).
    """
    lat, lng = cast.point_a1

    def report() -> Event:
        e, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description="楼道堆放杂物",
            lat=lat,
            lng=lng,
        )
        return e

    def fire(e: Event, user: Any, action: str, **payload: Any) -> Event:
        return event_transition(actor=user, event_id=e.pk, action=action, payload=payload)

    out = {"reported": report()}
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    out["accepted"] = fire(e, cast.handler, "return", note="不属本部门职责")
    e = fire(report(), cast.dispatcher, "accept")
    out["dispatched"] = fire(
        e,
        cast.dispatcher,
        "dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[cast.market.pk],
    )
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    out["in_progress"] = fire(e, cast.handler, "acknowledge")
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    e = fire(e, cast.handler, "acknowledge")
    out["resolved"] = fire(e, cast.handler, "resolve", result="已调解", resolution="resolved")
    e = fire(report(), cast.dispatcher, "accept")
    e = fire(e, cast.dispatcher, "dispatch", lead_department=cast.police.pk)
    e = fire(e, cast.handler, "acknowledge")
    e = fire(e, cast.handler, "resolve", result="已调解", resolution="resolved")
    out["closed"] = fire(e, cast.gridworker, "verify", passed=True)
    out["closed_on_site"] = fire(report(), cast.gridworker, "resolve_on_site", result="已劝解")
    return out


# States tried in this order: the earliest in which most roles can see the event.
_PREFERENCE = ["accepted", "dispatched", "in_progress", "resolved", "closed", "reported"]


def case_for(row: Any, built: dict[str, Event]) -> Event:
    """The event a row is tried on (in one of its source states, in its variant)."""
    if row.action == "reopen":
        return built["closed" if row.variant == "dispatched" else "closed_on_site"]
    if row.action == "escalate":
        return built["dispatched" if row.variant == "handling" else "accepted"]
    for state in _PREFERENCE:
        if state in row.sources:
            return built[state]
    raise AssertionError(f"no event built for {row.action}")


def payload_for(row: Any) -> dict[str, Any]:
    """What makes the service choose this row's variant."""
    return {"passed": row.variant == "passed"} if row.action == "verify" else {}


def snapshot(case: Event) -> tuple[str, int]:
    fresh = Event.objects.get(pk=case.pk)
    return (fresh.status, EventTransition.objects.filter(event=case).count())

"""Where an imported event stands: its times, deadlines and lead assignment by state.

Finished records (closed, rejected, merged) keep their own times; a due date given by the
source decides whether a closed one was on time (none given: neither on time nor late).
Open ones enter the live workflow in the state mapped: accepted ones wait for dispatch;
dispatched, in-progress and awaiting-verification ones have their lead department's
assignment and deadlines counted from the source's dispatch time (the source's own due
date wins), and the deadline light as it stands now, so the sweeper neither marks nor
notifies them again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pingan.cases import deadlines as cases_deadlines
from pingan.events import deadlines
from pingan.events.choices import AssignmentRole, AssignmentStatus, Status
from pingan.events.models import Assignment, Event

ASSIGNMENT_STATUS = {
    Status.DISPATCHED: AssignmentStatus.DISPATCHED,
    Status.IN_PROGRESS: AssignmentStatus.ACKNOWLEDGED,
    Status.RESOLVED: AssignmentStatus.RESOLVED,
}
ACCEPTED_OR_BEYOND = frozenset(
    {Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}
)


def state_fields(v: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The Event fields of an imported row's state (times, clocks, deadline outcome)."""
    status = v["status"]
    reported = v["reported_at"]
    out: dict[str, Any] = {"due_at": v["due_at"], "closed_at": v["closed_at"]}
    if status in ACCEPTED_OR_BEYOND:
        out["accepted_at"] = v["accepted_at"] or v["dispatched_at"] or reported
    if v["lead_department"] is not None and status in (*ASSIGNMENT_STATUS, Status.CLOSED):
        out["dispatched_at"] = v["dispatched_at"] or out["accepted_at"]
    if status == Status.CLOSED:
        due = v["due_at"]
        out["closed_on_time"] = deadlines.on_time(due, v["closed_at"])
        out["resolved_at"] = v["closed_at"]
    elif status in ASSIGNMENT_STATUS:
        out.update(_clocks(v, out["dispatched_at"], now))
        if status == Status.RESOLVED:
            out["resolved_at"] = now
            due = out["due_at"]
            out["closed_on_time"] = deadlines.on_time(due, now)
            out["deadline_state"] = ""
            out["ack_due_at"] = out["warn_at"] = None
    return out


def _clocks(v: dict[str, Any], start: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """Deadlines of a dispatched or in-progress event counted from `start` (the source's
    due date, when given, for the handling deadline) and the light at `now`."""
    a = deadlines.allowance_for(v["category"], v["urgency"])
    due = v["due_at"] or cases_deadlines.due(
        start, float(a.handle_amount), a.handle_unit, natural=a.natural
    )
    ack_due = None
    if v["status"] == Status.DISPATCHED:
        ack_due = cases_deadlines.due(start, float(a.ack_amount), a.ack_unit, natural=a.natural)
    probe = Event(status=v["status"], due_at=due, ack_due_at=ack_due)
    probe.warn_at = cases_deadlines.warning_at(start, ack_due or due, natural=a.natural)
    return {
        "clock_started_at": start,
        "due_at": due,
        "ack_due_at": ack_due,
        "warn_at": probe.warn_at,
        "deadline_state": deadlines.state_at(probe, now) or "",
    }


def lead_assignment(event: Event) -> Assignment | None:
    """The lead department's assignment of an open imported event (None otherwise)."""
    status = ASSIGNMENT_STATUS.get(event.status)  # type: ignore[call-overload]
    if status is None or event.lead_department_id is None:
        return None
    start = event.dispatched_at or event.reported_at
    return Assignment(
        event=event,
        department_id=event.lead_department_id,
        role=AssignmentRole.LEAD,
        status=status,
        dispatched_at=start,
        ack_due_at=event.ack_due_at,
        due_at=event.due_at,
        acknowledged_at=start if status != AssignmentStatus.DISPATCHED else None,
        resolved_at=event.resolved_at if status == AssignmentStatus.RESOLVED else None,
        note="历史导入",
    )

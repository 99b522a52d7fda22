"""The older part of the demo year, written in bulk (`load_demo`'s first event step).

The same plan as the lives (`simulation.plan_events`: moment, grid, category, source,
urgency, outcome, duplicates), but each event's life is worked out here in closed form,
on the same working calendar and deadline rules as the services (accept, dispatch to the
lead department the routing rules name, acknowledge, resolve, verify, follow-up; on-site
settlement, rejection, merging into an earlier report), and the event is written as it
stands at the end of the run: its fields, its lead assignment, and a timeline of the
steps that happened (the lives' actions and data, without the rarer turns: returns,
extensions, supervision, joint handling). Rows go in with COPY on PostgreSQL and bulk
inserts on SQLite (`generate.bulk_write`), codes continue the per-day counters, and the
caller rebuilds the facts and rollups of the days written (`rollup_rebuild`), so every
figure counts these events as it counts those the services wrote.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from pingan.cases import deadlines as cases_deadlines
from pingan.core import pii, workcal
from pingan.demo import generate, texts
from pingan.demo.organisation import person_name
from pingan.demo.simulation import (
    UNRESOLVED_DISPUTES,
    Planned,
    World,
    _after_work,
    _choose,
    _demo_phone,
    _lognormal,
    _route,
    _satisfaction,
)
from pingan.events.choices import Referral, Resolution, Source, Status
from pingan.events.deadlines import Allowance, allowance_for
from pingan.events.models import Assignment, Event, EventCodeCounter, EventTransition
from pingan.events.partitions import ensure_partitions, is_partitioned

EVENT_COLUMNS = [
    *generate.EVENT_COLUMNS,
    "client_uuid",
    "master_id",
    "resolution",
    "referral",
]
TRANSITION_COLUMNS = [
    "event_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_role",
    "department_id",
    "note",
    "public_reply",
    "data",
    "at",
]


@dataclass
class Written:
    """What `write_history` wrote."""

    events: int = 0
    assignments: int = 0
    transitions: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    ids: dict[Any, int] = field(default_factory=dict)  # client uuid → event id
    first_day: dt.date | None = None
    last_day: dt.date | None = None


@dataclass
class _Row:
    """One event being built: its column values and its timeline."""

    values: dict[str, Any]
    timeline: list[tuple[Any, ...]] = field(default_factory=list)
    assignment: tuple[Any, ...] | None = None

    def step(
        self,
        at: dt.datetime,
        action: str,
        to_status: str,
        user: Any,
        role: str,
        *,
        note: str = "",
        department: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        from_status = self.values["status"] if self.timeline else ""
        self.timeline.append(
            (
                self.values["id"],
                action,
                from_status,
                to_status,
                getattr(user, "pk", None),
                role,
                department,
                note,
                "",  # the services publish a reply only when the actor writes one
                data or {},
                at,
            )
        )
        self.values["status"] = to_status
        self.values["updated_at"] = at


class History:
    """Works out the events of a plan as they stand at `now`."""

    def __init__(self, *, world: World, seed: int, now: dt.datetime) -> None:
        self.world, self.seed, self.now = world, seed, now
        self.allowances: dict[tuple[int, str], Allowance] = {}
        self.counters: dict[str, int] = dict(
            EventCodeCounter.objects.filter(prefix__startswith=f"{world.county.code}-").values_list(
                "prefix", "last"
            )
        )
        self.codes: dict[int, tuple[int, str]] = {}  # plan idx → (event id, code)

    def _allowance(self, category: Any, urgency: str) -> Allowance:
        key = (category.pk, urgency)
        if key not in self.allowances:
            self.allowances[key] = allowance_for(category, urgency)
        return self.allowances[key]

    def _code(self, at: dt.datetime) -> str:
        prefix = f"{self.world.county.code}-{timezone.localtime(at):%Y%m%d}"
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n:06d}"

    def event(self, p: Planned, event_id: int) -> _Row:
        """The event of plan entry `p` as it stands at `now`."""
        w, now = self.world, self.now
        rng = random.Random(f"bulk:{self.seed}:{p.uuid}")
        spot = w.grids[p.grid]
        town = spot.town_code
        group, _leaf = w.leaves[p.category]
        category = w.categories[p.category]
        centre = w.staff.dispatchers[town]
        patrol = p.source == Source.GRID_PATROL
        worker = w.staff.grid_workers[spot.code]
        reporter = worker if patrol else _choose(rng, centre)
        title, description = texts.report_text(rng, p.category, spot.village_name)
        lat, lng = rng.choice(spot.points)
        extra: dict[str, Any] = {}
        if p.category == "dispute.labour":
            extra = {
                "people": rng.choice([3, 5, 8, 12, 20, 35]),
                "amount": rng.randint(2, 60) * 5000,
            }
        elif p.category == "hazard.fire":
            extra = {
                "place_kind": rng.choice(["住宅", "出租房", "沿街商铺", "厂房仓库", "餐饮场所"])
            }
        name = phone = ""
        if not patrol and p.source != Source.INSPECTION:
            name = person_name(rng)[0] + rng.choice(["先生", "女士"])
            phone = _demo_phone(rng.choice("3589"), rng.randint(0, 9), rng.randint(0, 9999))
        code = self._code(p.at)
        self.codes[p.idx] = (event_id, code)
        row = _Row(
            values={
                "id": event_id,
                "code": code,
                "title": title,
                "description": description,
                "status": Status.REPORTED,
                "category_id": category.pk,
                "source": p.source,
                "urgency": p.urgency,
                "region_id": spot.region.pk,
                "region_path": spot.region.path,
                "queue_region_id": w.towns[town].pk,
                "lat": lat,
                "lng": lng,
                "address": spot.village_name,
                "extra": extra,
                "occurred_at": p.at - dt.timedelta(minutes=rng.randint(5, 240)),
                "reported_at": p.at,
                "accepted_at": None,
                "dispatched_at": None,
                "resolved_at": None,
                "closed_at": None,
                "reporter_id": reporter.pk,
                "reporter_name": name,
                "reporter_phone": phone,
                "reporter_phone_index": pii.blind_index(phone, kind="phone") if phone else "",
                "sensitivity": "",
                "lead_department_id": None,
                "clock_started_at": None,
                "ack_due_at": None,
                "due_at": None,
                "warn_at": None,
                "deadline_state": "",
                "closed_on_time": None,
                "resolved_on_site": False,
                "satisfaction": "",
                "under_tracking": False,
                "updated_at": p.at,
                "client_uuid": p.uuid,
                "master_id": None,
                "resolution": "",
                "referral": "",
            }
        )
        v = row.values
        row.step(
            p.at, "report", Status.REPORTED, reporter, "grid_worker" if patrol else "dispatcher"
        )
        if p.stop == Status.REPORTED:
            return row

        if p.outcome == "on_site":
            t = p.at + dt.timedelta(minutes=rng.randint(5, 90))
            if t > now:
                return row
            result = texts.pick(rng, texts.ON_SITE_RESULTS)
            row.step(
                t,
                "resolve_on_site",
                Status.CLOSED,
                worker,
                "grid_worker",
                note=result,
                data={"result": result},
            )
            v.update(
                resolved_at=t,
                closed_at=t,
                closed_on_time=True,
                resolved_on_site=True,
                resolution=Resolution.RESOLVED,
            )
            if rng.random() < 0.35:
                self._follow_up(row, rng, _after_work(t, rng.uniform(2, 16)), centre)
            return row

        dispatcher = _choose(rng, centre)
        t = _after_work(p.at, _lognormal(rng, 0.6, 0.8))
        if t > now:
            return row
        if p.outcome == "reject":
            row.step(
                t,
                "reject",
                Status.REJECTED,
                dispatcher,
                "dispatcher",
                note=texts.pick(rng, texts.REJECT_REASONS),
            )
            return row
        if p.outcome == "merge" and p.master in self.codes:
            master_id, master_code = self.codes[p.master]
            row.step(
                t,
                "merge",
                Status.MERGED,
                dispatcher,
                "dispatcher",
                note="同一事项重复上报",
                data={"master": master_id, "master_code": master_code},
            )
            v.update(master_id=master_id, closed_at=t)
            return row

        escalated = False
        if group.key in ("dispute", "public_order") and rng.random() < 0.04:
            county = w.county
            row.step(
                t,
                "escalate",
                Status.REPORTED,
                dispatcher,
                "dispatcher",
                note=texts.pick(rng, texts.ESCALATE_NOTES),
                data={
                    "from_queue": w.towns[town].pk,
                    "to_queue": county.pk,
                    "to_queue_name": county.name,
                },
            )
            v["queue_region_id"] = county.pk
            escalated = True
            dispatcher = _choose(rng, w.staff.dispatchers[county.code])
            t = _after_work(t, rng.uniform(0.5, 4))
            if t > now:
                return row
        row.step(t, "accept", Status.ACCEPTED, dispatcher, "dispatcher")
        v["accepted_at"] = t
        if p.stop == Status.ACCEPTED:
            return row

        lead, _assists = _route(w, p.category, town, escalated)
        dispatched = _after_work(t, _lognormal(rng, 0.3, 0.8))
        if dispatched > now:
            return row
        a = self._allowance(category, p.urgency)
        ack_due = cases_deadlines.due(
            dispatched, float(a.ack_amount), a.ack_unit, natural=a.natural
        )
        due = cases_deadlines.due(
            dispatched, float(a.handle_amount), a.handle_unit, natural=a.natural
        )
        row.step(
            dispatched,
            "dispatch",
            Status.DISPATCHED,
            dispatcher,
            "dispatcher",
            department=lead.pk,
            data={
                "lead_department": lead.pk,
                "lead_department_name": lead.name,
                "assisting_departments": [],
                "assisting_department_names": [],
            },
        )
        v.update(
            dispatched_at=dispatched,
            lead_department_id=lead.pk,
            clock_started_at=dispatched,
            ack_due_at=ack_due,
            due_at=due,
            warn_at=cases_deadlines.warning_at(dispatched, ack_due, natural=a.natural),
            deadline_state="normal",
        )
        handler = _choose(rng, w.staff.handlers[lead.code])
        assignment = {
            "status": "dispatched",
            "ack_due_at": ack_due,
            "acknowledged_at": None,
            "resolved_at": None,
            "result": "",
        }
        ack_allow = workcal.working_seconds_between(dispatched, ack_due) / 3600
        late_ack = rng.random() < 0.05
        ack_hours = ack_allow * (rng.uniform(1.1, 2.5) if late_ack else rng.uniform(0.05, 0.85))
        acked = _after_work(dispatched, ack_hours)
        stop_here = p.stop == Status.DISPATCHED or acked > now
        if not stop_here:
            row.step(
                acked,
                "acknowledge",
                Status.IN_PROGRESS,
                handler,
                "handler",
                department=lead.pk,
                data={"role": "lead"},
            )
            v.update(
                ack_due_at=None,
                warn_at=cases_deadlines.warning_at(dispatched, due, natural=a.natural),
            )
            assignment.update(status="acknowledged", acknowledged_at=acked)
            allow = workcal.working_seconds_between(dispatched, due) / 3600
            fraction = _lognormal(rng, 0.38, 0.6)
            resolved = max(
                _after_work(dispatched, allow * fraction), acked + dt.timedelta(minutes=30)
            )
            stop_here = p.stop == Status.IN_PROGRESS or resolved > now
        if stop_here:
            self._marks(row, now)
            row.assignment = self._assignment(event_id, lead.pk, v, assignment)
            return row

        result = texts.pick(rng, texts.RESULTS[group.key], dept=lead.name)
        outcome = {"resolution": Resolution.RESOLVED, "referral": ""}
        if group.key == "dispute" and rng.random() < UNRESOLVED_DISPUTES:
            referral = rng.choice([Referral.LITIGATION, Referral.ARBITRATION, Referral.PETITION])
            outcome = {"resolution": Resolution.UNRESOLVED, "referral": referral}
        self._marks(row, resolved)
        row.step(
            resolved,
            "resolve",
            Status.RESOLVED,
            handler,
            "handler",
            note=result,
            department=lead.pk,
            data={"role": "lead", "result": result, "resolution": outcome["resolution"]},
        )
        on_time = resolved <= due
        v.update(
            resolved_at=resolved,
            closed_on_time=on_time,
            warn_at=None,
            deadline_state="",
            **outcome,
        )
        assignment.update(status="resolved", resolved_at=resolved, result=result)
        row.assignment = self._assignment(event_id, lead.pk, v, assignment)
        verified = _after_work(resolved, _lognormal(rng, 3, 0.8))
        if p.stop == Status.RESOLVED or verified > now:
            return row
        verifier = worker if patrol else dispatcher
        row.step(
            verified,
            "verify",
            Status.CLOSED,
            verifier,
            "grid_worker" if patrol else "dispatcher",
            data={"passed": True, "resolution": outcome["resolution"]},
        )
        v["closed_at"] = verified
        if rng.random() < 0.8:
            self._follow_up(row, rng, _after_work(verified, rng.uniform(3, 24)), centre)
        return row

    def _follow_up(self, row: _Row, rng: random.Random, at: dt.datetime, centre: list[Any]) -> None:
        if at > self.now:
            return
        satisfaction = _satisfaction(rng)
        row.step(
            at,
            "follow_up",
            Status.CLOSED,
            _choose(rng, centre),
            "dispatcher",
            note=texts.pick(rng, texts.FOLLOW_UP_NOTES[satisfaction]),
            data={"satisfaction": satisfaction},
        )
        row.values["satisfaction"] = satisfaction

    def _marks(self, row: _Row, until: dt.datetime) -> None:
        """The sweeper's yellow and red marks on an event in handling, up to `until`."""
        v = row.values
        marks = []
        if v["warn_at"] and v["warn_at"] <= until:
            marks.append((v["warn_at"], "warning"))
        due = min(x for x in (v["ack_due_at"], v["due_at"]) if x is not None)
        if due <= until:
            marks.append((due, "overdue"))
        last = row.timeline[-1][-1]
        for at, state in sorted(marks):
            at = max(at, last + dt.timedelta(minutes=1))
            if at > until or (state == "warning" and v["deadline_state"] == "overdue"):
                continue
            last = at
            status = v["status"]
            row.step(
                at,
                state,
                status,
                None,
                "system",
                data={
                    "due_at": v["due_at"].isoformat(),
                    "ack_due_at": v["ack_due_at"].isoformat() if v["ack_due_at"] else None,
                },
            )
            v["deadline_state"] = state

    @staticmethod
    def _assignment(
        event_id: int, department: int, v: dict[str, Any], a: dict[str, Any]
    ) -> tuple[Any, ...]:
        return (
            event_id,
            department,
            "lead",
            a["status"],
            v["dispatched_at"],
            a["ack_due_at"],
            v["due_at"],
            a["acknowledged_at"],
            a["resolved_at"],
            a["result"],
            "",
        )


def write_history(
    *,
    world: World,
    planned: list[Planned],
    existing: dict[Any, int],
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """Write the planned events that do not exist yet, as they stand at `now`, in one
    transaction; the caller rebuilds the facts and rollups of their days."""
    todo = [p for p in planned if p.uuid not in existing]
    out = Written()
    if not todo:
        return out
    history = History(world=world, seed=seed, now=now)
    # Duplicates of events an earlier run wrote: their masters' ids and codes.
    by_idx = {p.idx: p for p in planned}
    earlier = {
        existing[by_idx[p.master].uuid]: p.master
        for p in todo
        if p.master is not None and by_idx[p.master].uuid in existing
    }
    for pk, code in Event.objects.filter(pk__in=list(earlier)).values_list("pk", "code"):
        history.codes[earlier[pk]] = (pk, code)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:
            ensure_partitions(since=min(p.at for p in todo) - dt.timedelta(days=31))
        first = generate._reserve_ids(Event, len(todo))
        events, assignments, transitions = [], [], []
        for i, p in enumerate(todo):
            row = history.event(p, first + i)
            events.append(tuple(row.values[c] for c in EVENT_COLUMNS))
            transitions.extend(row.timeline)
            if row.assignment is not None:
                assignments.append(row.assignment)
            out.ids[p.uuid] = first + i
            status = row.values["status"]
            out.statuses[status] = out.statuses.get(status, 0) + 1
            if (i + 1) % 20000 == 0:
                progress(f"批量写入：已备好 {i + 1}/{len(todo)} 件")
        progress(f"批量写入：{len(todo)} 件已备好，写入中…")
        generate.bulk_write(Event, EVENT_COLUMNS, events)
        generate.bulk_write(Assignment, generate.ASSIGNMENT_COLUMNS, assignments)
        generate.bulk_write(EventTransition, TRANSITION_COLUMNS, transitions)
        if postgres and is_partitioned():
            generate._fill_event_keys(first, first + len(todo) - 1)
        generate._save_counters(history.counters)
    out.events, out.assignments, out.transitions = len(events), len(assignments), len(transitions)
    out.first_day = timezone.localdate(todo[0].at)
    out.last_day = timezone.localdate(todo[-1].at)
    return out

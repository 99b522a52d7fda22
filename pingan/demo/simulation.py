"""The demo county's events: the plan of the year, and the lives of the last days played
through the events services.

First a plan: each event's moment, town, grid, category, source, urgency and outcome,
drawn day by day from seeded random generators (seasonality, weekday and daytime rhythm,
towns by size, the source and category mix of docs/demo-county.md). The older days are
written in bulk from the plan (`bulk.py`); for the last days each event lives its life as
a Python generator that fires the real services (`event_report`, `event_transition`,
`event_mark_deadline`) inside `clock.frozen(t)` and yields the moment of its next step. A
heap runs every life in time order, so masters exist before their duplicates and every
timeline is chronological; steps later than now do not happen, which leaves the last
days' events open in every state.

Each event has a deterministic `client_uuid` (uuid5 of the seed, its day and its number
that day); events that exist already are skipped, so a second run writes nothing and a
later run adds only the new days. One transaction per simulated day; notifications are
muted except for the last few days.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
import logging
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from lunardate import LunarDate

from pingan.core import clock, workcal
from pingan.core.errors import DomainError
from pingan.demo import texts
from pingan.demo.organisation import Staff, person_name
from pingan.events.choices import (
    DeadlineState,
    Referral,
    Resolution,
    Source,
    Status,
    Urgency,
)
from pingan.events.deadlines import state_at
from pingan.events.models import Category, Event
from pingan.events.services import event_mark_deadline, event_report, event_transition
from pingan.geo.models import Region
from pingan.org.models import Department
from pingan.routing.catalogue import CATALOGUE, Group, Leaf, leaf_code

log = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("6b1d8a52-3f0e-5c1a-9d63-2a4f0e5c7b11")
DEMO_DAYS = 365
UNMUTED_DAYS = 3
UNRESOLVED_DISPUTES = 0.07  # disputes whose mediation fails (化解不成)

SOURCE_MIX: list[tuple[str, float]] = [
    (Source.GRID_PATROL, 68.0),
    (Source.HOTLINE_12345, 14.0),
    (Source.CITIZEN, 7.5),
    (Source.POLICE_110, 3.5),
    (Source.ONLINE_OPINION, 1.5),
    (Source.INSPECTION, 2.5),
    (Source.WALK_IN, 3.0),
]
LEAF_WEIGHTS: dict[str, float] = {
    "dispute.neighbour": 5,
    "dispute.family": 2,
    "dispute.labour": 2,
    "dispute.land": 1,
    "dispute.property": 1.5,
    "dispute.medical": 0.3,
    "dispute.traffic": 1.5,
    "dispute.demolition": 0.4,
    "dispute.consumer": 1.2,
    "dispute.debt": 0.8,
    "hazard.fire": 9,
    "hazard.production": 4,
    "hazard.road": 3,
    "hazard.chemicals": 0.8,
    "hazard.building": 2,
    "hazard.gas": 2,
    "hazard.flood": 1.5,
    "hazard.power": 1,
    "public_order.disorder": 3,
    "public_order.gambling": 0.6,
    "public_order.fraud": 2,
    "public_order.key_person": 1,
    "public_order.gathering": 0.3,
    "environment.water": 2,
    "environment.air": 1.5,
    "environment.noise": 2.5,
    "environment.waste": 3,
    "environment.burning": 1,
    "food_drug.food": 2,
    "food_drug.unlicensed": 1.5,
    "food_drug.drug": 0.4,
    "city_management.stalls": 5,
    "city_management.illegal_building": 3,
    "city_management.parking": 4,
    "city_management.facilities": 3,
    "city_management.sanitation": 6,
    "city_management.advertising": 1.2,
    "livelihood.utilities": 3,
    "livelihood.assistance": 1.5,
    "livelihood.social_security": 2,
    "livelihood.schooling": 1,
    "livelihood.transit": 1,
    "livelihood.elderly": 1.5,
}
# How much more (or less) each source brings of each top-level group.
SOURCE_GROUP_FACTOR: dict[str, dict[str, float]] = {
    Source.POLICE_110: {"public_order": 6, "dispute": 2.5, "hazard": 0.5},
    Source.HOTLINE_12345: {"livelihood": 3, "city_management": 1.5, "environment": 1.6},
    Source.CITIZEN: {"livelihood": 2, "environment": 1.5, "dispute": 1.3},
    Source.ONLINE_OPINION: {"environment": 3, "food_drug": 3, "livelihood": 1.5},
    Source.INSPECTION: {"hazard": 3, "food_drug": 2},
    Source.WALK_IN: {"dispute": 3, "livelihood": 2},
}
# Share of grid-patrol reports the grid worker settles on the spot, by leaf (else group).
ON_SITE: dict[str, float] = {
    "city_management": 0.62,
    "city_management.illegal_building": 0.08,
    "city_management.facilities": 0.2,
    "hazard.fire": 0.6,
    "hazard": 0.18,
    "dispute.neighbour": 0.6,
    "dispute.family": 0.45,
    "dispute": 0.12,
    "environment.waste": 0.5,
    "environment.burning": 0.6,
    "environment": 0.12,
    "public_order.disorder": 0.35,
    "livelihood": 0.3,
}
MONTH_FACTOR = {
    1: 1.05,
    2: 0.8,
    3: 0.95,
    4: 1.0,
    5: 1.0,
    6: 1.12,
    7: 1.25,
    8: 1.22,
    9: 1.08,
    10: 0.92,
    11: 1.0,
    12: 0.98,
}
FORCED_STOPS = [
    Status.REPORTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
    Status.CLOSED,
    Status.REJECTED,
    Status.MERGED,
]


def demo_period() -> tuple[dt.datetime, dt.datetime]:
    """(start, end) of the demo year in local time: the 365 days up to now (the project's
    clock), so the demo shows this month and this year whatever day it is loaded."""
    end = timezone.localtime(clock.now()).replace(microsecond=0)
    start = dt.datetime.combine(
        end.date() - dt.timedelta(days=DEMO_DAYS), dt.time.min, tzinfo=end.tzinfo
    )
    return start, end


@lru_cache(maxsize=8)
def spring_festival(year: int) -> dt.date:
    """The first day of the lunar year that begins in `year` (春节)."""
    return LunarDate(year, 1, 1).to_solar_date()


def _to_spring_festival(day: dt.date) -> int:
    """Days from `day` to the next Spring Festival (0 on the day itself)."""
    festival = spring_festival(day.year)
    if festival < day:
        festival = spring_festival(day.year + 1)
    return (festival - day).days


# ---- the world the simulation acts in -------------------------------------------------


@dataclass
class GridSpot:
    """A grid with points inside it (outside any special grid drawn over it)."""

    code: str
    region: Region
    town_code: str
    village_name: str
    points: list[tuple[float, float]]  # (lat, lng)
    weight: float = 1.0


@dataclass
class World:
    """Everything the lives need, loaded once: regions, categories, departments, people."""

    county: Region
    towns: dict[str, Region]
    grids: list[GridSpot]
    categories: dict[str, Category]
    leaves: dict[str, tuple[Group, Leaf]]
    departments: dict[str, Department]
    staff: Staff

    @staticmethod
    def leaf_table() -> dict[str, tuple[Group, Leaf]]:
        return {leaf_code(g, leaf): (g, leaf) for g in CATALOGUE for leaf in g.leaves}


# ---- the plan -------------------------------------------------------------------------


@dataclass
class Planned:
    """One event's plan: drawn before anything is written, the same on every run."""

    idx: int
    uuid: UUID
    at: dt.datetime
    grid: int  # index into World.grids
    category: str
    source: str
    urgency: str
    outcome: str  # on_site / reject / merge / normal
    master: int | None = None
    master_uuid: UUID | None = None
    stop: str = ""  # stop once the event reaches this status (the forced open tail)


def _day_weight(day: dt.date) -> float:
    w = MONTH_FACTOR[day.month]
    if not workcal.is_workday(day):
        w *= 0.55 if day.weekday() >= 5 else 0.4  # weekends; holidays dip further
    if _to_spring_festival(day) <= 21:
        w *= 1.15  # the rush before the Spring Festival
    return w


def _leaf_weight(code: str, source: str, day: dt.date) -> float:
    group = code.split(".")[0]
    w = LEAF_WEIGHTS[code] * SOURCE_GROUP_FACTOR.get(source, {}).get(group, 1.0)
    m = day.month
    to_festival = _to_spring_festival(day)
    if code == "dispute.labour" and 0 <= to_festival <= 40:
        w *= 5  # 讨薪 before the Spring Festival
    if code == "hazard.flood":
        w *= 4 if m in (6, 7, 8, 9) else 0.3
    if code == "environment.noise" and m in (6, 7, 8):
        w *= 2
    if code == "environment.burning":
        w *= 3 if m in (5, 6, 10, 11) else 0.4
    if code in ("hazard.fire", "hazard.gas") and m in (12, 1, 2):
        w *= 1.5
    if code == "livelihood.schooling" and m in (6, 7, 8):
        w *= 3
    return w


def _time_of_day(rng: random.Random, source: str, workday: bool) -> float:
    """Hour of the day (float) at which a report of this source comes in."""
    if source in (Source.GRID_PATROL, Source.INSPECTION, Source.WALK_IN):
        if rng.random() < 0.5:
            return min(max(rng.gauss(10.0, 1.2), 7.5), 12.0)
        return min(max(rng.gauss(15.0, 1.3), 13.0), 19.5)
    if source == Source.POLICE_110:
        return rng.uniform(0, 24) if rng.random() < 0.4 else rng.uniform(17, 24)
    return min(max(rng.gauss(13.5, 3.5), 6.5), 23.5)


def year_weight(end_day: dt.date) -> float:
    """The sum of the day weights of the DEMO_DAYS days up to `end_day`: a day's share of
    a year's events is its weight over this."""
    return sum(_day_weight(end_day - dt.timedelta(days=i)) for i in range(DEMO_DAYS))


def plan_events(
    *,
    count: int,
    seed: int,
    grids: list[GridSpot],
    start: dt.datetime,
    end: dt.datetime,
    live_from: dt.datetime | None = None,
) -> list[Planned]:
    """The events reported from `start` to `end` at `count` events a year, sorted by report
    time. Each day is drawn on its own (its number of events from its weight, then each
    event from a generator seeded with the day), so a day holds the same events whatever
    the period planned and whenever it is planned: a later run plans the days already
    written exactly as before (their uuids exist and are skipped) and adds the new ones.
    The day's events later than `end` are left out (they happen on a later run). The
    forced open tail (`_force_tail`) is chosen among the events from `live_from`."""
    tz = timezone.get_default_timezone()
    per_weight = count / year_weight(end.date())
    grid_cum = list(itertools.accumulate(g.weight for g in grids))
    sources, source_w = zip(*SOURCE_MIX, strict=True)
    source_cum = list(itertools.accumulate(source_w))
    leaves = list(LEAF_WEIGHTS)
    rows = []
    day = start.date()
    while day <= end.date():
        expected = per_weight * _day_weight(day)
        # A small demo still gets enough events in the last fortnight to show every open
        # state (a full year has plenty there anyway).
        if count < 1500 and (end.date() - day).days < 14:
            expected = max(expected, 3.0)
        rng = random.Random(f"plan:{seed}:{day.isoformat()}")
        n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        workday = workcal.is_workday(day)
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        leaf_cum = {
            s: list(itertools.accumulate(_leaf_weight(c, s, day) for c in leaves)) for s in sources
        }
        for k in range(n):
            source = rng.choices(sources, cum_weights=source_cum)[0]
            hour = _time_of_day(rng, source, workday)
            at = (midnight + dt.timedelta(hours=hour)).replace(
                second=rng.randint(0, 59), microsecond=0
            )
            grid = rng.choices(range(len(grids)), cum_weights=grid_cum)[0]
            category = rng.choices(leaves, cum_weights=leaf_cum[source])[0]
            roll = rng.random()
            urgent = category in ("public_order.gathering", "hazard.chemicals", "hazard.gas")
            urgency = (
                Urgency.CRITICAL
                if roll < (0.15 if urgent else 0.015)
                else Urgency.URGENT
                if roll < (0.4 if urgent else 0.1)
                else Urgency.NORMAL
            )
            r1, r2 = rng.random(), rng.random()
            if start <= at <= end:
                key = uuid.uuid5(NAMESPACE, f"demo:{seed}:{day.isoformat()}:{k}")
                rows.append((at, key, grid, category, source, urgency, r1, r2))
        day += dt.timedelta(days=1)
    rows.sort(key=lambda r: (r[0], str(r[1])))

    planned: list[Planned] = []
    last_open: dict[tuple[str, str], int] = {}  # (town, category) → idx of an open event
    for idx, (at, key, grid, category, source, urgency, r1, r2) in enumerate(rows):
        group = category.split(".")[0]
        outcome = "normal"
        on_site = ON_SITE.get(category, ON_SITE.get(group, 0.1))
        if source == Source.GRID_PATROL and r1 < on_site:
            outcome = "on_site"
        elif r2 < (0.012 if source == Source.GRID_PATROL else 0.05):
            outcome = "reject"
        elif r2 < (0.035 if source == Source.GRID_PATROL else 0.11):
            outcome = "merge"
        town_key = (grids[grid].town_code, group)
        master = None
        if outcome == "merge":
            master = last_open.get(town_key)
            if master is None or at - planned[master].at > dt.timedelta(days=10):
                outcome, master = "normal", None
            else:
                # A duplicate reports the same matter in the same place.
                category, grid = planned[master].category, planned[master].grid
        p = Planned(
            idx=idx,
            uuid=key,
            at=at,
            grid=grid,
            category=category,
            source=source,
            urgency=urgency,
            outcome=outcome,
            master=master,
            master_uuid=planned[master].uuid if master is not None else None,
        )
        planned.append(p)
        if outcome in ("normal", "on_site"):
            last_open[town_key] = idx
    _force_tail(planned, end, live_from or start, random.Random(f"tail:{seed}:{end.date()}"))
    return planned


def _force_tail(
    planned: list[Planned], end: dt.datetime, live_from: dt.datetime, rng: random.Random
) -> None:
    """Make sure the last days show every state: a few events reported 4-9 days before the
    end (and after `live_from`) stop at each open state, one is closed, one rejected, one
    merged."""
    masters = {p.master for p in planned if p.master is not None}
    live = [p for p in planned if p.at >= live_from]
    window = [
        p
        for p in live
        if dt.timedelta(days=4) <= end - p.at <= dt.timedelta(days=9) and p.idx not in masters
    ]
    if len(window) < len(FORCED_STOPS):
        window = [p for p in live[-len(FORCED_STOPS) * 3 :] if p.idx not in masters]
    picks = rng.sample(window, min(len(FORCED_STOPS), len(window)))
    for p, stop in zip(picks, FORCED_STOPS, strict=False):
        p.master, p.master_uuid = None, None
        if stop == Status.CLOSED:
            p.outcome, p.source = "on_site", Source.GRID_PATROL
        elif stop == Status.REJECTED:
            p.outcome = "reject"
        elif stop == Status.MERGED:
            earlier = [
                q
                for q in planned
                if q.idx < p.idx
                and q.outcome in ("normal", "on_site")
                and not q.stop
                and q not in picks
            ]
            if earlier:
                p.outcome, p.master = "merge", earlier[-1].idx
                p.master_uuid = earlier[-1].uuid
                p.grid, p.category = earlier[-1].grid, earlier[-1].category
            else:
                p.outcome = "reject"
        else:
            p.outcome, p.stop = "normal", stop
            if p.source == Source.GRID_PATROL:
                p.source = Source.HOTLINE_12345


# ---- the lives ------------------------------------------------------------------------

Life = Generator[dt.datetime, None, None]


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


@dataclass
class Run:
    """State shared by the lives during one run."""

    world: World
    seed: int
    end: dt.datetime
    ids: dict[int, int] = field(default_factory=dict)  # plan idx → event id
    stats: Counter = field(default_factory=Counter)


def _after_work(t: dt.datetime, hours: float) -> dt.datetime:
    """`hours` working hours after t (at least a minute later)."""
    return max(workcal.add_working_hours(t, max(hours, 0.02)), t + dt.timedelta(minutes=1))


def _choose(rng: random.Random, users: list[Any]) -> Any:
    """The demo account (listed first) does about half of its desk's work."""
    if len(users) > 1 and rng.random() < 0.5:
        return users[0]
    return rng.choice(users)


class Actor:
    """Fires services for one event and keeps its latest state."""

    def __init__(self, run: Run, p: Planned, rng: random.Random) -> None:
        self.run, self.p, self.rng = run, p, rng
        self.event: Event | None = None
        self.dstate = ""

    def fire(self, user: Any, action: str, **payload: Any) -> Event:
        assert self.event is not None
        self.event = event_transition(
            actor=user, event_id=self.event.pk, action=action, payload=payload
        )
        self.dstate = self.event.deadline_state
        self.run.stats[action] += 1
        return self.event

    def wait(self, until: dt.datetime) -> Iterator[dt.datetime]:
        """Yield the moments a sweeper would mark the event yellow or red before `until`,
        marking it at each, then `until` itself."""
        ev = self.event
        if ev is not None and ev.status in (Status.DISPATCHED, Status.IN_PROGRESS) and ev.due_at:
            marks = []
            if ev.warn_at and self.dstate in ("", DeadlineState.NORMAL):
                marks.append((ev.warn_at, DeadlineState.WARNING))
            if self.dstate != DeadlineState.OVERDUE:
                red = min(x for x in (ev.ack_due_at, ev.due_at) if x is not None)
                marks.append((red, DeadlineState.OVERDUE))
            for at, state in sorted(marks, key=lambda m: m[0]):
                at = at + dt.timedelta(minutes=self.rng.randint(1, 15))
                if at >= until or at > self.run.end:
                    break
                yield at
                live = state_at(ev, at) in (DeadlineState.WARNING, DeadlineState.OVERDUE)
                if live and event_mark_deadline(event_id=ev.pk, state=state, now=at):
                    self.dstate = state
                    self.run.stats[state] += 1
        yield until


def _demo_phone(second: str, third: int, last: int) -> str:
    """A well-formed mobile number (the middle four derived, so the random sequence, and
    with it the whole demo, stays as it was when the middle was ****)."""
    return f"1{second}{third}{(last * 7919 + 1234) % 10000:04d}{last:04d}"


def life(run: Run, p: Planned) -> Life:
    """One event from report to follow-up; yields the moment of each next step."""
    rng = random.Random(f"life:{run.seed}:{p.uuid}")
    w = run.world
    spot = w.grids[p.grid]
    town = spot.town_code
    group, leaf = w.leaves[p.category]
    a = Actor(run, p, rng)
    centre = w.staff.dispatchers[town]
    patrol = p.source == Source.GRID_PATROL
    worker = w.staff.grid_workers[spot.code]
    title, description = texts.report_text(rng, p.category, spot.village_name)
    if p.master_uuid is not None:
        # The same words the first report used (its life draws them first, from its seed).
        first = random.Random(f"life:{run.seed}:{p.master_uuid}")
        title, description = texts.report_text(first, p.category, spot.village_name)
        description = rng.choice(["又有群众反映：", "重复反映：", ""]) + description
    lat, lng = rng.choice(spot.points)
    extra: dict[str, Any] = {}
    if p.category == "dispute.labour":
        extra = {"people": rng.choice([3, 5, 8, 12, 20, 35]), "amount": rng.randint(2, 60) * 5000}
    elif p.category == "hazard.fire":
        extra = {"place_kind": rng.choice(["住宅", "出租房", "沿街商铺", "厂房仓库", "餐饮场所"])}
    reporter = worker if patrol else _choose(rng, centre)
    citizen: dict[str, Any] = {}
    if not patrol and p.source != Source.INSPECTION:
        citizen = {
            "reporter_name": person_name(rng)[0] + rng.choice(["先生", "女士"]),
            "reporter_phone": _demo_phone(
                rng.choice("3589"), rng.randint(0, 9), rng.randint(0, 9999)
            ),
        }
    event, _created = event_report(
        actor=reporter,
        category=w.categories[p.category],
        description=description,
        title=title,
        source=p.source,
        urgency=p.urgency,
        lat=lat,
        lng=lng,
        address=spot.village_name,
        extra=extra,
        client_uuid=p.uuid,
        occurred_at=clock.now() - dt.timedelta(minutes=rng.randint(5, 240)),
        **citizen,
    )
    a.event = event
    run.ids[p.idx] = event.pk
    run.stats["report"] += 1
    t = clock.now()
    if p.stop == Status.REPORTED:
        return

    if p.outcome == "on_site":
        t += dt.timedelta(minutes=rng.randint(5, 90))
        yield t
        a.fire(worker, "resolve_on_site", result=texts.pick(rng, texts.ON_SITE_RESULTS))
        if rng.random() < 0.35:
            yield _after_work(t, rng.uniform(2, 16))
            a.fire(_choose(rng, centre), "follow_up", satisfaction=_satisfaction(rng), note="")
        return

    dispatcher = _choose(rng, centre)
    t = _after_work(t, _lognormal(rng, 0.6, 0.8))
    yield t
    if p.outcome == "reject":
        a.fire(dispatcher, "reject", note=texts.pick(rng, texts.REJECT_REASONS))
        return
    if p.outcome == "merge" and p.master is not None and p.master in run.ids:
        a.fire(dispatcher, "merge", master=run.ids[p.master], note="同一事项重复上报")
        return

    escalated = False
    if group.key in ("dispute", "public_order") and rng.random() < 0.04:
        a.fire(dispatcher, "escalate", note=texts.pick(rng, texts.ESCALATE_NOTES))
        escalated = True
        centre = w.staff.dispatchers[w.county.code]
        dispatcher = _choose(rng, centre)
        t = _after_work(t, rng.uniform(0.5, 4))
        yield t
    a.fire(dispatcher, "accept")
    if p.stop == Status.ACCEPTED:
        return

    lead, assists = _route(w, p.category, town, escalated)
    joint_p = 0.35 if leaf.joint else (0.09 if group.key in ("dispute", "hazard") else 0.03)
    assisting = (
        rng.sample(assists, min(len(assists), rng.choice([1, 1, 2])))
        if (assists and rng.random() < joint_p)
        else []
    )
    t = _after_work(t, _lognormal(rng, 0.3, 0.8))
    yield t
    if group.key == "dispute" and (assisting or rng.random() < 0.04):
        a.fire(
            dispatcher,
            "consult",
            participants=["综治中心", lead.name, *[d.name for d in assisting]],
            conclusion=texts.pick(rng, texts.CONSULT_CONCLUSIONS),
        )
        t += dt.timedelta(minutes=rng.randint(10, 60))
        yield t
    a.fire(
        dispatcher,
        "dispatch",
        lead_department=lead.pk,
        assisting_departments=[d.pk for d in assisting],
    )
    if p.stop == Status.DISPATCHED:
        return

    # A department that finds the matter is not theirs sends it back (2-5%).
    if rng.random() < 0.035:
        handler = _choose(rng, w.staff.handlers[lead.code])
        t = _after_work(t, _lognormal(rng, 1.0, 0.7))
        yield from a.wait(t)
        other = _alternative(w, p.category, lead)
        a.fire(handler, "return", note=texts.pick(rng, texts.RETURN_REASONS, other=other.name))
        t = _after_work(t, rng.uniform(0.3, 3))
        yield t
        lead, assisting = other, []
        a.fire(dispatcher, "dispatch", lead_department=lead.pk, note="重新指定主办单位")

    ev = a.event
    assert ev is not None and ev.due_at is not None and ev.ack_due_at is not None
    dispatched_at = clock.now()
    ack_allow = workcal.working_seconds_between(dispatched_at, ev.ack_due_at) / 3600
    late_ack = rng.random() < 0.05
    ack_hours = ack_allow * (rng.uniform(1.1, 2.5) if late_ack else rng.uniform(0.05, 0.85))
    handler = _choose(rng, w.staff.handlers[lead.code])
    for dept in assisting:
        helper = _choose(rng, w.staff.handlers[dept.code])
        yield from a.wait(_after_work(dispatched_at, ack_hours * rng.uniform(0.5, 1.5)))
        a.fire(helper, "acknowledge")
    t = max(_after_work(dispatched_at, ack_hours), clock.now() + dt.timedelta(minutes=1))
    if late_ack and rng.random() < 0.6:
        yield from a.wait(_after_work(dispatched_at, ack_allow * 0.9))
        a.fire(dispatcher, "remind", note=texts.pick(rng, texts.REMIND_NOTES))
        t = max(t, clock.now() + dt.timedelta(minutes=5))
    yield from a.wait(t)
    a.fire(handler, "acknowledge")
    if p.stop == Status.IN_PROGRESS:
        return

    ev = a.event
    assert ev is not None and ev.due_at is not None
    allow = workcal.working_seconds_between(dispatched_at, ev.due_at) / 3600
    fraction = _lognormal(rng, 0.38, 0.6)
    extend = rng.random() < 0.05
    if extend:
        yield from a.wait(_after_work(dispatched_at, allow * rng.uniform(0.5, 0.8)))
        days = rng.choice([3, 5, 5, 7, 10])
        a.fire(handler, "extend", days=days, note=texts.pick(rng, texts.EXTEND_REASONS))
        yield from a.wait(_after_work(clock.now(), rng.uniform(0.5, 4)))
        approve = rng.random() < 0.85
        a.fire(dispatcher, "decide_extension", approve=approve, note="同意" if approve else "")
        if approve:
            ev = a.event
            assert ev is not None and ev.due_at is not None
            allow = workcal.working_seconds_between(dispatched_at, ev.due_at) / 3600
            fraction = rng.uniform(0.75, 1.02)
    resolve_at = _after_work(dispatched_at, allow * fraction)
    resolve_at = max(resolve_at, clock.now() + dt.timedelta(minutes=30))
    if fraction > 0.7 and rng.random() < 0.3:
        boss = run.world.staff.leaders[w.county.code] if rng.random() < 0.3 else dispatcher
        yield from a.wait(_after_work(dispatched_at, allow * 0.7))
        a.fire(boss, "supervise", note=texts.pick(rng, texts.SUPERVISE_NOTES))
    for dept in assisting:
        helper = _choose(rng, w.staff.handlers[dept.code])
        yield from a.wait(
            max(
                _after_work(dispatched_at, allow * fraction * rng.uniform(0.5, 0.95)),
                clock.now() + dt.timedelta(minutes=5),
            )
        )
        a.fire(helper, "resolve", result="已配合主办单位完成相关工作")
    yield from a.wait(max(resolve_at, clock.now() + dt.timedelta(minutes=5)))
    result = texts.pick(rng, texts.RESULTS[group.key], dept=lead.name)
    a.fire(handler, "resolve", result=result, **_resolution(rng, group.key))
    if p.stop == Status.RESOLVED:
        return

    verifier = worker if patrol else dispatcher
    yield from _verify(a, rng, verifier, handler, result)
    if rng.random() < 0.8:
        yield _after_work(clock.now(), rng.uniform(3, 24))
        satisfaction = _satisfaction(rng)
        a.fire(
            _choose(rng, centre),
            "follow_up",
            satisfaction=satisfaction,
            note=texts.pick(rng, texts.FOLLOW_UP_NOTES[satisfaction]),
        )
        if satisfaction == "dissatisfied" and rng.random() < 0.5:
            yield _after_work(clock.now(), rng.uniform(1, 8))
            a.fire(dispatcher, "reopen", note=texts.pick(rng, texts.REOPEN_NOTES))
            yield from a.wait(_after_work(clock.now(), allow * rng.uniform(0.2, 0.6)))
            a.fire(handler, "resolve", result="重新处置：" + result, resolution="resolved")
            yield from _verify(a, rng, verifier, handler, result, fail=0.0)
            yield _after_work(clock.now(), rng.uniform(3, 24))
            a.fire(_choose(rng, centre), "follow_up", satisfaction="basically_satisfied")


def _verify(
    a: Actor, rng: random.Random, verifier: Any, handler: Any, result: str, fail: float = 0.02
) -> Iterator[dt.datetime]:
    yield _after_work(clock.now(), _lognormal(rng, 3, 0.8))
    if rng.random() < fail:
        a.fire(verifier, "verify", passed=False, note=texts.pick(rng, texts.VERIFY_FAIL_NOTES))
        yield from a.wait(_after_work(clock.now(), rng.uniform(4, 20)))
        a.fire(handler, "resolve", result="已按核查意见重新整改：" + result, resolution="resolved")
        yield _after_work(clock.now(), _lognormal(rng, 3, 0.8))
    a.fire(verifier, "verify", passed=True, note="")


def _resolution(rng: random.Random, group: str) -> dict[str, str]:
    """The outcome the lead department reports with its 办结反馈: a dispute (矛盾纠纷) is
    not always resolved (化解不成: the parties are guided to a court, arbitration or the
    petition office); everything else is."""
    if group == "dispute" and rng.random() < UNRESOLVED_DISPUTES:
        referral = rng.choice([Referral.LITIGATION, Referral.ARBITRATION, Referral.PETITION])
        return {"resolution": Resolution.UNRESOLVED, "referral": referral}
    return {"resolution": Resolution.RESOLVED}


def _satisfaction(rng: random.Random) -> str:
    roll = rng.random()
    return "satisfied" if roll < 0.82 else "basically_satisfied" if roll < 0.955 else "dissatisfied"


def _route(
    w: World, category: str, town: str, escalated: bool
) -> tuple[Department, list[Department]]:
    """Lead department as the catalogue's routing rules say, and who may assist."""
    _group, leaf = w.leaves[category]
    county = w.county.code
    if leaf.town_lead and not escalated:
        lead = w.departments[f"{town}-{leaf.town_lead}"]
    else:
        lead = w.departments[f"{county}-{leaf.lead}"]
    assists = []
    for key in leaf.assist:
        code = f"{town}-{key[5:]}" if key.startswith("town:") else f"{county}-{key}"
        dept = w.departments.get(code)
        if dept is not None and dept.pk != lead.pk and dept not in assists:
            assists.append(dept)
    if not assists:
        assists = [w.departments[f"{town}-ZZB"]]
    return lead, assists


def _alternative(w: World, category: str, lead: Department) -> Department:
    """Where the centre sends a returned event next."""
    _group, leaf = w.leaves[category]
    county_lead = w.departments[f"{w.county.code}-{leaf.lead}"]
    if county_lead.pk != lead.pk:
        return county_lead
    for key in leaf.assist:
        if not key.startswith("town:"):
            return w.departments[f"{w.county.code}-{key}"]
    return w.departments[f"{w.county.code}-ZF"]


# ---- running the lives ----------------------------------------------------------------


@dataclass
class Outcome:
    """What a run did."""

    planned: int = 0
    skipped: int = 0
    created: int = 0
    steps: int = 0
    errors: int = 0
    seconds: float = 0.0
    stats: Counter = field(default_factory=Counter)


def run_lives(
    *,
    world: World,
    planned: list[Planned],
    existing: dict[uuid.UUID, int],
    seed: int,
    end: dt.datetime,
    muted: Callable[[], contextlib.AbstractContextManager[Any]],
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Play every planned event that does not exist yet, in time order."""
    began = time.monotonic()
    run = Run(world=world, seed=seed, end=end)
    out = Outcome(planned=len(planned))
    for p in planned:
        if p.uuid in existing:
            run.ids[p.idx] = existing[p.uuid]
    heap: list[tuple[dt.datetime, int, Life]] = []
    for p in planned:
        if p.uuid in existing:
            out.skipped += 1
            continue
        heap.append((p.at, p.idx, life(run, p)))
    heapq.heapify(heap)
    unmute_from = (end - dt.timedelta(days=UNMUTED_DAYS)).date()
    day: dt.date | None = None
    stack = contextlib.ExitStack()
    mute = contextlib.ExitStack()
    mute.enter_context(muted())
    try:
        while heap:
            at, idx, gen = heapq.heappop(heap)
            if at > end:
                continue
            today = timezone.localtime(at).date()
            if today != day:
                stack.close()  # commit the previous day
                if today >= unmute_from:
                    mute.close()
                if progress and day is not None and today.day == 1:
                    progress(f"{today:%Y-%m}：已生成 {run.stats['report']} 件，{out.steps} 步")
                day = today
                stack = contextlib.ExitStack()
                stack.enter_context(transaction.atomic())
            with clock.frozen(at):
                try:
                    nxt = next(gen)
                except StopIteration:
                    continue
                except DomainError as exc:
                    out.errors += 1
                    log.warning("demo event %s stopped at %s: %s", idx, at, exc)
                    continue
                finally:
                    out.steps += 1
            heapq.heappush(heap, (max(nxt, at + dt.timedelta(seconds=1)), idx, gen))
        stack.close()
    finally:
        stack.close()
        mute.close()
    out.created = run.stats["report"]
    out.stats = run.stats
    out.seconds = time.monotonic() - began
    return out

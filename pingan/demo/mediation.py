"""The demo county's mediation (大调解, docs/demo-county.md "Mediation"): committees,
mediators and a year of cases, written in bulk after the events (`load_demo`).

* Committees: a people's mediation committee per village and per town, the county joint
  mediation centre (联合调解中心) and four professional committees (traffic, medical,
  labour, new residents; two of them 金牌调解室), each with its 五有 rows (most met, a few
  partial or missing, checked within the last year) and 2–3 mediators; the first
  mediator of 武原街道's committee is the demo account `mediator`, the first of each other
  town committee has a (password-less) account too.
* Cases: a share of the dispute events the centre handled (not those settled on site)
  referred to mediation (channel `event`), whose outcome is the event's (resolved →
  调解成功, unresolved → 调解不成 with the event's referral; an event still open → a case
  still open), plus walk-ins, 12345, 110 and citizens' applications; each with parties,
  sessions and a timeline as the workflow would have written them, as it stands now.
  Referred events get the 转调解 and 调解结果 rows on their own timeline.

Deterministic (seeded; every case has a uuid from the seed and its event or day) and
idempotent: a case whose uuid exists is skipped, committees are found by name.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pingan.core import workcal
from pingan.demo import bulk, generate
from pingan.demo import mediation_cases as cases
from pingan.demo import mediation_texts as tx
from pingan.demo.mediation_cases import Board
from pingan.demo.organisation import Staff, person_name
from pingan.demo.simulation import GridSpot, _after_work, _demo_phone
from pingan.events.choices import Resolution
from pingan.events.models import Event, EventTransition
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.mediation import rollup
from pingan.mediation.choices import (
    Channel,
    CheckItem,
    CheckState,
    CommitteeKind,
    CommitteeLevel,
    MediatorKind,
    Referral,
)
from pingan.mediation.models import (
    CaseSequence,
    Committee,
    CommitteeCheck,
    MediationCase,
    MediationSession,
    MediationTransition,
    Mediator,
    MonthlyRollup,
    Party,
)
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert

NS = uuid.UUID("6f1c2a52-2f3e-4c3b-9d61-5b0c7a4e2d10")
EVENTS_BASE = 100_000  # the demo's default events a year, which OTHER_CASES goes with
OTHER_CASES = 1_800  # walk-in, 12345, 110 and citizens' cases a year at EVENTS_BASE events
REFER_SHARE = 0.3  # dispute events handled by the centre that are referred to mediation
SUCCESS = 0.985  # cases not from an event that end in an agreement (the seeds: 97 % overall)
WITHDRAWN, REJECTED, STUCK = 0.01, 0.008, 0.02  # withdrawn, not accepted, long-running
CHANNELS = {
    Channel.WALK_IN: 55,
    Channel.HOTLINE_12345: 20,
    Channel.CITIZEN: 17,
    Channel.POLICE_110: 8,
}
PROFESSIONAL = [  # kind, name tail, gold room note
    (CommitteeKind.TRAFFIC, "道路交通事故纠纷人民调解委员会", "“老娘舅”交通事故金牌调解室"),
    (CommitteeKind.MEDICAL, "医疗纠纷人民调解委员会", "医疗纠纷金牌调解室"),
    (CommitteeKind.LABOUR, "劳动争议人民调解委员会", ""),
    (CommitteeKind.NEW_RESIDENT, "新居民纠纷人民调解委员会", ""),
]
DEMO_TOWN = "330424001"  # 武原街道: the demo mediator's committee


@dataclass
class Written:
    """What `build_mediation` wrote."""

    committees: int = 0
    mediators: int = 0
    cases: int = 0
    referred: int = 0
    sessions: int = 0
    rollup_rows: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


# ---- committees and mediators -----------------------------------------------------------------


def _checks(committee: Committee, rng: random.Random, today: dt.date) -> list[CommitteeCheck]:
    rows = []
    for item in CheckItem.values:
        r = rng.random()
        state = (
            CheckState.OK if r < 0.88 else CheckState.PARTIAL if r < 0.96 else CheckState.MISSING
        )
        note = {CheckState.PARTIAL: "需完善", CheckState.MISSING: "待整改"}.get(state, "")
        rows.append(
            CommitteeCheck(
                committee=committee,
                item=item,
                state=state,
                checked_on=today - dt.timedelta(days=rng.randint(5, 360)),
                note=note,
            )
        )
    return rows


def ensure_committees(
    *,
    county: Region,
    towns: list[Region],
    villages: list[Region],
    staff: Staff,
    seed: int,
    now: dt.datetime,
) -> tuple[Board, int, int]:
    """The committees and mediators that do not exist yet (found by name); returns the
    board and how many committees and mediators were created."""
    existing = {c.name: c for c in Committee.objects.filter(within_q("region_path", [county.path]))}
    wanted: list[tuple[str, str, str, str, Region, bool, str]] = []
    joint = f"{county.name}联合调解中心"
    wanted.append(
        ("joint", joint, CommitteeLevel.JOINT_CENTRE, CommitteeKind.PEOPLE, county, False, "")
    )
    for pkind, tail, gold in PROFESSIONAL:
        wanted.append(
            (
                f"p:{pkind.value}",
                county.name + tail,
                CommitteeLevel.PROFESSIONAL,
                pkind.value,
                county,
                bool(gold),
                gold,
            )
        )
    for town in towns:
        wanted.append(
            (
                f"t:{town.code}",
                f"{town.name}人民调解委员会",
                CommitteeLevel.TOWN,
                CommitteeKind.PEOPLE,
                town,
                False,
                "",
            )
        )
    for village in villages:
        wanted.append(
            (
                f"v:{village.code}",
                f"{village.name}人民调解委员会",
                CommitteeLevel.VILLAGE,
                CommitteeKind.PEOPLE,
                village,
                False,
                "",
            )
        )
    board: dict[str, Committee] = {}
    created: list[Committee] = []
    today = timezone.localdate(now)
    with transaction.atomic():
        for key, name, level, kind, region, is_gold, note in wanted:
            committee = existing.get(name)
            if committee is None:
                parent = None
                if level == CommitteeLevel.VILLAGE:
                    parent = board.get(f"t:{region.code[:9]}")
                elif level != CommitteeLevel.JOINT_CENTRE:
                    parent = board["joint"]
                committee = Committee(
                    name=name,
                    level=level,
                    kind=kind,
                    region=region,
                    parent=parent,
                    is_gold_room=is_gold,
                    gold_room_note=note,
                )
                committee.save()
                created.append(committee)
            board[key] = committee
        checks: list[CommitteeCheck] = []
        mediators: list[Mediator] = []
        for committee in created:
            crng = random.Random(f"committee:{seed}:{committee.name}")
            checks.extend(_checks(committee, crng, today))
            mediators.extend(_mediators(committee, crng, staff))
        CommitteeCheck.objects.bulk_create(checks, batch_size=1000)
        Mediator.objects.bulk_create(mediators, batch_size=1000)
    by_committee: dict[int, list[Mediator]] = {}
    ids = [c.pk for c in board.values()]
    for m in Mediator.objects.filter(committee_id__in=ids, is_active=True).order_by("pk"):
        by_committee.setdefault(m.committee_id, []).append(m)
    return Board(board, by_committee), len(created), len(mediators)


def _mediators(committee: Committee, rng: random.Random, staff: Staff) -> list[Mediator]:
    kinds = [MediatorKind.PEOPLE] * rng.choice([2, 3])
    if committee.level == CommitteeLevel.JOINT_CENTRE:
        kinds = [MediatorKind.PEOPLE, MediatorKind.ADMINISTRATIVE, MediatorKind.JUDICIAL]
    out = []
    for i, kind in enumerate(kinds):
        user, name = None, person_name(rng)
        if committee.level == CommitteeLevel.TOWN and i == 0:
            code = committee.region.code
            if code == DEMO_TOWN and "mediator" in staff.demo:
                user = staff.demo["mediator"]
            else:
                user = user_upsert(username=f"med-{code}", name=name, password=None)
                membership_grant(user=user, role=Role.MEDIATOR, region=committee.region)
            name = user.name or name
        phone = _demo_phone(rng.choice("3589"), rng.randint(0, 9), rng.randint(0, 9999))
        out.append(Mediator(committee=committee, name=name, kind=kind, user=user, phone=phone))
    return out


# ---- which cases -------------------------------------------------------------------------------


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _amount(rng: random.Random, kind: str, extra: dict[str, Any] | None = None) -> Decimal | None:
    if extra and extra.get("amount"):
        return Decimal(int(extra["amount"]))
    ranges = {
        "labour": (5, 200),
        "traffic": (2, 80),
        "contract": (5, 200),
        "damages": (1, 30),
        "property": (1, 20),
        "medical": (20, 300),
        "marriage_family": (10, 500),
    }
    if kind not in ranges or rng.random() < 0.15:
        return None
    lo, hi = ranges[kind]
    return Decimal(rng.randint(lo, hi) * 1000)


def _summary(rng: random.Random, kind: str, place: str) -> str:
    return rng.choice(tx.SUMMARIES[kind]).format(place=place, n=rng.choice([3, 5, 8, 12]))


def referred_specs(
    *, county: Region, seed: int, now: dt.datetime, staff: Staff, share: float = REFER_SHARE
) -> list[cases.Spec]:
    """The dispute events the centre took on (accepted, not settled on site, not rejected
    or merged) that were referred to mediation, with the outcome their resolution says."""
    rows = Event.objects.filter(
        within_q("region_path", [county.path]),
        category__code__startswith="dispute.",
        accepted_at__isnull=False,
        resolved_on_site=False,
        master__isnull=True,
    ).values(
        "pk",
        "code",
        "client_uuid",
        "category__code",
        "region_id",
        "description",
        "extra",
        "accepted_at",
        "dispatched_at",
        "resolved_at",
        "closed_at",
        "status",
        "resolution",
        "referral",
        "sensitivity",
        "queue_region__code",
    )
    grids = Region.objects.filter(within_q("path", [county.path]), level="grid")
    regions = {r.pk: r for r in grids}
    out = []
    for row in rows:
        e: dict[str, Any] = dict(row)
        ident = e["client_uuid"] or e["pk"]
        rng = random.Random(f"refer:{seed}:{ident}")
        if rng.random() >= share or e["region_id"] not in regions:
            continue
        accepted: dt.datetime = e["accepted_at"]
        dispatched: dt.datetime | None = e["dispatched_at"]
        gap = (dispatched - accepted) if dispatched else dt.timedelta(minutes=60)
        created = accepted + min(dt.timedelta(minutes=rng.randint(3, 40)), gap / 2)
        if created > now:
            continue
        spec = cases.Spec(
            key=uuid.uuid5(NS, f"{seed}:event:{ident}"),
            channel=Channel.EVENT,
            created=created,
            region=regions[e["region_id"]],
            kind=tx.KIND_OF_CATEGORY.get(e["category__code"], "other"),
            summary=e["description"],
            amount=None,
            success=None,
            event=e,
        )
        spec.amount = _amount(rng, spec.kind, e["extra"])
        desk = staff.dispatchers.get(regions[e["region_id"]].code[:9]) or []
        spec.register_user = desk[0] if desk else None
        spec.register_role = Role.DISPATCHER
        if e["resolution"] and e["resolved_at"]:
            spec.ended = e["resolved_at"] + dt.timedelta(minutes=1)
            spec.success = e["resolution"] == Resolution.RESOLVED
            spec.end = "succeed" if spec.success else "fail"
            spec.referral = e["referral"] or Referral.LITIGATION
        out.append(spec)
    return out


def other_specs(
    *, spots: list[GridSpot], seed: int, start: dt.datetime, now: dt.datetime, scale: float
) -> list[cases.Spec]:
    """Walk-ins, 12345, 110 and citizens' applications, day by day (a generator per day)."""
    out = []
    channels, cweights = list(CHANNELS), list(CHANNELS.values())
    kinds, kweights = list(tx.KIND_WEIGHTS), list(tx.KIND_WEIGHTS.values())
    mean = OTHER_CASES * scale / 365
    day = start.date()
    while day <= now.date():
        rng = random.Random(f"mediation-day:{seed}:{day.isoformat()}")
        working = workcal.is_workday(day)
        for i in range(_poisson(rng, mean * (1.3 if working else 0.4))):
            hours = rng.uniform(8.5, 17) if working else rng.uniform(9, 16)
            created = dt.datetime.combine(day, dt.time(), tzinfo=start.tzinfo) + dt.timedelta(
                hours=hours
            )
            if created > now:
                continue
            spot = rng.choice(spots)
            kind = rng.choices(kinds, kweights)[0]
            spec = cases.Spec(
                key=uuid.uuid5(NS, f"{seed}:{day.isoformat()}:{i}"),
                channel=rng.choices(channels, cweights)[0],
                created=created,
                region=spot.region,
                kind=kind,
                summary=_summary(rng, kind, spot.village_name),
                amount=_amount(rng, kind),
                success=None,
            )
            r = rng.random()
            if r < REJECTED:
                spec.end, spec.ended = "reject", _after_work(created, rng.uniform(1, 8))
            elif r < REJECTED + STUCK:
                pass  # still open, long past its term when old enough
            else:
                took = min(_lognormal(rng, 4, 0.9), 45)
                spec.ended = _after_work(created, 8 * took + rng.uniform(2, 8))
                if r < REJECTED + STUCK + WITHDRAWN:
                    spec.end = "withdraw"
                else:
                    spec.success = rng.random() < SUCCESS
                    spec.end = "succeed" if spec.success else "fail"
                    spec.referral = rng.choice(
                        [Referral.LITIGATION, Referral.LITIGATION, Referral.ARBITRATION]
                    )
            out.append(spec)
        day += dt.timedelta(days=1)
    return out


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


# ---- the run ----------------------------------------------------------------------------------


def build_mediation(
    *,
    county: Region,
    towns: list[Region],
    villages: list[Region],
    spots: list[GridSpot],
    staff: Staff,
    seed: int,
    start: dt.datetime,
    now: dt.datetime,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """Committees, mediators and the year of cases up to `now` that do not exist yet;
    `scale` is the demo's events a year over 100,000 (the other channels' volume)."""
    out = Written()
    board, out.committees, out.mediators = ensure_committees(
        county=county, towns=towns, villages=villages, staff=staff, seed=seed, now=now
    )
    specs = referred_specs(county=county, seed=seed, now=now, staff=staff)
    specs += other_specs(spots=spots, seed=seed, start=start, now=now, scale=scale)
    known = MediationCase.objects.filter(within_q("region_path", [county.path]))
    have = set(known.exclude(client_uuid=None).values_list("client_uuid", flat=True))
    referred = set(known.exclude(event=None).values_list("event_id", flat=True))
    todo = sorted(
        (
            s
            for s in specs
            if s.key not in have and (s.event is None or s.event["pk"] not in referred)
        ),
        key=lambda s: (s.created, str(s.key)),
    )
    if not todo:
        return out
    names = {r.code: r.name for r in [*towns, *villages]}
    counters = dict(
        CaseSequence.objects.filter(prefix__startswith=f"TJ-{county.code}-").values_list(
            "prefix", "value"
        )
    )
    writer = cases.Writer(
        board=board, seed=seed, now=now, names=names, counters=counters, county_code=county.code
    )
    with transaction.atomic():
        first = generate._reserve_ids(MediationCase, len(todo))
        for i, spec in enumerate(todo):
            case = writer.case(spec, first + i)
            out.statuses[case.status] = out.statuses.get(case.status, 0) + 1
        rows = writer.rows
        progress(f"调解案件：{len(rows.cases)} 件已备好，写入中…")
        _write(MediationCase, rows.cases)
        # Parties through the model layer: their fields encrypt the personal data.
        Party.objects.bulk_create(rows.parties, batch_size=1000)
        if rows.sessions:
            base = generate._reserve_ids(MediationSession, len(rows.sessions))
            for j, (session, data) in enumerate(rows.sessions):
                session.pk = data["session"] = base + j
            _write(MediationSession, [s for s, _ in rows.sessions])
        _write(MediationTransition, rows.timeline)
        generate.bulk_write(EventTransition, bulk.TRANSITION_COLUMNS, rows.event_rows)
        _save_counters(writer.counters)
        # Written without the services: the figures' monthly rollup is recounted.
        out.rollup_rows = _recount_rollup()
    out.cases = len(rows.cases)
    out.referred = sum(1 for c in rows.cases if c.event_id is not None)
    out.sessions = len(rows.sessions)
    return out


def _write(model: type[Model], objs: list[Any]) -> None:
    """Unsaved instances (ids set, no personal data) in bulk: COPY on PostgreSQL,
    multi-row inserts on SQLite (`generate.bulk_write`), without the model layer's cost."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if objs[0].pk is not None or not f.primary_key]
    columns = [str(f.column) for f in fields]
    generate.bulk_write(
        model, columns, [tuple(getattr(o, f.attname) for f in fields) for o in objs]
    )


def _recount_rollup() -> int:
    """`rollup.rebuild` with the demo's bulk writer: the same rows (`rollup.recount`, every
    case counted) in a fraction of the time of the model layer's inserts."""
    rows = rollup.recount()
    MonthlyRollup.objects.all().delete()
    columns = ["region_path", "day", "dim", "value", "sensitivity", *rollup.MEASURES]
    data = [(*k, *v) for k, v in sorted(rows.items()) if v[0]]
    generate.bulk_write(MonthlyRollup, columns, data)
    return len(data)


def _save_counters(counters: dict[str, int]) -> None:
    existing = dict(CaseSequence.objects.values_list("prefix", "pk"))
    CaseSequence.objects.bulk_create(
        [CaseSequence(prefix=p, value=n) for p, n in counters.items() if p not in existing],
        batch_size=1000,
    )
    CaseSequence.objects.bulk_update(
        [
            CaseSequence(pk=existing[p], prefix=p, value=n)
            for p, n in counters.items()
            if p in existing
        ],
        ["value"],
        batch_size=1000,
    )

"""Floating pay (e): the monthly score of every grid worker, computed from the records.

Parts (counts within the month, local time):
  reports           events the worker reported
  verified_reports  of those, events the centre accepted or the worker settled on site
  verify_on_time    verifications the worker made within PINGAN_FIELD_VERIFY_HOURS of the
                    department's result
  follow_ups        follow-up calls recorded by the worker
  patrol_days       days with at least one finished patrol
  on_site           matters the worker settled on site
  poor_reports      the worker's reports rejected or merged as duplicates
  review_findings   after-the-fact reviews naming the worker accountable

score = base + Σ weight(part) × count(part), rounded to 2 decimals, weights from
`ScoreSettings`. The pay coefficient is that of the highest `PayBand` whose min_score
the score reaches (1.00 when no band is set, the lowest band's below every band).
Ranks are within each town, highest score first; equal scores share a rank (1, 1, 3).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from pingan.events.choices import Status
from pingan.events.models import Event, EventTransition
from pingan.geo import scope
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.gridsys.choices import PARTS
from pingan.gridsys.models import AfterReview, GridOfficer, PayBand, ScoreSettings
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.patrols.choices import PatrolStatus
from pingan.patrols.models import Patrol

PART_KEYS = tuple(k for k, _ in PARTS)


def score_settings() -> ScoreSettings:
    obj, _ = ScoreSettings.objects.get_or_create(pk=1)
    return obj


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(first, dt.time()), tz),
        timezone.make_aware(dt.datetime.combine(nxt, dt.time()), tz),
    )


@dataclass
class Worker:
    user_id: int
    name: str
    grid: Region
    town: Region | None


@dataclass
class ScoreRow:
    user_id: int
    name: str
    grid_id: int
    grid_name: str
    town_id: int | None
    town_name: str
    parts: dict[str, int]
    score: float
    rank: int = 0
    of: int = 0
    pay_coefficient: Decimal = Decimal("1.00")
    weighted: dict[str, float] = field(default_factory=dict)
    grid_path: str = ""


def grid_workers(paths: list[str] | None = None) -> list[Worker]:
    """Users with an active grid-worker membership on a grid (officers attached to grids
    are not scored here); the first grid by path when a worker holds several."""
    officers = set(GridOfficer.objects.filter(is_active=True).values_list("user_id", flat=True))
    qs = (
        Membership.objects.filter(role=Role.GRID_WORKER, is_active=True, region__level=Level.GRID)
        .select_related("user", "region")
        .order_by("region__path", "user_id")
    )
    if paths is not None:
        qs = qs.filter(scope.within_q("region__path", paths))
    found: dict[int, Worker] = {}
    for m in qs:
        if m.user_id in officers or m.user_id in found or not m.user.is_active:
            continue
        assert m.region is not None  # filtered on region__level
        found[m.user_id] = Worker(m.user_id, m.user.display_name, m.region, None)
    towns = {r.code: r for r in Region.objects.filter(level=Level.TOWN)}
    for w in found.values():
        w.town = next((towns[c] for c in w.grid.ancestor_codes() if c in towns), None)
    return list(found.values())


def _count(rows: Any, key: str = "n") -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for uid in rows:
        out[uid] += 1
    return out


def parts_for(user_ids: list[int], month: dt.date) -> dict[int, dict[str, int]]:
    start, end = month_bounds(month)
    parts: dict[int, dict[str, int]] = {u: dict.fromkeys(PART_KEYS, 0) for u in user_ids}
    if not user_ids:
        return parts
    reports = Event.objects.filter(
        reporter_id__in=user_ids, reported_at__gte=start, reported_at__lt=end
    ).values_list("reporter_id", "status", "accepted_at", "resolved_on_site")
    for uid, status, accepted_at, on_site in reports:
        p = parts[uid]
        p["reports"] += 1
        if status in (Status.REJECTED, Status.MERGED):
            p["poor_reports"] += 1
        elif accepted_at is not None or on_site:
            p["verified_reports"] += 1
    window = dt.timedelta(hours=float(settings.PINGAN_FIELD_VERIFY_HOURS))
    transitions = EventTransition.objects.filter(
        actor_id__in=user_ids,
        at__gte=start,
        at__lt=end,
        action__in=["verify", "follow_up", "resolve_on_site"],
    ).values_list("actor_id", "action", "at", "event__resolved_at")
    for uid, action, at, resolved_at in transitions:
        p = parts[uid]
        if action == "verify":
            if resolved_at is None or at - resolved_at <= window:
                p["verify_on_time"] += 1
        elif action == "follow_up":
            p["follow_ups"] += 1
        else:
            p["on_site"] += 1
    days: dict[int, set[dt.date]] = defaultdict(set)
    for uid, started in Patrol.objects.filter(
        user_id__in=user_ids,
        status=PatrolStatus.FINISHED,
        started_at__gte=start,
        started_at__lt=end,
    ).values_list("user_id", "started_at"):
        days[uid].add(timezone.localtime(started).date())
    for uid, ds in days.items():
        parts[uid]["patrol_days"] = len(ds)
    for uid in (
        AfterReview.objects.filter(
            accountable_user_id__in=user_ids, reviewed_at__gte=start, reviewed_at__lt=end
        )
        .exclude(conclusion="no_fault")
        .values_list("accountable_user_id", flat=True)
    ):
        parts[uid]["review_findings"] += 1
    return parts


def score_of(parts: dict[str, int], weights: ScoreSettings) -> float:
    total = weights.base + sum(getattr(weights, f"w_{k}") * parts.get(k, 0) for k in PART_KEYS)
    return round(total, 2)


def coefficient_for(score: float, bands: list[PayBand]) -> Decimal:
    """Bands sorted by min_score descending."""
    if not bands:
        return Decimal("1.00")
    for b in bands:
        if score >= b.min_score:
            return b.coefficient
    return bands[-1].coefficient


def rank_within(rows: list[ScoreRow]) -> None:
    """Competition ranks (1, 1, 3) by score within each town, in place."""
    by_town: dict[int | None, list[ScoreRow]] = defaultdict(list)
    for r in rows:
        by_town[r.town_id].append(r)
    for group in by_town.values():
        group.sort(key=lambda r: (-r.score, r.user_id))
        for i, r in enumerate(group):
            r.rank = i + 1 if i == 0 or r.score != group[i - 1].score else group[i - 1].rank
            r.of = len(group)


def monthly_scores(month: dt.date, *, towns: list[Region] | None = None) -> list[ScoreRow]:
    """Scores of every grid worker in the given towns (all towns when None), ranked."""
    paths = [t.path for t in towns] if towns is not None else None
    workers = grid_workers(paths)
    weights = score_settings()
    bands = list(PayBand.objects.order_by("-min_score"))
    parts = parts_for([w.user_id for w in workers], month)
    rows = []
    for w in workers:
        p = parts[w.user_id]
        score = score_of(p, weights)
        rows.append(
            ScoreRow(
                user_id=w.user_id,
                name=w.name,
                grid_id=w.grid.pk,
                grid_name=w.grid.name,
                town_id=w.town.pk if w.town else None,
                town_name=w.town.name if w.town else "",
                parts=p,
                score=score,
                pay_coefficient=coefficient_for(score, bands),
                weighted={k: getattr(weights, f"w_{k}") * p[k] for k in PART_KEYS},
                grid_path=w.grid.path,
            )
        )
    rank_within(rows)
    rows.sort(key=lambda r: (r.town_name, r.rank, r.user_id))
    return rows


def quarter_months(quarter: str) -> list[dt.date]:
    """'2026Q3' → the first days of July, August, September 2026."""
    try:
        year_s, q_s = quarter.upper().split("Q")
        year, q = int(year_s), int(q_s)
    except ValueError:
        raise ValueError(quarter) from None
    if not 1 <= q <= 4:
        raise ValueError(quarter)
    return [dt.date(year, 3 * (q - 1) + i, 1) for i in (1, 2, 3)]


def quarterly_scores(quarter: str, *, towns: list[Region] | None = None) -> list[ScoreRow]:
    """The sum of the three monthly scores, ranked within each town."""
    total: dict[int, ScoreRow] = {}
    for month in quarter_months(quarter):
        for r in monthly_scores(month, towns=towns):
            if r.user_id not in total:
                total[r.user_id] = ScoreRow(
                    r.user_id,
                    r.name,
                    r.grid_id,
                    r.grid_name,
                    r.town_id,
                    r.town_name,
                    dict.fromkeys(PART_KEYS, 0),
                    0.0,
                    grid_path=r.grid_path,
                )
            t = total[r.user_id]
            t.score = round(t.score + r.score, 2)
            for k in PART_KEYS:
                t.parts[k] += r.parts[k]
    rows = list(total.values())
    rank_within(rows)
    rows.sort(key=lambda r: (r.town_name, r.rank, r.user_id))
    return rows

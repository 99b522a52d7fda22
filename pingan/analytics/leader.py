"""What a county or town leader reads on the dashboard besides the figures of the period
(issue 18, item 5): the best and worst towns and departments, today's figures against
yesterday's, and the grid workers' activity. Reads only, always within the caller's
scope (`selectors.basis_for`, `events.permissions.event_scope_q`,
`patrols.permissions.patrol_scope_q`); every rate through `analytics.kpis`.
Formulas and calibre in docs/dashboards.md ("The leader's fragment").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from pingan.access.actor import as_actor
from pingan.analytics import kpis, selectors
from pingan.core import clock, pii
from pingan.events.choices import DeadlineState, Source, Status, Urgency
from pingan.events.models import OPEN_STATUSES, Event
from pingan.events.permissions import event_scope_q
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.choices import Role
from pingan.org.models import Department, Membership
from pingan.patrols.choices import PatrolStatus
from pingan.patrols.models import Patrol, PatrolVisit
from pingan.patrols.permissions import OVERSEER_ROLES, patrol_scope_q

# How many units each end of a ranking lists.
TOP = 5
# Who sees grid workers' names in full on the activity table: the roles that manage grid
# workers (a leader decides on them, a grid leader leads them). Other overseers of the
# region's patrols (a dispatcher) see the name masked (张*).
NAME_ROLES = frozenset({Role.LEADER, Role.GRID_LEADER})
# A region at these levels lists its grid workers one by one; above them, its children.
WORKER_LEVELS = frozenset({Level.TOWN, Level.VILLAGE, Level.GRID})


def min_base() -> int:
    """The smallest denominator a unit needs to be ranked by a rate."""
    return int(getattr(settings, "PINGAN_RANKING_MIN_BASE", 10))


@dataclass(frozen=True)
class Measure:
    """One ranking: the figure (`key` of kpis.figures), its numerator and denominator
    keys and words, and which way is better."""

    key: str
    label: str
    num: str
    num_label: str
    den: str
    den_label: str
    higher_is_better: bool
    is_rate: bool


MEASURES = (
    Measure(
        "on_time_rate",
        gettext_noop("按期办结率"),
        "closed_on_time",
        gettext_noop("按期办结"),
        "closed_timed",
        gettext_noop("计时办结"),
        True,
        True,
    ),
    Measure(
        "satisfaction_rate",
        gettext_noop("回访满意率"),
        "satisfied",
        gettext_noop("满意"),
        "followed_up",
        gettext_noop("回访"),
        True,
        True,
    ),
    # A count: lower is better; ranked among units with at least one accepted event,
    # equal counts broken by the larger number accepted (more work, as few overdue).
    Measure(
        "overdue",
        gettext_noop("在办超期量"),
        "overdue",
        gettext_noop("在办超期"),
        "accepted",
        gettext_noop("受理"),
        False,
        False,
    ),
)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# ---- rankings ---------------------------------------------------------------------------


def _unit(kind: str, pk: int, name: str, f: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": pk,
        "name": name,
        "count": f["total"],
        **{k: f[k] for k in {m.key for m in MEASURES} | {m.num for m in MEASURES}},
        **{m.den: f[m.den] for m in MEASURES},
    }


def _department_units(
    basis: selectors.Basis, date_from: dt.date | None, date_to: dt.date | None
) -> list[dict[str, Any]]:
    """kpis.figures per lead department, from the facts of the basis's events in the
    period grouped by department, status and outcome (one statement). The department
    rollup has no satisfaction or overdue measure, so the facts are the source; its
    on-time figures equal the department table's (`selectors.department_tables`)."""
    if basis.empty:
        return []
    group = ("department", "status", "outcome")
    by_dept: dict[int, list[dict[str, Any]]] = {}
    for r in selectors.fact_rows(basis, date_from, date_to, group):
        if r["department"]:  # 0: never dispatched (no lead department)
            by_dept.setdefault(r["department"], []).append(r)
    names = dict(Department.objects.filter(pk__in=by_dept).values_list("pk", "name"))
    units = [
        _unit("department", d, names.get(d, ""), kpis.figures(rows, dispute_tops=set()))
        for d, rows in by_dept.items()
    ]
    return [u for u in units if u["count"]]


def rank(units: list[dict[str, Any]], measure: Measure, base: int) -> dict[str, Any]:
    """`best` and `worst` (TOP each) of the units by `measure`; units whose denominator is
    under `base` (or, for a count, with nothing accepted) are left out and listed in
    `insufficient` (样本不足). Equal values: the larger denominator first, then the name."""
    floor = max(base, 1) if measure.is_rate else 1
    ranked: list[dict[str, Any]] = []
    short: list[dict[str, Any]] = []
    for u in units:
        (ranked if u[measure.den] >= floor and u[measure.key] is not None else short).append(u)
    short.sort(key=lambda u: (-u[measure.den], u["name"]))
    sign = -1 if measure.higher_is_better else 1
    best = sorted(ranked, key=lambda u: (sign * u[measure.key], -u[measure.den], u["name"]))
    worst = sorted(ranked, key=lambda u: (-sign * u[measure.key], -u[measure.den], u["name"]))
    return {
        "measure": measure,
        "best": best[:TOP],
        "worst": worst[:TOP],
        "ranked": len(ranked),
        "insufficient": short,
    }


def rankings(
    *, user: Any, region_id: int | None, date_from: dt.date | None, date_to: dt.date | None
) -> dict[str, Any]:
    """Best and worst child regions and lead departments of the period by 按期办结率,
    回访满意率 and 在办超期量 (`rank`): `{"region", "min_base", "regions": [ranking per
    measure], "departments": [...]}`; each unit carries every figure's numerator and
    denominator. Statements: the scope and region, the children, one rollup read per
    part of the period (two at most), one facts aggregate, the department names."""
    basis = selectors.basis_for(user, region_id)
    base = min_base()
    # The child regions' figures as the dashboard's ranking has them (with every rate's
    # numerator and denominator).
    regions = [
        _unit("region", r["region"], r["name"], r)
        for r in selectors.region_breakdown(
            user=user, region_id=region_id, date_from=date_from, date_to=date_to
        )
    ]
    departments = _department_units(basis, date_from, date_to)
    return {
        "region": basis.region.pk if basis.region else None,
        "min_base": base,
        "regions": [rank(regions, m, base) for m in MEASURES] if regions else [],
        "departments": [rank(departments, m, base) for m in MEASURES] if departments else [],
    }


# ---- today --------------------------------------------------------------------------------


def _events(user: Any, basis: selectors.Basis) -> QuerySet[Event]:
    """The events a basis covers: the region's subtree when it lies in the caller's own
    region scope (as the rollups count), else the caller's scope (narrowed to the region)."""
    if basis.empty:
        return Event.objects.none()
    qs = Event.objects.all() if basis.rollup else Event.objects.filter(event_scope_q(user))
    if basis.region is not None:
        qs = qs.filter(within_q("region_path", [basis.region.path]))
    return qs


def today_figures(*, user: Any, region_id: int | None) -> dict[str, Any]:
    """Today's (the clock's local day) and yesterday's reported, accepted, dispatched and
    closed counts with the plain difference, and the open events marked overdue and open
    紧急/特急 events now (no yesterday: the platform keeps no snapshot of open events).

    Reported: events reported that day (the rollups of the two days, one read). Accepted,
    dispatched, closed: events whose accepted_at, dispatched_at, closed_at fall on that
    day, whenever reported (closed: still closed now), in one aggregate over the events;
    open now: one aggregate over the open events (status index)."""
    now = timezone.localtime(clock.now())
    today = now.date()
    yesterday = today - dt.timedelta(days=1)
    basis = selectors.basis_for(user, region_id)
    rows = selectors.grouped_rows_many(basis, [(today, today), (yesterday, yesterday)], ("status",))
    reported = [sum(r["n"] for r in day) for day in rows]

    y0, t0, t1 = (_local_midnight(d) for d in (yesterday, today, today + dt.timedelta(days=1)))
    events = _events(user, basis)
    fields = {"accepted": "accepted_at", "dispatched": "dispatched_at", "closed": "closed_at"}

    def on(field: str, start: dt.datetime, end: dt.datetime) -> Q:
        q = Q(**{f"{field}__gte": start, f"{field}__lt": end})
        return q & Q(status=Status.CLOSED) if field == "closed_at" else q

    window = Q()
    for column in fields.values():
        window |= on(column, y0, t1)
    counts = events.filter(window).aggregate(
        **{f"{k}_today": Count("pk", filter=on(f, t0, t1)) for k, f in fields.items()},
        **{f"{k}_yesterday": Count("pk", filter=on(f, y0, t0)) for k, f in fields.items()},
    )
    open_now = events.filter(status__in=OPEN_STATUSES).aggregate(
        overdue=Count("pk", filter=Q(deadline_state=DeadlineState.OVERDUE)),
        urgent=Count("pk", filter=Q(urgency__in=[Urgency.URGENT, Urgency.CRITICAL])),
    )
    flows = [
        {
            "key": "reported",
            "label": gettext_noop("今日上报"),
            "today": reported[0],
            "yesterday": reported[1],
        }
    ]
    labels = {
        "accepted": gettext_noop("今日受理"),
        "dispatched": gettext_noop("今日派遣"),
        "closed": gettext_noop("今日办结"),
    }
    for key, label in labels.items():
        flows.append(
            {
                "key": key,
                "label": label,
                "today": counts[f"{key}_today"] or 0,
                "yesterday": counts[f"{key}_yesterday"] or 0,
            }
        )
    for flow in flows:
        flow["change"] = flow["today"] - flow["yesterday"]
    return {
        "region": basis.region.pk if basis.region else None,
        "today": today,
        "yesterday": yesterday,
        "now": now,
        "flows": flows,
        "overdue_now": open_now["overdue"] or 0,
        "urgent_open": open_now["urgent"] or 0,
    }


# ---- grid workers ---------------------------------------------------------------------


def _workers(region: Region) -> dict[int, dict[str, Any]]:
    """Active accounts with an active grid-worker membership on a region in `region`'s
    subtree: user id → name and the path of their first such region (by path)."""
    memberships = (
        Membership.objects.filter(
            within_q("region__path", [region.path]),
            role=Role.GRID_WORKER,
            is_active=True,
            user__is_active=True,
        )
        .order_by("region__path", "user_id")
        .values_list("user_id", "user__name", "user__username", "region__path", "region__name")
    )
    out: dict[int, dict[str, Any]] = {}
    for uid, name, username, path, place in memberships:
        out.setdefault(uid, {"name": name or username, "path": path, "place": place})
    return out


def grid_activity(
    *, user: Any, region_id: int | None, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    """Grid workers' activity in the period, per child region (a county's towns) or, for a
    town and below, per worker: workers, patrol hours (finished patrols started in the
    period, their recorded durations summed), patrols, visits (made in the period),
    reports (events reported in the period from 网格巡查: per region from the rollups,
    per worker those the worker reported) and 在岗率 (workers with at least one such
    patrol ÷ workers). Only for someone who oversees the region's patrols (a leader,
    grid leader or dispatcher over it); `allowed` is False otherwise. Names in full for
    NAME_ROLES, masked for other overseers."""
    actor = as_actor(user)
    basis = selectors.basis_for(user, region_id)
    region = basis.region
    if basis.empty or region is None or not actor.covers(region.path, OVERSEER_ROLES):
        return {"allowed": False, "per_worker": False, "rows": [], "total": None}
    per_worker = region.level in WORKER_LEVELS
    workers = _workers(region)
    start, end = _local_midnight(date_from), _local_midnight(date_to + dt.timedelta(days=1))
    patrols = Patrol.objects.filter(
        patrol_scope_q(actor),
        within_q("region_path", [region.path]),
        status=PatrolStatus.FINISHED,
        started_at__gte=start,
        started_at__lt=end,
    )
    per_user: dict[int, dict[str, int]] = {}
    for p in patrols.values("user_id").annotate(s=Sum("duration_s"), p=Count("pk")).order_by():
        per_user[p["user_id"]] = {"seconds": p["s"] or 0, "patrols": p["p"], "visits": 0}
    visits = PatrolVisit.objects.filter(
        patrol__in=Patrol.objects.filter(
            patrol_scope_q(actor), within_q("region_path", [region.path])
        ).values("pk"),
        at__gte=start,
        at__lt=end,
    )
    for v in visits.values("patrol__user_id").annotate(v=Count("pk")).order_by():
        acc = per_user.setdefault(v["patrol__user_id"], {"seconds": 0, "patrols": 0, "visits": 0})
        acc["visits"] = v["v"]

    def blank(unit_id: int, name: str, place: str = "") -> dict[str, Any]:
        return {
            "id": unit_id,
            "name": name,
            "place": place,
            "workers": 0,
            "active": 0,
            "seconds": 0,
            "patrols": 0,
            "visits": 0,
            "reports": 0,
        }

    rows: list[dict[str, Any]] = []
    if per_worker:
        full = actor.covers(region.path, NAME_ROLES)
        reports = dict(
            _events(user, basis)
            .filter(
                reporter_id__in=list(workers),
                source=Source.GRID_PATROL,
                reported_at__gte=start,
                reported_at__lt=end,
            )
            .values("reporter_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("reporter_id", "n")
        )
        for uid, w in sorted(workers.items(), key=lambda kv: (kv[1]["path"], kv[1]["name"])):
            row = blank(uid, w["name"] if full else pii.mask_name(w["name"]), w["place"])
            row["workers"] = 1
            row["reports"] = reports.get(uid, 0)
            rows.append(row)
        by_user = {r["id"]: r for r in rows}
    else:
        children = list(Region.objects.filter(parent=region).order_by("code"))
        by_child = {c.pk: blank(c.pk, c.name) for c in children}
        rows = list(by_child.values())
        by_path = {c.path: by_child[c.pk] for c in children}
        by_user = {}
        for uid, w in workers.items():
            # The child on the way down: the region's path and the next code.
            below = w["path"][len(region.path) :].split("/", 1)[0]
            unit = by_path.get(f"{region.path}{below}/")
            if unit is not None:
                unit["workers"] += 1
                by_user[uid] = unit
        group = ("source",)
        if basis.rollup:
            got = selectors.rollup_rows(list(by_child), date_from, date_to, ("region", *group))
            pairs = [(r["region"], r) for r in got]
        else:
            level = f"r{region.depth + 1}"
            got = selectors.fact_rows(basis, date_from, date_to, (level, *group))
            pairs = [(r[level], r) for r in got]
        for child, r in pairs:
            if child in by_child and r["source"] == Source.GRID_PATROL:
                by_child[child]["reports"] += r["n"]
    for uid, acc in per_user.items():
        unit = by_user.get(uid)
        if unit is None:  # not (or no longer) a grid worker here: a grid leader's patrol
            continue
        unit["seconds"] += acc["seconds"]
        unit["patrols"] += acc["patrols"]
        unit["visits"] += acc["visits"]
        if acc["patrols"]:
            unit["active"] += 1
    total = blank(region.pk, region.name)
    for row in rows:
        for k in ("workers", "active", "seconds", "patrols", "visits", "reports"):
            total[k] += row[k]
    for row in [*rows, total]:
        row["hours"] = round(row["seconds"] / 3600, 1)
        row["active_rate"] = kpis.rate(row["active"], row["workers"])
    return {"allowed": True, "per_worker": per_worker, "rows": rows, "total": total}

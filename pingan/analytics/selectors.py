"""Key figures of the closed loop, always within the caller's scope.

Figures come from the daily rollups when the region asked about lies wholly inside the
caller's own region scope (then scope ∩ subtree = subtree, so the rollup row of that region
is exactly the answer); otherwise (a department's handler, a grid worker asking about the
neighbouring grid) from the per-event facts joined to the scoped events. Either way the
grouped rows go through the same formulas in `analytics.kpis`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone

from pingan.access.actor import Actor, as_actor
from pingan.analytics import kpis, rollups
from pingan.analytics.facts import FACT_FIELDS
from pingan.analytics.models import (
    HISTOGRAM_DEPTHS,
    CalendarHistogram,
    DailyCalendarHistogram,
    DailyDepartmentRollup,
    DailyHandlingHistogram,
    DailyRollup,
    DepartmentRollup,
    EventFact,
    HandlingHistogram,
    MonthlyRollup,
    MonthlyStatusRollup,
    PeriodLock,
)
from pingan.core import clock
from pingan.events.models import Category, Event
from pingan.events.partitions import reporter_months_q
from pingan.events.permissions import REGION_ROLES, event_scope_q
from pingan.geo.models import Region
from pingan.geo.scope import within, within_q
from pingan.org.choices import Role
from pingan.org.models import Department
from pingan.org.selectors import memberships_of

GROUP = ("top_category", "source", "status", "outcome")
GROUP_COLUMNS = frozenset(rollups.DAILY.columns)
# The measures of the rollups (and of the facts grouped the same way).
MEASURES = rollups.DAILY.measures
DEPARTMENT_MEASURES = rollups.DAILY_DEPARTMENTS.measures
FLOAT_MEASURES = frozenset(
    m for m in MEASURES if isinstance(DailyRollup._meta.get_field(m), models.FloatField)
)


def _monthly_model(group: tuple[str, ...]) -> Any:
    """The monthly table for rows grouped by `group`: the status rollup when the group
    needs neither category nor source (far fewer rows at the lower levels)."""
    return (
        MonthlyStatusRollup if set(group) <= set(rollups.MONTHLY_STATUS.columns) else MonthlyRollup
    )


# Levels whose facts are found by an (rN, day) index (analytics_fact_rN_day).
FACT_REGION_INDEXES = 3


@dataclass
class Basis:
    """Where a question's figures come from: the rollups of `region`, or the facts of the
    scoped events (`scoped`, narrowed to `region` when given)."""

    region: Region | None
    rollup: bool
    user: Any
    empty: bool = False

    def facts(self) -> QuerySet[EventFact]:
        """Facts of the events this basis covers (any day)."""
        if self.empty:
            return EventFact.objects.none()
        if self.rollup:
            assert self.region is not None
            # The facts of a region's subtree are those naming it at its depth (rN).
            depth = self.region.path.count("/") - 1
            if 0 <= depth < FACT_REGION_INDEXES:
                return EventFact.objects.filter(**{f"r{depth}": self.region.pk})
            return EventFact.objects.filter(within_q("region_path", [self.region.path]))
        events = Event.objects.filter(event_scope_q(self.user))
        if self.region is not None:
            events = events.filter(within_q("region_path", [self.region.path]))
        return EventFact.objects.filter(event_id__in=events.values("pk"))


def _top_paths(user: Actor | Any) -> list[Region]:
    """The regions of the actor's region memberships that no other of them contains."""
    actor = as_actor(user)
    tops = set(actor.paths(REGION_ROLES))
    out: dict[str, Region] = {}
    for m in actor.holding(REGION_ROLES):
        if m.region is not None and m.region.path in tops:
            out.setdefault(m.region.path, m.region)
    return list(out.values())


def basis_for(user: Any, region_id: int | None) -> Basis:
    """Choose rollups or facts for `user` asking about `region_id` (None: all they see)."""
    tops = _top_paths(user)
    if region_id is not None:
        region = Region.objects.filter(pk=region_id).first()
        if region is None:
            return Basis(region=None, rollup=False, user=user, empty=True)
        inside = within(region.path, [t.path for t in tops])
        return Basis(region=region, rollup=inside, user=user)
    handler = any(m.role == Role.HANDLER for m in memberships_of(user))
    if len(tops) == 1 and not handler:
        # Most who read the figures report nothing: the key table says so without a
        # statement on the events (which would be planned over every monthly partition).
        months = reporter_months_q(user.pk)
        own_elsewhere = (
            months is not None
            and Event.objects.filter(months, reporter_id=user.pk)
            .exclude(within_q("region_path", [tops[0].path]))
            .exists()
        )
        if not own_elsewhere:
            return Basis(region=tops[0], rollup=True, user=user)
    return Basis(region=None, rollup=False, user=user)


def _between(qs: QuerySet[Any], date_from: dt.date | None, date_to: dt.date | None) -> Any:
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _sum_rows(
    rows: Any, group: tuple[str, ...], into: dict[tuple[Any, ...], dict[str, Any]]
) -> None:
    for r in rows:
        key = tuple(r[g] for g in group)
        acc = into.get(key)
        if acc is None:
            into[key] = dict(r)
            continue
        for m in MEASURES:
            acc[m] = (acc[m] or 0) + (r[m] or 0)


@dataclass
class Split:
    """A period as whole months (`months`: first and last month's first day, or None when
    it holds no whole month) and the days outside them (`edges`: a day filter, or None
    when there are none)."""

    months: tuple[dt.date | None, dt.date | None] | None
    edges: Q | None


def split_period(date_from: dt.date | None, date_to: dt.date | None) -> Split:
    first = date_from
    if first is not None and first.day != 1:
        first = _month_end(first) + dt.timedelta(days=1)
    last = date_to
    if last is not None and last != _month_end(last):
        last = last.replace(day=1) - dt.timedelta(days=1)
    span = Q()
    if date_from:
        span &= Q(day__gte=date_from)
    if date_to:
        span &= Q(day__lte=date_to)
    if not (first is None or last is None or first <= last):
        return Split(months=None, edges=span)
    edges = []
    if first is not None and (date_from is None or date_from < first):
        edges.append(Q(day__lt=first))
    if last is not None and (date_to is None or date_to > last):
        edges.append(Q(day__gt=last))
    cond = None
    for extra in edges:
        cond = extra if cond is None else cond | extra
    return Split(
        months=(first, last.replace(day=1) if last else None),
        edges=None if cond is None else span & cond,
    )


def rollup_rows(
    regions: list[int],
    date_from: dt.date | None,
    date_to: dt.date | None,
    group: tuple[str, ...],
) -> list[dict[str, Any]]:
    """Rollup measures of the regions in the period, grouped by `group`: whole months
    from the monthly rows, the days before the first and after the last whole month from
    the daily rows (two queries)."""
    sums = {m: Sum(m) for m in MEASURES}
    acc: dict[tuple[Any, ...], dict[str, Any]] = {}
    split = split_period(date_from, date_to)
    if split.months is not None:
        monthly = _between(_monthly_model(group).objects.filter(region__in=regions), *split.months)
        _sum_rows(monthly.values(*group).annotate(**sums).order_by(), group, acc)
    if split.edges is not None:
        daily = DailyRollup.objects.filter(split.edges, region__in=regions)
        _sum_rows(daily.values(*group).annotate(**sums).order_by(), group, acc)
    # Rows an event moved out of stay behind with n = 0 until the next rebuild.
    return [r for r in acc.values() if r["n"]]


Period = tuple[dt.date | None, dt.date | None]


def _span(date_from: dt.date | None, date_to: dt.date | None) -> Q:
    q = Q()
    if date_from:
        q &= Q(day__gte=date_from)
    if date_to:
        q &= Q(day__lte=date_to)
    return q


def _ranges(
    date_from: dt.date | None, date_to: dt.date | None
) -> tuple[Period | None, list[Period]]:
    """split_period as bounds: the whole months (first days of the first and last month)
    or None, and the day ranges outside them."""
    sp = split_period(date_from, date_to)
    if sp.months is None:
        return None, [(date_from, date_to)]
    first, last_month = sp.months
    days: list[Period] = []
    if date_from is not None and first is not None and date_from < first:
        days.append((date_from, first - dt.timedelta(days=1)))
    if date_to is not None and last_month is not None:
        after = _month_end(last_month) + dt.timedelta(days=1)
        if date_to >= after:
            days.append((after, date_to))
    return sp.months, days


def _range_sql(ranges: list[Period], params: list[Any]) -> str:
    parts = []
    for lo, hi in ranges:
        cond = []
        if lo is not None:
            cond.append("day >= %s")
            params.append(lo)
        if hi is not None:
            cond.append("day <= %s")
            params.append(hi)
        parts.append("(" + " AND ".join(cond) + ")" if cond else "(1 = 1)")
    return "(" + " OR ".join(parts) + ")"


def rollup_rows_many(
    regions: list[int], periods: list[Period], group: tuple[str, ...]
) -> list[list[dict[str, Any]]]:
    """rollup_rows for several periods at once (a period, the same a year before, the
    one before it): one query over the monthly rows and one over the daily rows, each
    summing every period's measures with its own condition, instead of two per period."""
    return [sets[0] for sets in rollup_sets_many(regions, periods, (group,))]


def rollup_sets_many(
    regions: list[int], periods: list[Period], sets: tuple[tuple[str, ...], ...]
) -> list[list[list[dict[str, Any]]]]:
    """Rollup measures of several periods, each grouped several ways (`sets`, e.g. by
    category and status, and by source and status): `[period][set]` rows. One statement:
    the monthly rows of the whole months and the daily rows of the days outside them,
    each period's measures summed with its own condition and grouped by every column the
    sets name, then summed again per set, so that Python gets the few rows each set has,
    not every combination of the columns (the statistics summary's rows at a county:
    ~850 by category, source, status and outcome; ~250 in its two sets).
    Plain SQL (the ORM's expression building cost more than the query), run without
    parallel workers on PostgreSQL: these aggregates read a few thousand index-found
    rows, and starting workers costs more than it saves on a busy 2-core machine."""
    cols_all = list(dict.fromkeys(c for group in sets for c in group))
    assert all(g in GROUP_COLUMNS for g in cols_all), cols_all
    ranges = [_ranges(a, b) for a, b in periods]
    tables = (
        (
            _monthly_model(tuple(cols_all))._meta.db_table,
            [[m] if m is not None else [] for m, _ in ranges],
        ),
        (DailyRollup._meta.db_table, [d for _, d in ranges]),
    )
    cols = ", ".join(cols_all)
    k = len(MEASURES)
    regions_sql = ", ".join(["%s"] * len(regions))
    selects: list[str] = []
    params: list[Any] = []
    for table, per_period in tables:
        if not any(per_period):
            continue
        # Each period's measures, summed over the rows of its own days (0 for a period
        # with no rows in this table); each SUM repeats its condition, so its bounds are
        # bound per SUM.
        sums = []
        for r in per_period:
            one: list[Any] = []
            cond = _range_sql(r, one) if r else ""
            for m in MEASURES:
                sums.append(f"SUM(CASE WHEN {cond} THEN {m} ELSE 0 END)" if r else "0")
                params += one
        where_params: list[Any] = []
        where = _range_sql([p for r in per_period for p in r], where_params)
        selects.append(
            f"SELECT {cols}, {', '.join(sums)} FROM {table} "  # noqa: S608
            f"WHERE region IN ({regions_sql}) AND {where} GROUP BY {cols}"
        )
        params += [*regions, *where_params]
    if not selects:
        return [[[] for _ in sets] for _ in periods]
    aliased = ", ".join(f"s{j}" for j in range(len(periods) * k))
    # PostgreSQL sums bigints to numeric: counts go back to integers.
    resum = ", ".join(
        f"SUM(s{j})" if MEASURES[j % k] in FLOAT_MEASURES else f"CAST(SUM(s{j}) AS BIGINT)"
        for j in range(len(periods) * k)
    )
    branches = [
        f"SELECT {n}, "  # noqa: S608
        + ", ".join(c if c in group else "NULL" for c in cols_all)
        + f", {resum} FROM g GROUP BY {', '.join(group)}"
        for n, group in enumerate(sets)
    ]
    sql = f"WITH g({cols}, {aliased}) AS ({' UNION ALL '.join(selects)}) " + " UNION ALL ".join(
        branches
    )
    with _serial_reads(), connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    out: list[list[list[dict[str, Any]]]] = [[[] for _ in sets] for _ in periods]
    width = len(cols_all)
    positions = [[1 + cols_all.index(c) for c in group] for group in sets]
    for rec in fetched:
        n = rec[0]
        group = sets[n]
        key = [rec[i] for i in positions[n]]
        for i in range(len(periods)):
            start = width + 1 + i * k
            # Rows an event moved out of stay behind with n = 0 until the next rebuild.
            if not rec[start]:
                continue
            row = dict(zip(group, key, strict=True))
            row.update(zip(MEASURES, rec[start : start + k], strict=True))
            out[i][n].append(row)
    return out


def collapse(rows: list[dict[str, Any]], group: tuple[str, ...]) -> list[dict[str, Any]]:
    """`rows` summed down to `group` (a subset of their dimensions)."""
    acc: dict[tuple[Any, ...], dict[str, Any]] = {}
    _sum_rows(({g: r[g] for g in (*group, *MEASURES)} for r in rows), group, acc)
    return list(acc.values())


@contextmanager
def _serial_reads() -> Iterator[None]:
    """No parallel workers for the queries inside (PostgreSQL; a no-op elsewhere)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def grouped_rows_many(
    basis: Basis, periods: list[Period], group: tuple[str, ...] = GROUP
) -> list[list[dict[str, Any]]]:
    """grouped_rows of several periods (from the rollups: two queries in all)."""
    if basis.empty:
        return [[] for _ in periods]
    if basis.rollup:
        assert basis.region is not None
        return rollup_rows_many([basis.region.pk], periods, group)
    return [fact_rows(basis, a, b, group) for a, b in periods]


def grouped_sets_many(
    basis: Basis, periods: list[Period], sets: tuple[tuple[str, ...], ...]
) -> list[list[list[dict[str, Any]]]]:
    """The rows of several periods, each grouped several ways: `[period][set]`. From the
    rollups two queries in all; from the facts one per period, summed down per set."""
    if basis.empty:
        return [[[] for _ in sets] for _ in periods]
    if basis.rollup:
        assert basis.region is not None
        return rollup_sets_many([basis.region.pk], periods, sets)
    cols = tuple(dict.fromkeys(c for group in sets for c in group))
    return [
        [collapse(rows, group) for group in sets]
        for rows in (fact_rows(basis, a, b, cols) for a, b in periods)
    ]


def fact_rows(
    basis: Basis,
    date_from: dt.date | None,
    date_to: dt.date | None,
    group: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The same measures counted from the facts of the basis's events."""
    qs = _between(basis.facts(), date_from, date_to)
    return [
        dict(zip((*group, *MEASURES), rec, strict=True))
        for rec in fact_sums(rollups.DAILY, qs, group)
    ]


def fact_sums(
    table: rollups.Rollup, facts: QuerySet[EventFact], dims: tuple[str, ...] | list[str]
) -> list[tuple[Any, ...]]:
    """`table`'s measures summed over `facts` by `dims` (keys of the table or columns of
    the facts) as the table's declaration counts them, in one statement: (*dims,
    *measures) per group. The facts' own query is the source, so its indexes apply."""
    sql, params = facts.order_by().values(*FACT_FIELDS).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(rollups.aggregate_sql(table, dims, facts=sql), [*params] * len(table.parts))
        return list(cur.fetchall())


def grouped_rows(
    basis: Basis,
    date_from: dt.date | None,
    date_to: dt.date | None,
    group: tuple[str, ...] = GROUP,
) -> list[dict[str, Any]]:
    """The rows the KPI formulas take: from the rollups or from the facts."""
    if basis.empty:
        return []
    if basis.rollup:
        assert basis.region is not None
        return rollup_rows([basis.region.pk], date_from, date_to, group)
    return fact_rows(basis, date_from, date_to, group)


def top_categories() -> tuple[dict[int, str], set[int]]:
    """The top-level categories' names by id, and the ids of the dispute ones (the
    category `PINGAN_DISPUTE_CATEGORY`, or `<prefix>-<it>` in a city of several
    counties): one read of the few top-level rows."""
    code = settings.PINGAN_DISPUTE_CATEGORY
    names: dict[int, str] = {}
    disputes: set[int] = set()
    for pk, name, c in Category.objects.filter(parent=None).values_list("pk", "name", "code"):
        names[pk] = name
        if c == code or c.endswith(f"-{code}"):
            disputes.add(pk)
    return names, disputes


def dispute_tops() -> set[int]:
    return top_categories()[1]


def _today() -> dt.date:
    return timezone.localdate(clock.now())


# The summary's two groupings: the scalar figures and the breakdowns by category and by
# status take the first, the breakdown by source the second.
SUMMARY_SETS = (("top_category", "status", "outcome"), ("source", "status", "outcome"))
# The figures of each category, source and status the summary gives, with their 同比.
BREAKDOWN_FIGURES = ("total", "closure_rate", "on_time_rate", "satisfaction_rate")


def _named(
    items: list[dict[str, Any]],
    key: str,
    earlier: list[dict[str, Any]],
    *,
    complete: bool,
    min_base: int,
) -> list[dict[str, Any]]:
    """Breakdown rows as the summary gives them: the count, closed, the rates with their
    parts, and `yoy` of the count and the rates against the same value a year before
    (`yoy_withheld` saying why one is missing), e.g. 消防安全隐患 同比, 网络舆情 办结率."""
    before = {i["value"]: i for i in earlier}
    zero = dict.fromkeys(
        ("total", "accepted", "closed", "closed_on_time", "closed_timed", "followed_up"), 0
    )
    out = []
    for i in items:
        yoy, withheld = kpis.comparable(
            i, before.get(i["value"], zero), BREAKDOWN_FIGURES, complete=complete, min_base=min_base
        )
        out.append(
            {
                key: i["value"],
                "name": i["name"],
                "count": i["count"],
                **{
                    k: i[k]
                    for k in (
                        "accepted",
                        "closed",
                        "closed_on_time",
                        "closed_timed",
                        "followed_up",
                        "satisfied",
                        "closure_rate",
                        "on_time_rate",
                        "satisfaction_rate",
                        "overdue",
                    )
                },
                "previous": before[i["value"]]["count"] if i["value"] in before else 0,
                "yoy": yoy,
                "yoy_withheld": withheld,
            }
        )
    return out


def summary(
    *,
    user: Any,
    region_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Key figures of events reported in [date_from, date_to] (whole days, either bound
    optional) in the region's subtree, within `user`'s scope; formulas in docs/kpis.md.

    by_category / by_source / by_status: `[{key, "name", "count"}]`,
    largest first. yoy (同比): percent change of every scalar against the same period a
    year earlier (without `date_to` the earlier period ends a year before `today`); mom
    (环比): against the period just before (needs both bounds). `previous_period` and
    `mom_period` give those periods' bounds and figures. Queries: the scope, the region,
    one aggregate for the periods, the top-level categories (names, which are disputes).
    """
    basis = basis_for(user, region_id)
    cat_names, tops = top_categories()
    today = today or _today()
    earlier_from = kpis.year_before(date_from) if date_from else None
    earlier_to = kpis.year_before(date_to or today)
    periods: list[Period] = [(date_from, date_to), (earlier_from, earlier_to)]
    if date_from and date_to:
        periods.append(kpis.previous_period(date_from, date_to))
    # The period, a year before and the period before: read together, each by category
    # and by source (with status and outcome: what the figures take).
    every = grouped_sets_many(basis, periods, SUMMARY_SETS)
    rows, by_source = every[0]
    figures = kpis.figures(rows, dispute_tops=tops)

    # A fact keeps the top category it was counted under, should it have moved since.
    moved = {r["top_category"] for r in (*rows, *every[1][0])} - cat_names.keys() - {None}
    if moved:
        cat_names.update(Category.objects.filter(pk__in=moved).values_list("pk", "name"))

    earlier = kpis.figures(every[1][0], dispute_tops=tops)
    first = first_day()
    min_base = compare_min_base()
    yoy_complete = earlier_from is not None and first is not None and earlier_from >= first
    yoy, yoy_withheld = kpis.comparable(
        figures, earlier, kpis.SCALARS, complete=yoy_complete, min_base=min_base
    )
    previous = {
        "from": earlier_from.isoformat() if earlier_from else None,
        "to": earlier_to.isoformat(),
        **{name: earlier[name] for name in kpis.SCALARS},
    }
    mom: dict[str, float | None] = dict.fromkeys(kpis.SCALARS)
    mom_withheld: dict[str, str] = {}
    mom_period: dict[str, Any] | None = None
    mom_complete = False
    if date_from and date_to:
        p_from, p_to = kpis.previous_period(date_from, date_to)
        before = kpis.figures(every[2][0], dispute_tops=tops)
        mom_complete = first is not None and p_from >= first
        mom, mom_withheld = kpis.comparable(
            figures, before, kpis.SCALARS, complete=mom_complete, min_base=min_base
        )
        mom_period = {
            "from": p_from.isoformat(),
            "to": p_to.isoformat(),
            **{name: before[name] for name in kpis.SCALARS},
        }
    compared: dict[str, Any] = {"complete": yoy_complete, "min_base": min_base}
    return {
        **{name: figures[name] for name in kpis.SCALARS},
        "by_category": _named(
            kpis.breakdown(rows, "top_category", cat_names),
            "category",
            kpis.breakdown(every[1][0], "top_category", cat_names),
            **compared,
        ),
        "by_source": _named(
            kpis.breakdown(by_source, "source", kpis.source_names()),
            "source",
            kpis.breakdown(every[1][1], "source", kpis.source_names()),
            **compared,
        ),
        "by_status": _named(
            kpis.breakdown(rows, "status", kpis.status_names()),
            "status",
            kpis.breakdown(every[1][0], "status", kpis.status_names()),
            **compared,
        ),
        "yoy": yoy,
        "mom": mom,
        "yoy_withheld": yoy_withheld,
        "mom_withheld": mom_withheld,
        "yoy_complete": yoy_complete,
        "mom_complete": mom_complete,
        "previous_period": previous,
        "mom_period": mom_period,
        "first_day": first.isoformat() if first else None,
        "region": basis.region.pk if basis.region else None,
        "locked": period_locked(date_from, date_to),
        "basis": "rollup" if basis.rollup else "scan",
    }


def first_day() -> dt.date | None:
    """The first day the platform's figures are complete from: `PINGAN_DATA_SINCE` when
    set (the day a county's records start being whole, e.g. its go-live when older
    imports are partial), else the first day any event was reported on (one index read).
    A comparison whose earlier period starts before it is withheld (基期数据不完整)."""
    since: dt.date | None = getattr(settings, "PINGAN_DATA_SINCE", None)
    if since:
        return since
    return EventFact.objects.aggregate(first=Min("day"))["first"]


def compare_min_base() -> int:
    """The least a comparison may rest on (`PINGAN_COMPARE_MIN_BASE`): a 同比/环比 whose
    earlier count (or rate denominator) is smaller is withheld (基期样本不足)."""
    return int(getattr(settings, "PINGAN_COMPARE_MIN_BASE", 10))


def period_locked(date_from: dt.date | None, date_to: dt.date | None) -> bool:
    """True when every day of the period lies in a locked period (one query)."""
    if not date_from or not date_to:
        return False
    days = {date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)}
    if len(days) > 3700:
        return False
    locks = PeriodLock.objects.filter(date_from__lte=date_to, date_to__gte=date_from)
    for a, b in locks.values_list("date_from", "date_to"):
        days = {d for d in days if not a <= d <= b}
    return not days


def period_locks() -> QuerySet[PeriodLock]:
    return PeriodLock.objects.select_related("locked_by")


# ---- fuller tables for dashboards, briefings and exports -------------------------------


def region_figures(
    basis: Basis, regions: list[Region], date_from: dt.date | None, date_to: dt.date | None
) -> dict[int, dict[str, Any]]:
    """`kpis.figures` of each of `regions` (all at one depth under the basis's region:
    its children, or its grids): the rollup rows of those regions inside the caller's
    own regions, else the scoped facts grouped by that depth. One read (two for a period
    with partial months at either end)."""
    group = ("status", "outcome")
    by_region: dict[int, list[dict[str, Any]]] = {r.pk: [] for r in regions}
    if basis.rollup:
        for r in rollup_rows(list(by_region), date_from, date_to, ("region", *group)):
            by_region[r["region"]].append(r)
    elif regions:
        level = f"r{regions[0].depth}"
        for r in fact_rows(basis, date_from, date_to, (level, *group)):
            if r[level] in by_region:
                by_region[r[level]].append(r)
    return {pk: kpis.figures(rows, dispute_tops=set()) for pk, rows in by_region.items()}


def region_breakdown(
    *, user: Any, region_id: int | None, date_from: dt.date | None, date_to: dt.date | None
) -> list[dict[str, Any]]:
    """Figures per child region (the towns of a county, the grids of a village …), largest
    first: `[{"region", "name", "level", "count" (= "total"), "accepted", "closed",
    "closed_on_time", "closed_timed", "followed_up", "satisfied", "closure_rate",
    "on_time_rate", "overdue", "satisfaction_rate", "lat", "lng"}]`."""
    basis = basis_for(user, region_id)
    if basis.empty or basis.region is None:
        return []
    children = list(Region.objects.filter(parent=basis.region).order_by("code"))
    figures = region_figures(basis, children, date_from, date_to)
    out = []
    for c in children:
        f = figures[c.pk]
        out.append(
            {
                "region": c.pk,
                "name": c.name,
                "level": c.level,
                "count": f["total"],
                "total": f["total"],
                "accepted": f["accepted"],
                "closed": f["closed"],
                "closed_on_time": f["closed_on_time"],
                "closed_timed": f["closed_timed"],
                "followed_up": f["followed_up"],
                "satisfied": f["satisfied"],
                "closure_rate": f["closure_rate"],
                "on_time_rate": f["on_time_rate"],
                "overdue": f["overdue"],
                "satisfaction_rate": f["satisfaction_rate"],
                "lat": c.lat,
                "lng": c.lng,
            }
        )
    out.sort(key=lambda d: (-d["count"], d["name"]))
    return out


def trend(
    *, user: Any, region_id: int | None, date_from: dt.date, date_to: dt.date
) -> list[dict[str, Any]]:
    """Reported and closed per day (spans up to 92 days) or per month (longer)."""
    basis = basis_for(user, region_id)
    monthly = (date_to - date_from).days > 92
    if basis.empty:
        return []
    if basis.rollup and monthly:
        assert basis.region is not None
        rows = [
            {"day": r["day"], "status": r["status"], "count": r["n"]}
            for r in rollup_rows([basis.region.pk], date_from, date_to, ("day", "status"))
        ]
    elif basis.rollup:
        assert basis.region is not None
        qs = _between(DailyRollup.objects.filter(region=basis.region.pk), date_from, date_to)
        rows = list(qs.values("day", "status").annotate(count=Sum("n")).order_by())
    else:
        rows = [
            {"day": r["day"], "status": r["status"], "count": r["n"]}
            for r in fact_rows(basis, date_from, date_to, ("day", "status"))
        ]
    buckets: dict[str, dict[str, int]] = {}
    for r in rows:
        key = r["day"].strftime("%Y-%m") if monthly else r["day"].isoformat()
        b = buckets.setdefault(key, {"total": 0, "closed": 0})
        b["total"] += r["count"]
        if r["status"] == "closed":
            b["closed"] += r["count"]
    keys: list[str] = []
    day = date_from
    while day <= date_to:
        key = day.strftime("%Y-%m") if monthly else day.isoformat()
        if not keys or keys[-1] != key:
            keys.append(key)
        day += dt.timedelta(days=1)
    return [{"period": k, **buckets.get(k, {"total": 0, "closed": 0})} for k in keys]


def kpi_table(
    *,
    user: Any,
    region_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The full KPI set: the summary plus median handling time, repeat-report rate and
    return rate per department, each scalar with its yoy and mom; `rows` is the table
    `[{"key", "label", "value", "yoy", "mom", "previous", "mom_previous"}]`."""
    s = summary(user=user, region_id=region_id, date_from=date_from, date_to=date_to, today=today)
    basis = basis_for(user, region_id)
    extra = _fact_figures(basis, date_from, date_to)
    prev = s["previous_period"]
    s.update(extra)
    earlier = _fact_figures(
        basis,
        dt.date.fromisoformat(prev["from"]) if prev["from"] else None,
        dt.date.fromisoformat(prev["to"]),
    )
    named = [name for name in extra if name in kpis.LABELS]
    min_base = compare_min_base()
    changes, withheld = kpis.comparable(
        extra, earlier, named, complete=s["yoy_complete"], min_base=min_base
    )
    s["yoy"].update(changes)
    s["yoy_withheld"].update(withheld)
    for name in named:
        prev[name] = earlier[name]
    if s["mom_period"]:
        mp = s["mom_period"]
        before = _fact_figures(
            basis, dt.date.fromisoformat(mp["from"]), dt.date.fromisoformat(mp["to"])
        )
        changes, withheld = kpis.comparable(
            extra, before, named, complete=s["mom_complete"], min_base=min_base
        )
        s["mom"].update(changes)
        s["mom_withheld"].update(withheld)
        for name in named:
            mp[name] = before[name]
    s.update(department_tables(basis, date_from, date_to))
    keys = [k for k in kpis.LABELS if k in s]
    s["rows"] = [
        {
            "key": k,
            "label": kpis.LABELS[k],
            "value": s[k],
            "yoy": s["yoy"].get(k),
            "mom": s["mom"].get(k),
            "previous": prev.get(k),
            "mom_previous": s["mom_period"].get(k) if s["mom_period"] else None,
            "rate": k in kpis.RATES,
            # The change's unit (pp: 百分点; %), whether it is good or bad news, why a
            # change is withheld, and a rate's numerator and denominator.
            "unit": kpis.change_unit(k),
            "yoy_verdict": kpis.verdict(k, s["yoy"].get(k)),
            "mom_verdict": kpis.verdict(k, s["mom"].get(k)),
            "yoy_withheld": s["yoy_withheld"].get(k, ""),
            "mom_withheld": s["mom_withheld"].get(k, ""),
            "parts": kpis.parts_of(k, s),
        }
        for k in keys
    ]
    return s


def dashboard_extras(
    *, user: Any, region_id: int | None, date_from: dt.date | None, date_to: dt.date | None
) -> dict[str, Any]:
    """What the dashboard's extras fragment shows, for the period alone (no comparisons):
    the median handling time, repeat reports and their rate, and the department tables
    (`by_department`, `returns_by_department`, as in kpi_table); `region` as resolved."""
    basis = basis_for(user, region_id)
    group = ("status", "outcome")
    figures = kpis.figures(grouped_rows(basis, date_from, date_to, group), dispute_tops=set())
    return {
        "region": basis.region.pk if basis.region else None,
        "repeats": figures["repeats"],
        "repeat_rate": figures["repeat_rate"],
        **_fact_figures(basis, date_from, date_to),
        **department_tables(basis, date_from, date_to),
    }


def handling_counts(
    basis: Basis,
    date_from: dt.date | None,
    date_to: dt.date | None,
    *,
    calendar: bool = False,
) -> dict[int, int]:
    """Closed events of the period by handling time in hundredths of a working day (of a
    calendar day with `calendar`). A region down to HISTOGRAM_DEPTHS inside the caller's
    scope reads the monthly histogram for whole months and the daily one for the days at
    either end; anything else counts the facts (grouped in the database either way: no
    event is read into Python)."""
    counts: dict[int, int] = {}
    daily, monthly, daily_model = (
        (rollups.DAILY_CAL_HISTOGRAM, CalendarHistogram, DailyCalendarHistogram)
        if calendar
        else (rollups.DAILY_HISTOGRAM, HandlingHistogram, DailyHandlingHistogram)
    )

    def add(rows: Any) -> None:
        for value, n in rows:
            counts[value] = counts.get(value, 0) + n

    if basis.empty:
        return counts
    region = basis.region
    if _monthly(basis) and region is not None:
        split = split_period(date_from, date_to)
        parts: list[QuerySet[Any]] = []
        if split.months is not None:
            parts.append(_between(monthly.objects.filter(region=region.pk), *split.months))
        if split.edges is not None:
            parts.append(daily_model.objects.filter(split.edges, region=region.pk))
        for part in parts:
            add(
                part.values("centidays")
                .annotate(c=Sum("n"))
                .values_list("centidays", "c")
                .order_by()
            )
    else:
        add(fact_sums(daily, _between(basis.facts(), date_from, date_to), ["centidays"]))
    return counts


def _fact_figures(
    basis: Basis, date_from: dt.date | None, date_to: dt.date | None
) -> dict[str, Any]:
    """Median handling time in working and in calendar days (from the handling-time
    histograms and the facts)."""
    return {
        "handle_days_median": kpis.median_of_counts(handling_counts(basis, date_from, date_to)),
        "handle_cal_days_median": kpis.median_of_counts(
            handling_counts(basis, date_from, date_to, calendar=True)
        ),
    }


def _monthly(basis: Basis) -> bool:
    """Whether the basis's region keeps monthly histogram and department rows."""
    region = basis.region
    return basis.rollup and region is not None and region.path.count("/") <= HISTOGRAM_DEPTHS


def department_counts(
    basis: Basis, date_from: dt.date | None, date_to: dt.date | None
) -> dict[int, dict[str, int]]:
    """Per department, DEPARTMENT_MEASURES over the events of the period: a region down
    to HISTOGRAM_DEPTHS from the monthly department rollup for whole months and the
    daily one for the days at either end; anything else from the facts (grouped in the
    database either way)."""
    out: dict[int, dict[str, int]] = {}

    def add(department: int, values: Any) -> None:
        acc = out.setdefault(department, dict.fromkeys(DEPARTMENT_MEASURES, 0))
        for name, v in zip(DEPARTMENT_MEASURES, values, strict=True):
            acc[name] += v or 0

    def from_facts(qs: QuerySet[EventFact]) -> None:
        for row in fact_sums(rollups.DAILY_DEPARTMENTS, qs, ["department"]):
            add(row[0], row[1:])

    if basis.empty:
        return out
    if _monthly(basis):
        assert basis.region is not None
        split = split_period(date_from, date_to)
        parts: list[QuerySet[Any]] = []
        if split.months is not None:
            parts.append(
                _between(DepartmentRollup.objects.filter(region=basis.region.pk), *split.months)
            )
        if split.edges is not None:
            parts.append(DailyDepartmentRollup.objects.filter(split.edges, region=basis.region.pk))
        for part in parts:
            rows = (
                part.values("department")
                .annotate(**{m: Sum(m) for m in DEPARTMENT_MEASURES})
                .order_by()
            )
            for r in rows:
                add(r["department"], [r[m] for m in DEPARTMENT_MEASURES])
    else:
        from_facts(_between(basis.facts(), date_from, date_to))
    return out


def department_tables(
    basis: Basis, date_from: dt.date | None, date_to: dt.date | None
) -> dict[str, list[dict[str, Any]]]:
    """`by_department`: events each department led, closed, closure and on-time rates,
    most events first; `returns_by_department`: assignments received (lead or assisting)
    for events of the period, how many returned and the return rate, most returns first."""
    counts = department_counts(basis, date_from, date_to)
    names = dict(Department.objects.filter(pk__in=counts).values_list("pk", "name"))
    led = [
        {
            "department": d,
            "name": names.get(d, ""),
            "count": c["n"],
            "accepted": c["accepted"],
            "closed": c["closed"],
            "closed_on_time": c["on_time"],
            "closed_timed": c["timed"],
            "closure_rate": kpis.rate(c["closed"], c["accepted"]),
            "on_time_rate": kpis.rate(c["on_time"], c["timed"]),
        }
        for d, c in sorted(counts.items(), key=lambda dc: (-dc[1]["n"], str(dc[0])))
        if c["n"]
    ]
    returns = [
        {
            "department": d,
            "name": names.get(d, ""),
            "assigned": c["assigned"],
            "returned": c["returned"],
            "return_rate": kpis.rate(c["returned"], c["assigned"]),
        }
        for d, c in sorted(
            counts.items(),
            key=lambda dc: (-dc[1]["returned"], -dc[1]["assigned"], names.get(dc[0], "")),
        )
        if c["assigned"]
    ]
    return {"by_department": led, "returns_by_department": returns}


def export_job(*, user: Any, job_id: int) -> Any:
    """An export job of `user`'s own; NotFound for anyone else's and missing alike."""
    from pingan.analytics.models import ExportJob
    from pingan.core.errors import NotFound

    job = ExportJob.objects.filter(pk=job_id, created_by_id=getattr(user, "pk", None)).first()
    if job is None:
        raise NotFound("导出任务不存在")
    return job


def briefing_list(*, user: Any) -> Any:
    """Archived briefings of the regions `user` sees (their subtrees)."""
    from pingan.analytics.models import Briefing

    tops = _top_paths(user)
    if not tops:
        return Briefing.objects.none()
    return Briefing.objects.filter(within_q("region__path", [t.path for t in tops])).select_related(
        "region", "created_by"
    )


def grid_figures(
    *, user: Any, region_id: int | None, date_from: dt.date | None, date_to: dt.date | None
) -> list[dict[str, Any]]:
    """Per grid under the region: `{"region", "name", "code", "geometry" (GeoJSON text,
    or None when not drawn), "count", "closed", "closure_rate"}` for the map (every grid,
    zeros included)."""
    from pingan.geo.choices import Level
    from pingan.geo.locator import polygons_json

    basis = basis_for(user, region_id)
    if basis.empty or basis.region is None:
        return []
    grids = list(
        Region.objects.filter(within_q("path", [basis.region.path]), level=Level.GRID).only(
            "pk", "name", "code", "depth"
        )
    )
    shapes = polygons_json([g.pk for g in grids])
    counts: dict[int, dict[str, int]] = {g.pk: {"n": 0, "closed": 0, "accepted": 0} for g in grids}
    if basis.rollup:
        key = "region"
        rows = [
            {key: r["region"], "status": r["status"], "c": r["n"]}
            for r in rollup_rows(list(counts), date_from, date_to, ("region", "status"))
        ]
    else:
        depth = grids[0].depth if grids else 0
        key = f"r{depth}"
        rows = [
            {key: r[key], "status": r["status"], "c": r["n"]}
            for r in fact_rows(basis, date_from, date_to, (key, "status"))
        ]
    for r in rows:
        c = counts.get(r[key])
        if c is None:
            continue
        c["n"] += r["c"]
        if r["status"] == "closed":
            c["closed"] += r["c"]
        if r["status"] in kpis.ACCEPTED_OR_BEYOND:
            c["accepted"] += r["c"]
    return [
        {
            "region": g.pk,
            "name": g.name,
            "code": g.code,
            "geometry": shapes.get(g.pk),
            "count": counts[g.pk]["n"],
            "closed": counts[g.pk]["closed"],
            "closure_rate": kpis.rate(counts[g.pk]["closed"], counts[g.pk]["accepted"]),
        }
        for g in grids
    ]

"""The rollup tables, each declared once: its key columns, its measures and what one event
fact contributes to each measure (`Rollup`), or, for a table summed from another's rows,
which of its keys it keeps and whether days become months (`Derived`). From these
declarations come

- the upkeep inside the transaction (`apply`: an event's old fact's contribution is
  taken out, its new fact's put in, with INSERT … ON CONFLICT DO UPDATE in key order);
- the rebuild (`rebuild`: INSERT … SELECT … GROUP BY from the facts, or from the source
  table's rows), on SQLite and PostgreSQL alike;
- the figures of questions answered from the facts rather than the rollups
  (`aggregate_sql`, used by the selectors).

A counting rule is therefore written once, as an expression (`analytics.expressions`)
that evaluates in Python for one fact and renders as SQL for millions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models

from pingan.analytics.choices import Outcome
from pingan.analytics.expressions import (
    ONE,
    All,
    Amount,
    Col,
    Count,
    Ctx,
    Eq,
    Expr,
    Hundredths,
    In,
    IsTrue,
    Ne,
    NotNull,
    Pred,
)
from pingan.analytics.facts import (
    CLOSED,
    DEPTHS,
    TokenDepartment,
    TokenReturned,
    day_where,
    tokens_join,
)
from pingan.analytics.kpis import ACCEPTED_OR_BEYOND, SATISFIED, TIMED
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
)

Key = tuple[Any, ...]
Deltas = dict[Key, list[Any]]


@dataclass(frozen=True, eq=False)
class Part:
    """What one fact contributes to a rollup: when `when` holds (always when None), for
    the fact itself or, with `each_token`, for each of its assignment tokens, the value of
    each measure named (the others get 0) in the row of its key (a key column not named
    in `keys` is the fact's column of that name)."""

    measures: Mapping[str, Expr]
    when: Pred | None = None
    keys: Mapping[str, Expr] = field(default_factory=dict)
    each_token: bool = False


@dataclass(frozen=True, eq=False)
class Rollup:
    """A table summed from the facts: one row per region (the fact's region and its
    ancestors, down to `levels` levels of the tree) and value of `keys`, holding the
    `measures` of the facts there, as `parts` say each fact contributes."""

    model: type[models.Model]
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    parts: tuple[Part, ...]
    levels: int

    @property
    def columns(self) -> tuple[str, ...]:
        return ("region", *self.keys)


@dataclass(frozen=True, eq=False)
class Derived:
    """A table summed from the rows of `source`: on the `keys` kept (region always), the
    days turned into their months' first days when `by_month`, the same measures."""

    model: type[models.Model]
    source: Rollup | Derived
    keys: tuple[str, ...]
    by_month: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return ("region", *self.keys)

    @property
    def measures(self) -> tuple[str, ...]:
        return self.source.measures


Table = Rollup | Derived

# ---- the declarations ---------------------------------------------------------------------

# Per day × region (every level) × top category × source × status × deadline outcome.
DAILY = Rollup(
    DailyRollup,
    keys=("day", "top_category", "source", "status", "outcome"),
    measures=(
        "n",
        "followed_up",
        "satisfied",
        "handled",
        "handle_days",
        "handle_cal_days",
        "repeats",
        "unresolved",
    ),
    parts=(
        Part(
            {
                "n": ONE,
                "followed_up": Count(Ne("satisfaction", "")),
                "satisfied": Count(In("satisfaction", SATISFIED)),
                "handled": Count(NotNull("handle_days")),
                "handle_days": Amount("handle_days"),
                "handle_cal_days": Amount("handle_cal_days"),
                "repeats": Count(IsTrue("repeat")),
                # Closed but not resolved (化解不成): 化解 = closed − these (kpis.figures).
                "unresolved": Count(IsTrue("unresolved")),
            }
        ),
    ),
    levels=DEPTHS,
)
MONTHLY = Derived(MonthlyRollup, DAILY, DAILY.keys, by_month=True)
MONTHLY_STATUS = Derived(MonthlyStatusRollup, MONTHLY, ("day", "status", "outcome"))

# Closed events by handling time in hundredths of a working day, for the top levels.
DAILY_HISTOGRAM = Rollup(
    DailyHandlingHistogram,
    keys=("day", "centidays"),
    measures=("n",),
    parts=(
        Part(
            {"n": ONE},
            when=NotNull("handle_days"),
            keys={"centidays": Hundredths("handle_days")},
        ),
    ),
    levels=HISTOGRAM_DEPTHS,
)
HISTOGRAM = Derived(HandlingHistogram, DAILY_HISTOGRAM, DAILY_HISTOGRAM.keys, by_month=True)

# The same in hundredths of a calendar day.
DAILY_CAL_HISTOGRAM = Rollup(
    DailyCalendarHistogram,
    keys=("day", "centidays"),
    measures=("n",),
    parts=(
        Part(
            {"n": ONE},
            when=NotNull("handle_cal_days"),
            keys={"centidays": Hundredths("handle_cal_days")},
        ),
    ),
    levels=HISTOGRAM_DEPTHS,
)
CAL_HISTOGRAM = Derived(
    CalendarHistogram, DAILY_CAL_HISTOGRAM, DAILY_CAL_HISTOGRAM.keys, by_month=True
)

# Per department: the events it leads, and the assignments (lead or assisting) it got.
DAILY_DEPARTMENTS = Rollup(
    DailyDepartmentRollup,
    keys=("day", "department"),
    measures=("n", "accepted", "closed", "timed", "on_time", "assigned", "returned"),
    parts=(
        Part(
            {
                "n": ONE,
                "accepted": Count(In("status", ACCEPTED_OR_BEYOND)),
                "closed": Count(CLOSED),
                "timed": Count(All(CLOSED, In("outcome", TIMED))),
                "on_time": Count(All(CLOSED, Eq("outcome", Outcome.ON_TIME))),
            },
            when=Ne("department", 0),
        ),
        Part(
            {"assigned": ONE, "returned": Count(TokenReturned())},
            keys={"department": TokenDepartment()},
            each_token=True,
        ),
    ),
    levels=HISTOGRAM_DEPTHS,
)
DEPARTMENTS = Derived(DepartmentRollup, DAILY_DEPARTMENTS, DAILY_DEPARTMENTS.keys, by_month=True)

# Every table, each after its source (the order of upkeep and rebuild).
TABLES: tuple[Table, ...] = (
    DAILY,
    MONTHLY,
    MONTHLY_STATUS,
    DAILY_HISTOGRAM,
    HISTOGRAM,
    DAILY_CAL_HISTOGRAM,
    CAL_HISTOGRAM,
    DAILY_DEPARTMENTS,
    DEPARTMENTS,
)


def _check(table: Table) -> None:
    """A declaration names its model's unique key and measure columns exactly."""
    unique = [c for c in table.model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    assert [tuple(c.fields) for c in unique] == [table.columns], table.model
    names = {f.name for f in table.model._meta.concrete_fields} - {"id"}
    assert names == {*table.columns, *table.measures}, table.model
    if isinstance(table, Rollup):
        for part in table.parts:
            assert set(part.measures) <= set(table.measures), table.model
            assert set(part.keys) <= set(table.keys), table.model
    else:
        assert set(table.keys) <= set(table.source.keys) and table.keys[0] == "day"


for _table in TABLES:
    _check(_table)


# ---- contributions (Python) ---------------------------------------------------------------


def contributions(
    table: Rollup, fact: Mapping[str, Any], sign: int = 1
) -> Iterator[tuple[Key, list[Any]]]:
    """(key, measures) of one fact in `table`, one per part, row and region level,
    multiplied by `sign`."""
    for part in table.parts:
        rows = (
            [{**fact, "token": t} for t in fact.get("assignments") or []]
            if part.each_token
            else [fact]
        )
        for row in rows:
            if part.when is not None and not part.when.py(row):
                continue
            key = tuple(part.keys[k].py(row) if k in part.keys else row[k] for k in table.keys)
            values = [
                sign * part.measures[m].py(row) if m in part.measures else 0 for m in table.measures
            ]
            for i in range(table.levels):
                region = fact[f"r{i}"]
                if region is not None:
                    yield (region, *key), list(values)


def _add(into: Deltas, key: Key, values: Sequence[Any]) -> None:
    acc = into.get(key)
    if acc is None:
        into[key] = list(values)
        return
    for i, v in enumerate(values):
        acc[i] += v


def derive(table: Derived, source: Deltas) -> Deltas:
    """The source table's rows (or deltas) summed into `table`'s keys."""
    positions = [table.source.columns.index(c) for c in table.columns]
    day = table.columns.index("day")
    out: Deltas = {}
    for key, values in source.items():
        k = [key[i] for i in positions]
        if table.by_month:
            k[day] = k[day].replace(day=1)
        _add(out, tuple(k), values)
    return out


def deltas(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[Table, Deltas]:
    """What moving one event's fact from `old` to `new` (None: no fact) changes in every
    table."""
    out: dict[Table, Deltas] = {}
    for table in TABLES:
        if isinstance(table, Derived):
            out[table] = derive(table, out[table.source])
            continue
        acc: Deltas = {}
        for fact, sign in ((old, -1), (new, 1)):
            if fact is not None:
                for key, values in contributions(table, fact, sign):
                    _add(acc, key, values)
        out[table] = acc
    return out


def _upsert_sql(table: Table) -> str:
    # Table and column names come from the declarations; every value is a parameter.
    t, cols = table.model._meta.db_table, (*table.columns, *table.measures)
    sets = ", ".join(f"{m} = {t}.{m} + excluded.{m}" for m in table.measures)
    return (
        f"INSERT INTO {t} ({', '.join(cols)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({', '.join(table.columns)}) DO UPDATE SET {sets}"
    )


def apply(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
    """Move one event's contribution from its old fact's rows to its new fact's, in every
    table. Rows are written in key order so two concurrent transactions never wait on
    each other in a cycle; rows left with nothing stay (n = 0) until a rebuild."""
    with connection.cursor() as cur:
        for table, changes in deltas(old, new).items():
            rows = [
                (*key, *values)
                for key, values in sorted(changes.items(), key=lambda kv: str(kv[0]))
                if any(abs(v) > 1e-9 for v in values)
            ]
            if rows:
                cur.executemany(_upsert_sql(table), rows)


# ---- the same counts in SQL -----------------------------------------------------------------


def aggregate_sql(
    table: Rollup, dims: Sequence[str], *, facts: str = "", where: str = "1 = 1"
) -> str:
    """SQL: the `dims` and the summed measures of `table` over the facts `f` matching
    `where` (facts: a subquery to read instead of the whole facts table), grouped by the
    dims. A dim is a key of the table (as the declaration derives it) or a column of the
    facts. The facts (and the parameters of `facts` and `where`) are read once per part
    of the declaration."""
    source = f"({facts})" if facts else EventFact._meta.db_table
    selects = []
    for part in table.parts:
        join, token = tokens_join("f") if part.each_token else ("", "")
        ctx = Ctx(alias="f", token=token)
        cols = [(part.keys[d] if d in part.keys else Col(d)).sql(ctx) for d in dims]
        values = [part.measures[m].sql(ctx) if m in part.measures else "0" for m in table.measures]
        cond = where if part.when is None else f"{part.when.sql(ctx)} AND {where}"
        selects.append((cols, values, f"FROM {source} f {join} WHERE {cond}"))
    groups = ", ".join(str(i + 1) for i in range(len(dims)))
    if len(selects) == 1:
        cols, values, rest = selects[0]
        sums = ", ".join(f"SUM({v})" for v in values)
        return f"SELECT {', '.join(cols)}, {sums} {rest} GROUP BY {groups}"
    names = [f"g{i}" for i in range(len(dims))] + [f"m{i}" for i in range(len(table.measures))]
    union = " UNION ALL ".join(
        "SELECT "
        + ", ".join(f"{e} AS {n}" for e, n in zip([*cols, *values], names, strict=True))
        + f" {rest}"
        for cols, values, rest in selects
    )
    outer = [f"g{i}" for i in range(len(dims))]
    sums = ", ".join(f"SUM(m{i})" for i in range(len(table.measures)))
    return f"SELECT {', '.join(outer)}, {sums} FROM ({union}) x GROUP BY {groups}"  # noqa: S608


def _month_expr(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _delete_days(table: Table, date_from: dt.date | None, date_to: dt.date | None) -> None:
    qs = table.model._default_manager.all()
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    qs.delete()


def rebuild(
    tables: Sequence[Table] = TABLES,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[Table, int]:
    """Recount the rows of `tables` (each after its source) for the days from date_from to
    date_to (either open): a table from the facts for those days (a locked day's facts
    are frozen as published, so its rows come out as published too); a monthly table for
    every month those days touch, whole, from its source's rows. Returns the rows written
    per table."""
    ranges: dict[Table, tuple[dt.date | None, dt.date | None]] = {}
    written: dict[Table, int] = {}
    with connection.cursor() as cur:
        for table in tables:
            t = table.model._meta.db_table
            cols = ", ".join((*table.columns, *table.measures))
            if isinstance(table, Rollup):
                lo, hi = ranges[table] = (date_from, date_to)
                _delete_days(table, lo, hi)
                days, params = day_where("f.day", lo, hi)
                count = 0
                for i in range(table.levels):
                    cur.execute(
                        f"INSERT INTO {t} ({cols}) "
                        + aggregate_sql(
                            table, [f"r{i}", *table.keys], where=f"f.r{i} IS NOT NULL AND {days}"
                        ),
                        params * len(table.parts),
                    )
                    count += max(cur.rowcount, 0)
                written[table] = count
                continue
            lo, hi = ranges.get(table.source, (date_from, date_to))
            if table.by_month:
                lo, hi = (lo.replace(day=1) if lo else None), (hi.replace(day=1) if hi else None)
            ranges[table] = (lo, hi)
            _delete_days(table, lo, hi)
            # A month's rows are summed from all its days, before and after the range too.
            where, params = day_where("d.day", lo, _month_end(hi) if hi and table.by_month else hi)
            keys = [
                _month_expr("d.day") if k == "day" and table.by_month else f"d.{k}"
                for k in table.columns
            ]
            sums = ", ".join(f"SUM(d.{m})" for m in table.measures)
            cur.execute(
                f"INSERT INTO {t} ({cols}) SELECT {', '.join(keys)}, {sums} "  # noqa: S608
                f"FROM {table.source.model._meta.db_table} d WHERE {where} "
                f"GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}",
                params,
            )
            written[table] = max(cur.rowcount, 0)
    return written

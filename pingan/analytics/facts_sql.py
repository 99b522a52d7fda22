"""The facts of millions of events in one INSERT … SELECT (PostgreSQL; `rollup rebuild
--sql`): the same facts `facts.fact_values` derives one by one, the deadline outcome,
assignment tokens and unresolved flag from the same rules, the handling time in working
days from a temporary calendar table of working days (in calendar days from the elapsed
time) (a test checks the two derivations agree to the
hundredth of a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from pingan.analytics.expressions import Ctx, literal
from pingan.analytics.facts import (
    OUTCOME,
    UNRESOLVED,
    seconds_per_day,
    start_of,
    tokens_sql,
    unlocked_sql,
)
from pingan.analytics.models import EventFact
from pingan.core import workcal
from pingan.events.choices import AssignmentStatus, Status
from pingan.events.models import Assignment, Category, Event
from pingan.geo.models import Region

_CALENDAR_T = "pingan_rebuild_workcal"

FACTS_FROM_EVENTS_SQL = """
INSERT INTO {fact_t} (event_id, day, region_path, r0, r1, r2, r3, r4, category, top_category,
    source, status, outcome, satisfaction, department, handle_days, handle_cal_days, repeat,
    assignments, unresolved)
SELECT e.id, (e.reported_at AT TIME ZONE %(tz)s)::date, e.region_path,
    m0.id, m1.id, m2.id, m3.id, m4.id, e.category_id, COALESCE(c.parent_id, c.id), e.source,
    e.status, {outcome}, COALESCE(e.satisfaction, ''), COALESCE(e.lead_department_id, 0),
    CASE WHEN e.status = {closed} AND e.closed_at IS NOT NULL THEN
        round(GREATEST(0, {w_closed} - {w_reported}) / %(per_day)s, 2)::float8
    END,
    CASE WHEN e.status = {closed} AND e.closed_at IS NOT NULL THEN
        round(GREATEST(0, extract(epoch FROM e.closed_at - e.reported_at)) / 86400, 2)::float8
    END,
    false,
    COALESCE(ag.tokens, '[]'::jsonb),
    {unresolved}
FROM {event_t} e
JOIN {category_t} c ON c.id = e.category_id
LEFT JOIN (
    SELECT a.event_id, jsonb_agg({token} ORDER BY a.department_id, {returned}) AS tokens
    FROM {assignment_t} a GROUP BY a.event_id
) ag ON ag.event_id = e.id
LEFT JOIN {region_t} m0 ON m0.code = NULLIF(split_part(e.region_path, '/', 1), '')
LEFT JOIN {region_t} m1 ON m1.code = NULLIF(split_part(e.region_path, '/', 2), '')
LEFT JOIN {region_t} m2 ON m2.code = NULLIF(split_part(e.region_path, '/', 3), '')
LEFT JOIN {region_t} m3 ON m3.code = NULLIF(split_part(e.region_path, '/', 4), '')
LEFT JOIN {region_t} m4 ON m4.code = NULLIF(split_part(e.region_path, '/', 5), '')
LEFT JOIN {cal_t} cr ON cr.day = (e.reported_at AT TIME ZONE %(tz)s)::date
LEFT JOIN {cal_t} cc ON cc.day = (e.closed_at AT TIME ZONE %(tz)s)::date
WHERE {where}
"""


def _working_before(moment: str, cal: str, periods: list[tuple[int, int]]) -> str:
    """SQL: working seconds from the calendar's first day to `moment` (the whole days
    before its local day, plus the working time of that day up to it)."""
    local = f"({moment} AT TIME ZONE %(tz)s)"
    tod = f"extract(epoch FROM {local} - {local}::date)"
    partial = " + ".join(f"GREATEST(0, LEAST({tod}, {b}) - {a})" for a, b in periods) or "0"
    return f"({cal}.before + CASE WHEN {cal}.work THEN {partial} ELSE 0 END)"


def _fill_calendar(cur: Any, first: dt.date, last: dt.date) -> None:
    """A temporary table of the days first … last: working day or not (core.workcal) and
    the working seconds of all the days before."""
    per_day = seconds_per_day()
    cur.execute(
        f"CREATE TEMPORARY TABLE {_CALENDAR_T} (day date PRIMARY KEY, work boolean, "
        "before bigint) ON COMMIT DROP"
    )
    rows, before, day = [], 0, first
    while day <= last:
        work = workcal.is_workday(day)
        rows.append((day, work, before))
        before += per_day if work else 0
        day += dt.timedelta(days=1)
    cur.executemany(f"INSERT INTO {_CALENDAR_T} VALUES (%s, %s, %s)", rows)  # noqa: S608


def facts_from_events_sql(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> int:
    """INSERT … SELECT the facts of the events reported on the unlocked days of the range,
    as fact_values computes them one by one (repeat flags not yet set); the caller has
    deleted the old facts. PostgreSQL only."""
    tz = timezone.get_current_timezone_name()
    where = [unlocked_sql("(e.reported_at AT TIME ZONE %(tz)s)::date")]
    params: dict[str, Any] = {"tz": tz, "per_day": seconds_per_day() or 1}
    if date_from:
        where.append("e.reported_at >= %(start)s")
        params["start"] = start_of(date_from)
    if date_to:
        where.append("e.reported_at < %(end)s")
        params["end"] = start_of(date_to + dt.timedelta(days=1))
    seconds = [
        (a.hour * 3600 + a.minute * 60 + a.second, b.hour * 3600 + b.minute * 60 + b.second)
        for a, b in workcal.working_periods()
    ]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT min((reported_at AT TIME ZONE %(tz)s)::date), "  # noqa: S608
            f"min((closed_at AT TIME ZONE %(tz)s)::date), "
            f"max((closed_at AT TIME ZONE %(tz)s)::date) FROM {Event._meta.db_table} e "
            f"WHERE {' AND '.join(where)}",
            params,
        )
        first, first_closed, last = cur.fetchone()
        if first is None:
            return 0
        first = min(first, first_closed or first)
        _fill_calendar(cur, first, max(first, last or first))
        returned = f"a.status = {literal(AssignmentStatus.RETURNED)}"
        sql = FACTS_FROM_EVENTS_SQL.format(
            fact_t=EventFact._meta.db_table,
            event_t=Event._meta.db_table,
            assignment_t=Assignment._meta.db_table,
            category_t=Category._meta.db_table,
            region_t=Region._meta.db_table,
            cal_t=_CALENDAR_T,
            outcome=OUTCOME.sql(Ctx(alias="e")),
            unresolved=UNRESOLVED.sql(Ctx(alias="e")),
            closed=literal(Status.CLOSED),
            token=tokens_sql("a", returned),
            returned=returned,
            w_closed=_working_before("e.closed_at", "cc", seconds),
            w_reported=_working_before("e.reported_at", "cr", seconds),
            where=" AND ".join(where),
        )
        cur.execute(sql, params)
        count = max(cur.rowcount, 0)
        cur.execute(f"DROP TABLE {_CALENDAR_T}")
        return count

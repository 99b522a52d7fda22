"""The KPI formulas, in one place. Each takes grouped rows (from the rollups or from the
facts: the same dimensions, with `n` events, `handled` of them with a handling time and
the sum `handle_days` of those times) and returns plain numbers. docs/kpis.md states every
formula and its calibre (口径); keep the two in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_noop

from pingan.analytics.choices import Outcome
from pingan.core import params
from pingan.events.choices import Satisfaction, Source, Status

# "Accepted or beyond": the centre took the event in (resolved on site counts: it is
# closed). Reported (undecided), rejected and merged events are left out.
ACCEPTED_OR_BEYOND = frozenset(
    {Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}
)
OPEN = frozenset(
    {Status.REPORTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED}
)
SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})

# Scalar figures: each gets a year-on-year (同比) and a period-on-period (环比) change.
SCALARS = (
    "total",
    "accepted",
    "closed",
    "closure_rate",
    "closed_on_time",
    "on_time_rate",
    "followed_up",
    "satisfied",
    "satisfaction_rate",
    "overdue",
    "handle_days_avg",
    "dispute_total",
    "dispute_closed",
    "dispute_resolution_rate",
    "repeats",
    "repeat_rate",
)
# Labels for tables, exports and briefings (Chinese; pages show gettext(label)).
LABELS = {
    "total": gettext_noop("受理登记总量"),
    "accepted": gettext_noop("受理量"),
    "closed": gettext_noop("办结量"),
    "closure_rate": gettext_noop("办结率"),
    "closed_on_time": gettext_noop("按期办结量"),
    "on_time_rate": gettext_noop("按期办结率"),
    "followed_up": gettext_noop("回访量"),
    "satisfied": gettext_noop("满意量"),
    "satisfaction_rate": gettext_noop("满意率"),
    "overdue": gettext_noop("在办超期量"),
    "handle_days_avg": gettext_noop("平均处置用时(工作日)"),
    "handle_days_median": gettext_noop("处置用时中位数(工作日)"),
    "dispute_total": gettext_noop("矛盾纠纷量"),
    "dispute_closed": gettext_noop("矛盾纠纷化解量"),
    "dispute_resolution_rate": gettext_noop("矛盾纠纷化解率"),
    "repeat_rate": gettext_noop("重复报事率"),
    "repeats": gettext_noop("重复报事量"),
}
RATES = frozenset(
    {
        "closure_rate",
        "on_time_rate",
        "satisfaction_rate",
        "dispute_resolution_rate",
        "repeat_rate",
    }
)


def rate(numerator: float, denominator: float) -> float | None:
    """A fraction 0…1 rounded to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def change(now: float | None, before: float | None) -> float | None:
    """Percent change from `before` to `now` (1 place); None when `before` is 0 or None."""
    if now is None or not before:
        return None
    return round((now - before) / before * 100, 1)


def figures(rows: Iterable[dict[str, Any]], *, dispute_tops: set[int]) -> dict[str, Any]:
    """The scalar KPIs of one period from grouped rows (measures n, followed_up,
    satisfied, handled, handle_days; dimensions status, outcome, and top_category when
    `dispute_tops` is not empty)."""
    f: dict[str, Any] = dict.fromkeys(
        (
            "total",
            "accepted",
            "closed",
            "closed_on_time",
            "followed_up",
            "satisfied",
            "overdue",
            "handled",
            "dispute_total",
            "dispute_accepted",
            "dispute_closed",
            "repeats",
        ),
        0,
    )
    days = 0.0
    for r in rows:
        n, status = r["n"], r["status"]
        f["total"] += n
        is_dispute = bool(dispute_tops) and r["top_category"] in dispute_tops
        if is_dispute:
            f["dispute_total"] += n
        if status in ACCEPTED_OR_BEYOND:
            f["accepted"] += n
            if is_dispute:
                f["dispute_accepted"] += n
        if status == Status.CLOSED:
            f["closed"] += n
            if is_dispute:
                f["dispute_closed"] += n
            if r["outcome"] == Outcome.ON_TIME:
                f["closed_on_time"] += n
        if status in OPEN and r["outcome"] == Outcome.OVERDUE:
            f["overdue"] += n
        f["followed_up"] += r["followed_up"]
        f["satisfied"] += r["satisfied"]
        f["handled"] += r["handled"]
        f["repeats"] += r.get("repeats") or 0
        days += r["handle_days"] or 0.0
    f["closure_rate"] = rate(f["closed"], f["accepted"])
    f["on_time_rate"] = rate(f["closed_on_time"], f["closed"])
    f["satisfaction_rate"] = rate(f["satisfied"], f["followed_up"])
    f["dispute_resolution_rate"] = rate(f["dispute_closed"], f["dispute_accepted"])
    f["handle_days_avg"] = round(days / f["handled"], 2) if f["handled"] else None
    f["repeat_rate"] = rate(f["repeats"], f["total"])
    return f


def breakdown(
    rows: Iterable[dict[str, Any]], dim: str, names: dict[Any, str]
) -> list[dict[str, Any]]:
    """Per value of `dim` (top_category, source, status, department): count, closed,
    closure and on-time rates; largest first."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r[dim], []).append(r)
    out = []
    for value, members in groups.items():
        f = figures(members, dispute_tops=set())
        out.append(
            {
                "value": value,
                "name": names.get(value, ""),
                "count": f["total"],
                "closed": f["closed"],
                "closure_rate": f["closure_rate"],
                "on_time_rate": f["on_time_rate"],
                "overdue": f["overdue"],
                "satisfaction_rate": f["satisfaction_rate"],
            }
        )
    out.sort(key=lambda d: (-d["count"], str(d["value"])))
    return out


def source_names() -> dict[str, str]:
    return {s.value: str(s.label) for s in Source}


def status_names() -> dict[str, str]:
    return {s.value: str(s.label) for s in Status}


def median_of_counts(counts: dict[int, int]) -> float | None:
    """Median handling time from a histogram {hundredths of a working day: events}: the
    middle value, or the mean of the two middle ones for an even count rounded half up to
    two decimals (exact integer arithmetic, so every path gives the same figure)."""
    total = sum(n for n in counts.values() if n > 0)
    if not total:
        return None
    # 0-based ranks of the middle value(s).
    lo, hi = (total - 1) // 2, total // 2
    seen = 0
    low_value = high_value = None
    for value in sorted(counts):
        n = counts[value]
        if n <= 0:
            continue
        if low_value is None and lo < seen + n:
            low_value = value
        if hi < seen + n:
            high_value = value
            break
        seen += n
    assert low_value is not None and high_value is not None
    # Times are never negative: (a + b) / 2 rounded half up is (a + b + 1) // 2.
    return (low_value + high_value + 1) // 2 / 100


# The dates a period of figures may name: wide enough for any imported history and for
# planning ahead, narrow enough that the comparison periods (a year before, the period
# before) are still dates. The same days every date typed in is held to (core.params).
PERIOD_FIRST_DAY = params.FIRST_DAY
PERIOD_LAST_DAY = params.LAST_DAY


def check_period(
    date_from: dt.date | None,
    date_to: dt.date | None,
    *,
    from_field: str = "from",
    to_field: str = "to",
) -> None:
    """Raise Invalid (422, naming the field) for a period that ends before it starts or
    names a day outside PERIOD_FIRST_DAY..PERIOD_LAST_DAY."""
    from django.utils.translation import gettext

    from pingan.core.errors import invalid

    for value, field in ((date_from, from_field), (date_to, to_field)):
        if value is not None and not PERIOD_FIRST_DAY <= value <= PERIOD_LAST_DAY:
            raise invalid(
                field,
                gettext("日期应在 {first} 至 {last} 之间").format(
                    first=PERIOD_FIRST_DAY.isoformat(), last=PERIOD_LAST_DAY.isoformat()
                ),
            )
    if date_from is not None and date_to is not None and date_from > date_to:
        raise invalid(to_field, gettext("结束日期不能早于开始日期"))


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def previous_period(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The period just before (环比): whole calendar months move back by as many months;
    any other span moves back by its own length in days."""
    if date_from.day == 1 and date_to == _month_end(date_to.year, date_to.month):
        months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
        index = date_from.year * 12 + date_from.month - 1 - months
        start = dt.date(index // 12, index % 12 + 1, 1)
        end_index = index + months - 1
        return start, _month_end(end_index // 12, end_index % 12 + 1)
    span = (date_to - date_from).days + 1
    return date_from - dt.timedelta(days=span), date_to - dt.timedelta(days=span)

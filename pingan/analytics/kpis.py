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
# Closed against a deadline (on time or late); the rest were closed untimed.
TIMED = frozenset({Outcome.ON_TIME, Outcome.LATE})

# Scalar figures: each gets a year-on-year (同比) and a period-on-period (环比) change.
SCALARS = (
    "total",
    "accepted",
    "closed",
    "closure_rate",
    "closed_on_time",
    "closed_timed",
    "on_time_rate",
    "followed_up",
    "satisfied",
    "satisfaction_rate",
    "overdue",
    "handle_days_avg",
    "handle_cal_days_avg",
    "dispute_total",
    "dispute_accepted",
    "dispute_closed",
    "dispute_resolved",
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
    "closed_timed": gettext_noop("计时办结量"),
    "on_time_rate": gettext_noop("按期办结率"),
    "followed_up": gettext_noop("回访量"),
    "satisfied": gettext_noop("满意量"),
    "satisfaction_rate": gettext_noop("回访满意率"),
    "overdue": gettext_noop("在办超期量"),
    "handle_days_avg": gettext_noop("平均处置用时(工作日)"),
    "handle_days_median": gettext_noop("处置用时中位数(工作日)"),
    "handle_cal_days_avg": gettext_noop("平均处置用时(自然日)"),
    "handle_cal_days_median": gettext_noop("处置用时中位数(自然日)"),
    "dispute_total": gettext_noop("矛盾纠纷量"),
    "dispute_accepted": gettext_noop("矛盾纠纷受理量"),
    "dispute_closed": gettext_noop("矛盾纠纷办结量"),
    "dispute_resolved": gettext_noop("矛盾纠纷化解量"),
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
        "return_rate",
        # Mediation (pingan.analytics.mediation_figures).
        "success_rate",
        "mediation_rate",
        "performance_rate",
        "confirmation_rate",
    }
)


# Each rate's numerator and denominator (the figures it divides), as shown beside it.
RATE_PARTS = {
    "closure_rate": ("closed", "accepted"),
    "on_time_rate": ("closed_on_time", "closed_timed"),
    "satisfaction_rate": ("satisfied", "followed_up"),
    "dispute_resolution_rate": ("dispute_resolved", "dispute_accepted"),
    "repeat_rate": ("repeats", "total"),
    "return_rate": ("returned", "assigned"),
    # Mediation: 调解成功率, 调处率, 协议履行率, 司法确认率 (docs/mediation.md, "Figures").
    "success_rate": ("succeeded", "mediated"),
    "mediation_rate": ("mediated", "accepted"),
    "performance_rate": ("performed", "performance_checked"),
    "confirmation_rate": ("confirmed", "succeeded"),
}
PART_LABELS = {
    "accepted": gettext_noop("受理"),
    "closed": gettext_noop("办结"),
    "closed_on_time": gettext_noop("按期办结"),
    "closed_timed": gettext_noop("计时办结"),
    "satisfied": gettext_noop("满意"),
    "followed_up": gettext_noop("回访"),
    "dispute_resolved": gettext_noop("化解"),
    "dispute_accepted": gettext_noop("受理矛盾纠纷"),
    "repeats": gettext_noop("重复报事"),
    "total": gettext_noop("受理登记"),
    "returned": gettext_noop("退单"),
    "assigned": gettext_noop("派遣"),
    "succeeded": gettext_noop("调解成功"),
    "mediated": gettext_noop("调解终结"),
    "performed": gettext_noop("已履行"),
    "performance_checked": gettext_noop("履行回访"),
    "confirmed": gettext_noop("司法确认"),
}
# Which way is good: "up" (a rise is good news), "down" (a fall is), absent: neither
# (more reports may mean more problems or more trust in the channel).
GOOD_WHEN = {
    "closed": "up",
    "closure_rate": "up",
    "closed_on_time": "up",
    "on_time_rate": "up",
    "followed_up": "up",
    "satisfied": "up",
    "satisfaction_rate": "up",
    "dispute_resolved": "up",
    "dispute_resolution_rate": "up",
    "overdue": "down",
    "handle_days_avg": "down",
    "handle_days_median": "down",
    "handle_cal_days_avg": "down",
    "handle_cal_days_median": "down",
    "repeats": "down",
    "repeat_rate": "down",
    "return_rate": "down",
    "success_rate": "up",
    "mediation_rate": "up",
    "performance_rate": "up",
    "confirmation_rate": "up",
}


def rate(numerator: float, denominator: float) -> float | None:
    """A fraction 0…1 rounded to 4 places; None when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def change(name: str, now: float | None, before: float | None) -> float | None:
    """The change of figure `name` from `before` to `now`, two decimals: for a rate the
    difference in percentage points (百分点: 94.70% → 97.20% is +2.50), for a count or a
    time the percent change (None when `before` is 0 or None)."""
    if now is None or before is None:
        return None
    if name in RATES:
        return round((now - before) * 100, 2)
    if not before:
        return None
    return round((now - before) / before * 100, 2)


def change_unit(name: str) -> str:
    """ "pp" (百分点) for a rate's change, "%" for the others."""
    return "pp" if name in RATES else "%"


def verdict(name: str, delta: float | None) -> str:
    """ "good", "bad" or "" (no change, no comparison, or a figure with no good way)."""
    way = GOOD_WHEN.get(name)
    if not way or not delta:
        return ""
    return "good" if (delta > 0) == (way == "up") else "bad"


def base_of(name: str, figures: dict[str, Any]) -> float | None:
    """What a comparison of `name` rests on: a rate's denominator, a count itself, the
    number of closed events with a handling time for a handling time."""
    if name in RATE_PARTS:
        return figures.get(RATE_PARTS[name][1])
    if name.startswith(("handle_days", "handle_cal_days")):
        return figures.get("handled", figures.get("closed"))
    return figures.get(name)


def comparable(
    now: dict[str, Any],
    before: dict[str, Any],
    names: Iterable[str],
    *,
    complete: bool,
    min_base: int,
) -> tuple[dict[str, float | None], dict[str, str]]:
    """Changes of `names` from `before` to `now`, and the reason each withheld one is
    withheld: the earlier period lies (partly) before the first day with data
    (`complete` false), or what the figure rests on there is under `min_base`."""
    from django.utils.translation import gettext

    names = tuple(names)
    out: dict[str, float | None] = {}
    withheld: dict[str, str] = {}
    if not complete:
        # Every change withheld for one reason (a summary asks ~25 times per request).
        reason = gettext("基期数据不完整")
        return {name: None for name in names}, {name: reason for name in names}
    too_few = ""
    for name in names:
        base = base_of(name, before)
        if base is not None and base < min_base:
            out[name] = None
            too_few = too_few or gettext("基期样本不足{n}件").format(n=min_base)
            withheld[name] = too_few
            continue
        out[name] = change(name, now.get(name), before.get(name))
    return out, withheld


def format_rate(value: float | None) -> str:
    """A rate 0…1 as written everywhere: 「95.20%」; 「—」 when it has no denominator."""
    return "—" if value is None else f"{value * 100:.2f}%"


def format_value(name: str, value: float | None) -> str:
    """A figure as pages, briefings and exports write it: rates 「95.20%」, times 「3.25」,
    counts as they are; 「—」 for none."""
    if value is None:
        return "—"
    if name in RATES:
        return format_rate(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def format_change(name: str, delta: float | None) -> str:
    """A change as written: 「+2.50个百分点」 for a rate, 「-12.34%」 for the others."""
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else ""
    if name in RATES:
        from django.utils.translation import gettext

        return gettext("{sign}{value}个百分点").format(sign=sign, value=f"{delta:.2f}")
    return f"{sign}{delta:.2f}%"


def comparison(figures: dict[str, Any], name: str, which: str = "yoy") -> dict[str, str]:
    """One 同比 (`which` = "yoy") or 环比 ("mom") of figure `name` from figures holding
    `yoy`/`yoy_withheld` (a summary, or one of its category, source or status rows) as a
    page shows it: the text (「+2.50个百分点」, 「-12.34%」, 「—」), good or bad news ("good",
    "bad", ""), and why it is withheld."""
    delta = (figures.get(which) or {}).get(name)
    return {
        "text": format_change(name, delta),
        "verdict": verdict(name, delta),
        "withheld": (figures.get(f"{which}_withheld") or {}).get(name, ""),
    }


def parts_of(name: str, figures: dict[str, Any]) -> tuple[Any, Any] | None:
    """(numerator, denominator) of a rate from the figures holding it, else None."""
    if name not in RATE_PARTS:
        return None
    a, b = RATE_PARTS[name]
    return figures.get(a), figures.get(b)


def parts_text(name: str, figures: dict[str, Any]) -> str:
    """「办结 958 / 受理 1006」 for a rate; "" for any other figure."""
    parts = parts_of(name, figures)
    if parts is None:
        return ""
    from django.utils.translation import gettext

    a, b = RATE_PARTS[name]
    return f"{gettext(PART_LABELS[a])} {parts[0]} / {gettext(PART_LABELS[b])} {parts[1]}"


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
            "closed_timed",
            "followed_up",
            "satisfied",
            "overdue",
            "handled",
            "dispute_total",
            "dispute_accepted",
            "dispute_closed",
            "dispute_resolved",
            "repeats",
        ),
        0,
    )
    days = cal_days = 0.0
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
                # 化解: closed with the dispute resolved, not closed after mediation
                # failed (the `unresolved` measure counts those).
                f["dispute_resolved"] += n - (r.get("unresolved") or 0)
            if r["outcome"] == Outcome.ON_TIME:
                f["closed_on_time"] += n
            # Closed without a deadline (imported history, never dispatched): neither
            # on time nor late, outside the on-time rate's denominator.
            if r["outcome"] in TIMED:
                f["closed_timed"] += n
        if status in OPEN and r["outcome"] == Outcome.OVERDUE:
            f["overdue"] += n
        f["followed_up"] += r["followed_up"]
        f["satisfied"] += r["satisfied"]
        f["handled"] += r["handled"]
        f["repeats"] += r.get("repeats") or 0
        days += r["handle_days"] or 0.0
        cal_days += r.get("handle_cal_days") or 0.0
    f["closure_rate"] = rate(f["closed"], f["accepted"])
    f["on_time_rate"] = rate(f["closed_on_time"], f["closed_timed"])
    f["satisfaction_rate"] = rate(f["satisfied"], f["followed_up"])
    f["dispute_resolution_rate"] = rate(f["dispute_resolved"], f["dispute_accepted"])
    f["handle_days_avg"] = round(days / f["handled"], 2) if f["handled"] else None
    f["handle_cal_days_avg"] = round(cal_days / f["handled"], 2) if f["handled"] else None
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

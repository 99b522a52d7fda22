"""Mediation's figures with their rates, 同比 and 环比: the counts come from
`pingan.mediation.stats` (one aggregate query per period over the cases), the formulas
and comparisons from `kpis` (rates 0…1 to 4 places, a rate's change in percentage points,
withheld comparisons: ADR 0007). docs/mediation.md, "Figures", states the calibre.

Mediation sits below analytics in the layers, so the comparison lives here, and the API
and the pages call this module.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from pingan.analytics import kpis
from pingan.core.spreadsheet import safe_row
from pingan.geo.models import Region
from pingan.mediation import stats

# The scalar figures, in the order pages and exports show them; each gets 同比 and 环比.
SCALARS = (
    "received",
    "accepted",
    "rejected",
    "mediated",
    "succeeded",
    "failed",
    "withdrawn",
    "success_rate",
    "mediation_rate",
    "performance_checked",
    "performed",
    "performance_rate",
    "confirmation_requested",
    "confirmed",
    "confirmation_rate",
    "open",
    "overdue",
)
RATES = ("success_rate", "mediation_rate", "performance_rate", "confirmation_rate")
LABELS = {
    "received": gettext_noop("登记量"),
    "accepted": gettext_noop("受理量"),
    "rejected": gettext_noop("不予受理量"),
    "mediated": gettext_noop("调解终结量"),
    "succeeded": gettext_noop("调解成功量"),
    "failed": gettext_noop("调解不成量"),
    "withdrawn": gettext_noop("撤回量"),
    "success_rate": gettext_noop("调解成功率"),
    "mediation_rate": gettext_noop("调处率"),
    "performance_checked": gettext_noop("履行回访量"),
    "performed": gettext_noop("已履行量"),
    "performance_rate": gettext_noop("协议履行率"),
    "confirmation_requested": gettext_noop("申请司法确认量"),
    "confirmed": gettext_noop("司法确认量"),
    "confirmation_rate": gettext_noop("司法确认率"),
    "open": gettext_noop("在办量"),
    "overdue": gettext_noop("在办超期量"),
}
# The figures of each breakdown row that get a 同比 (the count and the rates).
ROW_FIGURES = ("received", *RATES)
BREAKDOWNS = {
    "by_level": gettext_noop("按层级"),
    "by_committee": gettext_noop("按调委会"),
    "by_mediator": gettext_noop("按调解员"),
    "by_kind": gettext_noop("按纠纷类型"),
    "by_channel": gettext_noop("按来源"),
}
_NONE_NAMES = {
    "level": gettext_noop("未指派"),
    "committee_id": gettext_noop("未指派调委会"),
    "mediator_id": gettext_noop("未指派调解员"),
}


def with_rates(counts: dict[str, int]) -> dict[str, Any]:
    """The counts and the four rates (None when the denominator is 0)."""
    out: dict[str, Any] = dict(counts)
    for name in RATES:
        a, b = kpis.RATE_PARTS[name]
        out[name] = kpis.rate(out[a], out[b])
    return out


def first_day() -> dt.date | None:
    since: dt.date | None = getattr(settings, "PINGAN_DATA_SINCE", None)
    return since or stats.first_day()


def _rows(
    now: dict[str, Any],
    before: dict[str, Any],
    column: str,
    *,
    complete: bool,
    min_base: int,
) -> list[dict[str, Any]]:
    current = now["by"][column]
    earlier = before["by"][column]
    names = stats.names(column, current)
    zero = with_rates(stats.totals([]))
    out = []
    for value, counts in current.items():
        row = with_rates(counts)
        prev = with_rates(earlier[value]) if value in earlier else zero
        yoy, withheld = kpis.comparable(
            row, prev, ROW_FIGURES, complete=complete, min_base=min_base
        )
        name = names.get(value) if value not in (None, "") else None
        out.append(
            {
                "value": value,
                "name": name or gettext(_NONE_NAMES.get(column, "—")),
                **row,
                "previous": prev["received"],
                "yoy": yoy,
                "yoy_withheld": withheld,
            }
        )
    out.sort(key=lambda r: (-r["received"], str(r["value"])))
    return out


def region_path(region_id: int | None) -> str | None:
    if region_id is None:
        return None
    return Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or "\0"


def summary(
    *,
    user: Any,
    region_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The figures of the cases registered from..to in the region, within the user's
    scope: every count, the four rates with their parts, the breakdowns (each row with its
    count a year before and 同比), 同比 and 环比 of every scalar per ADR 0007."""
    from django.utils import timezone

    from pingan.core import clock

    today = today or timezone.localdate(clock.now())
    path = region_path(region_id)
    earlier_from = kpis.year_before(date_from) if date_from else None
    earlier_to = kpis.year_before(date_to or today)
    periods: list[stats.Period] = [(date_from, date_to), (earlier_from, earlier_to)]
    if date_from and date_to:
        periods.append(kpis.previous_period(date_from, date_to))
    every = stats.counts_many(actor=user, region_path=path, periods=periods)
    figures = with_rates(every[0]["total"])
    earlier = with_rates(every[1]["total"])

    first = first_day()
    min_base = int(getattr(settings, "PINGAN_COMPARE_MIN_BASE", 10))
    yoy_complete = earlier_from is not None and first is not None and earlier_from >= first
    yoy, yoy_withheld = kpis.comparable(
        figures, earlier, SCALARS, complete=yoy_complete, min_base=min_base
    )
    previous = {
        "from": earlier_from.isoformat() if earlier_from else None,
        "to": earlier_to.isoformat(),
        **{name: earlier[name] for name in SCALARS},
    }
    mom: dict[str, float | None] = dict.fromkeys(SCALARS)
    mom_withheld: dict[str, str] = {}
    mom_period: dict[str, Any] | None = None
    mom_complete = False
    if date_from and date_to:
        p_from, p_to = periods[2]
        assert p_from is not None and p_to is not None
        before = with_rates(every[2]["total"])
        mom_complete = first is not None and p_from >= first
        mom, mom_withheld = kpis.comparable(
            figures, before, SCALARS, complete=mom_complete, min_base=min_base
        )
        mom_period = {
            "from": p_from.isoformat(),
            "to": p_to.isoformat(),
            **{name: before[name] for name in SCALARS},
        }
    breakdowns = {
        key: _rows(every[0], every[1], column, complete=yoy_complete, min_base=min_base)
        for key, column in stats.DIMENSIONS.items()
    }
    return {
        **{name: figures[name] for name in SCALARS},
        **breakdowns,
        "yoy": yoy,
        "mom": mom,
        "yoy_withheld": yoy_withheld,
        "mom_withheld": mom_withheld,
        "previous_period": previous,
        "mom_period": mom_period,
        "first_day": first.isoformat() if first else None,
        "yoy_complete": yoy_complete,
        "mom_complete": bool(mom_period) and mom_complete,
        "region": region_id,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
    }


def cards(figures: dict[str, Any], names: tuple[str, ...] = SCALARS) -> list[dict[str, Any]]:
    """Figures as the dashboard's cards show them (web/analytics/includes/kpi_card.html):
    label, value as written (「95.20%」), a rate's parts (「调解成功 45 / 调解终结 50」),
    同比 and 环比 (环比 only for a period with both bounds)."""
    return [
        {
            "key": name,
            "label": gettext(LABELS[name]),
            "value": kpis.format_value(name, figures[name]),
            "parts": kpis.parts_text(name, figures),
            "yoy": kpis.comparison(figures, name, "yoy"),
            "mom": kpis.comparison(figures, name, "mom") if figures.get("mom_period") else None,
            "url": "",
        }
        for name in names
    ]


COUNT = "0"
RATE = "0.00%"
PERCENT_CHANGE = "+0.00%;-0.00%;0.00%"
POINTS_CHANGE = '+0.00" 个百分点";-0.00" 个百分点";0.00" 个百分点"'


def _value(name: str, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    return value, RATE if name in kpis.RATES else COUNT


def _change(name: str, delta: float | None) -> tuple[Any, str | None]:
    """A rate's change in points (2.5 shows 「+2.50 个百分点」), a count's as a fraction."""
    if delta is None:
        return None, None
    if kpis.change_unit(name) == "pp":
        return delta, POINTS_CHANGE
    return round(delta / 100, 6), PERCENT_CHANGE


def _append(ws: Any, cells: list[tuple[Any, str | None]]) -> None:
    """A row of (value, number format) cells; text through `safe_row` (no formulas)."""
    ws.append(safe_row(v for v, _f in cells))
    for i, (_v, fmt) in enumerate(cells, start=1):
        if fmt:
            ws.cell(row=ws.max_row, column=i).number_format = fmt


def _parts_label(name: str) -> str:
    if name not in RATES:
        return ""
    a, b = kpis.RATE_PARTS[name]
    return f"{gettext(kpis.PART_LABELS[a])} ÷ {gettext(kpis.PART_LABELS[b])}"


ROW_COLUMNS = (
    "received",
    "accepted",
    "mediated",
    "succeeded",
    "success_rate",
    "mediation_rate",
    "performance_checked",
    "performed",
    "performance_rate",
    "confirmed",
    "confirmation_rate",
    "overdue",
)


def workbook(figures: dict[str, Any], *, region_name: str, period_text: str) -> bytes:
    """The figures as an .xlsx: a sheet of every figure (this period, numerator and
    denominator of a rate, a year before, 同比, the period before, 环比, or why withheld)
    and a sheet per breakdown. Numbers stay numbers; text goes through `safe_row`."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = gettext("调解指标")
    head = [gettext("区划：{r}；期间：{p}").format(r=region_name, p=period_text)]
    ws.append(safe_row([gettext("矛盾纠纷调解统计")]))
    ws.append(safe_row(head))
    ws.append(
        safe_row(
            gettext(h)
            for h in (
                "指标",
                "本期",
                "分子",
                "分母",
                "计算口径",
                "上年同期",
                "同比",
                "同比说明",
                "上期",
                "环比",
                "环比说明",
            )
        )
    )
    previous = figures["previous_period"]
    before = figures.get("mom_period") or {}
    for name in SCALARS:
        parts = kpis.parts_of(name, figures) or (None, None)
        _append(
            ws,
            [
                (gettext(LABELS[name]), None),
                _value(name, figures[name]),
                (parts[0], COUNT if parts[0] is not None else None),
                (parts[1], COUNT if parts[1] is not None else None),
                (_parts_label(name), None),
                _value(name, previous.get(name)),
                _change(name, figures["yoy"].get(name)),
                (figures["yoy_withheld"].get(name, ""), None),
                _value(name, before.get(name)),
                _change(name, (figures.get("mom") or {}).get(name)),
                (figures["mom_withheld"].get(name, ""), None),
            ],
        )
    for key, title in BREAKDOWNS.items():
        sheet = wb.create_sheet(gettext(title))
        sheet.append(safe_row([gettext(title)]))
        sheet.append(safe_row(head))
        sheet.append(
            safe_row(
                [
                    gettext("名称"),
                    *(gettext(LABELS[c]) for c in ROW_COLUMNS),
                    gettext("上年同期登记"),
                    gettext("登记同比"),
                    gettext("调解成功率同比"),
                ]
            )
        )
        for row in figures[key]:
            _append(
                sheet,
                [
                    (row["name"], None),
                    *(_value(c, row[c]) for c in ROW_COLUMNS),
                    (row["previous"], COUNT),
                    _change("received", row["yoy"].get("received")),
                    _change("success_rate", row["yoy"].get("success_rate")),
                ],
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

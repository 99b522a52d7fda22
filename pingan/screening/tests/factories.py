"""Screening rounds over the shared cast (two towns, a village each), made by the service;
dates derived from the project's clock, never fixed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pingan.screening.choices import UnitLevel
from pingan.screening.models import ScreeningRound
from pingan.screening.periods import today
from pingan.screening.services import report_submit, rounds_generate

PARTIES = [
    {"role": "applicant", "name": "王小明", "phone": "13812345678"},
    {"role": "respondent", "name": "李大华"},
]


def item(**kw: Any) -> dict[str, Any]:
    out = {
        "kind": "dispute",
        "summary": "两户因宅基地边界发生争执",
        "parties_count": 2,
        "place": "城东社区3组",
        "risk_level": "medium",
    }
    out.update(kw)
    return out


def village_round(*, past: bool = False) -> ScreeningRound:
    """A village round whose due date is still ahead (default) or already behind (`past`:
    the week four weeks ago)."""
    on = today() - dt.timedelta(days=28) if past else today() + dt.timedelta(days=14)
    rounds_generate(on=on)
    return ScreeningRound.objects.get(
        level=UnitLevel.VILLAGE, period_start__lte=on, period_end__gte=on
    )


def submit(cast: Any, found: ScreeningRound, *, user: Any = None, **kw: Any) -> Any:
    kw.setdefault("none_found", False)
    if not kw["none_found"]:
        kw.setdefault("items", [item()])
    return report_submit(actor=user or cast.gridleader, round_id=found.pk, **kw)

"""Reads of the safety app: the year grid (towns × months with 同比 and year to date),
and `zero_growth` (三个零增长; a system read for the assessment: the caller scopes).
docs/safety-production.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Forbidden, invalid
from pingan.geo import scope as paths
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.safety.models import SafetyFigure
from pingan.safety.permissions import READERS, can_edit, is_reader

MEASURES = ("accidents", "deaths", "loss")
_COLUMN = {"accidents": "accidents", "deaths": "deaths", "loss": "direct_loss"}

__all__ = ["default_month_to", "readable_towns", "year_grid", "zero_growth"]


def _totals(path: str, year: int, month_to: int) -> dict[str, Any]:
    got = SafetyFigure.objects.filter(
        paths.within_q("region_path", [path]),
        month__gte=dt.date(year, 1, 1),
        month__lte=dt.date(year, month_to, 1),
    ).aggregate(accidents=Sum("accidents"), deaths=Sum("deaths"), loss=Sum("direct_loss"))
    return {
        "accidents": got["accidents"] or 0,
        "deaths": got["deaths"] or 0,
        "loss": got["loss"] if got["loss"] is not None else Decimal("0.00"),
    }


def zero_growth(*, region_id: int, year: int, month_to: int) -> dict[str, Any]:
    """三个零增长 of a town (or a county: the sum of its towns) from January to `month_to`
    of `year` against the same months of the year before: each of accidents, deaths and
    direct loss {"now", "before", "ok": now not above before}, and "achieved" (all three)."""
    if not 1 <= month_to <= 12:
        raise invalid("month", gettext("月份应为1到12"))
    region = Region.objects.filter(pk=region_id).only("path").first()
    if region is None:
        raise invalid("region", gettext("区划不存在（请传区划ID）"))
    now = _totals(region.path, year, month_to)
    before = _totals(region.path, year - 1, month_to)
    out: dict[str, Any] = {}
    for m in MEASURES:
        out[m] = {"now": now[m], "before": before[m], "ok": now[m] <= before[m]}
    out["achieved"] = all(out[m]["ok"] for m in MEASURES)
    return out


def default_month_to(year: int) -> int:
    today = timezone.localdate(clock.now())
    if year < today.year:
        return 12
    if year > today.year:
        return 1
    return today.month


def readable_towns(actor: Actor | Any, region_id: int | None = None) -> list[Region]:
    """The towns whose figures the actor reads (within `region_id` when given); 403 for
    the roles that read none."""
    actor = as_actor(actor)
    if not is_reader(actor):
        raise Forbidden(gettext("只有受理员和领导可以查看安全生产数据"))
    towns = Region.objects.filter(level=Level.TOWN).order_by("path")
    within = paths.within_q("path", actor.paths(READERS))
    qs = towns.filter(within)
    if region_id is not None:
        region = Region.objects.filter(pk=region_id).first()
        if region is None:
            raise invalid("region", gettext("区划不存在（请传区划ID）"))
        qs = qs.filter(paths.within_q("path", [region.path]))
    listed = list(qs)
    if not listed:
        # A village's or grid's people: the town above them is not theirs to read.
        return []
    return listed


def _change(now: Any, before: Any) -> dict[str, Any]:
    return {"now": now, "before": before, "diff": now - before, "ok": now <= before}


def year_grid(
    actor: Actor | Any, *, year: int, month_to: int | None = None, region_id: int | None = None
) -> dict[str, Any]:
    """Towns × months of `year`: each month's figures and the same month a year before,
    the year to date (January to `month_to`) with 同比 and the three flags, and the
    county's totals over the towns shown."""
    actor = as_actor(actor)
    if not 2000 <= year <= 2100:
        raise invalid("year", gettext("年度应为2000到2100之间的整数"))
    month_to = month_to or default_month_to(year)
    if not 1 <= month_to <= 12:
        raise invalid("month", gettext("月份应为1到12"))
    towns = readable_towns(actor, region_id)
    figures = SafetyFigure.objects.filter(
        town__in=towns, month__gte=dt.date(year - 1, 1, 1), month__lte=dt.date(year, 12, 1)
    )
    by: dict[tuple[int, dt.date], SafetyFigure] = {(f.town_id, f.month): f for f in figures}
    rows = []
    total_now = {m: Decimal("0") if m == "loss" else 0 for m in MEASURES}
    total_before = dict(total_now)
    for t in towns:
        months = []
        ytd_now = {m: Decimal("0") if m == "loss" else 0 for m in MEASURES}
        ytd_before = dict(ytd_now)
        for month in range(1, 13):
            f = by.get((t.pk, dt.date(year, month, 1)))
            b = by.get((t.pk, dt.date(year - 1, month, 1)))
            months.append(
                {
                    "month": month,
                    "figure": f,
                    "id": f.pk if f else None,
                    "accidents": f.accidents if f else None,
                    "deaths": f.deaths if f else None,
                    "loss": f.direct_loss if f else None,
                    "before": {
                        "accidents": b.accidents if b else None,
                        "deaths": b.deaths if b else None,
                        "loss": b.direct_loss if b else None,
                    },
                    "has_evidence": bool(f and f.evidence),
                }
            )
            if month <= month_to:
                for m in MEASURES:
                    col = _COLUMN[m]
                    ytd_now[m] += getattr(f, col) if f else 0
                    ytd_before[m] += getattr(b, col) if b else 0
        for m in MEASURES:
            total_now[m] += ytd_now[m]
            total_before[m] += ytd_before[m]
        ytd = {m: _change(ytd_now[m], ytd_before[m]) for m in MEASURES}
        rows.append(
            {
                "town": t,
                "id": t.pk,
                "name": t.name,
                "code": t.code,
                "months": months,
                "ytd": ytd,
                "achieved": all(ytd[m]["ok"] for m in MEASURES),
                "editable": can_edit(actor, t.path),
            }
        )
    total = {m: _change(total_now[m], total_before[m]) for m in MEASURES}
    return {
        "year": year,
        "month_to": month_to,
        "towns": rows,
        "total": total,
        "achieved": all(total[m]["ok"] for m in MEASURES),
        "achieved_towns": sum(1 for r in rows if r["achieved"]),
    }

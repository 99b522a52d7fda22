"""Reads of the screening app, always through the actor's scope (`permissions`): the
rounds with their counts, the reports waiting for the actor's units, and a round's
summary (排查汇总). docs/screening.md, "Figures"."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.analytics import kpis
from pingan.core.errors import invalid
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.screening.choices import (
    Disposition,
    ItemKind,
    ReportStatus,
    RiskLevel,
    RoundStatus,
    UnitLevel,
)
from pingan.screening.models import ScreeningItem, ScreeningReport, ScreeningRound
from pingan.screening.periods import today
from pingan.screening.permissions import report_scope_q, reporting_units, round_scope_q

__all__ = ["my_pending", "rate", "round_list", "round_reports", "summary"]


def rate(numerator: int, denominator: int) -> dict[str, Any]:
    """A rate with what it rests on: 「95.20%」 as the figures write it, 「—」 for none."""
    value = kpis.rate(numerator, denominator)
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": value,
        "text": kpis.format_rate(value),
    }


def round_list(
    actor: Actor | Any,
    *,
    level: str | None = None,
    region: int | None = None,
    on: dt.date | None = None,
    status: str | None = None,
) -> QuerySet[ScreeningRound]:
    """The rounds the actor sees, newest first, each with the counts of the reports the
    actor sees (`due`, `reported`, `none_found`, `missing`: pending past the due date).
    Filters: unit level, a region (rounds with a unit in it), a day in the period, status;
    422 on a bad value."""
    actor = as_actor(actor)
    qs = ScreeningRound.objects.filter(round_scope_q(actor))
    if level:
        if level not in UnitLevel.values:
            raise invalid("level", gettext("层级应为 village、town 或 county"))
        qs = qs.filter(level=level)
    if status:
        if status not in RoundStatus.values:
            raise invalid("status", gettext("状态应为 open 或 closed"))
        qs = qs.filter(status=status)
    if region is not None:
        where = Region.objects.filter(pk=region).values_list("path", flat=True).first()
        if where is None:
            raise invalid("region", gettext("区划不存在（请传区划ID）"))
        inside = ScreeningReport.objects.filter(
            within_q("region_path", [where]), round_id=OuterRef("pk")
        )
        qs = qs.filter(Exists(inside))
    if on is not None:
        qs = qs.filter(period_start__lte=on, period_end__gte=on)
    seen = report_scope_q(actor, "reports__")
    submitted = Q(reports__status=ReportStatus.SUBMITTED)
    return (
        qs.select_related("region")
        .annotate(
            due=Count("reports", filter=seen),
            reported=Count("reports", filter=seen & submitted),
            none_found=Count("reports", filter=seen & submitted & Q(reports__none_found=True)),
            missing=Count(
                "reports",
                filter=seen & Q(reports__status=ReportStatus.PENDING) & Q(due_on__lt=today()),
            ),
        )
        .order_by("-period_start", "level", "pk")
    )


def my_pending(actor: Actor | Any) -> list[ScreeningReport]:
    """The pending reports of the actor's own units in open rounds, the most urgent first
    (those past their due date are 未报)."""
    units = reporting_units(actor)
    if not units:
        return []
    return list(
        ScreeningReport.objects.filter(
            unit_id__in=units,
            status=ReportStatus.PENDING,
            round__status=RoundStatus.OPEN,
        )
        .select_related("round", "unit")
        .order_by("round__due_on", "round__level", "region_path")
    )


def round_reports(actor: Actor | Any, found: ScreeningRound) -> list[ScreeningReport]:
    """The reports of `found` the actor sees, by unit, with their items."""
    return list(
        found.reports.filter(report_scope_q(actor))
        .select_related("unit", "unit__parent", "submitted_by")
        .prefetch_related("items", "items__event", "items__case")
        .order_by("region_path")
    )


def _town_of(report: ScreeningReport) -> Region:
    unit = report.unit
    if unit.level == Level.VILLAGE and unit.parent is not None:
        return unit.parent
    return unit


def summary(
    actor: Actor | Any, found: ScreeningRound, reports: list[ScreeningReport] | None = None
) -> dict[str, Any]:
    """The 排查汇总 of a round over the reports the actor sees: units due, reported,
    none-found, late, missing (pending past the due date) and waiting (pending, not due
    yet), with rates; items by kind × risk level and by disposition; missing units and
    the counts per town."""
    if reports is None:
        reports = round_reports(actor, found)
    past_due = today() > found.due_on
    due = len(reports)
    submitted = [r for r in reports if r.status == ReportStatus.SUBMITTED]
    pending = [r for r in reports if r.status == ReportStatus.PENDING]
    missing = pending if past_due else []
    none_found = sum(1 for r in submitted if r.none_found)
    late = sum(1 for r in submitted if r.late)
    items: list[ScreeningItem] = [i for r in reports for i in r.items.all()]
    by_kind: Counter[tuple[str, str]] = Counter((i.kind, i.risk_level) for i in items)
    dispositions = Counter(i.disposition for i in items)
    towns: dict[int, dict[str, Any]] = {}
    for r in reports:
        town = _town_of(r)
        row = towns.setdefault(
            town.pk,
            {
                "town": town.name,
                "town_id": town.pk,
                "due": 0,
                "reported": 0,
                "none_found": 0,
                "missing": 0,
                "items": 0,
            },
        )
        row["due"] += 1
        if r.status == ReportStatus.SUBMITTED:
            row["reported"] += 1
            row["none_found"] += int(r.none_found)
            row["items"] += len(r.items.all())
        elif past_due:
            row["missing"] += 1
    kinds = [
        {
            "kind": k,
            "label": str(label),
            "total": sum(by_kind[(k, lv)] for lv in RiskLevel.values),
            **{lv: by_kind[(k, lv)] for lv in RiskLevel.values},
        }
        for k, label in ItemKind.choices
    ]
    return {
        "round": found.pk,
        "past_due": past_due,
        "due": due,
        "reported": len(submitted),
        "none_found": none_found,
        "with_items": len(submitted) - none_found,
        "late": late,
        "on_time": len(submitted) - late,
        "missing": len(missing),
        "waiting": 0 if past_due else len(pending),
        "reported_rate": rate(len(submitted), due),
        "on_time_rate": rate(len(submitted) - late, due),
        "none_found_rate": rate(none_found, len(submitted)),
        "missing_rate": rate(len(missing), due),
        "items": len(items),
        "by_kind": kinds,
        "risk_levels": [{"level": v, "label": str(t)} for v, t in RiskLevel.choices],
        "dispositions": [
            {"disposition": v, "label": str(t), "count": dispositions[v]}
            for v, t in Disposition.choices
        ],
        "missing_units": [
            {"unit": r.unit_id, "name": r.unit.name, "town": _town_of(r).name, "report": r.pk}
            for r in missing
        ],
        "by_town": sorted(towns.values(), key=lambda t: (-t["missing"], t["town"])),
    }


def event_categories() -> list[Any]:
    """The categories an item can be reported under as an event (active leaves), the
    dispute ones first."""
    from pingan.events.models import Category

    leaves = Category.objects.filter(is_active=True, children__isnull=True).order_by("code")
    rows = list(leaves.distinct())
    return sorted(rows, key=lambda c: (not c.code.startswith("dispute"), c.code))

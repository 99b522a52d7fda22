"""Safety production (安全生产): monthly figures per town (accidents, deaths, direct loss in
万元) entered with evidence or imported from the template workbook, and 三个零增长.
Reads through `safety.selectors` (scoped to the caller), writes through `safety.services`.
docs/safety-production.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Form, Query, Router, Schema, Status
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.core import clock
from pingan.core.errors import NotFound, invalid
from pingan.safety import selectors, services
from pingan.safety.models import SafetyFigure

router = Router(tags=["safety"])


class SafetyFigureOut(Schema):
    id: int
    town: int
    town_name: str
    month: str = Field(description="月份，如 2026-03")
    accidents: int
    deaths: int
    direct_loss: Decimal = Field(description="直接经济损失（万元）")
    note: str
    source: str
    has_evidence: bool
    entered_at: dt.datetime


def _figure(f: SafetyFigure) -> dict[str, Any]:
    return {
        "id": f.pk,
        "town": f.town_id,
        "town_name": f.town.name,
        "month": f"{f.month:%Y-%m}",
        "accidents": f.accidents,
        "deaths": f.deaths,
        "direct_loss": f.direct_loss,
        "note": f.note,
        "source": f.source,
        "has_evidence": bool(f.evidence),
        "entered_at": f.entered_at,
    }


class FiguresQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；省略为本年")
    region: int | None = Field(None, description="区划ID（镇或县）；省略为本人可见的全部")


@router.get(
    "/safety/figures",
    response=list[SafetyFigureOut],
    summary="安全生产月度数据（按年度、区划；本人可见的镇街）",
)
def figures_get(request: HttpRequest, q: Query[FiguresQuery]) -> Any:
    towns = selectors.readable_towns(actor_of(request), q.region)
    year = q.year or timezone.localdate(clock.now()).year
    rows = SafetyFigure.objects.filter(
        town__in=towns, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    ).select_related("town")
    return [_figure(f) for f in rows]


@router.post(
    "/safety/figures",
    response={200: SafetyFigureOut, 201: SafetyFigureOut},
    summary="填报某镇某月数据（已有则更正）；可附佐证材料（multipart 的 evidence）",
)
def figures_post(
    request: HttpRequest,
    town: Form[int],
    month: Form[str],
    accidents: Form[int] = 0,
    deaths: Form[int] = 0,
    direct_loss: Form[Decimal] = Decimal("0"),
    note: Form[str] = "",
) -> Any:
    figure, created = services.figure_save(
        actor=actor_of(request),
        town_id=town,
        month=month,
        data={"accidents": accidents, "deaths": deaths, "direct_loss": direct_loss, "note": note},
        evidence=request.FILES.get("evidence"),
    )
    return Status(201 if created else 200, _figure(figure))


# Before /safety/figures/{id}: "import" is not an id.
class ImportOut(Schema):
    created: int
    updated: int


@router.post(
    "/safety/figures/import",
    response=ImportOut,
    summary="导入模板工作簿（.xlsx）：任一行有误则整体不写入，并指出第N行",
)
def figures_import(request: HttpRequest) -> Any:
    """multipart: `file` (the workbook)."""
    return services.figures_import(actor=actor_of(request), upload=request.FILES.get("file") or b"")


class FigurePatch(Schema):
    accidents: int | None = None
    deaths: int | None = None
    direct_loss: Decimal | None = None
    note: str | None = None


@router.patch(
    "/safety/figures/{safety_figure_id}", response=SafetyFigureOut, summary="更正月度数据"
)
def figure_patch(request: HttpRequest, safety_figure_id: int, payload: FigurePatch) -> Any:
    figure = services.figure_update(
        actor=actor_of(request),
        figure_id=safety_figure_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return _figure(figure)


class ZeroGrowthQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；省略为本年")
    month: int | None = Field(None, description="截至月份（1—12）；省略为本年至今")
    region: int | None = Field(None, description="镇或县的区划ID；省略为本人范围")


@router.get(
    "/safety/zero-growth",
    response=dict[str, Any],
    summary="三个零增长：事故起数、死亡人数、直接经济损失与上年同期比较（各镇与合计）",
)
def zero_growth_get(request: HttpRequest, q: Query[ZeroGrowthQuery]) -> Any:
    actor = actor_of(request)
    year = q.year or timezone.localdate(clock.now()).year
    month_to = q.month or selectors.default_month_to(year)
    towns = selectors.readable_towns(actor, q.region)
    if not towns:
        raise NotFound(_("没有可查看的镇（街道）"))
    if not 1 <= month_to <= 12:
        raise invalid("month", _("月份应为1到12"))

    def plain(z: dict[str, Any]) -> dict[str, Any]:
        return {
            k: ({**v, "now": str(v["now"]), "before": str(v["before"])} if k == "loss" else v)
            for k, v in z.items()
        }

    return {
        "year": year,
        "month": month_to,
        "towns": [
            {
                "town": t.pk,
                "name": t.name,
                **plain(selectors.zero_growth(region_id=t.pk, year=year, month_to=month_to)),
            }
            for t in towns
        ],
    }

"""Key figures for dashboards (always within the caller's scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from pingan.analytics.selectors import summary
from pingan.core.errors import invalid

router = Router(tags=["stats"])


class SummaryQuery(Schema):
    region: int | None = Field(None, description="区划（含其下所有区划）")
    date_from: dt.date | None = Field(None, alias="from", description="上报日期起（含）")
    date_to: dt.date | None = Field(None, alias="to", description="上报日期止（含）")


class SummaryOut(Schema):
    total: int
    by_category: list[dict[str, Any]]
    by_source: list[dict[str, Any]]
    by_status: list[dict[str, Any]]
    closed: int
    accepted: int
    closed_on_time: int
    followed_up: int
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    yoy: dict[str, float | None]
    previous_period: dict[str, Any]


@router.get(
    "/stats/summary",
    response=SummaryOut,
    summary="统计概要：总量、分类、来源、状态、办结率、按期办结率、满意率及同比",
)
def stats_summary(request: HttpRequest, filters: Query[SummaryQuery]) -> Any:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise invalid("to", _("结束日期不能早于开始日期"))
    return summary(
        user=request.auth,  # type: ignore[attr-defined]
        region_id=filters.region,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )

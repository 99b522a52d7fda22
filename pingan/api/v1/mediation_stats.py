"""Mediation figures (issue 20, item 4): counts, the four rates with their numerators and
denominators, breakdowns, 同比 and 环比, within the caller's case scope. Computed by
`analytics.mediation_figures` (docs/mediation.md, "Figures")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from pingan.analytics.kpis import check_period
from pingan.analytics.mediation_figures import summary
from pingan.core.errors import invalid
from pingan.geo.selectors import region_exists

router = Router(tags=["mediation"])

_CHANGE = (
    "比率为百分点差（两位小数），其余为变化百分比（两位小数）；"
    "基期不完整或样本不足时为 null，原因见 yoy_withheld / mom_withheld"
)


class StatsQuery(Schema):
    region: int | None = Field(None, description="区划（含其下所有区划）")
    date_from: dt.date | None = Field(None, alias="from", description="登记日期起（含）")
    date_to: dt.date | None = Field(None, alias="to", description="登记日期止（含）")


class StatsOut(Schema):
    received: int = Field(description="登记量")
    accepted: int = Field(description="受理量（已受理，不论此后状态）")
    rejected: int = Field(description="不予受理量")
    mediated: int = Field(description="调解终结量：调解成功 + 调解不成")
    succeeded: int = Field(description="调解成功量（达成协议）")
    failed: int = Field(description="调解不成量")
    withdrawn: int = Field(description="撤回量")
    success_rate: float | None = Field(description="调解成功率 = succeeded ÷ mediated")
    mediation_rate: float | None = Field(description="调处率 = mediated ÷ accepted")
    performance_checked: int = Field(description="已做履行回访的协议数")
    performed: int = Field(description="回访确认已履行的协议数")
    performance_rate: float | None = Field(
        description="协议履行率 = performed ÷ performance_checked"
    )
    confirmation_requested: int = Field(description="申请司法确认的协议数")
    confirmed: int = Field(description="司法确认有效的协议数")
    confirmation_rate: float | None = Field(
        description="司法确认率 = confirmed ÷ succeeded（全部调解协议）"
    )
    open: int = Field(description="在办量（已登记、已受理、调解中）")
    overdue: int = Field(description="在办超期量（已受理或调解中且已过调解期限）")
    by_level: list[dict[str, Any]]
    by_committee: list[dict[str, Any]]
    by_mediator: list[dict[str, Any]]
    by_kind: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    yoy: dict[str, float | None] = Field(description="同比：" + _CHANGE)
    mom: dict[str, float | None] = Field(description="环比：" + _CHANGE)
    yoy_withheld: dict[str, str]
    mom_withheld: dict[str, str]
    previous_period: dict[str, Any]
    mom_period: dict[str, Any] | None
    first_day: str | None = Field(description="数据完整的首日（同比、环比的基期不早于此日）")
    region: int | None
    date_from: str | None = Field(None, alias="from")
    date_to: str | None = Field(None, alias="to")


@router.get(
    "/mediation/stats",
    response=StatsOut,
    by_alias=True,
    summary="调解统计：登记、受理、调解成功率、调处率、协议履行率、司法确认率及分项、同比环比",
)
def mediation_stats(request: HttpRequest, filters: Query[StatsQuery]) -> Any:
    check_period(filters.date_from, filters.date_to)
    if filters.region is not None and not region_exists(filters.region):
        raise invalid("region", _("区划不存在（请传区划ID）"))
    return summary(
        user=request.auth,  # type: ignore[attr-defined]
        region_id=filters.region,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )

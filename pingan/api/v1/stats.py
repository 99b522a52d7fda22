"""Key figures for dashboards (always within the caller's scope), and period locking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as Reply
from pydantic import Field

from pingan.analytics import selectors, services
from pingan.analytics.kpis import check_period
from pingan.analytics.selectors import summary
from pingan.core.errors import invalid
from pingan.geo.selectors import region_exists

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
    closed_timed: int = Field(
        description="计时办结量：有办理时限的办结事件（按期或超期），按期办结率的分母；"
        "无时限的办结事件（如导入的历史事件）既非按期也非超期"
    )
    followed_up: int
    satisfied: int
    closure_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    overdue: int
    handle_days_avg: float | None = Field(description="平均处置用时（工作日）")
    handle_cal_days_avg: float | None = Field(description="平均处置用时（自然日）")
    dispute_total: int
    dispute_accepted: int
    dispute_closed: int
    dispute_resolved: int
    dispute_resolution_rate: float | None
    yoy: dict[str, float | None] = Field(
        description="同比：比率为百分点差（两位小数），其余为变化百分比（两位小数）；"
        "基期不完整或样本不足时为 null，原因见 yoy_withheld"
    )
    mom: dict[str, float | None] = Field(description="环比：口径同 yoy")
    yoy_withheld: dict[str, str] = Field(description="不作同比的指标及原因")
    mom_withheld: dict[str, str] = Field(description="不作环比的指标及原因")
    first_day: dt.date | None = Field(
        None, description="数据完整的首日（同比、环比的基期不早于此日）"
    )
    previous_period: dict[str, Any]
    mom_period: dict[str, Any] | None
    region: int | None
    locked: bool
    basis: str


class KpiOut(SummaryOut):
    by_department: list[dict[str, Any]]
    handle_days_median: float | None = Field(description="处置用时中位数（工作日）")
    handle_cal_days_median: float | None = Field(description="处置用时中位数（自然日）")
    repeats: int
    repeat_rate: float | None
    returns_by_department: list[dict[str, Any]]
    rows: list[dict[str, Any]]


def _checked(filters: SummaryQuery) -> dict[str, Any]:
    check_period(filters.date_from, filters.date_to)
    if filters.region is not None and not region_exists(filters.region):
        # A region code (330424) given where the id is expected would otherwise read as an
        # empty region with all figures zero.
        raise invalid("region", _("区划不存在（请传区划ID）"))
    return {
        "region_id": filters.region,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }


@router.get(
    "/stats/summary",
    response=SummaryOut,
    summary="统计概要：总量、分类、来源、状态、办结率、按期办结率、满意率及同比环比",
)
def stats_summary(request: HttpRequest, filters: Query[SummaryQuery]) -> Any:
    return summary(user=request.auth, **_checked(filters))  # type: ignore[attr-defined]


@router.get("/stats/kpis", response=KpiOut, summary="全部考核指标（含中位数、重复报事率、退单率）")
def stats_kpis(request: HttpRequest, filters: Query[SummaryQuery]) -> Any:
    return selectors.kpi_table(user=request.auth, **_checked(filters))  # type: ignore[attr-defined]


@router.get(
    "/stats/regions", response=list[dict[str, Any]], summary="下级区划分项统计（排名、地图）"
)
def stats_regions(request: HttpRequest, filters: Query[SummaryQuery]) -> Any:
    return selectors.region_breakdown(user=request.auth, **_checked(filters))  # type: ignore[attr-defined]


class LockIn(Schema):
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    note: str = ""


class LockOut(Schema):
    id: int
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    note: str
    locked_at: dt.datetime
    locked_by: str


def _lock_out(lock: Any) -> dict[str, Any]:
    return {
        "id": lock.pk,
        "date_from": lock.date_from,
        "date_to": lock.date_to,
        "note": lock.note,
        "locked_at": lock.locked_at,
        "locked_by": lock.locked_by.get_username(),
    }


@router.get("/stats/locks", response=list[LockOut], summary="封账期间列表", by_alias=True)
def stats_locks(request: HttpRequest) -> Any:
    return [_lock_out(lock) for lock in selectors.period_locks()]


@router.post(
    "/stats/locks", response={201: LockOut}, summary="封账（县级领导或县级指挥中心）", by_alias=True
)
def stats_lock(request: HttpRequest, body: LockIn) -> Any:
    lock = services.period_lock(
        user=request.auth,  # type: ignore[attr-defined]
        date_from=body.date_from,
        date_to=body.date_to,
        note=body.note,
        request=request,
    )
    return Reply(201, _lock_out(lock))


@router.delete("/stats/locks/{lock_id}", response={204: None}, summary="解除封账并按现状重算")
def stats_unlock(request: HttpRequest, lock_id: int) -> Any:
    services.period_unlock(user=request.auth, lock_id=lock_id, request=request)  # type: ignore[attr-defined]
    return Reply(204, None)

"""Dispute screening (矛盾纠纷排查): the rounds, a round's summary (排查汇总) and reports,
a unit's report, an item's disposition. Reads through `screening.selectors` (scoped to
the caller), writes through `screening.services`. docs/screening.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.core.errors import invalid
from pingan.screening.choices import ItemKind, RiskLevel
from pingan.screening.models import ScreeningItem, ScreeningReport, ScreeningRound
from pingan.screening.permissions import access_round, reporting_units
from pingan.screening.selectors import round_list, round_reports, summary
from pingan.screening.services import item_dispose, report_submit

router = Router(tags=["screening"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


# ---- output ---------------------------------------------------------------------------------


class ScreeningRoundOut(Schema):
    id: int
    region: int
    region_name: str
    level: str
    level_label: str
    frequency: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    status: str
    due: int = Field(description="应报单位数（当前用户范围内）")
    reported: int = Field(description="已报单位数")
    none_found: int = Field(description="报“无”单位数")
    missing: int = Field(description="未报单位数（已过截止日仍未报送）")


class ScreeningRoundPage(Schema):
    items: list[ScreeningRoundOut]
    count: int
    page: int
    page_size: int


class ScreeningItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    summary: str
    parties_count: int
    place: str
    risk_level: str
    risk_level_label: str
    disposition: str
    disposition_label: str
    event: int | None
    event_code: str | None
    case: int | None
    case_code: str | None
    handled_note: str
    disposed_at: dt.datetime | None


class ScreeningReportOut(Schema):
    id: int
    round: int
    unit: int
    unit_name: str
    status: str
    missing: bool = Field(description="已过截止日仍未报送（未报）")
    none_found: bool
    note: str
    submitted_by: int | None
    submitted_at: dt.datetime | None
    late: bool
    mine: bool = Field(description="当前用户负责报送的单位")
    items: list[ScreeningItemOut]


class ScreeningRateOut(Schema):
    numerator: int
    denominator: int
    rate: float | None
    text: str


class ScreeningSummaryOut(Schema):
    past_due: bool
    due: int
    reported: int
    none_found: int
    with_items: int
    late: int
    on_time: int
    missing: int
    waiting: int
    reported_rate: ScreeningRateOut
    on_time_rate: ScreeningRateOut
    none_found_rate: ScreeningRateOut
    missing_rate: ScreeningRateOut
    items: int
    by_kind: list[dict[str, Any]]
    dispositions: list[dict[str, Any]]
    missing_units: list[dict[str, Any]]
    by_town: list[dict[str, Any]]


class ScreeningRoundDetailOut(ScreeningRoundOut):
    summary: ScreeningSummaryOut
    reports: list[ScreeningReportOut]


def _round(r: ScreeningRound, counts: dict[str, int] | None = None) -> dict[str, Any]:
    counts = counts or {n: getattr(r, n) for n in ("due", "reported", "none_found", "missing")}
    return {
        "id": r.pk,
        "region": r.region_id,
        "region_name": r.region.name,
        "level": r.level,
        "level_label": r.get_level_display(),
        "frequency": r.frequency,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "due_on": r.due_on,
        "status": r.status,
        **counts,
    }


def _item(i: ScreeningItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "summary": i.summary,
        "parties_count": i.parties_count,
        "place": i.place,
        "risk_level": i.risk_level,
        "risk_level_label": i.get_risk_level_display(),
        "disposition": i.disposition,
        "disposition_label": i.get_disposition_display(),
        "event": i.event_id,
        "event_code": i.event.code if i.event is not None else None,
        "case": i.case_id,
        "case_code": i.case.code if i.case is not None else None,
        "handled_note": i.handled_note,
        "disposed_at": i.disposed_at,
    }


def _report(r: ScreeningReport, past_due: bool, units: set[int]) -> dict[str, Any]:
    return {
        "id": r.pk,
        "round": r.round_id,
        "unit": r.unit_id,
        "unit_name": r.unit.name,
        "status": r.status,
        "missing": past_due and r.status == "pending",
        "none_found": r.none_found,
        "note": r.note,
        "submitted_by": r.submitted_by_id,
        "submitted_at": r.submitted_at,
        "late": r.late,
        "mine": r.unit_id in units,
        "items": [_item(i) for i in r.items.all()],
    }


def _detail(request: HttpRequest, round_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    found = access_round(actor, round_id)
    reports = round_reports(actor, found)
    figures = summary(actor, found, reports)
    units = reporting_units(actor)
    out = _round(
        found,
        {n: figures[n] for n in ("due", "reported", "none_found", "missing")},
    )
    out["summary"] = figures
    out["reports"] = [_report(r, figures["past_due"], units) for r in reports]
    return out


# ---- rounds -----------------------------------------------------------------------------------


class ScreeningRoundQuery(Schema):
    level: str | None = Field(
        None, description="village（村社区，每周）、town（镇街道，每半月）、county（县，每月）"
    )
    region: int | None = Field(None, description="区划ID：有报送单位在其范围内的轮次")
    date: dt.date | None = Field(None, description="含该日期的排查周期")
    status: str | None = Field(None, description="open 进行中 / closed 已结束")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get("/screenings", response=ScreeningRoundPage, summary="排查轮次列表（按当前用户的范围）")
def round_list_get(request: HttpRequest, filters: Query[ScreeningRoundQuery]) -> Any:
    if filters.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= filters.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    qs = round_list(
        actor_of(request),
        level=filters.level,
        region=filters.region,
        on=filters.date,
        status=filters.status,
    )
    start = (filters.page - 1) * filters.page_size
    return {
        "items": [_round(r) for r in qs[start : start + filters.page_size]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.get(
    "/screenings/{screening_round_id}",
    response=ScreeningRoundDetailOut,
    summary="排查轮次详情：排查汇总与各单位报告",
)
def round_get(request: HttpRequest, screening_round_id: int) -> Any:
    return _detail(request, screening_round_id)


# ---- reports ----------------------------------------------------------------------------------


class ScreeningItemIn(Schema):
    id: int | None = Field(None, description="更新已报事项时填其ID；新事项不填")
    kind: str = Field(description="、".join(ItemKind.values))
    summary: str = Field(description="简要情况")
    parties_count: int = Field(0, description="涉及人数")
    place: str = Field("", description="地点")
    risk_level: str = Field(description="、".join(RiskLevel.values))


class ScreeningReportIn(Schema):
    none_found: bool = Field(strict=True, description="true：本期无矛盾纠纷（报“无”）")
    items: list[ScreeningItemIn] = Field(default_factory=list, description="发现的事项")
    unit: int | None = Field(None, description="报送单位（区划ID）；只负责一个单位时可省略")
    note: str = ""


@router.post(
    "/screenings/{screening_round_id}/reports",
    response=ScreeningRoundDetailOut,
    summary="报送（或在本轮结束前更新）本单位的排查报告：“无”或发现的事项",
)
def report_post(request: HttpRequest, screening_round_id: int, payload: ScreeningReportIn) -> Any:
    report_submit(
        actor=actor_of(request),
        round_id=screening_round_id,
        none_found=payload.none_found,
        items=[i.model_dump() for i in payload.items],
        unit=payload.unit,
        note=payload.note,
    )
    return _detail(request, screening_round_id)


class PartyForScreeningIn(Schema):
    role: str = Field(description="applicant（申请人）或 respondent（被申请人）")
    kind: str = Field("person", description="person（自然人）或 organisation（单位）")
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""


class ScreeningDispositionIn(Schema):
    disposition: str = Field(
        description="event 转为事件 / mediation 转为调解案件 / handled 已在处理",
    )
    category: int | None = Field(None, description="event：事件分类（小类）")
    extra: dict[str, Any] | None = Field(None, description="event：分类的附加信息（如涉及人数）")
    region: int | None = Field(
        None, description="event / mediation：所在区划（默认报送单位或本人网格）"
    )
    parties: list[PartyForScreeningIn] | None = Field(None, description="mediation：当事人")
    dispute_kind: str | None = Field(None, description="mediation：纠纷类型")
    amount: Decimal | None = Field(None, description="mediation：涉及金额（元）")
    note: str | None = Field(None, description="handled：处理情况")
    event: int | None = Field(None, description="handled：正在处理它的事件ID（选填）")
    case: int | None = Field(None, description="handled：正在处理它的调解案件ID（选填）")


@router.post(
    "/screenings/items/{screening_item_id}/disposition",
    response=ScreeningItemOut,
    summary="处置排查事项：转为事件、转为调解案件或标记已在处理",
)
def item_disposition(
    request: HttpRequest, screening_item_id: int, payload: ScreeningDispositionIn
) -> Any:
    data = payload.model_dump(exclude={"disposition"})
    if payload.parties is not None:
        data["parties"] = [p.model_dump() for p in payload.parties]
    item = item_dispose(
        actor=actor_of(request),
        item_id=screening_item_id,
        disposition=payload.disposition,
        payload=data,
    )
    return _item(item)

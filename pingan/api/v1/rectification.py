"""Rectification orders (整改通知) and deductions (扣分): the list, one order with its
evidence, timeline and next actions, issuing an order by hand, transitions, evidence
upload, the deductions of a year and their cancellation. Reads through
`rectification.selectors`/`permissions` (scoped to the caller), writes through
`rectification.services`. docs/rectification.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict, Field

from pingan.access.actor import actor_of
from pingan.api.v1.cases import action_rows, timeline_rows
from pingan.cases.service import allowed
from pingan.core import clock
from pingan.core.errors import NotFound, invalid
from pingan.rectification.choices import OrderSource, Status
from pingan.rectification.kind import RECTIFICATION
from pingan.rectification.models import Deduction, RectificationOrder
from pingan.rectification.permissions import access_order
from pingan.rectification.selectors import (
    deduction_totals,
    deductions_in_scope,
    order_list,
    order_state_counts,
)
from pingan.rectification.services import (
    deduction_cancel,
    evidence_add,
    order_issue,
    rectification_transition,
)

router = Router(tags=["rectification"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


# ---- output ---------------------------------------------------------------------------------


class RectificationOut(Schema):
    id: int
    code: str
    title: str
    status: str
    status_label: str
    deadline: dt.date
    overdue: bool
    region: int
    region_name: str
    unit: str = Field(description="责任单位：region:<id> 或 department:<id>")
    unit_name: str
    source_kind: str
    source_id: int | None
    source_label: str
    campaign: int | None
    published: bool
    deduction_points: Decimal
    failed_rechecks: int
    issued_at: dt.datetime
    acknowledged_at: dt.datetime | None
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None


class RectificationPage(Schema):
    items: list[RectificationOut]
    count: int
    page: int
    page_size: int
    by_status: dict[str, int] = Field(description="各状态件数（同一筛选条件，不含状态筛选）")


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    round: int
    note: str
    uploaded_at: dt.datetime


class RectificationTimelineOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: int | None
    actor_role: str
    note: str
    data: dict[str, Any]
    at: dt.datetime


class RectificationActionOut(Schema):
    action: str
    variant: str
    label: str
    requires: list[str]


class RectificationDetailOut(RectificationOut):
    finding: str
    requirement: str
    evidence_required: str
    result: str
    recheck_note: str
    watchers: list[int]
    evidence: list[EvidenceOut]
    timeline: list[RectificationTimelineOut]
    allowed_actions: list[RectificationActionOut]


def unit_key(region_id: int | None, department_id: int | None) -> str:
    return f"region:{region_id}" if region_id else f"department:{department_id}"


def _order(o: RectificationOrder) -> dict[str, Any]:
    return {
        "id": o.pk,
        "code": o.code,
        "title": o.title,
        "status": o.status,
        "status_label": o.get_status_display(),
        "deadline": o.deadline,
        "overdue": o.overdue,
        "region": o.region_id,
        "region_name": o.region.name,
        "unit": unit_key(o.unit_region_id, o.unit_department_id),
        "unit_name": o.unit_name,
        "source_kind": o.source_kind,
        "source_id": o.source_id,
        "source_label": o.source_label,
        "campaign": o.campaign_id,
        "published": o.published,
        "deduction_points": o.deduction_points,
        "failed_rechecks": o.failed_rechecks,
        "issued_at": o.issued_at,
        "acknowledged_at": o.acknowledged_at,
        "submitted_at": o.submitted_at,
        "closed_at": o.closed_at,
    }


def _detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    o = access_order(actor, order_id)
    out = _order(o)
    out.update(
        finding=o.finding,
        requirement=o.requirement,
        evidence_required=o.evidence_required,
        result=o.result,
        recheck_note=o.recheck_note,
        watchers=sorted(o.watchers.values_list("pk", flat=True)),
        evidence=[
            {
                "id": e.pk,
                "name": e.name,
                "content_type": e.content_type,
                "size": e.size,
                "round": e.round,
                "note": e.note,
                "uploaded_at": e.uploaded_at,
            }
            for e in o.evidence.all()
        ],
        timeline=timeline_rows(RECTIFICATION, o.timeline.all()),
        allowed_actions=action_rows(allowed(RECTIFICATION, actor, o)),
    )
    return out


def parse_unit(raw: str | None) -> tuple[int | None, int | None]:
    """`region:<id>` or `department:<id>` → (unit_region_id, unit_department_id)."""
    if not raw:
        return None, None
    kind, _sep, pk = raw.partition(":")
    if kind not in ("region", "department") or not pk.isdigit():
        raise invalid("unit", _("责任单位应为 region:<编号> 或 department:<编号>"))
    return (int(pk), None) if kind == "region" else (None, int(pk))


# ---- the list and one order -------------------------------------------------------------------


class RectificationQuery(Schema):
    status: str | None = Field(None, description="、".join(Status.values))
    unit: str | None = Field(None, description="责任单位：region:<id> 或 department:<id>")
    overdue: bool | None = Field(None, description="只看超期（true）或未超期（false）")
    campaign: int | None = Field(None, description="专项行动")
    source_kind: str | None = Field(None, description="、".join(OrderSource.values))
    source_id: int | None = Field(None, description="来源编号（如督查检查的编号）")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/rectifications",
    response=RectificationPage,
    summary="整改通知列表（按当前用户的范围）",
    operation_id="rectification_list",
)
def rectifications(request: HttpRequest, filters: Query[RectificationQuery]) -> Any:
    if filters.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= filters.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    if filters.status and filters.status not in Status.values:
        raise invalid("status", _("取值应为：%(values)s") % {"values": "、".join(Status.values)})
    unit_region, unit_department = parse_unit(filters.unit)
    common: dict[str, Any] = {
        "unit_region_id": unit_region,
        "unit_department_id": unit_department,
        "overdue": filters.overdue,
        "campaign_id": filters.campaign,
        "source_kind": filters.source_kind or "",
        "source_id": filters.source_id,
    }
    actor = actor_of(request)
    qs = order_list(actor, status=filters.status or "", **common)
    start = (filters.page - 1) * filters.page_size
    return {
        "items": [_order(o) for o in qs[start : start + filters.page_size]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "by_status": order_state_counts(order_list(actor, **common)),
    }


class RectificationIn(BaseModel):
    title: str = Field(description="问题")
    finding: str = Field("", description="发现情况")
    requirement: str = Field(description="整改要求")
    evidence_required: str = Field("", description="佐证材料要求（空：反馈时不要求佐证材料）")
    deadline: dt.date = Field(description="整改期限")
    region: int = Field(description="问题所在区划")
    unit: str = Field(description="责任单位：region:<乡镇编号> 或 department:<部门编号>")
    campaign: int | None = Field(None, description="专项行动")
    deduction_points: Decimal = Field(Decimal("1"), description="超期或复查未通过时的扣分")
    watchers: list[int] = Field(default_factory=list, description="督查人员（用户编号）")


@router.post(
    "/rectifications",
    response={201: RectificationDetailOut},
    summary="直接下发整改通知（县级平安办、督查员）",
    operation_id="rectification_create",
)
def rectification_create(request: HttpRequest, payload: RectificationIn) -> Any:
    unit_region, unit_department = parse_unit(payload.unit)
    if unit_region is None and unit_department is None:
        raise invalid("unit", _("请选择责任单位"))
    o = order_issue(
        actor=actor_of(request),
        title=payload.title,
        finding=payload.finding,
        requirement=payload.requirement,
        evidence_required=payload.evidence_required,
        deadline=payload.deadline,
        region_id=payload.region,
        unit_region_id=unit_region,
        unit_department_id=unit_department,
        source_kind=OrderSource.MANUAL,
        campaign_id=payload.campaign,
        deduction_points=payload.deduction_points,
        watcher_ids=payload.watchers,
    )
    return Reply(201, _detail(request, o.pk))


# ---- deductions (before /{id} so the word is not read as an id) ----------------------------


class DeductionQuery(Schema):
    unit: str | None = Field(None, description="region:<id> 或 department:<id>")
    year: int | None = Field(None, ge=2000, le=2100, description="年度（默认今年）")
    cancelled: bool = Field(False, description="是否包含已撤销的扣分")


class DeductionOut(Schema):
    id: int
    unit: str
    unit_name: str
    points: Decimal
    reason: str
    source_kind: str
    source_kind_label: str
    source_id: int | None
    source_label: str
    order: int | None
    on: dt.date
    cancelled: bool
    cancel_reason: str


class DeductionTotalOut(Schema):
    unit: str
    unit_name: str
    count: int
    points: Decimal


class DeductionList(Schema):
    year: int
    items: list[DeductionOut]
    totals: list[DeductionTotalOut] = Field(description="各单位扣分合计（不含已撤销）")


def deduction_dict(d: Deduction) -> dict[str, Any]:
    return {
        "id": d.pk,
        "unit": unit_key(d.unit_region_id, d.unit_department_id),
        "unit_name": d.unit_name,
        "points": d.points,
        "reason": d.reason,
        "source_kind": d.source_kind,
        "source_kind_label": d.get_source_kind_display(),
        "source_id": d.source_id,
        "source_label": d.source_label,
        "order": d.order_id,
        "on": d.on,
        "cancelled": d.cancelled,
        "cancel_reason": d.cancel_reason,
    }


@router.get(
    "/rectifications/deductions",
    response=DeductionList,
    summary="扣分明细与各单位合计（按年度，按当前用户的范围）",
    operation_id="rectification_deductions",
)
def deductions(request: HttpRequest, filters: Query[DeductionQuery]) -> Any:
    year = filters.year or timezone.localdate(clock.now()).year
    qs = deductions_in_scope(actor_of(request)).filter(on__year=year)
    unit_region, unit_department = parse_unit(filters.unit)
    if unit_region is not None:
        qs = qs.filter(unit_region_id=unit_region)
    if unit_department is not None:
        qs = qs.filter(unit_department_id=unit_department)
    items = qs if filters.cancelled else qs.filter(cancelled=False)
    totals = deduction_totals(qs.filter(cancelled=False))
    return {
        "year": year,
        "items": [deduction_dict(d) for d in items.order_by("-on", "-id")],
        "totals": [
            {
                "unit": unit_key(t["unit_region_id"], t["unit_department_id"]),
                "unit_name": t["unit_name"],
                "count": t["count"],
                "points": t["points"],
            }
            for t in totals
        ],
    }


class DeductionCancelIn(BaseModel):
    reason: str = Field(description="撤销原因（如申诉成立）")


@router.post(
    "/rectifications/deductions/{rectification_deduction_id}/cancel",
    response=DeductionOut,
    summary="撤销扣分（县级平安办）",
    operation_id="rectification_deduction_cancel",
)
def deduction_cancel_view(
    request: HttpRequest, rectification_deduction_id: int, payload: DeductionCancelIn
) -> Any:
    actor = actor_of(request)
    pk = rectification_deduction_id
    if not deductions_in_scope(actor).filter(pk=pk).exists():
        raise NotFound(_("扣分记录不存在"))
    d = deduction_cancel(actor=actor, deduction_id=pk, reason=payload.reason)
    return deduction_dict(d)


# ---- one order ------------------------------------------------------------------------------


@router.get(
    "/rectifications/{rectification_id}",
    response=RectificationDetailOut,
    summary="整改通知详情（佐证材料、流转记录、可执行的操作）",
    operation_id="rectification_get",
)
def rectification_get(request: HttpRequest, rectification_id: int) -> Any:
    return _detail(request, rectification_id)


class RectificationTransitionIn(BaseModel):
    """`{"action", ...fields}`: each action's fields are in docs/workflow-rectification.md."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(description="、".join(RECTIFICATION.workflow.actions))
    note: str | None = Field(None, description="说明（复查不通过、延期、撤销必填）")
    result: str | None = Field(None, description="submit：整改情况")
    passed: bool | None = Field(None, description="recheck：复查是否通过")
    deadline: dt.date | None = Field(None, description="recheck（不通过）、extend：新的整改期限")


@router.post(
    "/rectifications/{rectification_id}/transitions",
    response=RectificationDetailOut,
    summary="对整改通知执行流转操作（409 当前状态不可，403 角色或范围不可，404 不在范围，"
    "422 字段错误）",
    operation_id="rectification_transition",
)
def rectification_transition_view(
    request: HttpRequest, rectification_id: int, payload: RectificationTransitionIn
) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v is not None and k != "action"}
    rectification_transition(
        actor=actor_of(request), order_id=rectification_id, action=payload.action, payload=data
    )
    return _detail(request, rectification_id)


@router.post(
    "/rectifications/{rectification_id}/evidence",
    response={201: RectificationDetailOut},
    summary="上传佐证材料（照片 JPEG/PNG/WebP 或 PDF，10MB以内；责任单位，签收后反馈前）",
    operation_id="rectification_evidence",
)
def rectification_evidence(
    request: HttpRequest,
    rectification_id: int,
    file: File[UploadedFile],
    note: Form[str] = "",
) -> Any:
    evidence_add(
        actor=actor_of(request),
        order_id=rectification_id,
        upload=file,
        name=file.name or "",
        note=note,
    )
    return Reply(201, _detail(request, rectification_id))

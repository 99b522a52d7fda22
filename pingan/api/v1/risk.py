"""Stability-risk assessment of major matters (稳评): the register, one matter with its
steps, measures, timeline and linked events, registering and changing a matter, its
transitions, and the figures. Reads through `risk.selectors`/`risk.linking`/`risk.stats`
(scoped to the caller), writes through `risk.services`. docs/risk.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as Reply
from pydantic import BaseModel, ConfigDict, Field

from pingan.access.actor import actor_of
from pingan.analytics.kpis import format_rate, rate
from pingan.api.v1.cases import action_rows, timeline_rows
from pingan.cases.service import allowed
from pingan.core import clock
from pingan.core.errors import invalid
from pingan.geo.models import Region
from pingan.risk import linking, stats
from pingan.risk.choices import Decision, Grade, MatterKind, Status, StepKind
from pingan.risk.kind import RISK
from pingan.risk.models import MajorMatter
from pingan.risk.selectors import linked_event_dict, matter_detail, matter_list, measure_state
from pingan.risk.services import matter_create, matter_update, risk_transition

router = Router(tags=["risk"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


# ---- output ---------------------------------------------------------------------------------


class RiskMatterOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    grade: str
    grade_label: str
    decision: str
    decision_label: str
    owner_department: int
    owner_department_name: str
    region: int
    region_name: str
    lat: float | None
    lng: float | None
    area: dict[str, Any] | None = Field(description="范围（GeoJSON Polygon/MultiPolygon）")
    radius_m: int
    people_affected: int
    planned_on: dt.date | None
    created_at: dt.datetime
    graded_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None


class RiskMatterRowOut(RiskMatterOut):
    steps: int
    measures: int
    open_measures: int
    overdue_measures: int
    third_party: bool


class RiskMatterPage(Schema):
    items: list[RiskMatterRowOut]
    count: int
    page: int
    page_size: int


class RiskStepOut(Schema):
    id: int
    kind: str
    kind_label: str
    held_on: dt.date
    body: str
    summary: str


class RiskMeasureOut(Schema):
    id: int
    measure: str
    owner_department: int
    owner_department_name: str
    owner_user: int | None
    owner_user_name: str | None
    deadline: dt.date
    done_at: dt.datetime | None
    done_note: str
    on_time: bool | None
    state: str = Field(
        description="done_on_time 按期完成 / done_late 逾期完成 / overdue 逾期未完成 / open 未到期"
    )


class RiskTimelineOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: int | None
    actor_role: str
    note: str
    data: dict[str, Any]
    at: dt.datetime


class RiskActionOut(Schema):
    action: str
    label: str
    requires: list[str]


class RiskLinkedEventOut(Schema):
    id: int
    code: str
    title: str
    category: int
    category_name: str
    status: str
    status_label: str
    region_name: str
    address: str = Field(description="地址（脱敏）")
    lat: float | None
    lng: float | None
    reported_at: dt.datetime
    is_dispute: bool | None


class RiskLinkedOut(Schema):
    has_place: bool
    events: int = Field(description="范围内（多边形内或半径内）本人可见的事件数")
    disputes: int = Field(description="其中矛盾纠纷类事件数")
    capped: bool
    latest: list[RiskLinkedEventOut]
    latest_disputes: list[RiskLinkedEventOut]


class RiskMatterDetailOut(RiskMatterOut):
    description: str
    grade_reasons: str
    decision_note: str
    steps: list[RiskStepOut]
    measures: list[RiskMeasureOut]
    timeline: list[RiskTimelineOut]
    linked: RiskLinkedOut
    allowed_actions: list[RiskActionOut]


def _matter(m: MajorMatter) -> dict[str, Any]:
    return {
        "id": m.pk,
        "code": m.code,
        "title": m.title,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "status": m.status,
        "status_label": m.get_status_display(),
        "grade": m.grade,
        "grade_label": m.get_grade_display() if m.grade else "",
        "decision": m.decision,
        "decision_label": m.get_decision_display() if m.decision else "",
        "owner_department": m.owner_department_id,
        "owner_department_name": m.owner_department.name,
        "region": m.region_id,
        "region_name": m.region.name,
        "lat": m.lat,
        "lng": m.lng,
        "area": m.area,
        "radius_m": m.radius_m,
        "people_affected": m.people_affected,
        "planned_on": m.planned_on,
        "created_at": m.created_at,
        "graded_at": m.graded_at,
        "decided_at": m.decided_at,
        "closed_at": m.closed_at,
    }


def _detail(request: HttpRequest, matter_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    m = matter_detail(actor=actor, matter_id=matter_id)
    today = timezone.localdate(clock.now())
    linked = linking.linked_events(actor=actor, matter=m)
    disputes = linking.dispute_category_ids() if linked.events else set()
    out = _matter(m)
    out.update(
        description=m.description,
        grade_reasons=m.grade_reasons,
        decision_note=m.decision_note,
        steps=[
            {
                "id": s.pk,
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "held_on": s.held_on,
                "body": s.body,
                "summary": s.summary,
            }
            for s in m.steps.all()
        ],
        measures=[
            {
                "id": x.pk,
                "measure": x.measure,
                "owner_department": x.owner_department_id,
                "owner_department_name": x.owner_department.name,
                "owner_user": x.owner_user_id,
                "owner_user_name": x.owner_user.display_name if x.owner_user else None,
                "deadline": x.deadline,
                "done_at": x.done_at,
                "done_note": x.done_note,
                "on_time": x.on_time,
                "state": measure_state(x, today),
            }
            for x in m.measures.all()
        ],
        timeline=timeline_rows(RISK, m.timeline.all()),
        linked={
            "has_place": linked.has_place,
            "events": linked.events,
            "disputes": linked.disputes,
            "capped": linked.capped,
            "latest": [linked_event_dict(e, disputes=disputes) for e in linked.latest],
            "latest_disputes": [
                linked_event_dict(e, disputes=disputes) for e in linked.latest_disputes
            ],
        },
        allowed_actions=action_rows(allowed(RISK, actor, m)),
    )
    return out


# ---- the register -----------------------------------------------------------------------------


def _list(raw: str | None, values: list[str], field: str) -> list[str]:
    items = [s for s in (raw or "").split(",") if s]
    for item in items:
        if item not in values:
            raise invalid(field, _("取值应为：%(values)s") % {"values": "、".join(values)})
    return items


def _region(pk: int | None) -> Region | None:
    if pk is None:
        return None
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise invalid("region", _("区划不存在"))
    return region


class RiskMatterQuery(Schema):
    grade: str | None = Field(None, description="风险等级 high/medium/low，可逗号分隔多个")
    decision: str | None = Field(
        None, description="决策 implement/conditional/postpone/reject，可逗号分隔"
    )
    kind: str | None = Field(None, description="事项类型，可逗号分隔")
    status: str | None = Field(None, description="状态，可逗号分隔")
    region: int | None = Field(None, description="所在区划（含下级）")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/risk/matters", response=RiskMatterPage, summary="重大事项稳评台账（按当前用户的范围）"
)
def matters(request: HttpRequest, filters: Query[RiskMatterQuery]) -> Any:
    if filters.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= filters.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    qs = matter_list(
        actor=actor_of(request),
        grade=_list(filters.grade, Grade.values, "grade"),
        decision=_list(filters.decision, Decision.values, "decision"),
        kind=_list(filters.kind, MatterKind.values, "kind"),
        status=_list(filters.status, Status.values, "status"),
        region=_region(filters.region),
    )
    start = (filters.page - 1) * filters.page_size
    items = []
    for m in qs[start : start + filters.page_size]:
        row = _matter(m)
        row.update(
            steps=m.step_count,  # type: ignore[attr-defined]
            measures=m.measure_count,  # type: ignore[attr-defined]
            open_measures=m.open_measures,  # type: ignore[attr-defined]
            overdue_measures=m.overdue_measures,  # type: ignore[attr-defined]
            third_party=m.third_party,  # type: ignore[attr-defined]
        )
        items.append(row)
    return {
        "items": items,
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
    }


class RiskMatterIn(BaseModel):
    title: str = Field(description="事项名称")
    kind: str = Field(MatterKind.OTHER, description="、".join(MatterKind.values))
    owner_department: int = Field(description="责任部门")
    region: int = Field(description="所在区划")
    lat: float | None = Field(None, description="位置：纬度（与经度同填）")
    lng: float | None = Field(None, description="位置：经度")
    area: dict[str, Any] | None = Field(None, description="范围：GeoJSON Polygon/MultiPolygon")
    radius_m: int | None = Field(None, description="关联半径（米，0–5000，默认500）")
    people_affected: int | None = Field(None, description="涉及群众人数")
    planned_on: dt.date | None = Field(None, description="计划实施日期")
    description: str = Field("", description="事项概况")
    sensitivity: str = Field("", description="敏感标签（可空）")


class RiskMatterPatch(BaseModel):
    """Only the fields sent change; the grade and the decision change by the workflow."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    kind: str | None = None
    owner_department: int | None = None
    region: int | None = None
    lat: float | None = None
    lng: float | None = None
    area: dict[str, Any] | None = None
    radius_m: int | None = None
    people_affected: int | None = None
    planned_on: dt.date | None = None
    description: str | None = None
    sensitivity: str | None = None


@router.post(
    "/risk/matters",
    response={201: RiskMatterDetailOut},
    summary="登记重大事项（县级平安办：受理员、领导）",
)
def matter_add(request: HttpRequest, payload: RiskMatterIn) -> Any:
    fields = payload.model_dump()
    if fields.get("radius_m") is None:
        fields.pop("radius_m")
    m = matter_create(actor=actor_of(request), **fields)
    return Reply(201, _detail(request, m.pk))


@router.get(
    "/risk/matters/{risk_matter_id}",
    response=RiskMatterDetailOut,
    summary="重大事项详情（评估环节、防范措施、流转记录、关联事件）",
)
def matter_get(request: HttpRequest, risk_matter_id: int) -> Any:
    return _detail(request, risk_matter_id)


@router.patch(
    "/risk/matters/{risk_matter_id}",
    response=RiskMatterDetailOut,
    summary="修改重大事项登记信息（只改所传字段；县级平安办）",
)
def matter_patch(request: HttpRequest, risk_matter_id: int, payload: RiskMatterPatch) -> Any:
    matter_update(
        actor=actor_of(request), matter_id=risk_matter_id, **payload.model_dump(exclude_unset=True)
    )
    return _detail(request, risk_matter_id)


class RiskTransitionIn(BaseModel):
    """`{"action", ...fields}`: each action's fields are in docs/workflow-risk.md."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(description="、".join(RISK.workflow.actions))
    note: str | None = Field(None, description="说明（决策、跟踪记录、重新评估、撤销必填）")
    step_kind: str | None = Field(None, description="record_step：" + "、".join(StepKind.values))
    held_on: dt.date | None = Field(None, description="record_step：日期")
    body: str | None = Field(None, description="record_step：评估机构（第三方评估必填）")
    summary: str | None = Field(None, description="record_step：情况摘要")
    grade: str | None = Field(None, description="grade：high、medium、low")
    reasons: str | None = Field(None, description="grade：定级理由")
    decision: str | None = Field(None, description="decide：" + "、".join(Decision.values))
    measure: str | None = Field(None, description="add_measure：措施内容")
    owner_department: int | None = Field(None, description="add_measure：责任部门")
    owner_user: int | None = Field(None, description="add_measure：责任人（选填）")
    deadline: dt.date | None = Field(None, description="add_measure：完成期限")
    measure_id: int | None = Field(None, description="measure_done：措施")


@router.post(
    "/risk/matters/{risk_matter_id}/transitions",
    response=RiskMatterDetailOut,
    summary="对重大事项执行流转操作（409 当前状态不可，403 角色或范围不可，404 不在范围，"
    "422 字段错误）",
)
def matter_transition(request: HttpRequest, risk_matter_id: int, payload: RiskTransitionIn) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v is not None and k != "action"}
    risk_transition(
        actor=actor_of(request), matter_id=risk_matter_id, action=payload.action, payload=data
    )
    return _detail(request, risk_matter_id)


# ---- figures ------------------------------------------------------------------------------------


class RiskStatsQuery(Schema):
    date_from: dt.date | None = Field(None, description="起始日（默认今年1月1日）")
    date_to: dt.date | None = Field(None, description="截止日（默认今天）")
    region: int | None = Field(None, description="区划（含下级）")


class RiskMonthOut(Schema):
    month: str
    assessed: int


class RiskStatsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    region: int | None
    registered: int = Field(description="期内登记的重大事项")
    assessed: int = Field(description="期内完成评估（定级）的事项")
    third_party: int = Field(description="其中经第三方评估的事项")
    decided: int = Field(description="期内作出决策的事项")
    by_kind: dict[str, int]
    by_grade: dict[str, int]
    by_decision: dict[str, int]
    by_month: list[RiskMonthOut]
    measures_due: int = Field(description="期限在期内且已到期（已完成或已过期限）的措施：分母")
    measures_on_time: int = Field(description="其中按期完成：分子")
    measures_late: int
    measures_overdue: int
    measures_pending: int
    on_time_rate: float | None = Field(description="措施按期完成率（0–1），无分母为 null")
    on_time_rate_text: str = Field(description="如 95.20%，无分母为 —")


@router.get("/risk/stats", response=RiskStatsOut, summary="稳评统计（按当前用户的范围）")
def risk_stats(request: HttpRequest, filters: Query[RiskStatsQuery]) -> Any:
    start, end = stats.default_period()
    date_from = filters.date_from or start
    date_to = filters.date_to or end
    if date_from > date_to:
        raise invalid("date_from", _("起始日不能晚于截止日"))
    out = stats.figures(
        actor=actor_of(request),
        date_from=date_from,
        date_to=date_to,
        region=_region(filters.region),
    )
    value = rate(out["measures_on_time"], out["measures_due"])
    out.update(on_time_rate=value, on_time_rate_text=format_rate(value))
    return out

"""Events: report, list, detail, and the one transition endpoint.

Every read goes through `events.selectors` (scoped to the caller), every write through
`events.services`; nothing here sets a status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from pydantic import ConfigDict, Field

from pingan.access.actor import actor_of
from pingan.api.v1.mediation import CaseDetailOut, refer_from_event
from pingan.core import clock
from pingan.core.errors import invalid
from pingan.events import deadlines, workflow
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    Source,
    Status,
    Urgency,
)
from pingan.events.contact import contact_masked, event_contact_reveal
from pingan.events.models import Event
from pingan.events.selectors import (
    EventFilters,
    event_count,
    event_detail,
    event_list,
    newest_first_rows,
    with_detail,
)
from pingan.events.services import allowed_actions, event_report, event_transition

router = Router(tags=["events"])

MAX_PAGE_SIZE = 200
# Deeper pages than this are refused: (page - 1) × page_size must stay an offset the
# database can take (a page of 2**62 overflowed SQLite's integer: a 500).
MAX_PAGE = 1_000_000
DEFAULT_PAGE_SIZE = 20


# ---- output ---------------------------------------------------------------------------


class EventOut(Schema):
    id: int
    code: str
    title: str
    description: str
    status: str
    status_label: str
    category: int
    category_name: str
    source: str
    source_label: str
    urgency: str
    region: int
    region_name: str
    queue_region: int
    lat: float | None
    lng: float | None
    address: str = Field(description="地址（脱敏）")
    reporter_name: str = Field(description="反映人（脱敏）")
    reporter_phone: str = Field(description="反映人电话（脱敏）")
    sensitivity: str = Field(description="敏感标签：空、corrections、petition、stability")
    extra: dict[str, Any]
    occurred_at: dt.datetime | None
    reported_at: dt.datetime
    accepted_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    ack_due_at: dt.datetime | None
    due_at: dt.datetime | None
    deadline_state: Literal["normal", "warning", "overdue"] | None
    lead_department: int | None
    lead_department_name: str | None
    assisting_departments: list[int]
    satisfaction: str | None
    resolved_on_site: bool
    resolution: Literal["resolved", "unresolved"] | None = Field(
        None,
        description="化解结果（主办部门办结反馈时给出）：resolved 已解决（化解）、"
        "unresolved 未化解；未给出时为 null（按已解决统计）",
    )
    referral: Literal["litigation", "arbitration", "petition", "other"] | None = Field(
        None,
        description="未化解时的引导途径：litigation 引导诉讼、arbitration 申请仲裁、"
        "petition 信访渠道、other 其他",
    )
    master: int | None


class TimelineOut(Schema):
    id: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: int | None
    actor_name: str | None
    actor_role: str
    department: int | None
    department_name: str | None
    note: str
    public_reply: str = Field(description="对外答复（公开的文字，手机号、身份证号已打码）")
    data: dict[str, Any]
    at: dt.datetime


class AssignmentOut(Schema):
    id: int
    department: int
    department_name: str
    role: str
    role_label: str
    status: str
    status_label: str
    dispatched_at: dt.datetime
    ack_due_at: dt.datetime | None
    due_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    result: str
    note: str


class ActionOut(Schema):
    action: str
    variant: str
    label: str
    requires: list[str]
    public_reply: bool = Field(description="此操作可另填对外答复 public_reply")


class EventDetailOut(EventOut):
    timeline: list[TimelineOut]
    assignments: list[AssignmentOut]
    allowed_actions: list[ActionOut]


# The list's count is exact up to this many events. Beyond it the count stops there and
# `count_capped` says so: counting a county's five years (a million events at city scale)
# costs seconds on every page of the list, where a LIMITed count costs milliseconds.
API_COUNT_CAP = 10_000


class EventPage(Schema):
    items: list[EventOut]
    count: int = Field(description=f"匹配的事件数（最多计到 {API_COUNT_CAP}）")
    count_capped: bool = Field(description=f"匹配的事件多于 {API_COUNT_CAP} 件，count 只计到此数")
    page: int
    page_size: int


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


def event_dict(e: Any, *, now: dt.datetime) -> dict[str, Any]:
    """The contract's event fields (plus labels) from an event loaded by a selector."""
    assisting = getattr(e, "assisting", None) or []
    contact = contact_masked(e)
    return {
        "id": e.pk,
        "code": e.code,
        "title": e.title,
        "description": e.description,
        "status": e.status,
        "status_label": str(Status(e.status).label),
        "category": e.category_id,
        "category_name": e.category.name,
        "source": e.source,
        "source_label": str(Source(e.source).label) if e.source in Source.values else e.source,
        "urgency": e.urgency,
        "region": e.region_id,
        "region_name": e.region.name,
        "queue_region": e.queue_region_id,
        "lat": e.lat,
        "lng": e.lng,
        "address": contact.address,
        "reporter_name": contact.reporter_name,
        "reporter_phone": contact.reporter_phone,
        "sensitivity": e.sensitivity,
        "extra": e.extra or {},
        "occurred_at": _local(e.occurred_at),
        "reported_at": _local(e.reported_at),
        "accepted_at": _local(e.accepted_at),
        "dispatched_at": _local(e.dispatched_at),
        "resolved_at": _local(e.resolved_at),
        "closed_at": _local(e.closed_at),
        "ack_due_at": _local(e.ack_due_at),
        "due_at": _local(e.due_at),
        "deadline_state": deadlines.state_at(e, now),
        "lead_department": e.lead_department_id,
        "lead_department_name": e.lead_department.name if e.lead_department_id else None,
        "assisting_departments": [a.department_id for a in assisting],
        "satisfaction": e.satisfaction or None,
        "resolved_on_site": e.resolved_on_site,
        "resolution": e.resolution or None,
        "referral": e.referral or None,
        "master": e.master_id,
    }


def event_detail_dict(e: Any, *, user: Any, now: dt.datetime) -> dict[str, Any]:
    """Event fields plus timeline, assignments and the actions `user` may fire now."""
    out = event_dict(e, now=now)
    out["timeline"] = [
        {
            "id": t.pk,
            "action": t.action,
            "action_label": workflow.timeline_label(t.action, t.data),
            "from_status": t.from_status,
            "to_status": t.to_status,
            "actor": t.actor_id,
            "actor_name": t.actor.display_name if t.actor_id else None,
            "actor_role": t.actor_role,
            "department": t.department_id,
            "department_name": t.department.name if t.department_id else None,
            "note": t.note,
            "public_reply": t.public_reply,
            "data": t.data or {},
            "at": _local(t.at),
        }
        for t in e.timeline_rows
    ]
    out["assignments"] = [
        {
            "id": a.pk,
            "department": a.department_id,
            "department_name": a.department.name,
            "role": a.role,
            "role_label": str(AssignmentRole(a.role).label),
            "status": a.status,
            "status_label": str(AssignmentStatus(a.status).label),
            "dispatched_at": _local(a.dispatched_at),
            "ack_due_at": _local(a.ack_due_at),
            "due_at": _local(a.due_at),
            "acknowledged_at": _local(a.acknowledged_at),
            "resolved_at": _local(a.resolved_at),
            "result": a.result,
            "note": a.note,
        }
        for a in e.assignment_rows
    ]
    out["allowed_actions"] = [
        {
            "action": r.action,
            "variant": r.variant,
            "label": r.display_label,
            "requires": list(r.requires),
            "public_reply": r.public_reply,
        }
        for r in allowed_actions(user, e)
    ]
    return out


def _detail(request: HttpRequest, event_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    event = event_detail(user=actor, event_id=event_id, attachments=False)
    return event_detail_dict(event, user=actor, now=clock.now())


def _written(request: HttpRequest, event: Event) -> dict[str, Any]:
    """The answer to a write: the detail of the event its service returned (read and
    locked in scope, then changed and saved in the same transaction), with its timeline
    and assignments read once more; not the whole event again through the scope
    (docs/performance.md, "Cost of one request")."""
    actor = actor_of(request)
    return event_detail_dict(with_detail(event, attachments=False), user=actor, now=clock.now())


# ---- report ---------------------------------------------------------------------------


class EventIn(Schema):
    category: int = Field(description="小类编号（分类树的叶子）")
    description: str = Field(description="事件描述")
    title: str = ""
    source: Literal[tuple(Source.values)] = Source.GRID_PATROL  # type: ignore[valid-type]
    urgency: Literal[tuple(Urgency.values)] = Urgency.NORMAL  # type: ignore[valid-type]
    lat: float | None = Field(None, description="纬度；与经度同时提供时按坐标定位网格")
    lng: float | None = None
    region: int | None = Field(None, description="所在区划（无坐标时必填）")
    address: str = ""
    occurred_at: dt.datetime | None = None
    client_uuid: str | None = Field(None, description="客户端生成的UUID，重复提交返回同一事件")
    extra: dict[str, Any] | None = Field(None, description="分类要求的附加字段")
    reporter_name: str = ""
    reporter_phone: str = ""
    outside_own_grid: bool = Field(
        False,
        description="网格员、网格长上报本人网格以外的位置时须为 true："
        "按坐标定位所在网格，流转记录与审计注明“不在本人网格内”",
    )


@router.post(
    "/events",
    response={200: EventDetailOut, 201: EventDetailOut},
    summary="上报事件（相同 client_uuid 重复提交返回 200 与首次的事件）",
)
def event_create(request: HttpRequest, payload: EventIn) -> Any:
    occurred_at = payload.occurred_at
    if occurred_at is not None and timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    event, created = event_report(
        actor=actor_of(request),
        category=payload.category,
        description=payload.description,
        title=payload.title,
        source=payload.source,
        urgency=payload.urgency,
        lat=payload.lat,
        lng=payload.lng,
        region=payload.region,
        address=payload.address,
        occurred_at=occurred_at,
        client_uuid=payload.client_uuid or None,
        extra=payload.extra,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        outside_own_grid=payload.outside_own_grid,
    )
    return Reply(201 if created else 200, _detail(request, event.pk))


# ---- list -----------------------------------------------------------------------------


class EventQuery(Schema):
    status: str | None = Field(None, description="状态，可逗号分隔多个")
    category: int | None = Field(None, description="分类（大类含其小类）")
    region: int | None = Field(None, description="区划（含其下所有区划）")
    source: str | None = Field(None, description="来源，可逗号分隔多个")
    q: str | None = Field(None, description="编号、标题、描述或地址中的文字")
    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    deadline_state: Literal["normal", "warning", "overdue"] | None = None
    deadline_mark: Literal["normal", "warning", "overdue"] | None = Field(
        None, description="时限巡检标记（统计口径：超期量按此计数）"
    )
    reporter_phone: str | None = Field(None, description="反映人电话（精确匹配）")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = DEFAULT_PAGE_SIZE


@router.get("/events", response=EventPage, summary="事件列表（按当前用户的范围）")
def events(request: HttpRequest, filters: Query[EventQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if filters.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= filters.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    parsed = EventFilters.from_params(request.GET)
    start = (filters.page - 1) * filters.page_size
    rows = newest_first_rows(
        event_list(user=user, filters=parsed),
        start,
        start + filters.page_size,
        recent_first=parsed.recent_first,
    )
    now = clock.now()
    count = event_count(user=user, filters=parsed, cap=API_COUNT_CAP)
    return {
        "items": [event_dict(e, now=now) for e in rows],
        "count": min(count, API_COUNT_CAP),
        "count_capped": count > API_COUNT_CAP,
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.get("/events/{event_id}", response=EventDetailOut, summary="事件详情（含流转记录）")
def event_get(request: HttpRequest, event_id: int) -> Any:
    return _detail(request, event_id)


class ContactOut(Schema):
    reporter_name: str
    reporter_phone: str
    address: str


@router.get(
    "/events/{event_id}/contact",
    response=ContactOut,
    summary="查看反映人联系方式与地址原文（受理员、承办部门可用；每次查看记入审计）",
)
@decorate_view(never_cache)  # personal data in full: never kept by a browser or a proxy
def event_contact(request: HttpRequest, event_id: int) -> Any:
    contact = event_contact_reveal(actor=actor_of(request), event_id=event_id)
    return {
        "reporter_name": contact.reporter_name,
        "reporter_phone": contact.reporter_phone,
        "address": contact.address,
    }


# ---- transitions ----------------------------------------------------------------------


class TransitionIn(Schema):
    """`{"action", ...fields}`; the fields each action needs are in the contract."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(description="、".join(workflow.ACTIONS))
    note: str | None = Field(None, description="内部说明（不对外公开）")
    public_reply: str | None = Field(
        None,
        description="对外答复（选填，最多1000字）：写给反映人和公众，手机号、身份证号打码后"
        "公开；仅 allowed_actions 中 public_reply 为 true 的操作可填，其余 422",
    )
    master: int | None = Field(None, description="merge：主事件编号")
    result: str | None = Field(None, description="resolve / resolve_on_site：处置结果")
    resolution: str | None = Field(
        None,
        description="resolve（主办部门）：化解结果 resolved（已解决（化解），默认）或 "
        "unresolved（未化解）；矛盾纠纷必填，缺少或取值不对时 422",
    )
    referral: str | None = Field(
        None,
        description="resolve（主办部门，未化解时选填）：引导途径 litigation（引导诉讼）、"
        "arbitration（申请仲裁）、petition（信访渠道）、other（其他）",
    )
    lead_department: int | None = Field(None, description="dispatch：主办部门")
    assisting_departments: list[int] | None = Field(None, description="dispatch：协办部门")
    days: int | None = Field(
        None, description="extend：延期天数（工作日；自然时计时的事件为自然日）"
    )
    approve: bool | None = Field(None, description="decide_extension：是否同意")
    passed: bool | None = Field(
        None,
        description="verify：核查是否通过（分类要求现场照片时，核查通过前须先以 "
        "kind=verification 上传核查照片，否则 422，字段 photos）",
    )
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"] | None = Field(
        None, description="follow_up：满意度（已回访过的再次回访为更正，须填 note 更正理由）"
    )
    participants: str | list[str] | None = Field(None, description="consult：参与方")
    conclusion: str | None = Field(None, description="consult：会商结论")
    check: int | None = Field(None, description="recheck：复查任务编号")
    recurred: bool | None = Field(None, description="recheck：是否复发")
    intervals: list[int] | None = Field(None, description="track：复查间隔天数")
    department: int | None = Field(
        None,
        description="add_assist / remove_assist / waive_assist：协办部门；"
        "supervise：被督办部门（默认主办）",
    )
    invited_departments: list[int] | None = Field(None, description="consult（发起）：受邀部门")
    topic: str | None = Field(None, description="consult（发起）：会商议题")
    scheduled_at: str | None = Field(
        None, description="consult（发起）：会商时间，如 2026-12-07T09:30"
    )
    consultation: int | None = Field(None, description="conclude_consult：会商编号（默认最近一次）")
    suggested_lead: int | None = Field(None, description="conclude_consult：建议主办部门")
    suggested_assisting: list[int] | None = Field(
        None, description="conclude_consult：建议协办部门"
    )
    level: str | None = Field(
        None,
        description="supervise：normal（一般督办，默认）或 key（重点督办）；"
        "activate_plan：响应级别 I、II、III 或 IV（须为该预案适用级别）",
    )
    plan: int | None = Field(None, description="activate_plan：启动的应急预案编号")
    reply_days: int | None = Field(None, description="supervise：回复期限（工作日，默认按级别）")
    supervision: int | None = Field(None, description="reply_supervision：督办件编号（默认最早）")
    reply: str | None = Field(None, description="reply_supervision：回复内容")
    # 转调解 (refer_mediation): the case's fields (pingan/api/v1/mediation.py, CaseIn).
    parties: list[dict[str, Any]] | None = Field(
        None, description="refer_mediation：当事人（至少一名申请人和一名被申请人）"
    )
    committee: int | None = Field(None, description="refer_mediation：调委会（选填）")
    summary: str | None = Field(None, description="refer_mediation：纠纷简要情况（默认事件描述）")
    dispute_kind: str | None = Field(None, description="refer_mediation：纠纷类型")
    amount: str | None = Field(None, description="refer_mediation：涉及金额（元）")
    client_uuid: str | None = Field(None, description="refer_mediation：重复提交返回同一案件")


@router.post(
    "/events/{event_id}/transitions",
    response={200: EventDetailOut | CaseDetailOut, 201: CaseDetailOut},
    summary="对事件执行流转操作（409 当前状态不可，403 角色不可，404 不在范围，422 字段错误）；"
    "转调解（refer_mediation）返回新建的调解案件（201）",
)
def event_transition_create(request: HttpRequest, event_id: int, payload: TransitionIn) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v is not None and k != "action"}
    if payload.action == "refer_mediation":
        return refer_from_event(request, event_id, data)
    event = event_transition(
        actor=actor_of(request), event_id=event_id, action=payload.action, payload=data
    )
    return _written(request, event)

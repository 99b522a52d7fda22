"""Emergency handling (「一三五」, docs/emergency.md): the plan library, activations and
their transitions, situation reports, group acknowledgements and tasks, drills; the duty
roster at /duty. Reads through `emergency.selectors` (scoped to the caller), writes
through `emergency.services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from pydantic import BaseModel, ConfigDict, Field

from pingan.access.actor import actor_of
from pingan.api.v1.cases import action_rows, timeline_rows
from pingan.cases.service import allowed
from pingan.core import clock
from pingan.core.errors import NotFound, invalid
from pingan.emergency.choices import DrillState, Level, PlanKind
from pingan.emergency.kind import ACTIVATION
from pingan.emergency.models import Activation, Drill, DutyHandover, EmergencyPlan
from pingan.emergency.selectors import (
    activation_detail,
    activation_list,
    drill_list,
    duty_dict,
    duty_list,
    groups_of,
    handover_list,
    my_tasks,
    plan_detail,
    plan_list,
    response_times,
    task_light,
)
from pingan.emergency.services import (
    activation_transition,
    drill_cancel,
    drill_create,
    drill_record,
    duty_handover_create,
    duty_phone_reveal,
    duty_shift_create,
    duty_shift_delete,
    plan_create,
)

router = Router(tags=["emergency"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


def _page(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    start = (page - 1) * page_size
    return start, start + page_size


# ---- plans -------------------------------------------------------------------------------------


class EmergencyPlanOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    levels: list[str]
    version: str
    summary: str
    region: int
    region_name: str
    is_active: bool


class EmergencyTaskTemplateOut(Schema):
    title: str
    minutes: int


class EmergencyPlanGroupOut(Schema):
    id: int
    name: str
    duty: str
    lead_department: int | None
    lead_department_name: str | None
    lead_user: int | None
    member_departments: list[int]
    members: list[int]
    tasks: list[EmergencyTaskTemplateOut]


class EmergencyPlanDetailOut(EmergencyPlanOut):
    groups: list[EmergencyPlanGroupOut]
    steps: list[str]


def _plan(p: EmergencyPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "levels": list(p.levels),
        "version": p.version,
        "summary": p.summary,
        "region": p.region_id,
        "region_name": p.region.name,
        "is_active": p.is_active,
    }


def _plan_detail(p: EmergencyPlan) -> dict[str, Any]:
    out = _plan(p)
    out["groups"] = [
        {
            "id": g.pk,
            "name": g.name,
            "duty": g.duty,
            "lead_department": g.lead_department_id,
            "lead_department_name": g.lead_department.name if g.lead_department else None,
            "lead_user": g.lead_user_id,
            "member_departments": [d.pk for d in g.member_departments.all()],
            "members": [u.pk for u in g.members.all()],
            "tasks": [{"title": t.title, "minutes": t.due_minutes} for t in g.tasks.all()],
        }
        for g in p.groups.all()
    ]
    out["steps"] = [s.text for s in p.steps.all()]
    return out


@router.get("/emergency/plans", response=list[EmergencyPlanOut], summary="应急预案库")
def plans(request: HttpRequest, active: bool | None = None) -> Any:
    return [_plan(p) for p in plan_list(actor=actor_of(request), active=active)]


@router.get("/emergency/plans/{plan_id}", response=EmergencyPlanDetailOut, summary="应急预案详情")
def plan_get(request: HttpRequest, plan_id: int) -> Any:
    p = plan_detail(actor=actor_of(request), plan_id=plan_id)
    if p is None:
        raise NotFound(_("应急预案不存在"))
    return _plan_detail(p)


class EmergencyTaskTemplateIn(Schema):
    title: str
    minutes: int = Field(60, description="完成时限（自然分钟）")


class EmergencyPlanGroupIn(Schema):
    name: str = Field(description="小组名称，如 谈判组、安抚组、现场对接组")
    duty: str = ""
    lead_department: int | None = None
    lead_user: int | None = Field(None, description="组长（签收人）")
    member_departments: list[int] = []
    members: list[int] = []
    tasks: list[EmergencyTaskTemplateIn] = []


class EmergencyPlanIn(Schema):
    name: str
    kind: str = Field(description="、".join(PlanKind.values))
    levels: list[str] = Field(description="适用响应级别：I、II、III、IV")
    region: int = Field(description="制定单位区划（县或镇）")
    version: str = "1.0"
    summary: str = ""
    groups: list[EmergencyPlanGroupIn] = []
    steps: list[str] = Field([], description="处置步骤清单")


@router.post(
    "/emergency/plans",
    response={201: EmergencyPlanDetailOut},
    summary="制定应急预案（辖区受理员、领导）",
)
def plan_post(request: HttpRequest, payload: EmergencyPlanIn) -> Any:
    plan = plan_create(
        actor=actor_of(request),
        name=payload.name,
        kind=payload.kind,
        levels=payload.levels,
        region=payload.region,
        version=payload.version,
        summary=payload.summary,
        groups=[g.model_dump() for g in payload.groups],
        steps=payload.steps,
    )
    detail = plan_detail(actor=actor_of(request), plan_id=plan.pk)
    assert detail is not None
    return Reply(201, _plan_detail(detail))


# ---- activations --------------------------------------------------------------------------------


class EmergencyActivationOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    event: int
    event_code: str
    plan: int
    plan_name: str
    level: str
    level_label: str
    region: int
    region_name: str
    commander: int | None
    commander_name: str | None
    reported_at: dt.datetime
    activated_at: dt.datetime
    on_site_at: dt.datetime | None
    under_control_at: dt.datetime | None
    stood_down_at: dt.datetime | None


class EmergencyTaskOut(Schema):
    id: int
    title: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    done_by: int | None
    note: str
    light: str = Field(description="normal 正常 / warning 临期 / overdue 超期；已完成为空")


class EmergencyGroupOut(Schema):
    id: int
    name: str
    duty: str
    lead_department: int | None
    lead_department_name: str | None
    people: list[int]
    ack_due_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: int | None
    escalated_at: dt.datetime | None
    tasks: list[EmergencyTaskOut]


class EmergencyReportOut(Schema):
    id: int
    at: dt.datetime
    text: str
    people_count: int | None
    lat: float | None
    lng: float | None
    by: int | None
    has_photo: bool


class EmergencyResponseTimeOut(Schema):
    key: str
    label: str
    start: dt.datetime | None
    end: dt.datetime | None
    minutes: int | None


class EmergencyTimelineOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: int | None
    actor_role: str
    note: str
    data: dict[str, Any]
    at: dt.datetime


class EmergencyActionOut(Schema):
    action: str
    label: str
    requires: list[str]


class EmergencyActivationDetailOut(EmergencyActivationOut):
    summary: str
    lessons: str
    lat: float | None
    lng: float | None
    groups: list[EmergencyGroupOut]
    reports: list[EmergencyReportOut]
    response_times: list[EmergencyResponseTimeOut]
    timeline: list[EmergencyTimelineOut]
    allowed_actions: list[EmergencyActionOut]


class EmergencyActivationPage(Schema):
    items: list[EmergencyActivationOut]
    count: int
    page: int
    page_size: int


def _activation(a: Activation) -> dict[str, Any]:
    return {
        "id": a.pk,
        "code": a.code,
        "status": a.status,
        "status_label": a.get_status_display(),
        "event": a.event_id,
        "event_code": a.event.code,
        "plan": a.plan_id,
        "plan_name": a.plan.name,
        "level": a.level,
        "level_label": a.get_level_display(),
        "region": a.region_id,
        "region_name": a.region.name,
        "commander": a.commander_id,
        "commander_name": a.commander.display_name if a.commander else None,
        "reported_at": a.reported_at,
        "activated_at": a.activated_at,
        "on_site_at": a.on_site_at,
        "under_control_at": a.under_control_at,
        "stood_down_at": a.stood_down_at,
    }


def _detail(request: HttpRequest, activation_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    a = activation_detail(actor=actor, activation_id=activation_id)
    now = clock.now()
    out = _activation(a)
    out.update(
        summary=a.summary,
        lessons=a.lessons,
        lat=a.lat,
        lng=a.lng,
        groups=[
            {
                "id": g.pk,
                "name": g.name,
                "duty": g.duty,
                "lead_department": g.lead_department_id,
                "lead_department_name": g.lead_department.name if g.lead_department else None,
                "people": [u.pk for u in g.people.all()],
                "ack_due_at": g.ack_due_at,
                "acknowledged_at": g.acknowledged_at,
                "acknowledged_by": g.acknowledged_by_id,
                "escalated_at": g.escalated_at,
                "tasks": [
                    {
                        "id": t.pk,
                        "title": t.title,
                        "due_at": t.due_at,
                        "done_at": t.done_at,
                        "done_by": t.done_by_id,
                        "note": t.note,
                        "light": task_light(t, now, a.activated_at),
                    }
                    for t in g.tasks.all()
                ],
            }
            for g in groups_of(a)
        ],
        reports=[
            {
                "id": r.pk,
                "at": r.at,
                "text": r.text,
                "people_count": r.people_count,
                "lat": r.lat,
                "lng": r.lng,
                "by": r.by_id,
                "has_photo": bool(r.photo),
            }
            for r in a.reports.order_by("at", "id")
        ],
        response_times=[
            {"key": s.key, "label": s.label, "start": s.start, "end": s.end, "minutes": s.minutes}
            for s in response_times(a)
        ],
        timeline=timeline_rows(ACTIVATION, a.timeline.order_by("at", "id")),
        allowed_actions=action_rows(allowed(ACTIVATION, actor, a)),
    )
    return out


class EmergencyActivationQuery(Schema):
    status: str | None = Field(None, description="状态，可逗号分隔多个")
    event: int | None = None
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/emergency/activations",
    response=EmergencyActivationPage,
    summary="预案启动列表（按当前用户的范围）",
)
def activations(request: HttpRequest, filters: Query[EmergencyActivationQuery]) -> Any:
    start, end = _page(filters.page, filters.page_size)
    status = [s for s in (filters.status or "").split(",") if s]
    qs = activation_list(actor=actor_of(request), status=status, event=filters.event)
    return {
        "items": [_activation(a) for a in qs[start:end]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.get(
    "/emergency/activations/{activation_id}",
    response=EmergencyActivationDetailOut,
    summary="预案启动详情（工作组、任务、态势、响应时间、流转记录）",
)
def activation_get(request: HttpRequest, activation_id: int) -> Any:
    return _detail(request, activation_id)


class EmergencyTransitionIn(BaseModel):
    """`{"action", ...fields}`: each action's fields are in docs/workflow-activation.md."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(description="、".join(ACTIVATION.workflow.actions))
    note: str | None = Field(None, description="说明（change_level 必填）")
    summary: str | None = Field(None, description="stand_down：处置总结")
    lessons: str | None = Field(None, description="stand_down：经验教训")
    level: str | None = Field(None, description="change_level：" + "、".join(Level.values))
    group: int | None = Field(None, description="acknowledge / add_task：工作组")
    task: int | None = Field(None, description="task_done：任务")
    title: str | None = Field(None, description="add_task：任务")
    minutes: int | None = Field(None, description="add_task：完成时限（自然分钟）")
    text: str | None = Field(None, description="situation：情况")
    people_count: int | None = Field(None, description="situation：现场人数")
    lat: float | None = None
    lng: float | None = None


def _payload(body: BaseModel) -> dict[str, Any]:
    return {k: v for k, v in body.model_dump().items() if v is not None and k != "action"}


@router.post(
    "/emergency/activations/{activation_id}/transitions",
    response=EmergencyActivationDetailOut,
    summary="对预案启动执行流转操作（409 当前状态不可，403 角色或范围不可，404 不在范围，"
    "422 字段错误）",
)
def activation_transition_post(
    request: HttpRequest, activation_id: int, payload: EmergencyTransitionIn
) -> Any:
    activation_transition(
        actor=actor_of(request),
        activation_id=activation_id,
        action=payload.action,
        payload=_payload(payload),
    )
    return _detail(request, activation_id)


class EmergencyReportIn(Schema):
    text: str = Field(description="情况")
    people_count: int | None = Field(None, description="现场人数")
    lat: float | None = None
    lng: float | None = None


@router.post(
    "/emergency/activations/{activation_id}/reports",
    response={201: EmergencyActivationDetailOut},
    summary="报告现场态势（辖区受理员、领导、网格员，以及工作组成员）",
)
def report_post(request: HttpRequest, activation_id: int, payload: EmergencyReportIn) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v is not None}
    activation_transition(
        actor=actor_of(request), activation_id=activation_id, action="situation", payload=data
    )
    return Reply(201, _detail(request, activation_id))


class EmergencyMyGroupOut(Schema):
    group: int
    group_name: str
    activation: int
    activation_code: str
    plan_name: str
    level_label: str
    ack_due_at: dt.datetime
    acknowledged_at: dt.datetime | None
    tasks: list[EmergencyTaskOut]


@router.get(
    "/emergency/tasks/mine",
    response=list[EmergencyMyGroupOut],
    summary="本人所在工作组及其任务（进行中的应急响应）",
)
def tasks_mine(request: HttpRequest) -> Any:
    now = clock.now()
    return [
        {
            "group": g.pk,
            "group_name": g.name,
            "activation": g.activation_id,
            "activation_code": g.activation.code,
            "plan_name": g.activation.plan.name,
            "level_label": g.activation.get_level_display(),
            "ack_due_at": g.ack_due_at,
            "acknowledged_at": g.acknowledged_at,
            "tasks": [
                {
                    "id": t.pk,
                    "title": t.title,
                    "due_at": t.due_at,
                    "done_at": t.done_at,
                    "done_by": t.done_by_id,
                    "note": t.note,
                    "light": task_light(t, now, g.activation.activated_at),
                }
                for t in g.tasks.all()
            ],
        }
        for g in my_tasks(actor=actor_of(request))
    ]


# ---- drills -----------------------------------------------------------------------------------


class EmergencyDrillOut(Schema):
    id: int
    plan: int
    plan_name: str
    title: str
    region: int
    region_name: str
    state: str
    state_label: str
    planned_on: dt.date
    held_on: dt.date | None
    participants: int | None
    units: str
    findings: str


def _drill(d: Drill) -> dict[str, Any]:
    return {
        "id": d.pk,
        "plan": d.plan_id,
        "plan_name": d.plan.name,
        "title": d.title,
        "region": d.region_id,
        "region_name": d.region.name,
        "state": d.state,
        "state_label": d.get_state_display(),
        "planned_on": d.planned_on,
        "held_on": d.held_on,
        "participants": d.participants,
        "units": d.units,
        "findings": d.findings,
    }


@router.get("/emergency/drills", response=list[EmergencyDrillOut], summary="应急演练")
def drills(request: HttpRequest, plan: int | None = None, state: str | None = None) -> Any:
    if state and state not in DrillState.values:
        raise invalid("state", _("状态应为 planned、held 或 cancelled"))
    return [_drill(d) for d in drill_list(actor=actor_of(request), plan=plan, state=state)]


class EmergencyDrillIn(Schema):
    plan: int
    title: str
    region: int
    planned_on: str = Field(description="计划日期 YYYY-MM-DD")


@router.post(
    "/emergency/drills", response={201: EmergencyDrillOut}, summary="安排演练（辖区受理员、领导）"
)
def drill_post(request: HttpRequest, payload: EmergencyDrillIn) -> Any:
    d = drill_create(
        actor=actor_of(request),
        plan=payload.plan,
        title=payload.title,
        region=payload.region,
        planned_on=payload.planned_on,
    )
    return Reply(201, _drill(d))


class EmergencyDrillRecordIn(Schema):
    held: bool = Field(True, description="true 登记举行情况；false 取消演练")
    held_on: str | None = Field(None, description="举行日期 YYYY-MM-DD")
    participants: int | None = None
    units: str = ""
    findings: str = Field("", description="发现问题与改进（举行时必填）；取消时为取消原因")


@router.post(
    "/emergency/drills/{drill_id}/record",
    response=EmergencyDrillOut,
    summary="登记演练举行情况或取消（辖区受理员、领导）",
)
def drill_record_post(request: HttpRequest, drill_id: int, payload: EmergencyDrillRecordIn) -> Any:
    actor = actor_of(request)
    if payload.held:
        d = drill_record(
            actor=actor,
            drill_id=drill_id,
            held_on=payload.held_on,
            participants=payload.participants,
            units=payload.units,
            findings=payload.findings,
        )
    else:
        d = drill_cancel(actor=actor, drill_id=drill_id, note=payload.findings)
    return _drill(d)


# ---- the duty roster ----------------------------------------------------------------------------


class DutyShiftOut(Schema):
    id: int
    date: dt.date
    shift: str
    shift_label: str
    level: str
    region: int
    region_name: str
    user: int
    user_name: str
    role: str
    role_label: str
    phone: str = Field(description="值班电话（脱敏）")


class DutyHandoverOut(Schema):
    id: int
    date: dt.date
    shift: str
    region: int
    region_name: str
    note: str
    written_by: int | None
    written_at: dt.datetime


class DutyDayOut(Schema):
    date: dt.date
    shifts: list[DutyShiftOut]
    handovers: list[DutyHandoverOut]


def _handover(h: DutyHandover) -> dict[str, Any]:
    return {
        "id": h.pk,
        "date": h.date,
        "shift": h.shift,
        "region": h.region_id,
        "region_name": h.region.name,
        "note": h.note,
        "written_by": h.written_by_id,
        "written_at": h.written_at,
    }


@router.get("/duty", response=DutyDayOut, summary="值班表（某日县、镇两级的白班与夜班）")
def duty(request: HttpRequest, date: dt.date | None = None, region: int | None = None) -> Any:
    actor = actor_of(request)
    day = date or timezone.localdate(clock.now())
    return {
        "date": day,
        "shifts": [
            duty_dict(s) for s in duty_list(actor=actor, date_from=day, date_to=day, region=region)
        ],
        "handovers": [_handover(h) for h in handover_list(actor=actor, date_from=day, date_to=day)],
    }


class DutyShiftIn(Schema):
    date: str = Field(description="日期 YYYY-MM-DD")
    shift: str = Field(description="day（白班）或 night（夜班）")
    region: int = Field(description="县或镇（街道）")
    user: int
    role: str = Field(description="leader（带班领导）或 officer（值班员）")
    phone: str = ""


@router.post("/duty", response={201: DutyShiftOut}, summary="排班（辖区受理员、领导）")
def duty_post(request: HttpRequest, payload: DutyShiftIn) -> Any:
    s = duty_shift_create(actor=actor_of(request), **payload.model_dump())
    return Reply(201, duty_dict(s))


class DutyHandoverIn(Schema):
    region: int
    date: str
    shift: str
    note: str = Field(description="交接内容")


@router.post(
    "/duty/handovers",
    response={201: DutyHandoverOut},
    summary="填写交接班记录（当班人员或辖区受理员、领导）",
)
def handover_post(request: HttpRequest, payload: DutyHandoverIn) -> Any:
    h = duty_handover_create(actor=actor_of(request), **payload.model_dump())
    return Reply(201, _handover(h))


@router.delete(
    "/duty/{duty_shift_id}", response={204: None}, summary="删除排班（辖区受理员、领导）"
)
def duty_delete(request: HttpRequest, duty_shift_id: int) -> Any:
    duty_shift_delete(actor=actor_of(request), shift_id=duty_shift_id)
    return Reply(204, None)


class DutyPhoneOut(Schema):
    phone: str


@router.get(
    "/duty/{duty_shift_id}/phone",
    response=DutyPhoneOut,
    summary="查看值班电话原文（辖区受理员、领导；每次查看记入审计）",
)
@decorate_view(never_cache)
def duty_phone(request: HttpRequest, duty_shift_id: int) -> Any:
    return {"phone": duty_phone_reveal(actor=actor_of(request), shift_id=duty_shift_id)}

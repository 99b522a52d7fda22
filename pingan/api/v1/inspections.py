"""Inspections (巡查/督查/暗访/自查/模拟测评): checklists, plans, my tasks, the inspections
(submitted from the phone, idempotent by client_uuid), their photos, publishing, a
finding's rectification order and the 通报 (.docx). Reads through
`inspections.selectors`, writes through `inspections.services`. docs/inspections.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from pingan.access.actor import actor_of
from pingan.core import pii
from pingan.core.errors import invalid
from pingan.inspections import selectors, services
from pingan.inspections.choices import Frequency, Kind, Level
from pingan.inspections.models import Checklist, Inspection, InspectionPlan, InspectionTask
from pingan.inspections.permissions import can_issue, can_manage
from pingan.inspections.reports import docx_response, inspection_report, round_report

router = Router(tags=["inspections"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


# ---- output ---------------------------------------------------------------------------------


class ChecklistItemOut(Schema):
    code: str
    text: str
    points: Decimal
    order: int


class ChecklistOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    items: list[ChecklistItemOut]


class PlanOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    frequency: str
    frequency_label: str
    year: int
    checklist: int
    campaign: int | None
    return_visits: bool
    active: bool
    target_regions: list[int]
    target_departments: list[int]
    inspectors: list[int]
    open_tasks: int


class InspectionTaskOut(Schema):
    id: int
    plan: int
    plan_name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    unit_region: int | None
    unit_department: int | None
    unit_name: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    status: str
    overdue: bool
    checklist: ChecklistOut


class AnswerOut(Schema):
    item: str
    text: str
    result: str
    result_label: str
    note: str
    points: Decimal


class FindingOut(Schema):
    id: int
    item: str | None
    text: str
    severity: str
    severity_label: str
    order: int | None
    order_deadline: dt.date | None


class InspectionPhotoOut(Schema):
    id: int
    finding: int | None
    url: str
    thumbnail_url: str | None
    taken_at: dt.datetime | None
    lat: float | None
    lng: float | None
    uploaded_at: dt.datetime


class InspectionRowOut(Schema):
    id: int
    kind: str
    kind_label: str
    level: str
    level_label: str
    unit_region: int | None
    unit_department: int | None
    unit_name: str
    plan: int | None
    task: int | None
    campaign: int | None
    submitted_at: dt.datetime
    published_at: dt.datetime | None
    deducted: Decimal
    return_visit_of: int | None
    findings: int
    problems: int


class InspectionPage(Schema):
    items: list[InspectionRowOut]
    count: int
    page: int
    page_size: int


class InspectionOut(InspectionRowOut):
    checklist: int | None
    lat: float | None
    lng: float | None
    place: int | None
    place_text: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    note: str = Field(description="总体情况（个人信息已脱敏）")
    inspectors: list[str] = Field(description="督查人员（姓名脱敏）")
    answers: list[AnswerOut]
    finding_list: list[FindingOut]
    photos: list[InspectionPhotoOut]
    can_publish: bool
    can_issue: bool


def _checklist(c: Checklist) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "name": c.name,
        "items": [
            {"code": i.code, "text": i.text, "points": i.points, "order": i.order}
            for i in c.items.all()
        ],
    }


def _plan(p: InspectionPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "level": p.level,
        "level_label": p.get_level_display(),
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "frequency": p.frequency,
        "frequency_label": p.get_frequency_display(),
        "year": p.year,
        "checklist": p.checklist_id,
        "campaign": p.campaign_id,
        "return_visits": p.return_visits,
        "active": p.active,
        "target_regions": sorted(r.pk for r in p.target_regions.all()),
        "target_departments": sorted(d.pk for d in p.target_departments.all()),
        "inspectors": sorted(u.pk for u in p.inspectors.all()),
        "open_tasks": getattr(p, "open_tasks", 0),
    }


def _task(t: InspectionTask, today: dt.date) -> dict[str, Any]:
    return {
        "id": t.pk,
        "plan": t.plan_id,
        "plan_name": t.plan.name,
        "level": t.plan.level,
        "level_label": t.plan.get_level_display(),
        "kind": t.plan.kind,
        "kind_label": t.plan.get_kind_display(),
        "unit_region": t.unit_region_id,
        "unit_department": t.unit_department_id,
        "unit_name": t.unit_name,
        "period_start": t.period_start,
        "period_end": t.period_end,
        "due_on": t.due_on,
        "status": t.status,
        "overdue": t.status == "open" and t.due_on < today,
        "checklist": _checklist(t.plan.checklist),
    }


def _row(i: Inspection, findings: int, problems: int) -> dict[str, Any]:
    return {
        "id": i.pk,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "level": i.level,
        "level_label": i.get_level_display(),
        "unit_region": i.unit_region_id,
        "unit_department": i.unit_department_id,
        "unit_name": i.unit_name,
        "plan": i.plan_id,
        "task": i.task_id,
        "campaign": i.campaign_id,
        "submitted_at": i.submitted_at,
        "published_at": i.published_at,
        "deducted": i.deducted,
        "return_visit_of": i.return_visit_of_id,
        "findings": findings,
        "problems": problems,
    }


def _photo(request: HttpRequest, p: Any) -> dict[str, Any]:
    url = reverse("api-v1:inspections_photo_file", kwargs={"inspection_photo_id": p.pk})
    return {
        "id": p.pk,
        "finding": p.finding_id,
        "url": request.build_absolute_uri(url),
        "thumbnail_url": request.build_absolute_uri(url + "?thumb=true") if p.thumbnail else None,
        "taken_at": p.taken_at,
        "lat": p.lat,
        "lng": p.lng,
        "uploaded_at": p.uploaded_at,
    }


def _detail(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    i = selectors.inspection_detail(actor, inspection_id)
    answers = list(i.answers.all())
    found = list(i.findings.all())
    out = _row(i, len(found), sum(1 for a in answers if a.result == "problem"))
    out.update(
        checklist=i.checklist_id,
        lat=i.lat,
        lng=i.lng,
        place=i.place_id,
        place_text=pii.mask_in_text(i.place_text),
        started_at=i.started_at,
        finished_at=i.finished_at,
        note=pii.mask_in_text(i.note),
        inspectors=[pii.mask_name(u.display_name) for u in i.inspectors.all()],
        answers=[
            {
                "item": a.item.code,
                "text": a.item.text,
                "result": a.result,
                "result_label": a.get_result_display(),
                "note": pii.mask_in_text(a.note),
                "points": a.points,
            }
            for a in answers
        ],
        finding_list=[
            {
                "id": f.pk,
                "item": f.item.code if f.item else None,
                "text": pii.mask_in_text(f.text),
                "severity": f.severity,
                "severity_label": f.get_severity_display(),
                "order": f.order_id,
                "order_deadline": f.order_deadline,
            }
            for f in found
        ],
        photos=[_photo(request, p) for p in i.photos.all()],
        can_publish=i.published_at is None and can_manage(actor, i.region_path),
        can_issue=can_issue(actor, i),
    )
    return out


# ---- reference and plans ------------------------------------------------------------------------


@router.get(
    "/inspections/checklists", response=list[ChecklistOut], summary="检查清单（按检查方式）"
)
def checklist_list(request: HttpRequest) -> Any:
    return [_checklist(c) for c in selectors.checklists()]


class PlanQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")


@router.get(
    "/inspections/plans",
    response=list[PlanOut],
    summary="督查计划（县级平安办；督查人员看到分配给自己的计划）",
)
def plan_list(request: HttpRequest, q: Query[PlanQuery]) -> Any:
    qs = selectors.plan_list(actor_of(request), year=q.year).prefetch_related(
        "target_regions", "target_departments", "inspectors"
    )
    return [_plan(p) for p in qs[:500]]


class PlanIn(BaseModel):
    name: str = Field(description="计划名称")
    level: str = Field(description="、".join(Level.values))
    kind: str = Field(description="、".join(Kind.values))
    frequency: str = Field(description="、".join(Frequency.values))
    year: int = Field(ge=2000, le=2100)
    target_regions: list[int] = Field(default_factory=list, description="被检查乡镇（街道）")
    target_departments: list[int] = Field(default_factory=list, description="被检查部门")
    inspectors: list[int] = Field(default_factory=list, description="督查人员（用户）")
    checklist: int | None = Field(None, description="检查清单（默认：该检查方式的清单）")
    campaign: int | None = Field(None, description="专项行动")
    return_visits: bool = False


@router.post("/inspections/plans", response={201: PlanOut}, summary="制定督查计划（县级平安办）")
def plan_add(request: HttpRequest, payload: PlanIn) -> Any:
    plan = services.plan_create(
        actor=actor_of(request),
        name=payload.name,
        level=payload.level,
        kind=payload.kind,
        frequency=payload.frequency,
        year=payload.year,
        target_region_ids=payload.target_regions,
        target_department_ids=payload.target_departments,
        inspector_ids=payload.inspectors,
        checklist_id=payload.checklist,
        campaign_id=payload.campaign,
        return_visits=payload.return_visits,
    )
    return Reply(201, _plan(plan))


# ---- tasks ---------------------------------------------------------------------------------------


class TaskQuery(Schema):
    due: str = Field(
        "today", description="open 未完成 / overdue 逾期 / today 本期应做 / done / all"
    )
    mine: bool = Field(True, description="只看分配给本人的任务")


@router.get(
    "/inspections/tasks",
    response=list[InspectionTaskOut],
    summary="督查任务（默认：分配给本人、本期应做的，含检查清单，供手机离线填写）",
)
def task_list(request: HttpRequest, q: Query[TaskQuery]) -> Any:
    today = selectors.periods.today()
    qs = selectors.task_list(actor_of(request), due=q.due, mine=q.mine).prefetch_related(
        "plan__checklist__items"
    )
    return [_task(t, today) for t in qs[:200]]


# ---- inspections ---------------------------------------------------------------------------------


class InspectionQuery(Schema):
    kind: str | None = Field(None, description="、".join(Kind.values))
    unit_region: int | None = None
    unit_department: int | None = None
    plan: int | None = None
    campaign: int | None = None
    published: bool | None = None
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get("/inspections", response=InspectionPage, summary="督查检查记录（按当前用户的范围）")
def inspection_list(request: HttpRequest, q: Query[InspectionQuery]) -> Any:
    if q.page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= q.page_size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    qs = selectors.inspection_list(
        actor_of(request),
        kind=q.kind,
        unit_region=q.unit_region,
        unit_department=q.unit_department,
        plan=q.plan,
        campaign=q.campaign,
        published=q.published,
    )
    start = (q.page - 1) * q.page_size
    items = [
        _row(i, i.finding_count, i.problem_count)  # type: ignore[attr-defined]
        for i in qs[start : start + q.page_size]
    ]
    return {"items": items, "count": qs.count(), "page": q.page, "page_size": q.page_size}


class AnswerIn(BaseModel):
    item: str = Field(description="检查项目编号")
    result: str = Field(description="ok 合格 / problem 存在问题 / na 不涉及")
    note: str = ""


class FindingIn(BaseModel):
    text: str = Field(description="问题描述")
    item: str | None = Field(None, description="对应检查项目编号")
    severity: str = Field("minor", description="minor 一般 / major 较重 / serious 严重")


class InspectionIn(BaseModel):
    client_uuid: str | None = Field(None, description="手机端生成，重复提交返回同一记录")
    task: int | None = Field(None, description="督查任务（有任务时方式、单位、清单取自计划）")
    kind: str | None = Field(None, description="无任务时必填：" + "、".join(Kind.values))
    level: str | None = Field(None, description="无任务时：" + "、".join(Level.values))
    unit_region: int | None = Field(None, description="被检查乡镇（与部门二选一）")
    unit_department: int | None = Field(None, description="被检查部门")
    checklist: int | None = None
    answers: list[AnswerIn] = Field(default_factory=list)
    findings: list[FindingIn] = Field(default_factory=list)
    lat: float | None = None
    lng: float | None = None
    place: int | None = Field(None, description="重点场所（places）")
    place_text: str = ""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    note: str = ""
    return_visit_of: int | None = Field(None, description="回访：此前检查的编号")
    campaign: int | None = None


@router.post(
    "/inspections",
    response={200: InspectionOut, 201: InspectionOut},
    summary="提交检查（每个不合格项按清单扣分；暗访在通报前对被检查单位不可见）",
)
def inspection_add(request: HttpRequest, payload: InspectionIn) -> Any:
    inspection, created = services.inspection_submit(
        actor=actor_of(request),
        client_uuid=payload.client_uuid,
        task_id=payload.task,
        kind=payload.kind,
        level=payload.level,
        unit_region_id=payload.unit_region,
        unit_department_id=payload.unit_department,
        checklist_id=payload.checklist,
        answers=[a.model_dump() for a in payload.answers],
        findings=[f.model_dump() for f in payload.findings],
        lat=payload.lat,
        lng=payload.lng,
        place_id=payload.place,
        place_text=payload.place_text,
        started_at=payload.started_at,
        finished_at=payload.finished_at,
        note=payload.note,
        return_visit_of=payload.return_visit_of,
        campaign_id=payload.campaign,
    )
    return Reply(201 if created else 200, _detail(request, inspection.pk))


@router.get(
    "/inspections/{inspection_id}",
    response=InspectionOut,
    summary="检查详情（逐项结果、发现问题、照片）",
)
def inspection_get(request: HttpRequest, inspection_id: int) -> Any:
    return _detail(request, inspection_id)


@router.post(
    "/inspections/{inspection_id}/photos",
    response={200: InspectionPhotoOut, 201: InspectionPhotoOut},
    summary="上传检查照片（督查人员；client_uuid 幂等）",
)
def inspection_photo(
    request: HttpRequest,
    inspection_id: int,
    file: File[UploadedFile],
    client_uuid: Form[str] = "",
    finding: Form[int | None] = None,
) -> Any:
    photo, created = services.inspection_photo_add(
        actor=actor_of(request),
        inspection_id=inspection_id,
        upload=file,
        client_uuid=client_uuid or None,
        finding_id=finding,
    )
    return Reply(201 if created else 200, _photo(request, photo))


@router.get(
    "/inspections/photos/{inspection_photo_id}/file",
    url_name="inspections_photo_file",
    response={200: None},
    summary="检查照片文件",
)
def photo_file(request: HttpRequest, inspection_photo_id: int, thumb: bool = False) -> Any:
    photo = selectors.photo_get(actor_of(request), inspection_photo_id)
    stored = photo.thumbnail if thumb and photo.thumbnail else photo.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("照片文件不存在")) from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


class PublishOut(Schema):
    id: int
    published_at: dt.datetime | None
    orders_published: int
    deducted: Decimal


@router.post(
    "/inspections/{inspection_id}/publish",
    response=PublishOut,
    summary="通报检查结果（县级平安办；暗访的扣分与整改通知此时对被检查单位可见）",
)
def inspection_publish(request: HttpRequest, inspection_id: int) -> Any:
    actor = actor_of(request)
    n = services.inspection_publish(actor=actor, inspection_id=inspection_id)
    i = selectors.inspection_detail(actor, inspection_id)
    return {
        "id": i.pk,
        "published_at": i.published_at,
        "orders_published": n,
        "deducted": i.deducted,
    }


class OrderIn(BaseModel):
    deadline: dt.date = Field(description="整改期限")
    requirement: str = Field("", description="整改要求（默认：问题描述）")
    evidence_required: str = Field("", description="佐证材料要求")
    deduction_points: Decimal = Field(Decimal("1"), description="逾期未整改扣分")


@router.post(
    "/inspections/{inspection_id}/findings/{inspection_finding_id}/order",
    response=FindingOut,
    summary="将发现问题下发为整改通知（县级平安办或本次督查人员）",
)
def finding_order(
    request: HttpRequest, inspection_id: int, inspection_finding_id: int, payload: OrderIn
) -> Any:
    f = services.finding_order_issue(
        actor=actor_of(request),
        inspection_id=inspection_id,
        finding_id=inspection_finding_id,
        deadline=payload.deadline,
        requirement=payload.requirement,
        evidence_required=payload.evidence_required,
        deduction_points=payload.deduction_points,
    )
    return {
        "id": f.pk,
        "item": f.item.code if f.item else None,
        "text": pii.mask_in_text(f.text),
        "severity": f.severity,
        "severity_label": f.get_severity_display(),
        "order": f.order_id,
        "order_deadline": f.order_deadline,
    }


@router.get(
    "/inspections/{inspection_id}/report.docx",
    response={200: None},
    summary="检查情况通报（.docx；个人信息脱敏；每次下载记入审计）",
)
def inspection_docx(request: HttpRequest, inspection_id: int) -> Any:
    data, stem = inspection_report(actor=actor_of(request), inspection_id=inspection_id)
    return docx_response(data, stem)


@router.get(
    "/inspections/plans/{inspection_plan_id}/rounds/{inspection_period}/report.docx",
    response={200: None},
    summary="一轮督查情况通报（计划的一个周期，inspection_period 为周期起始日）",
)
def round_docx(request: HttpRequest, inspection_plan_id: int, inspection_period: dt.date) -> Any:
    data, stem = round_report(
        actor=actor_of(request), plan_id=inspection_plan_id, period_start=inspection_period
    )
    return docx_response(data, stem)

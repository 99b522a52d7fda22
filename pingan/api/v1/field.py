"""The phone app's endpoints (pingan.field): bootstrap data, today's tasks, reports,
photos with what the phone knows of them, idempotent actions, on-site checks, evidence
flags. Every write takes a client_uuid; the same uuid again answers 200 with the first
result and changes nothing.

Personal data in every answer is masked by the event API's own code
(`events.contact.contact_masked`), for every role; the full contact is only shown by
the audited `GET /events/{id}/contact` (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.core import clock
from pingan.events.choices import AttachmentKind, Status
from pingan.events.contact import contact_masked
from pingan.events.permissions import access_event, events_in_scope
from pingan.field.evidence import event_flags
from pingan.field.models import EvidenceFlag
from pingan.field.selectors import categories_for, my_reports, task_list, user_grids
from pingan.field.services import field_action, field_photo_add, field_report, site_check_request
from pingan.geo import locator
from pingan.geo.models import Region

router = Router(tags=["field"])


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


class EventBrief(Schema):
    id: int
    code: str
    title: str
    status: str
    status_label: str
    category_name: str
    region_name: str
    reported_at: dt.datetime
    address: str = Field(description="地址（脱敏）")


def _brief(e: Any) -> dict[str, Any]:
    """The fields of an event the phone shows; the address masked as the event API masks
    it (the full one only through the audited `GET /events/{id}/contact`)."""
    return {
        "id": e.pk,
        "code": e.code,
        "title": e.title,
        "status": e.status,
        "status_label": str(Status(e.status).label),
        "category_name": e.category.name,
        "region_name": e.region.name,
        "reported_at": _local(e.reported_at),
        "address": contact_masked(e).address,
    }


# ---- bootstrap ------------------------------------------------------------------------


class FieldCategoryOut(Schema):
    id: int
    name: str
    code: str = Field("", description="分类编码（dispute.* 为矛盾纠纷，可就地调解）")
    parent: int | None
    extra_fields: list[dict[str, Any]]


class GridOut(Schema):
    id: int
    name: str
    geometry: dict[str, Any] | None


class BootstrapOut(Schema):
    user: int
    name: str
    grids: list[GridOut]
    categories: list[FieldCategoryOut]
    frequent: list[int]
    photo_max_side: int
    evidence_max_age_hours: float
    evidence_max_distance_m: float


@router.get(
    "/field/bootstrap", response=BootstrapOut, summary="移动端启动数据（网格、分类、常用分类）"
)
def bootstrap(request: HttpRequest) -> Any:
    from django.conf import settings

    user = request.auth  # type: ignore[attr-defined]
    cats, frequent = categories_for(user)
    return {
        "user": user.pk,
        "name": user.display_name,
        "grids": [
            {"id": g.pk, "name": g.name, "geometry": g.geometry}
            for g in user_grids(actor_of(request))
        ],
        "categories": [
            {
                "id": c.pk,
                "name": c.name,
                "code": c.code,
                "parent": c.parent_id,
                "extra_fields": c.extra_fields or [],
            }
            for c in cats
        ],
        "frequent": frequent,
        "photo_max_side": 1600,
        "evidence_max_age_hours": float(settings.PINGAN_EVIDENCE_MAX_AGE_HOURS),
        "evidence_max_distance_m": float(settings.PINGAN_EVIDENCE_MAX_DISTANCE_M),
    }


class LocateOut(Schema):
    grid: int | None
    grid_name: str | None


@router.get("/field/locate", response=LocateOut, summary="坐标所在网格")
def locate(request: HttpRequest, lat: float, lng: float) -> Any:
    gid = locator.grid_id_at(lat, lng)
    name = Region.objects.filter(pk=gid).values_list("name", flat=True).first() if gid else None
    return {"grid": gid, "grid_name": name}


# ---- tasks and my reports -------------------------------------------------------------


class TaskOut(Schema):
    kind: str
    label: str
    due_at: dt.datetime
    overdue: bool
    note: str
    check: int | None
    event: EventBrief


@router.get("/field/tasks", response=list[TaskOut], summary="今日任务（超期在前）")
def tasks(request: HttpRequest) -> Any:
    return [
        {
            "kind": t.kind,
            "label": t.label,
            "due_at": _local(t.due_at),
            "overdue": t.overdue,
            "note": t.note,
            "check": t.check_id,
            "event": _brief(t.event),
        }
        for t in task_list(user=actor_of(request), now=clock.now())
    ]


class MyReportOut(EventBrief):
    client_uuid: str | None = Field(
        description="手机上报时的 client_uuid（手机据此合并待发送队列）"
    )


@router.get("/field/my-reports", response=list[MyReportOut], summary="我的上报")
def mine(request: HttpRequest) -> Any:
    return [
        {**_brief(e), "client_uuid": str(e.client_uuid) if e.client_uuid else None}
        for e in my_reports(user=actor_of(request))
    ]


# ---- writes ---------------------------------------------------------------------------


class ReportIn(Schema):
    client_uuid: str
    category: int
    description: str
    lat: float | None = None
    lng: float | None = None
    accuracy_m: float | None = Field(None, description="定位精度（米）")
    region: int | None = None
    address: str = ""
    urgency: str = "normal"
    extra: dict[str, Any] | None = None
    made_at: dt.datetime | None = Field(None, description="在手机上提交的时间（离线时较早）")
    settle_result: str = Field("", description="就地解决时的处置结果")
    outside_own_grid: bool = Field(
        False,
        description="网格员、网格长上报本人网格以外的位置时须为 true："
        "按坐标定位所在网格，流转记录与审计注明“不在本人网格内”",
    )


class ReportOut(EventBrief):
    resolved_on_site: bool


@router.post(
    "/field/reports",
    response={200: ReportOut, 201: ReportOut},
    summary="移动端上报（相同 client_uuid 重复提交返回 200 与首次的事件）",
)
def report(request: HttpRequest, payload: ReportIn) -> Any:
    event, created = field_report(actor=actor_of(request), **payload.model_dump())
    out = _brief(event)
    out["resolved_on_site"] = event.resolved_on_site
    return Reply(201 if created else 200, out)


class PhotoOut(Schema):
    id: int
    event: int
    kind: str
    taken_at: dt.datetime | None
    flags: list[str]


@router.post(
    "/field/events/{event_id}/photos",
    response={200: PhotoOut, 201: PhotoOut},
    summary="上传一张照片（手机已压缩），附拍摄时间与位置",
)
def photo(
    request: HttpRequest,
    event_id: int,
    file: File[UploadedFile],
    client_uuid: Form[str],
    kind: Form[str] = AttachmentKind.REPORT,
    taken_at: Form[dt.datetime | None] = None,
    lat: Form[float | None] = None,
    lng: Form[float | None] = None,
    accuracy_m: Form[float | None] = None,
) -> Any:
    att, created = field_photo_add(
        actor=actor_of(request),
        event_id=event_id,
        upload=file,
        client_uuid=client_uuid,
        kind=kind,
        taken_at=taken_at,
        lat=lat,
        lng=lng,
        accuracy_m=accuracy_m,
    )
    flags = list(EvidenceFlag.objects.filter(attachment=att).values_list("reason", flat=True))
    return Reply(
        201 if created else 200,
        {
            "id": att.pk,
            "event": att.event_id,
            "kind": att.kind,
            "taken_at": _local(att.taken_at),
            "flags": flags,
        },
    )


class ActionIn(Schema):
    client_uuid: str
    event: int
    action: str = Field(
        description="verify、follow_up、recheck、comment、site_check、resolve_on_site"
    )
    note: str | None = None
    passed: bool | None = Field(None, description="verify：核查是否通过")
    satisfaction: str | None = Field(None, description="follow_up：满意度")
    check: int | None = Field(None, description="recheck / site_check：任务编号")
    recurred: bool | None = Field(None, description="recheck：是否复发")
    result: str | None = Field(None, description="site_check：核实情况；resolve_on_site：处置结果")


@router.post(
    "/field/actions",
    response={200: EventBrief, 201: EventBrief},
    summary="移动端操作：核查、回访、复查、现场核实（相同 client_uuid 只执行一次）",
)
def action(request: HttpRequest, payload: ActionIn) -> Any:
    data = {
        k: v
        for k, v in payload.model_dump().items()
        if k not in ("client_uuid", "event", "action") and v is not None
    }
    actor = actor_of(request)
    event, created = field_action(
        actor=actor,
        client_uuid=payload.client_uuid,
        event_id=payload.event,
        action=payload.action,
        payload=data,
    )
    event = access_event(actor, event.pk)
    return Reply(201 if created else 200, _brief(event))


class SiteCheckIn(Schema):
    note: str
    due_at: dt.datetime


class SiteCheckOut(Schema):
    id: int
    event: int
    status: str
    note: str
    due_at: dt.datetime


@router.post(
    "/events/{event_id}/site-checks", response={201: SiteCheckOut}, summary="要求网格员现场核实"
)
def site_check(request: HttpRequest, event_id: int, payload: SiteCheckIn) -> Any:
    c = site_check_request(
        actor=actor_of(request), event_id=event_id, note=payload.note, due_at=payload.due_at
    )
    return Reply(
        201,
        {"id": c.pk, "event": c.event_id, "status": c.status, "note": c.note, "due_at": c.due_at},
    )


class FlagOut(Schema):
    event: int
    attachment: int
    reason: str
    reason_label: str
    detail: str


def _flag(f: EvidenceFlag) -> dict[str, Any]:
    return {
        "event": f.event_id,
        "attachment": f.attachment_id,
        "reason": f.reason,
        "reason_label": f.get_reason_display(),
        "detail": f.detail,
    }


@router.get(
    "/events/{event_id}/evidence-flags", response=list[FlagOut], summary="事件照片的核验疑点"
)
def flags(request: HttpRequest, event_id: int) -> Any:
    event = access_event(actor_of(request), event_id)
    return [_flag(f) for f in event_flags(event)]


@router.get("/evidence-flags", response=list[FlagOut], summary="范围内照片存疑的事件")
def all_flags(request: HttpRequest) -> Any:
    scope = events_in_scope(actor_of(request)).values("pk")
    rows = EvidenceFlag.objects.filter(event__in=scope).order_by("-created_at")[:500]
    return [_flag(f) for f in rows]

"""Campaigns (专项行动) and listed rectification (挂牌整治): the campaigns with their
targets and progress, their events (by rule and by hand, masked), starting and closing,
the closing report (.docx); the listed items, their progress reports, transitions and the
map. Reads through `campaigns.selectors` (scoped to the caller), writes through
`campaigns.services`. docs/campaigns.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as Reply
from pydantic import BaseModel, ConfigDict, Field

from pingan.access.actor import actor_of
from pingan.analytics.exports import content_disposition
from pingan.api.v1.cases import action_rows, timeline_rows
from pingan.campaigns.choices import CampaignKind, CampaignStatus, ListingKind, ListingStatus
from pingan.campaigns.documents import campaign_report
from pingan.campaigns.kind import LISTING
from pingan.campaigns.models import Campaign, ListedItem
from pingan.campaigns.progress import metrics, progress
from pingan.campaigns.selectors import (
    campaign_detail,
    campaign_events,
    campaign_list,
    event_dict,
    listing_detail,
    listing_list,
    tagged_ids,
    today,
)
from pingan.campaigns.services import (
    campaign_activate,
    campaign_close,
    campaign_create,
    campaign_event_add,
    campaign_event_remove,
    campaign_update,
    listing_create,
    listing_progress,
    listing_transition,
    target_enter,
)
from pingan.cases.service import allowed
from pingan.core.downloads import DOCX
from pingan.core.errors import invalid
from pingan.geo.models import Region

router = Router(tags=["campaigns"])

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000


def _list(raw: str | None, values: list[str], field: str) -> list[str]:
    items = [s for s in (raw or "").split(",") if s]
    for item in items:
        if item not in values:
            raise invalid(field, _("取值应为：%(values)s") % {"values": "、".join(values)})
    return items


def _page(page: int, size: int) -> tuple[int, int]:
    if page < 1:
        raise invalid("page", _("页码应从1开始"))
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid("page_size", _("每页条数应在1到%(n)s之间") % {"n": MAX_PAGE_SIZE})
    return (page - 1) * size, size


# ---- campaigns: output --------------------------------------------------------------------


class CampaignTargetOut(Schema):
    id: int
    metric: str
    metric_label: str
    label: str
    target: int
    actual: int | None = Field(description="完成值（填报类未填报为 null）")
    rate: float | None = Field(description="完成率 0–1（目标为0或未填报为 null）")
    text: str = Field(description="如 80.00%（40/50）")
    reached: bool
    note: str


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_on: dt.date
    ends_on: dt.date
    region: int
    region_name: str
    areas: list[int]
    area_names: list[str]


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int
    page: int
    page_size: int


class CampaignDetailOut(CampaignOut):
    description: str
    categories: list[int]
    category_names: list[str]
    summary: str
    activated_at: dt.datetime | None
    closed_at: dt.datetime | None
    progress: list[CampaignTargetOut]
    metrics: dict[str, str] = Field(description="目标可选的指标及其名称")


def _campaign(c: Campaign) -> dict[str, Any]:
    areas = list(c.areas.all())
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "status": c.status,
        "status_label": c.get_status_display(),
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "region": c.region_id,
        "region_name": c.region.name,
        "areas": [r.pk for r in areas],
        "area_names": [r.name for r in areas],
    }


def _campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    c = campaign_detail(actor=actor_of(request), campaign_id=campaign_id)
    cats = list(c.categories.all())
    out = _campaign(c)
    out.update(
        description=c.description,
        categories=[x.pk for x in cats],
        category_names=[x.name for x in cats],
        summary=c.summary,
        activated_at=c.activated_at,
        closed_at=c.closed_at,
        progress=[t.as_dict() for t in progress(c)],
        metrics={k: _(v) for k, v in metrics().items()},
    )
    return out


# ---- campaigns: endpoints ------------------------------------------------------------------


class CampaignQuery(Schema):
    status: str | None = Field(None, description="draft/active/closed，可逗号分隔")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get("/campaigns", response=CampaignPage, summary="专项行动列表（按当前用户的范围）")
def campaigns_list(request: HttpRequest, filters: Query[CampaignQuery]) -> Any:
    start, size = _page(filters.page, filters.page_size)
    qs = campaign_list(
        actor=actor_of(request), status=_list(filters.status, CampaignStatus.values, "status")
    )
    return {
        "items": [_campaign(c) for c in qs[start : start + size]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": size,
    }


class CampaignTargetIn(BaseModel):
    metric: str = Field(
        description="指标：events、hazards_fixed、listings、listings_delisted、"
        "entered（填报）或其他模块登记的指标"
    )
    label: str = Field("", description="目标名称（默认为指标名称）")
    target: int = Field(description="目标值")


class CampaignIn(BaseModel):
    name: str = Field(description="行动名称")
    kind: str = Field(CampaignKind.OTHER, description="、".join(CampaignKind.values))
    description: str = Field("", description="行动内容")
    starts_on: dt.date = Field(description="开始日期")
    ends_on: dt.date = Field(description="结束日期")
    areas: list[int] = Field([], description="行动范围：乡镇（街道）；空为全域")
    categories: list[int] = Field([], description="事件分类（含下级）；空为全部")
    targets: list[CampaignTargetIn] = Field([], description="目标")


class CampaignPatch(BaseModel):
    """Only the fields sent change (while draft); `targets` replaces them all."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    description: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    areas: list[int] | None = None
    categories: list[int] | None = None
    targets: list[CampaignTargetIn] | None = None


@router.post(
    "/campaigns", response={201: CampaignDetailOut}, summary="新建专项行动（县级平安办受理员）"
)
def campaigns_create(request: HttpRequest, payload: CampaignIn) -> Any:
    c = campaign_create(actor=actor_of(request), **payload.model_dump())
    return Reply(201, _campaign_detail(request, c.pk))


@router.get(
    "/campaigns/{campaign_id}",
    response=CampaignDetailOut,
    summary="专项行动详情（目标与完成进度）",
)
def campaigns_get(request: HttpRequest, campaign_id: int) -> Any:
    return _campaign_detail(request, campaign_id)


@router.patch(
    "/campaigns/{campaign_id}",
    response=CampaignDetailOut,
    summary="修改草拟中的专项行动（只改所传字段）",
)
def campaigns_patch(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> Any:
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    campaign_update(actor=actor_of(request), campaign_id=campaign_id, **fields)
    return _campaign_detail(request, campaign_id)


@router.post(
    "/campaigns/{campaign_id}/activate",
    response=CampaignDetailOut,
    summary="启动专项行动（须至少一项目标）",
)
def campaigns_activate(request: HttpRequest, campaign_id: int) -> Any:
    campaign_activate(actor=actor_of(request), campaign_id=campaign_id)
    return _campaign_detail(request, campaign_id)


class CampaignCloseIn(BaseModel):
    summary: str = Field("", description="总结（必填）")


@router.post(
    "/campaigns/{campaign_id}/close", response=CampaignDetailOut, summary="结束专项行动（须填总结）"
)
def campaigns_close(request: HttpRequest, campaign_id: int, payload: CampaignCloseIn) -> Any:
    campaign_close(actor=actor_of(request), campaign_id=campaign_id, summary=payload.summary)
    return _campaign_detail(request, campaign_id)


class TargetValueIn(BaseModel):
    value: int = Field(description="完成值")
    note: str = Field("", description="填报说明（必填）")


@router.post(
    "/campaigns/{campaign_id}/targets/{campaign_target_id}/value",
    response=CampaignDetailOut,
    summary="填报目标完成值（仅填报类目标，进行中）",
)
def campaigns_target_value(
    request: HttpRequest, campaign_id: int, campaign_target_id: int, payload: TargetValueIn
) -> Any:
    target_enter(
        actor=actor_of(request),
        campaign_id=campaign_id,
        target_id=campaign_target_id,
        value=payload.value,
        note=payload.note,
    )
    return _campaign_detail(request, campaign_id)


class CampaignEventOut(Schema):
    id: int
    code: str
    title: str
    category: int
    category_name: str
    status: str
    status_label: str
    region_name: str
    address: str = Field(description="地址（脱敏）")
    reported_at: dt.datetime
    by_hand: bool = Field(description="手工标记（否则按行动范围和分类自动纳入）")


class CampaignEventPage(Schema):
    items: list[CampaignEventOut]
    count: int
    page: int
    page_size: int


class CampaignsPageQuery(Schema):
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 50


@router.get(
    "/campaigns/{campaign_id}/events",
    response=CampaignEventPage,
    summary="专项行动事件（按规则纳入与手工标记；本人可见范围内，脱敏）",
)
def campaigns_events(
    request: HttpRequest, campaign_id: int, filters: Query[CampaignsPageQuery]
) -> Any:
    start, size = _page(filters.page, filters.page_size)
    actor = actor_of(request)
    qs = campaign_events(actor=actor, campaign_id=campaign_id)
    c = campaign_detail(actor=actor, campaign_id=campaign_id)
    tagged = tagged_ids(c)
    return {
        "items": [event_dict(e, tagged=tagged) for e in qs[start : start + size]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": size,
    }


class CampaignEventIn(BaseModel):
    event: int = Field(description="事件")
    note: str = Field("", description="说明")


@router.post(
    "/campaigns/{campaign_id}/events",
    response={201: CampaignDetailOut},
    summary="手工标记事件为专项行动事件（县级平安办）",
)
def campaigns_event_add(request: HttpRequest, campaign_id: int, payload: CampaignEventIn) -> Any:
    campaign_event_add(
        actor=actor_of(request), campaign_id=campaign_id, event_id=payload.event, note=payload.note
    )
    return Reply(201, _campaign_detail(request, campaign_id))


@router.delete(
    "/campaigns/{campaign_id}/events/{event_id}",
    response=CampaignDetailOut,
    summary="取消手工标记（按规则纳入的事件不能取消）",
)
def campaigns_event_remove(request: HttpRequest, campaign_id: int, event_id: int) -> Any:
    campaign_event_remove(actor=actor_of(request), campaign_id=campaign_id, event_id=event_id)
    return _campaign_detail(request, campaign_id)


@router.get(
    "/campaigns/{campaign_id}/report.docx",
    response={200: None},
    summary="专项行动总结报告（.docx）",
)
def campaigns_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    data, name = campaign_report(actor=actor_of(request), campaign_id=campaign_id)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition(name, f"campaign-{campaign_id}.docx")
    patch_cache_control(response, no_store=True)
    return response


# ---- listed items -------------------------------------------------------------------------------


class ListingOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    status: str
    status_label: str
    region: int
    region_name: str
    lat: float | None
    lng: float | None
    area: dict[str, Any] | None
    unit_region: int | None
    unit_department: int | None
    unit_name: str
    responsible_title: str
    target: str
    deadline: dt.date
    original_deadline: dt.date
    listed_on: dt.date
    campaign: int | None
    overdue: bool = Field(description="整治期限已过且未摘牌、未撤销")


class ListingPage(Schema):
    items: list[ListingOut]
    count: int
    page: int
    page_size: int


class ListingProgressOut(Schema):
    id: int
    text: str
    reported_by: str
    reported_at: dt.datetime


class ListingTimelineOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor_role: str
    note: str
    data: dict[str, Any]
    at: dt.datetime


class ListingActionOut(Schema):
    action: str
    label: str
    requires: list[str]


class ListingDetailOut(ListingOut):
    description: str
    accepted_at: dt.datetime | None
    delisted_at: dt.datetime | None
    progress: list[ListingProgressOut]
    timeline: list[ListingTimelineOut]
    allowed_actions: list[ListingActionOut]


def _listing(x: ListedItem, day: dt.date) -> dict[str, Any]:
    return {
        "id": x.pk,
        "kind": x.kind,
        "kind_label": x.get_kind_display(),
        "name": x.name,
        "status": x.status,
        "status_label": x.get_status_display(),
        "region": x.region_id,
        "region_name": x.region.name,
        "lat": x.lat,
        "lng": x.lng,
        "area": x.area,
        "unit_region": x.unit_region_id,
        "unit_department": x.unit_department_id,
        "unit_name": x.unit_name,
        "responsible_title": x.responsible_title,
        "target": x.target,
        "deadline": x.deadline,
        "original_deadline": x.original_deadline,
        "listed_on": x.listed_on,
        "campaign": x.campaign_id,
        "overdue": x.is_overdue(day),
    }


def _listing_detail(request: HttpRequest, listing_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    x = listing_detail(actor=actor, listing_id=listing_id)
    out = _listing(x, today())
    out.update(
        description=x.description,
        accepted_at=x.accepted_at,
        delisted_at=x.delisted_at,
        progress=[
            {
                "id": p.pk,
                "text": p.text,
                "reported_by": p.reported_by.display_name if p.reported_by else "",
                "reported_at": p.reported_at,
            }
            for p in x.progress.all()
        ],
        timeline=timeline_rows(LISTING, x.timeline.all()),
        allowed_actions=action_rows(allowed(LISTING, actor, x)),
    )
    return out


def _region(pk: int | None) -> Region | None:
    if pk is None:
        return None
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise invalid("region", _("区划不存在"))
    return region


class ListingQuery(Schema):
    kind: str | None = Field(None, description="key_area/prominent_problem，可逗号分隔")
    status: str | None = Field(None, description="状态，可逗号分隔")
    region: int | None = Field(None, description="所在区划（含下级）")
    campaign: int | None = Field(None, description="所属专项行动")
    overdue: bool | None = Field(None, description="true 只看逾期，false 只看未逾期")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 50


def _listings(request: HttpRequest, f: ListingQuery) -> Any:
    return listing_list(
        actor=actor_of(request),
        kind=_list(f.kind, ListingKind.values, "kind"),
        status=_list(f.status, ListingStatus.values, "status"),
        region=_region(f.region),
        campaign_id=f.campaign,
        overdue=f.overdue,
    )


@router.get("/listings", response=ListingPage, summary="挂牌整治项列表（按当前用户的范围）")
def listings_list(request: HttpRequest, filters: Query[ListingQuery]) -> Any:
    start, size = _page(filters.page, filters.page_size)
    qs = _listings(request, filters)
    day = today()
    return {
        "items": [_listing(x, day) for x in qs[start : start + size]],
        "count": qs.count(),
        "page": filters.page,
        "page_size": size,
    }


class ListingIn(BaseModel):
    kind: str = Field(description="key_area 重点复杂地区 / prominent_problem 突出问题")
    name: str = Field(description="名称")
    description: str = Field("", description="问题描述")
    region: int = Field(description="所在区划")
    lat: float | None = Field(None, description="位置：纬度")
    lng: float | None = Field(None, description="位置：经度")
    area: dict[str, Any] | None = Field(None, description="范围：GeoJSON Polygon/MultiPolygon")
    unit_region: int | None = Field(None, description="责任乡镇（与责任部门二选一）")
    unit_department: int | None = Field(None, description="责任部门")
    responsible_title: str = Field("", description="责任人职务，如 镇长")
    target: str = Field(description="整治目标")
    deadline: dt.date = Field(description="整治期限")
    campaign: int | None = Field(None, description="所属专项行动")
    listed_on: dt.date | None = Field(None, description="挂牌日期（默认今天）")


@router.post("/listings", response={201: ListingDetailOut}, summary="挂牌（县级平安办受理员）")
def listings_create(request: HttpRequest, payload: ListingIn) -> Any:
    x = listing_create(actor=actor_of(request), **payload.model_dump())
    return Reply(201, _listing_detail(request, x.pk))


@router.get(
    "/listings/map.geojson",
    response={200: dict[str, Any]},
    summary="挂牌整治项地图（GeoJSON FeatureCollection，按状态着色用 status/overdue）",
)
def listings_map(request: HttpRequest, filters: Query[ListingQuery]) -> Any:
    day = today()
    features = []
    for x in _listings(request, filters).exclude(lat__isnull=True, area__isnull=True)[:2000]:
        props = {
            "id": x.pk,
            "name": x.name,
            "kind": x.kind,
            "status": x.status,
            "status_label": x.get_status_display(),
            "unit_name": x.unit_name,
            "deadline": x.deadline.isoformat(),
            "overdue": x.is_overdue(day),
        }
        if x.area is not None:
            features.append({"type": "Feature", "geometry": x.area, "properties": props})
        if x.lat is not None and x.lng is not None:
            point = {"type": "Point", "coordinates": [x.lng, x.lat]}
            features.append({"type": "Feature", "geometry": point, "properties": props})
    return {"type": "FeatureCollection", "features": features}


@router.get("/listings/{listing_id}", response=ListingDetailOut, summary="挂牌整治项详情")
def listings_get(request: HttpRequest, listing_id: int) -> Any:
    return _listing_detail(request, listing_id)


class ListingProgressIn(BaseModel):
    text: str = Field(description="进展情况")


@router.post(
    "/listings/{listing_id}/progress",
    response={201: ListingDetailOut},
    summary="报告整改进展（责任单位，整改中）",
)
def listings_progress(request: HttpRequest, listing_id: int, payload: ListingProgressIn) -> Any:
    listing_progress(actor=actor_of(request), listing_id=listing_id, text=payload.text)
    return Reply(201, _listing_detail(request, listing_id))


class ListingTransitionIn(BaseModel):
    """`{"action", ...fields}`: each action's fields are in docs/workflow-listing.md."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(description="、".join(LISTING.workflow.actions))
    note: str | None = Field(None, description="说明（申请验收、验收、延期、撤销必填）")
    text: str | None = Field(None, description="report：进展情况")
    deadline: dt.date | None = Field(None, description="extend：新的整治期限")


@router.post(
    "/listings/{listing_id}/transitions",
    response=ListingDetailOut,
    summary="对挂牌整治项执行流转操作（409 当前状态不可，403 角色或范围不可，404 不在范围，"
    "422 字段错误）",
)
def listings_transition(request: HttpRequest, listing_id: int, payload: ListingTransitionIn) -> Any:
    data = {k: v for k, v in payload.model_dump().items() if v is not None and k != "action"}
    listing_transition(
        actor=actor_of(request), listing_id=listing_id, action=payload.action, payload=data
    )
    return _listing_detail(request, listing_id)

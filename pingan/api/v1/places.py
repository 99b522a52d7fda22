"""Rental housing (出租房) and key places and units (重点场所, 实名制行业单位): lists with
filters, detail, create, PATCH, checks with photos, the audited reveal of personal data,
and the real-name sectors' state. Reads through `places.selectors` (scoped to the
caller), writes through `places.services`. Cameras are in places_cameras.py.
docs/places.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.api.v1.registers_common import MAX_PAGE, each, page_of, patch_of
from pingan.core.errors import invalid
from pingan.places import rules
from pingan.places.choices import CheckResult, ManagedModel, PlaceKind, RentalKind
from pingan.places.photos import check_photo_add, check_photo_get
from pingan.places.selectors import (
    check_dict,
    place_checks,
    place_detail,
    place_dict,
    place_list,
    rental_checks,
    rental_detail,
    rental_dict,
    rental_list,
    rental_tenancies,
    sector_summary,
    tenancy_dict,
)
from pingan.places.services import (
    place_check_add,
    place_create,
    place_reveal,
    place_update,
    rental_check_add,
    rental_create,
    rental_reveal,
    rental_update,
    tenancy_add,
    tenancy_end,
)

router = Router(tags=["places"])


def _set(payload: Schema) -> dict[str, Any]:
    """The fields the caller sent (PATCH: absent is unchanged, null clears)."""
    return payload.model_dump(exclude_unset=True)


# ---- output ---------------------------------------------------------------------------------


class PlacesPersonOut(Schema):
    id: int
    name: str = Field(description="姓名（脱敏）")
    phone: str = Field(description="电话（脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")


class PlacesRentalOut(Schema):
    id: int
    address: str = Field(description="地址（脱敏）")
    region: int
    region_name: str
    lat: float | None
    lng: float | None
    landlord: PlacesPersonOut | None
    rooms: int
    kind: str
    kind_label: str
    managed: list[str]
    managed_labels: list[str]
    status: str
    status_label: str
    rating: str = Field(description="green / yellow / red / unrated")
    rating_label: str
    registered_on: dt.date
    last_check_on: dt.date | None
    last_check_result: str
    last_hazards: int
    next_check_due: dt.date
    overdue: bool
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class PlacesTenancyOut(Schema):
    id: int
    tenant: PlacesPersonOut | None
    start: dt.date
    end: dt.date | None
    room: str


class PlacesCheckOut(Schema):
    id: int
    items: dict[str, str]
    result: str
    result_label: str
    hazards: int
    hazard_note: str
    rectify_by: dt.date | None
    note: str
    lat: float | None
    lng: float | None
    by: int | None
    by_name: str
    at: dt.datetime
    photos: list[int] = Field(description="照片编号：GET /registry/check-photos/{id}/file")
    rating: str | None = Field(None, description="出租房：本次检查后的评级")
    records_kept: bool | None = Field(None, description="实名制行业单位：实名登记是否落实")


class PlacesRentalDetailOut(PlacesRentalOut):
    tenants: list[PlacesTenancyOut]
    checks: list[PlacesCheckOut]


class PlacesPage(Schema):
    """What a list's page says besides its items."""

    count: int
    page: int
    page_size: int


class PlacesRentalPage(PlacesPage):
    items: list[PlacesRentalOut]


def _rental_detail(request: HttpRequest, rental_id: int) -> dict[str, Any]:
    house = rental_detail(actor=actor_of(request), rental_id=rental_id)
    out = rental_dict(house)
    out["tenants"] = [tenancy_dict(t) for t in rental_tenancies(house)]
    out["checks"] = [check_dict(c) for c in rental_checks(house)]
    return out


# ---- rental houses ------------------------------------------------------------------------------


class PlacesRentalQuery(Schema):
    region: int | None = Field(None, description="区划（含下级）")
    grid: int | None = Field(None, description="网格")
    kind: str | None = Field(None, description="、".join(RentalKind.values))
    rating: str | None = Field(None, description="green、yellow、red、unrated")
    status: str | None = None
    overdue: bool = Field(False, description="只看检查逾期的（从未检查的在前，其次按最近检查日期）")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/registry/rentals",
    response=PlacesRentalPage,
    summary="出租房列表（按当前用户的范围；可按区划、网格、类型、评级、逾期筛选）",
)
def rentals(request: HttpRequest, filters: Query[PlacesRentalQuery]) -> Any:
    if filters.rating not in (None, "", "green", "yellow", "red", "unrated"):
        raise invalid("rating", _("评级应为 green、yellow、red 或 unrated"))
    qs = rental_list(
        actor=actor_of(request),
        region=filters.region,
        grid=filters.grid,
        kind=filters.kind,
        rating=filters.rating or None,
        status=filters.status,
        overdue=filters.overdue,
    )
    return page_of(qs, filters.page, filters.page_size, each(rental_dict))


class PlacesRentalIn(Schema):
    address: str = Field(description="地址")
    region: int | None = Field(None, description="所在网格（不填则按坐标定位）")
    lat: float | None = None
    lng: float | None = None
    landlord: int | None = Field(None, description="房东（实有人口编号）")
    rooms: int = Field(1, description="出租间数")
    kind: str = Field(RentalKind.WHOLE, description="、".join(RentalKind.values))
    managed: list[str] = Field(default_factory=list, description="、".join(ManagedModel.values))
    status: str = Field("let", description="let、vacant、closed")
    note: str = ""
    client_uuid: str | None = Field(None, description="客户端生成的UUID，重复提交返回同一记录")


class PlacesRentalPatch(patch_of(PlacesRentalIn, drop=("client_uuid",))):  # type: ignore[misc]
    pass


@router.post(
    "/registry/rentals",
    response={200: PlacesRentalDetailOut, 201: PlacesRentalDetailOut},
    summary="登记出租房（网格员、网格长、受理员；本人辖区内）",
)
def rental_new(request: HttpRequest, payload: PlacesRentalIn) -> Any:
    house, created = rental_create(actor=actor_of(request), data=payload.model_dump())
    return Reply(201 if created else 200, _rental_detail(request, house.pk))


@router.get("/registry/rentals/{rental_id}", response=PlacesRentalDetailOut, summary="出租房详情")
def rental_get(request: HttpRequest, rental_id: int) -> Any:
    return _rental_detail(request, rental_id)


@router.patch(
    "/registry/rentals/{rental_id}", response=PlacesRentalDetailOut, summary="修改出租房信息"
)
def rental_patch(request: HttpRequest, rental_id: int, payload: PlacesRentalPatch) -> Any:
    rental_update(actor=actor_of(request), rental_id=rental_id, data=_set(payload))
    return _rental_detail(request, rental_id)


class PlacesTenancyIn(Schema):
    tenant: int = Field(description="租客（实有人口编号）")
    start: dt.date | None = Field(None, description="入住日期（默认今天）")
    end: dt.date | None = None
    room: str = ""


@router.post(
    "/registry/rentals/{rental_id}/tenants",
    response={201: PlacesRentalDetailOut},
    summary="登记租客入住（人来登记）",
)
def rental_tenant_add(request: HttpRequest, rental_id: int, payload: PlacesTenancyIn) -> Any:
    tenancy_add(actor=actor_of(request), rental_id=rental_id, **payload.model_dump())
    return Reply(201, _rental_detail(request, rental_id))


class PlacesTenancyEndIn(Schema):
    tenancy: int = Field(description="租住登记编号")
    end: dt.date | None = Field(None, description="退租日期（默认今天）")


@router.post(
    "/registry/rentals/{rental_id}/tenants/end",
    response=PlacesRentalDetailOut,
    summary="登记租客退租（人走注销）",
)
def rental_tenant_end(request: HttpRequest, rental_id: int, payload: PlacesTenancyEndIn) -> Any:
    tenancy_end(
        actor=actor_of(request), rental_id=rental_id, tenancy_id=payload.tenancy, end=payload.end
    )
    return _rental_detail(request, rental_id)


class PlacesCheckIn(Schema):
    items: dict[str, str] = Field(
        description="每个检查项目：ok（合格）、hazard（隐患）、na（不涉及）"
    )
    result: str | None = Field(
        None, description="、".join(CheckResult.values) + "；不填则无隐患为合格，有隐患为限期整改"
    )
    hazard_note: str = Field("", description="隐患情况（有隐患时必填）")
    rectify_by: dt.date | None = Field(None, description="整改期限")
    note: str = ""
    at: dt.datetime | None = Field(None, description="检查时间（离线上传时填，默认现在）")
    lat: float | None = None
    lng: float | None = None
    records_kept: bool | None = Field(None, description="实名制行业单位：实名登记是否落实")
    client_uuid: str | None = None


@router.post(
    "/registry/rentals/{rental_id}/checks",
    response={200: PlacesCheckOut, 201: PlacesCheckOut},
    summary="记录出租房消防安全与治安检查（重新评级）",
)
def rental_check(request: HttpRequest, rental_id: int, payload: PlacesCheckIn) -> Any:
    data = payload.model_dump()
    if data.pop("records_kept") is not None:
        raise invalid("records_kept", _("出租房检查没有此项"))
    check, created = rental_check_add(actor=actor_of(request), rental_id=rental_id, data=data)
    return Reply(201 if created else 200, check_dict(check))


class PlacesItemOut(Schema):
    code: str
    label: str


class PlacesChecklistOut(Schema):
    rental: list[PlacesItemOut]
    place: list[PlacesItemOut]
    rental_check_days: dict[str, int]
    place_check_days: dict[str, int]


@router.get(
    "/registry/checklists",
    response=PlacesChecklistOut,
    summary="出租房与重点场所的检查项目及检查周期（天）",
)
def checklists(request: HttpRequest) -> Any:
    return {
        "rental": [{"code": k, "label": str(v)} for k, v in rules.RENTAL_ITEMS.items()],
        "place": [{"code": k, "label": str(v)} for k, v in rules.PLACE_ITEMS.items()],
        "rental_check_days": rules.rental_days(),
        "place_check_days": rules.place_days(),
    }


class PlacesRentalPersonalOut(Schema):
    address: str
    landlord: PlacesPersonOut | None
    tenants: list[PlacesTenancyOut]


@router.get(
    "/registry/rentals/{rental_id}/personal",
    response=PlacesRentalPersonalOut,
    summary="查看出租房地址、房东与租客信息原文（辖区网格员、网格长、受理员；每次查看记入审计）",
)
@decorate_view(never_cache)  # personal data in full: never kept by a browser or a proxy
def rental_personal(request: HttpRequest, rental_id: int) -> Any:
    actor = actor_of(request)
    house = rental_reveal(actor=actor, rental_id=rental_id)
    cleared = actor.clearances
    full = rental_dict(house, reveal=True, cleared=cleared)
    return {
        "address": full["address"],
        "landlord": full["landlord"],
        "tenants": [tenancy_dict(t, reveal=True, cleared=cleared) for t in rental_tenancies(house)],
    }


# ---- places -------------------------------------------------------------------------------------


class PlacesPlaceOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    credit_code: str
    address: str = Field(description="地址（经营者为个人时脱敏）")
    owner_is_person: bool
    manager_name: str = Field(description="负责人（脱敏）")
    manager_phone: str = Field(description="负责人电话（脱敏）")
    sector: str
    sector_name: str
    region: int
    region_name: str
    lat: float | None
    lng: float | None
    status: str
    status_label: str
    registered_on: dt.date
    last_check_on: dt.date | None
    last_check_result: str
    last_hazards: int
    last_records_kept: bool | None
    next_check_due: dt.date
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class PlacesPlaceDetailOut(PlacesPlaceOut):
    checks: list[PlacesCheckOut]


class PlacesPlacePage(PlacesPage):
    items: list[PlacesPlaceOut]


def _place_detail(request: HttpRequest, place_id: int) -> dict[str, Any]:
    place = place_detail(actor=actor_of(request), place_id=place_id)
    out = place_dict(place)
    out["checks"] = [check_dict(c) for c in place_checks(place)]
    return out


class PlacesPlaceQuery(Schema):
    region: int | None = Field(None, description="区划（含下级）")
    grid: int | None = None
    kind: str | None = Field(None, description="、".join(PlaceKind.values))
    sector: str | None = Field(None, description="实名制行业代码（GET /registry/sectors）")
    status: str | None = None
    overdue: bool = Field(False, description="只看检查逾期的")
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/registry/places",
    response=PlacesPlacePage,
    summary="重点场所与实名制行业单位列表（按当前用户的范围）",
)
def places(request: HttpRequest, filters: Query[PlacesPlaceQuery]) -> Any:
    qs = place_list(
        actor=actor_of(request),
        region=filters.region,
        grid=filters.grid,
        kind=filters.kind,
        sector=filters.sector,
        status=filters.status,
        overdue=filters.overdue,
    )
    return page_of(qs, filters.page, filters.page_size, each(place_dict))


class PlacesPlaceIn(Schema):
    kind: str = Field(description="、".join(PlaceKind.values))
    name: str
    credit_code: str = ""
    address: str = ""
    owner_is_person: bool = Field(False, description="经营者为个人（个体户）：地址按个人信息处理")
    manager_name: str = Field("", description="负责人")
    manager_phone: str = ""
    sector: str = Field("", description="实名制行业代码（实名制行业单位填写）")
    status: str = "open"
    region: int | None = None
    lat: float | None = None
    lng: float | None = None
    client_uuid: str | None = None


class PlacesPlacePatch(patch_of(PlacesPlaceIn, drop=("client_uuid",))):  # type: ignore[misc]
    pass


@router.post(
    "/registry/places",
    response={200: PlacesPlaceDetailOut, 201: PlacesPlaceDetailOut},
    summary="登记重点场所或实名制行业单位",
)
def place_new(request: HttpRequest, payload: PlacesPlaceIn) -> Any:
    place, created = place_create(actor=actor_of(request), data=payload.model_dump())
    return Reply(201 if created else 200, _place_detail(request, place.pk))


@router.get("/registry/places/{place_id}", response=PlacesPlaceDetailOut, summary="重点场所详情")
def place_get(request: HttpRequest, place_id: int) -> Any:
    return _place_detail(request, place_id)


@router.patch(
    "/registry/places/{place_id}", response=PlacesPlaceDetailOut, summary="修改重点场所信息"
)
def place_patch(request: HttpRequest, place_id: int, payload: PlacesPlacePatch) -> Any:
    place_update(actor=actor_of(request), place_id=place_id, data=_set(payload))
    return _place_detail(request, place_id)


@router.post(
    "/registry/places/{place_id}/checks",
    response={200: PlacesCheckOut, 201: PlacesCheckOut},
    summary="记录重点场所检查（实名制行业单位含实名登记落实情况）",
)
def place_check(request: HttpRequest, place_id: int, payload: PlacesCheckIn) -> Any:
    check, created = place_check_add(
        actor=actor_of(request), place_id=place_id, data=payload.model_dump()
    )
    return Reply(201 if created else 200, check_dict(check))


class PlacesPlacePersonalOut(Schema):
    address: str
    manager_name: str
    manager_phone: str


@router.get(
    "/registry/places/{place_id}/personal",
    response=PlacesPlacePersonalOut,
    summary="查看场所负责人信息原文（辖区网格员、网格长、受理员；每次查看记入审计）",
)
@decorate_view(never_cache)
def place_personal(request: HttpRequest, place_id: int) -> Any:
    full = place_dict(place_reveal(actor=actor_of(request), place_id=place_id), reveal=True)
    return {k: full[k] for k in ("address", "manager_name", "manager_phone")}


class PlacesSectorOut(Schema):
    sector: str
    name: str
    units: int = Field(description="登记单位数（未注销）")
    checked: int = Field(description="已检查实名登记的单位数")
    kept: int = Field(description="最近一次检查实名登记落实的单位数")
    rate: float | None = Field(description="落实率 kept ÷ checked（0…1）")


@router.get(
    "/registry/sectors",
    response=list[PlacesSectorOut],
    summary="实名制行业：登记单位数与实名登记落实情况（按当前用户的范围）",
)
def sectors(request: HttpRequest, region: int | None = None) -> Any:
    return sector_summary(actor=actor_of(request), region=region)


# ---- photos of checks ---------------------------------------------------------------------------


class PlacesPhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str | None
    taken_at: dt.datetime | None
    lat: float | None
    lng: float | None
    size: int
    width: int
    height: int
    uploaded_at: dt.datetime


def _photo_out(request: HttpRequest, p: Any) -> dict[str, Any]:
    url = reverse("api-v1:places_check_photo_file", kwargs={"check_photo_id": p.pk})
    return {
        "id": p.pk,
        "url": request.build_absolute_uri(url),
        "thumbnail_url": request.build_absolute_uri(url + "?thumb=true") if p.thumbnail else None,
        "taken_at": p.taken_at,
        "lat": p.lat,
        "lng": p.lng,
        "size": p.size,
        "width": p.width,
        "height": p.height,
        "uploaded_at": p.uploaded_at,
    }


@router.post(
    "/registry/rentals/{rental_id}/checks/{rental_check_id}/photos",
    response={200: PlacesPhotoOut, 201: PlacesPhotoOut},
    summary="上传出租房检查照片",
)
def rental_check_photo(
    request: HttpRequest,
    rental_id: int,
    rental_check_id: int,
    file: File[UploadedFile],
    client_uuid: Form[str] = "",
) -> Any:
    photo, created = check_photo_add(
        actor=actor_of(request),
        kind="rental",
        record_id=rental_id,
        check_id=rental_check_id,
        upload=file,
        client_uuid=client_uuid or None,
    )
    return Reply(201 if created else 200, _photo_out(request, photo))


@router.post(
    "/registry/places/{place_id}/checks/{place_check_id}/photos",
    response={200: PlacesPhotoOut, 201: PlacesPhotoOut},
    summary="上传重点场所检查照片",
)
def place_check_photo(
    request: HttpRequest,
    place_id: int,
    place_check_id: int,
    file: File[UploadedFile],
    client_uuid: Form[str] = "",
) -> Any:
    photo, created = check_photo_add(
        actor=actor_of(request),
        kind="place",
        record_id=place_id,
        check_id=place_check_id,
        upload=file,
        client_uuid=client_uuid or None,
    )
    return Reply(201 if created else 200, _photo_out(request, photo))


@router.get(
    "/registry/check-photos/{check_photo_id}/file",
    url_name="places_check_photo_file",
    response={200: None},
    summary="检查照片文件",
)
def check_photo_file(request: HttpRequest, check_photo_id: int, thumb: bool = False) -> Any:
    photo = check_photo_get(actor=actor_of(request), photo_id=check_photo_id)
    stored = photo.thumbnail if thumb and photo.thumbnail else photo.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("照片文件不存在")) from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

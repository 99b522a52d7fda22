"""Cameras (视频点位): list, the map layer (GeoJSON), cameras near a point, detail, create,
PATCH. The video itself stays on the video platform: a camera names its channel
(`link_name`). Scoped to the caller as the other registers; docs/places.md."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as Reply
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.api.v1.places import PlacesPage
from pingan.api.v1.registers_common import MAX_PAGE, each, page_of, patch_of
from pingan.core.errors import invalid
from pingan.places import rules
from pingan.places.choices import CameraKind, CameraStatus
from pingan.places.selectors import (
    camera_detail,
    camera_dict,
    camera_features,
    camera_list,
    cameras_near,
)
from pingan.places.services import camera_create, camera_update

router = Router(tags=["places"])

MAX_FEATURES = 20_000
MAX_NEAR = 100


class PlacesCameraOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    owner_unit: str
    link_name: str = Field(description="视频平台通道名称")
    lat: float | None
    lng: float | None
    region: int
    region_name: str
    status: str
    status_label: str
    distance_m: float | None = Field(None, description="附近查询：距离（米）")


class PlacesCameraPage(PlacesPage):
    items: list[PlacesCameraOut]


class PlacesCameraQuery(Schema):
    region: int | None = Field(None, description="区划（含下级）")
    grid: int | None = None
    kind: str | None = Field(None, description="、".join(CameraKind.values))
    status: str | None = Field(None, description="、".join(CameraStatus.values))
    page: int = Field(1, le=MAX_PAGE)
    page_size: int = 20


@router.get(
    "/registry/cameras",
    response=PlacesCameraPage,
    summary="视频点位列表（按当前用户的范围）",
)
def cameras(request: HttpRequest, filters: Query[PlacesCameraQuery]) -> Any:
    qs = camera_list(
        actor=actor_of(request),
        region=filters.region,
        grid=filters.grid,
        kind=filters.kind,
        status=filters.status,
    )
    return page_of(qs, filters.page, filters.page_size, each(camera_dict))


class PlacesCameraLayer(Schema):
    type: str = "FeatureCollection"
    features: list[dict[str, Any]]
    truncated: bool = Field(description="点位多于上限时为 true（请按区划缩小范围）")


@router.get(
    "/registry/cameras/geojson",
    response=PlacesCameraLayer,
    summary="视频点位图层（GeoJSON，按当前用户的范围，不含已拆除）",
)
def camera_layer(request: HttpRequest, region: int | None = None, kind: str | None = None) -> Any:
    features, truncated = camera_features(
        actor=actor_of(request), region=region, kind=kind, limit=MAX_FEATURES
    )
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}


class PlacesNearQuery(Schema):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    radius: int | None = Field(None, description="半径（米），默认 PINGAN_CAMERA_RADIUS_M")
    limit: int = Field(20, description="最多返回条数")


@router.get(
    "/registry/cameras/near",
    response=list[PlacesCameraOut],
    summary="某点附近的视频点位（由近及远；按当前用户的范围）",
)
def cameras_near_point(request: HttpRequest, q: Query[PlacesNearQuery]) -> Any:
    radius = q.radius if q.radius is not None else rules.camera_radius_m()
    if not 1 <= radius <= rules.MAX_RADIUS_M:
        raise invalid("radius", _("半径应在1到%(n)s米之间") % {"n": rules.MAX_RADIUS_M})
    if not 1 <= q.limit <= MAX_NEAR:
        raise invalid("limit", _("条数应在1到%(n)s之间") % {"n": MAX_NEAR})
    scoped = camera_list(actor=actor_of(request))
    found = cameras_near(q.lat, q.lng, radius_m=radius, limit=q.limit, qs=scoped)
    return [camera_dict(n.camera, n.distance_m) for n in found]


class PlacesCameraIn(Schema):
    code: str = Field(description="点位编号（唯一）")
    name: str
    kind: str = Field(description="、".join(CameraKind.values))
    owner_unit: str = ""
    link_name: str = Field("", description="视频平台通道名称")
    status: str = CameraStatus.ONLINE
    lat: float
    lng: float
    region: int | None = Field(None, description="所在网格（不填则按坐标定位）")
    client_uuid: str | None = None


class PlacesCameraPatch(patch_of(PlacesCameraIn, drop=("client_uuid",))):  # type: ignore[misc]
    pass


@router.post(
    "/registry/cameras",
    response={200: PlacesCameraOut, 201: PlacesCameraOut},
    summary="登记视频点位（受理员；本人辖区内）",
)
def camera_new(request: HttpRequest, payload: PlacesCameraIn) -> Any:
    camera, created = camera_create(actor=actor_of(request), data=payload.model_dump())
    return Reply(201 if created else 200, camera_dict(camera))


@router.get("/registry/cameras/{camera_id}", response=PlacesCameraOut, summary="视频点位详情")
def camera_get(request: HttpRequest, camera_id: int) -> Any:
    return camera_dict(camera_detail(actor=actor_of(request), camera_id=camera_id))


@router.patch("/registry/cameras/{camera_id}", response=PlacesCameraOut, summary="修改视频点位")
def camera_patch(request: HttpRequest, camera_id: int, payload: PlacesCameraPatch) -> Any:
    camera = camera_update(
        actor=actor_of(request), camera_id=camera_id, data=payload.model_dump(exclude_unset=True)
    )
    return camera_dict(camera)

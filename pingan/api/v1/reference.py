"""Reference data every client needs: the region tree, categories, departments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from pingan.core.errors import NotFound, invalid
from pingan.events.selectors import category_list
from pingan.geo.choices import Level
from pingan.geo.selectors import region_list
from pingan.org.selectors import department_list

router = Router(tags=["reference"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent: int | None
    lat: float | None
    lng: float | None
    is_special: bool


class RegionDetailOut(RegionOut):
    path: str
    geometry: dict[str, Any] | None


class RegionQuery(Schema):
    parent: int | None = None
    level: str | None = None


def _region(r: Any, *, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": r.pk,
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "parent": r.parent_id,
        "lat": r.lat,
        "lng": r.lng,
        "is_special": r.is_special,
    }
    if detail:
        out["path"] = r.path
        out["geometry"] = r.geometry
    return out


@router.get("/regions", response=list[RegionOut], summary="区划/网格列表")
def regions(request: HttpRequest, filters: Query[RegionQuery]) -> Any:
    if filters.level and filters.level not in Level.values:
        raise invalid("level", _("应为 %(values)s") % {"values": "、".join(Level.values)})
    qs = region_list(user=request.auth, parent=filters.parent, level=filters.level)  # type: ignore[attr-defined]
    return [_region(r) for r in qs.defer("geometry")]


@router.get("/regions/{region_id}", response=RegionDetailOut, summary="区划详情（含边界）")
def region_detail(request: HttpRequest, region_id: int) -> Any:
    region = region_list(user=request.auth).filter(pk=region_id).first()  # type: ignore[attr-defined]
    if region is None:
        raise NotFound(_("区划不存在"))
    return _region(region, detail=True)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent: int | None
    default_department: int | None
    extra_fields: list[dict[str, Any]]


@router.get("/categories", response=list[CategoryOut], summary="事件分类")
def categories(request: HttpRequest) -> Any:
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "parent": c.parent_id,
            "default_department": c.default_department_id,
            "extra_fields": c.extra_fields or [],
        }
        for c in category_list()
    ]


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    region: int
    region_name: str


@router.get("/departments", response=list[DepartmentOut], summary="职能部门")
def departments(request: HttpRequest) -> Any:
    return [
        {
            "id": d.pk,
            "code": d.code,
            "name": d.name,
            "region": d.region_id,
            "region_name": d.region.name,
        }
        for d in department_list(user=request.auth)  # type: ignore[attr-defined]
    ]

"""Patrols (巡查): start, points in batches (idempotent per point time), visits, finish.

`POST /patrols {client_uuid, started_at}` → 201 (200 for the same uuid again);
`POST /patrols/{id}/points {points: [{lat, lng, at}]}` → `{accepted, point_count}`;
`POST /patrols/{id}/visits {client_uuid, kind, target, note, lat, lng, at}`, or picking a
register record: `{client_uuid, pick: {type, id}, task?, outcome?, check?, note, lat, lng, at}`
(docs/registry-visits.md);
`GET /patrols/targets`: the records of the worker's grids to pick from offline (masked);
`POST /patrols/{id}/finish {finished_at?}` → `{distance_m, duration_s, grids}`;
`GET /patrols` and `GET /patrols/{id}` (with the track) within the caller's scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as Reply
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.patrols.models import Patrol, PatrolVisit
from pingan.patrols.picks import visit_targets
from pingan.patrols.selectors import patrol_get, patrol_list
from pingan.patrols.services import (
    patrol_finish,
    patrol_points_add,
    patrol_start,
    patrol_track,
    patrol_visit_add,
)

router = Router(tags=["patrols"])


class PatrolIn(Schema):
    client_uuid: str = Field(description="客户端生成的UUID，重复提交返回同一巡查")
    started_at: dt.datetime


class PointIn(Schema):
    lat: float
    lng: float
    at: dt.datetime


class PointsIn(Schema):
    points: list[PointIn]


class FinishIn(Schema):
    finished_at: dt.datetime | None = None


class PatrolPickIn(Schema):
    type: str = Field(description="person / household / key_person / rental / place")
    id: int


class VisitIn(Schema):
    client_uuid: str
    kind: str = Field(
        "", description="household / key_place / key_person / person / rental / other"
    )
    target: str = Field("", description="走访对象（自由填写；选择登记记录时不填）")
    pick: PatrolPickIn | None = Field(None, description="所选登记记录")
    task: int | None = Field(None, description="重点人员走访任务编号（完成该任务）")
    outcome: str = Field(
        "",
        description="重点人员：met / phone / not_found / abnormal；人员：present / moved_out",
    )
    check: dict[str, Any] | None = Field(
        None,
        description="出租房、重点场所的检查：{items: {代码: ok/hazard/na}, hazard_note, "
        "rectify_by, records_kept, note}",
    )
    note: str = ""
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, description="纬度")
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False, description="经度")
    at: dt.datetime | None = None


class PatrolOut(Schema):
    id: int
    user: int
    user_name: str
    region: int | None
    region_name: str | None
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    point_count: int
    distance_m: float | None
    duration_s: int | None
    grids: list[int]


class PatrolPickOut(Schema):
    type: str
    id: int


class VisitOut(Schema):
    id: int
    kind: str
    target: str
    note: str
    lat: float | None
    lng: float | None
    at: dt.datetime
    pick: PatrolPickOut | None = None
    task: int | None = None
    outcome: str = ""
    effect: dict[str, Any] = Field(default_factory=dict)


class PatrolTargetsOut(Schema):
    generated_at: dt.datetime
    truncated: bool = Field(description="某类记录超过上限，只给出了前5000条")
    persons: list[dict[str, Any]]
    households: list[dict[str, Any]]
    key_persons: list[dict[str, Any]]
    rentals: list[dict[str, Any]]
    places: list[dict[str, Any]]
    check_items: dict[str, dict[str, str]]


class PatrolDetailOut(PatrolOut):
    track: list[list[float]] = Field(description="[[lat, lng, 毫秒时间戳], …]")
    visits: list[VisitOut]


class PointsOut(Schema):
    accepted: int
    point_count: int


class PatrolSummaryOut(Schema):
    distance_m: float
    duration_s: int
    grids: list[int]


class PatrolQuery(Schema):
    day_from: dt.date | None = None
    day_to: dt.date | None = None


def _out(p: Patrol) -> dict[str, Any]:
    return {
        "id": p.pk,
        "user": p.user_id,
        "user_name": p.user.display_name,
        "region": p.region_id,
        "region_name": p.region.name if p.region else None,
        "status": p.status,
        "started_at": timezone.localtime(p.started_at),
        "finished_at": timezone.localtime(p.finished_at) if p.finished_at else None,
        "point_count": p.point_count,
        "distance_m": p.distance_m,
        "duration_s": p.duration_s,
        "grids": p.grids or [],
    }


def _pick(v: PatrolVisit) -> dict[str, Any] | None:
    for kind in ("key_person", "person", "household", "rental", "place"):
        pk = getattr(v, f"{kind}_id")
        if pk is not None:
            return {"type": kind, "id": pk}
    return None


def _visit(v: PatrolVisit, user: Any) -> dict[str, Any]:
    """The target in full for the worker who made the visit, masked for anyone else (a
    picked record's target is its masked label for everyone)."""
    return {
        "pick": _pick(v),
        "task": v.task_id,
        "outcome": v.outcome,
        "effect": v.effect or {},
        "id": v.pk,
        "kind": v.kind,
        "target": v.target if v.patrol.user_id == user.pk else v.masked_target,
        "note": v.note,
        "lat": v.lat,
        "lng": v.lng,
        "at": timezone.localtime(v.at),
    }


@router.post("/patrols", response={200: PatrolOut, 201: PatrolOut}, summary="开始巡查")
def create(request: HttpRequest, payload: PatrolIn) -> Any:
    patrol, created = patrol_start(
        actor=actor_of(request), client_uuid=payload.client_uuid, started_at=payload.started_at
    )
    return Reply(201 if created else 200, _out(patrol))


@router.post("/patrols/{patrol_id}/points", response=PointsOut, summary="上传轨迹点（按时间去重）")
def points(request: HttpRequest, patrol_id: int, payload: PointsIn) -> Any:
    patrol, accepted = patrol_points_add(
        actor=actor_of(request),
        patrol_id=patrol_id,
        points=[p.model_dump() for p in payload.points],
    )
    return {"accepted": accepted, "point_count": patrol.point_count}


@router.post(
    "/patrols/{patrol_id}/visits", response={200: VisitOut, 201: VisitOut}, summary="记录走访"
)
def visits(request: HttpRequest, patrol_id: int, payload: VisitIn) -> Any:
    data = payload.model_dump()
    visit, created = patrol_visit_add(actor=actor_of(request), patrol_id=patrol_id, **data)
    return Reply(201 if created else 200, _visit(visit, request.auth))  # type: ignore[attr-defined]


@router.post("/patrols/{patrol_id}/finish", response=PatrolSummaryOut, summary="结束巡查并汇总")
def finish(request: HttpRequest, patrol_id: int, payload: FinishIn | None = None) -> Any:
    patrol = patrol_finish(
        actor=actor_of(request),
        patrol_id=patrol_id,
        finished_at=payload.finished_at if payload else None,
    )
    return {
        "distance_m": patrol.distance_m or 0.0,
        "duration_s": patrol.duration_s or 0,
        "grids": patrol.grids or [],
    }


@router.get(
    "/patrols/targets",
    response=PatrolTargetsOut,
    summary="本人网格的登记记录（供离线选择走访对象，个人信息已脱敏）",
)
def targets(request: HttpRequest) -> Any:
    return visit_targets(actor_of(request))


@router.get("/patrols", response=list[PatrolOut], summary="巡查列表（按当前用户的范围）")
def list_(request: HttpRequest, filters: Query[PatrolQuery]) -> Any:
    rows = patrol_list(
        user=actor_of(request),
        day_from=filters.day_from,
        day_to=filters.day_to,
    )[:500]
    return [_out(p) for p in rows]


@router.get("/patrols/{patrol_id}", response=PatrolDetailOut, summary="巡查详情（含轨迹）")
def detail(request: HttpRequest, patrol_id: int) -> Any:
    patrol = patrol_get(user=actor_of(request), patrol_id=patrol_id)
    out = _out(patrol)
    out["track"] = [[lat, lng, t] for t, lat, lng in patrol_track(patrol)]
    out["visits"] = [_visit(v, request.auth) for v in patrol.visits.all()]  # type: ignore[attr-defined]
    return out

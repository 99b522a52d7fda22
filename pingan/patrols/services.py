"""Writes on patrols: start, add points (idempotent per point time), log a visit, finish.

Every write is one transaction. Retries are harmless: `client_uuid` identifies a patrol
and a visit, and a point whose time the patrol already holds is skipped.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.geo import locator
from pingan.org.choices import GRID_ROLES, Role
from pingan.patrols import picks, track
from pingan.patrols.choices import PatrolStatus, VisitKind
from pingan.patrols.models import Patrol, PatrolBatch, PatrolVisit

MAX_POINTS_PER_REQUEST = 5000
# Times from the phone: a queue may hold a patrol for weeks; a phone clock may run ahead.
MAX_BACKDATE = dt.timedelta(days=30)
FUTURE_SLACK = dt.timedelta(hours=1)


def _uuid(value: Any, field: str = "client_uuid") -> uuid.UUID:
    if value in (None, ""):
        raise invalid(field, gettext("请提供客户端UUID"))
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid(field, gettext("不是有效的UUID")) from None


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise invalid(field, gettext("时间格式不正确"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    now = clock.now()
    if value > now + FUTURE_SLACK:
        raise invalid(field, gettext("时间不能晚于当前时间"))
    if value < now - MAX_BACKDATE:
        raise invalid(field, gettext("时间过早"))
    return value


def _coordinate(value: Any, field: str, limit: float, reason: str) -> float:
    """A latitude (limit 90) or longitude (limit 180) as a finite float within ±limit;
    NaN and infinities are refused like any other place off the globe."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid(field, gettext("应为数字")) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise invalid(field, reason)
    return number


def _home_region(actor: Actor) -> Any:
    """The grid (or region) the worker belongs to: the first grid-role membership."""
    for m in sorted(actor.memberships, key=lambda m: (m.role != Role.GRID_WORKER, m.pk)):
        if m.role in GRID_ROLES and m.region is not None:
            return m.region
    return None


def patrol_start(
    *, actor: Actor | Any, client_uuid: Any, started_at: dt.datetime
) -> tuple[Patrol, bool]:
    """Start a patrol; the same client_uuid again returns the first one (created=False)."""
    cu = _uuid(client_uuid)
    actor = as_actor(actor)
    existing = Patrol.objects.filter(client_uuid=cu).first()
    if existing is not None:
        if existing.user_id != actor.pk:
            raise Conflict(
                gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")}
            )
        return existing, False
    region = _home_region(actor)
    if region is None or actor.user is None:  # anonymous: no grid role either
        raise Forbidden(gettext("只有网格员和网格长可以巡查"))
    started_at = _aware(started_at, "started_at")
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                user=actor.user,
                client_uuid=cu,
                region=region,
                region_path=region.path,
                started_at=started_at,
            )
            actor.audit("patrol.start", object_type="patrol", object_id=patrol.pk)
    except IntegrityError:
        existing = Patrol.objects.filter(client_uuid=cu, user=actor.user).first()
        if existing is None:
            raise
        return existing, False
    return patrol, True


def _own_patrol(actor: Actor, patrol_id: int, *, for_update: bool = False) -> Patrol:
    if actor.user is None:
        raise NotFound(gettext("巡查不存在"))
    qs = Patrol.objects.filter(pk=patrol_id, user=actor.user)
    if for_update:
        qs = qs.select_for_update()
    patrol = qs.first()
    if patrol is None:
        raise NotFound(gettext("巡查不存在"))
    return patrol


def _ms(at: dt.datetime) -> int:
    return round(at.timestamp() * 1000)


def _clean_points(patrol: Patrol, points: list[dict[str, Any]]) -> list[track.Point]:
    if not isinstance(points, list):
        raise invalid("points", gettext("轨迹点应为列表"))
    if len(points) > MAX_POINTS_PER_REQUEST:
        raise invalid(
            "points", gettext("每次最多提交%(n)s个轨迹点") % {"n": MAX_POINTS_PER_REQUEST}
        )
    earliest = patrol.started_at - dt.timedelta(minutes=5)
    out: dict[int, track.Point] = {}
    for i, p in enumerate(points):
        try:
            lat = float(p["lat"])
            lng = float(p["lng"])
            at = p["at"]
        except (KeyError, TypeError, ValueError):
            raise invalid(f"points.{i}", gettext("轨迹点须有 lat、lng、at")) from None
        if not (-90 <= lat <= 90) or not (-180 <= lng <= 180):
            raise invalid(f"points.{i}", gettext("经纬度超出范围"))
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                raise invalid(f"points.{i}", gettext("时间格式不正确")) from None
        at = _aware(at, f"points.{i}")
        if at < earliest:
            raise invalid(f"points.{i}", gettext("轨迹点早于巡查开始时间"))
        ms = _ms(at)
        out.setdefault(ms, (ms, lat, lng))
    return sorted(out.values())


def patrol_points_add(
    *, actor: Actor | Any, patrol_id: int, points: list[dict[str, Any]]
) -> tuple[Patrol, int]:
    """Add GPS points to `actor`'s own patrol; a point whose time the patrol already holds
    is skipped. Returns (patrol, number of new points)."""
    actor = as_actor(actor)
    with transaction.atomic():
        patrol = _own_patrol(actor, patrol_id, for_update=True)
        clean = _clean_points(patrol, points)
        if not clean:
            return patrol, 0
        lo = dt.datetime.fromtimestamp(clean[0][0] / 1000, tz=dt.UTC)
        hi = dt.datetime.fromtimestamp(clean[-1][0] / 1000, tz=dt.UTC)
        seen: set[int] = set()
        overlapping = PatrolBatch.objects.filter(
            patrol=patrol, first_at__lte=hi, last_at__gte=lo
        ).values_list("data", flat=True)
        for data in overlapping:
            seen.update(p[0] for p in track.unpack(data))
        new = [p for p in clean if p[0] not in seen]
        if not new:
            return patrol, 0
        PatrolBatch.objects.create(
            patrol=patrol,
            first_at=dt.datetime.fromtimestamp(new[0][0] / 1000, tz=dt.UTC),
            last_at=dt.datetime.fromtimestamp(new[-1][0] / 1000, tz=dt.UTC),
            count=len(new),
            data=track.pack(new),
        )
        patrol.point_count += len(new)
        fields = ["point_count"]
        if patrol.status == PatrolStatus.FINISHED:  # late points: the summary follows
            _summarise_into(patrol)
            fields += ["distance_m", "grids"]
        patrol.save(update_fields=fields)
    return patrol, len(new)


def patrol_track(patrol: Patrol) -> list[track.Point]:
    """All points of a patrol in time order."""
    points: list[track.Point] = []
    for data in PatrolBatch.objects.filter(patrol=patrol).values_list("data", flat=True):
        points.extend(track.unpack(data))
    points.sort()
    return points


def grids_of(points: Sequence[track.Point]) -> list[int | None]:
    """The grid of each point, in one vectorised query of the locator's STRtree; the
    rare points where grids overlap go through `locator.grid_id_at` (special grids win)."""
    if not points:
        return []
    index = locator._current()  # the process-wide grid index (no public bulk lookup yet)
    if not index.ids:
        return [None] * len(points)
    geoms = shapely.points([(lng, lat) for _t, lat, lng in points])
    point_idx, tree_idx = index.tree.query(geoms, predicate="intersects")
    hits: dict[int, list[int]] = defaultdict(list)
    for p, t in zip(point_idx.tolist(), tree_idx.tolist(), strict=True):
        hits[p].append(t)
    out: list[int | None] = [None] * len(points)
    for p, found in hits.items():
        if len(found) == 1:
            out[p] = index.ids[found[0]]
        else:
            _t, lat, lng = points[p]
            out[p] = locator.grid_id_at(lat, lng)
    return out


def _summarise_into(patrol: Patrol) -> None:
    summary = track.summarise(patrol_track(patrol), grids_of)
    patrol.distance_m = round(summary.distance_m, 1)
    patrol.grids = summary.grids


def patrol_finish(
    *, actor: Actor | Any, patrol_id: int, finished_at: dt.datetime | None = None
) -> Patrol:
    """Finish a patrol and store its summary; finishing again returns the stored one."""
    actor = as_actor(actor)
    with transaction.atomic():
        patrol = _own_patrol(actor, patrol_id, for_update=True)
        if patrol.status == PatrolStatus.FINISHED:
            return patrol
        end = _aware(finished_at, "finished_at") if finished_at else clock.now()
        if end < patrol.started_at:
            raise invalid("finished_at", gettext("结束时间早于开始时间"))
        patrol.finished_at = end
        patrol.duration_s = int((end - patrol.started_at).total_seconds())
        patrol.status = PatrolStatus.FINISHED
        _summarise_into(patrol)
        patrol.save(update_fields=["finished_at", "duration_s", "status", "distance_m", "grids"])
        actor.audit(
            "patrol.finish",
            object_type="patrol",
            object_id=patrol.pk,
            detail={"distance_m": patrol.distance_m, "points": patrol.point_count},
        )
    return patrol


def patrol_visit_add(
    *,
    actor: Actor | Any,
    patrol_id: int,
    client_uuid: Any,
    kind: str = "",
    target: str = "",
    note: str = "",
    lat: float | None = None,
    lng: float | None = None,
    at: dt.datetime | None = None,
    pick: dict[str, Any] | None = None,
    task: Any = None,
    outcome: str = "",
    check: dict[str, Any] | None = None,
) -> tuple[PatrolVisit, bool]:
    """Log a visit during a patrol (idempotent by uuid: the same uuid again returns the
    first visit and changes nothing). A visit either describes its target in free text
    or picks a register record (`pick` {type, id}, or a key person's visit `task`): the
    record must lie in the worker's grids (403), and what the worker found (`outcome`, a
    `check` of a rental house or place) changes it through its register's service in the
    same transaction (`patrols.picks`)."""
    cu = _uuid(client_uuid)
    actor = as_actor(actor)
    existing = PatrolVisit.objects.filter(client_uuid=cu).select_related("patrol").first()
    if existing is not None:
        if existing.patrol.user_id != actor.pk:
            raise Conflict(
                gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")}
            )
        return existing, False
    patrol = _own_patrol(actor, patrol_id)
    picked = picks.resolve(actor, pick, task)
    if picked is not None:
        if kind and kind != picked.visit_kind:
            raise invalid("kind", gettext("走访类型与所选登记记录不符"))
        kind, target = picked.visit_kind, picked.label
    if kind not in VisitKind.values:
        raise invalid("kind", gettext("走访类型不正确"))
    target = (target or "").strip()
    if not target:
        raise invalid("target", gettext("请填写走访对象"))
    if len(target) > 100:
        raise invalid("target", gettext("走访对象不能超过100字"))
    if (lat is None) != (lng is None):
        raise invalid("lat", gettext("经纬度须同时提供"))
    if lat is not None and lng is not None:
        lat = _coordinate(lat, "lat", 90, gettext("纬度超出范围"))
        lng = _coordinate(lng, "lng", 180, gettext("经度超出范围"))
    at = _aware(at, "at") if at else clock.now()
    try:
        with transaction.atomic():
            visit = PatrolVisit.objects.create(
                patrol=patrol,
                client_uuid=cu,
                kind=kind,
                target=target,
                note=(note or "").strip()[:2000],
                lat=lat,
                lng=lng,
                at=at,
                **(picked.fks() if picked is not None else {}),
            )
            if picked is not None:
                visit.outcome, visit.effect = picks.apply(
                    actor, picked, visit=visit, outcome=outcome, check=check
                )
                visit.save(update_fields=["outcome", "effect"])
                actor.audit(
                    "patrol.visit",
                    object_type="patrol",
                    object_id=patrol.pk,
                    detail={"visit": visit.pk, "pick": picked.kind, "effect": visit.effect},
                )
            elif outcome or check:
                raise invalid("pick", gettext("填写走访结果须先选择登记记录"))
    except IntegrityError:
        existing = PatrolVisit.objects.filter(client_uuid=cu, patrol=patrol).first()
        if existing is None:
            raise
        return existing, False
    return visit, True

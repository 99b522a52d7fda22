"""Reporting an event: the one way an event is created by a person or a channel."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from pingan.access.actor import Actor, as_actor
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, invalid
from pingan.core.pii import validate_phone
from pingan.events import signals
from pingan.events.choices import Source, Status, Urgency
from pingan.events.models import Category, Event, EventCodeCounter
from pingan.events.partitions import key_q
from pingan.events.timeline import announce as _announce
from pingan.events.timeline import record_transition as _timeline
from pingan.events.titles import title_from
from pingan.geo import locator
from pingan.geo.models import Region
from pingan.geo.scope import within
from pingan.geo.selectors import county_code_of, queue_region_for
from pingan.org.choices import GRID_ROLES, Role

REPORTING_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER})


# ---- codes ----------------------------------------------------------------------------


def _next_code(region: Region, at: dt.datetime) -> str:
    prefix = f"{county_code_of(region)}-{timezone.localtime(at):%Y%m%d}"
    for _ in range(5):
        try:
            with transaction.atomic():
                counter, _created = EventCodeCounter.objects.select_for_update().get_or_create(
                    prefix=prefix
                )
                counter.last += 1
                counter.save(update_fields=["last"])
                return f"{prefix}-{counter.last:06d}"
        except IntegrityError:  # two first events of the day at once: retry
            continue
    raise Conflict(gettext("事件编号生成冲突，请重试"))


# ---- reporting ------------------------------------------------------------------------


def _extra_fields(category: Category, extra: Any) -> dict[str, Any]:
    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        raise invalid("extra", gettext("附加信息格式不正确"))
    specs = list(category.extra_fields or [])
    if category.parent_id:
        parent = Category.objects.filter(pk=category.parent_id).first()
        if parent:
            specs = list(parent.extra_fields or []) + specs
    clean: dict[str, Any] = {}
    for spec in specs:
        name = spec.get("name")
        if not name:
            continue
        label = spec.get("label", name)
        value = extra.get(name)
        if value in (None, ""):
            if spec.get("required"):
                raise invalid(f"extra.{name}", gettext("请填写%(label)s") % {"label": label})
            continue
        kind = spec.get("type", "text")
        if kind == "number":
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise invalid(
                    f"extra.{name}", gettext("%(label)s应为数字") % {"label": label}
                ) from None
        elif kind == "bool":
            value = value in (True, "true", "1", "on", 1)
        elif kind == "choice" and value not in spec.get("choices", []):
            raise invalid(
                f"extra.{name}", gettext("%(label)s的取值不在可选范围内") % {"label": label}
            )
        else:
            value = str(value)[:500]
        clean[name] = value
    return clean


def own_report_paths(actor: Actor | Any) -> list[str] | None:
    """Where a grid worker or grid leader may report: the region paths of their grid-role
    memberships (the grids in them). None when the rule does not hold the user: the
    centre (a dispatcher types in what citizens report) and everyone without a grid role.
    docs/field-app.md, "Where a grid worker reports"."""
    actor = as_actor(actor)
    if not actor.roles & GRID_ROLES or Role.DISPATCHER in actor.roles:
        return None
    return [m.region.path for m in actor.holding(GRID_ROLES) if m.region is not None]


def _inside(region: Region, paths: list[str]) -> bool:
    return within(region.path, paths)


def _point_in_own_grid(lat: float, lng: float, paths: list[str]) -> bool:
    """Whether one of the reporter's own grids holds the point, even where the locator
    gave it to a special grid drawn over theirs (a market in the worker's grid)."""
    held = Region.objects.filter(pk__in=locator.grid_ids_containing(lat, lng))
    return any(within(path, paths) for path in held.values_list("path", flat=True))


def event_report(
    *,
    actor: Actor | Any,
    category: int | Category,
    description: str,
    title: str = "",
    source: str = Source.GRID_PATROL,
    urgency: str = Urgency.NORMAL,
    lat: float | None = None,
    lng: float | None = None,
    region: int | Region | None = None,
    address: str = "",
    occurred_at: dt.datetime | None = None,
    client_uuid: uuid.UUID | str | None = None,
    extra: dict[str, Any] | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reported_at: dt.datetime | None = None,
    outside_own_grid: bool = False,
) -> tuple[Event, bool]:
    """Create an event in the reported state as `actor` (an `Actor`; a user is resolved to
    one); returns (event, created).

    The same `client_uuid` again returns the first event and created=False.
    With coordinates the grid is found from them.

    Grid staff report in the grids of their own regions (`own_report_paths`): a point
    located outside them is a 422 on `lat` unless `outside_own_grid` says the reporter
    knows (then it goes to the grid containing the point, and the timeline row and the
    audit row note it); a region outside them is a 422 on `region`, flag or not.
    """
    actor = as_actor(actor)
    if client_uuid:
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise invalid("client_uuid", gettext("不是有效的UUID")) from None
        existing = Event.objects.filter(key_q(client_uuid=client_uuid)).first()
        if existing is not None:
            if existing.reporter_id not in (None, actor.pk):
                raise Conflict(gettext("client_uuid 已被使用"))
            return existing, False
    roles = actor.roles
    if not roles & REPORTING_ROLES:
        raise Forbidden(gettext("当前角色不能上报事件"))

    payload = {"description": description, "title": title, "address": address}
    description = _text(payload, "description", gettext("事件描述"), max_len=5000)
    title = _text(payload, "title", gettext("标题"), required=False, max_len=200)
    address = _text(payload, "address", gettext("地址"), required=False, max_len=255)
    reporter_name = _text(
        {"reporter_name": reporter_name},
        "reporter_name",
        gettext("反映人"),
        required=False,
        max_len=50,
    )
    reporter_phone = (reporter_phone or "").strip()
    if reporter_phone:
        reporter_phone = validate_phone(reporter_phone, field="reporter_phone")
    if source not in Source.values:
        raise invalid("source", gettext("来源不正确"))
    if urgency not in Urgency.values:
        raise invalid("urgency", gettext("紧急程度不正确"))

    if isinstance(category, Category):
        cat = category
    else:
        cat = Category.objects.filter(pk=category, is_active=True).first()  # type: ignore[assignment]
        if cat is None:
            raise invalid("category", gettext("分类不存在"))
    if cat.children.filter(is_active=True).exists():
        raise invalid("category", gettext("请选择具体的小类"))
    clean_extra = _extra_fields(cat, extra)

    reg: Region | None = None
    own = own_report_paths(actor)
    outside = False
    if (lat is None) != (lng is None):
        raise invalid("lat" if lat is None else "lng", gettext("经纬度须同时提供"))
    if lat is not None and lng is not None:
        if not (-90 <= lat <= 90):
            raise invalid("lat", gettext("纬度超出范围"))
        if not (-180 <= lng <= 180):
            raise invalid("lng", gettext("经度超出范围"))
        grid_id = locator.grid_id_at(lat, lng)
        if grid_id is not None:
            reg = Region.objects.get(pk=grid_id)
            if own is not None and not _inside(reg, own) and not _point_in_own_grid(lat, lng, own):
                if not outside_own_grid:
                    raise invalid(
                        "lat", gettext("该位置不在本人网格内；确需上报请注明“不在本人网格内”")
                    )
                outside = True
    if reg is None and region is not None:
        reg = region if isinstance(region, Region) else Region.objects.filter(pk=region).first()
        if reg is None:
            raise invalid("region", gettext("区划不存在"))
        if own is not None and not _inside(reg, own):
            raise invalid("region", gettext("所选区划不在本人网格范围内"))
    if reg is None:
        if lat is not None:
            raise invalid("lat", gettext("该位置不在任何网格内，请选择所在区划"))
        raise invalid("region", gettext("请提供位置坐标或所在区划"))

    now = clock.now()
    reported_at = reported_at or now
    if occurred_at and occurred_at > now + dt.timedelta(minutes=10):
        raise invalid("occurred_at", gettext("发生时间不能晚于当前时间"))

    with transaction.atomic():
        event = Event(
            # The county's day counter is locked from the moment a number is taken until
            # the report commits, so every report of the county waits for the one before
            # it: the number is taken last, just before the commit (docs/performance.md,
            # "Load"), and the row carries a unique placeholder until then.
            code=f"~{uuid.uuid4().hex}",
            title=title or title_from(description),
            description=description,
            status=Status.REPORTED,
            category=cat,
            source=source,
            urgency=urgency,
            region=reg,
            region_path=reg.path,
            queue_region=queue_region_for(reg),
            lat=lat,
            lng=lng,
            address=address,
            extra=clean_extra,
            occurred_at=occurred_at,
            reported_at=reported_at,
            reporter=actor.user,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            sensitivity=cat.sensitivity,
            client_uuid=client_uuid or None,
        )
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            if client_uuid:
                existing = Event.objects.filter(key_q(client_uuid=client_uuid)).first()
                if existing is not None:
                    return existing, False
            raise
        signals.event_written.send(sender=Event, event=event, action="report")
        # Outside the reporter's own grids: said so on the timeline and in the audit trail.
        noted = {"outside_own_grid": True, "grid": reg.pk} if outside else None
        _timeline(
            event,
            "report",
            "",
            Status.REPORTED,
            actor.user,
            _role_for_report(actor),
            note=(
                gettext_noop("不在本人网格内上报，已按坐标定位到%(grid)s") % {"grid": reg.name}
                if outside
                else ""
            ),
            data=noted,
            at=reported_at,
        )
        event.code = _next_code(reg, reported_at)
        event.save(update_fields=["code"])
        actor.audit("event.report", object_type="event", object_id=event.pk, detail=noted)
        _announce(event, "report")
    return event, True


def _role_for_report(actor: Actor) -> str:
    roles = actor.roles
    for r in (Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER):
        if r in roles:
            return str(r)
    return ""

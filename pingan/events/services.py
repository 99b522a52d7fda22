"""Writes on events: reporting, the one transition service, system marks.

Every state change goes through `event_transition` (people) or the `event_mark_*`
functions (the sweeper). Each writes its timeline row and audit row in the same
transaction as the change and announces it with `signals.event_changed` after commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from pingan.core import audit, clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.core.pii import mask_in_text, validate_phone
from pingan.events import deadlines, signals, workflow
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    DeadlineState,
    ExtensionStatus,
    Satisfaction,
    Source,
    Status,
    TrackingStatus,
    Urgency,
)
from pingan.events.models import (
    Assignment,
    Category,
    Consultation,
    Event,
    EventCodeCounter,
    EventTransition,
    ExtensionRequest,
    TrackingCheck,
)
from pingan.events.partitions import key_q
from pingan.events.permissions import access_event, acting_membership, active_department_ids
from pingan.geo import locator
from pingan.geo.models import Region
from pingan.geo.selectors import county_code_of, next_queue_up, queue_region_for
from pingan.org.choices import GRID_ROLES, Role
from pingan.org.models import Department, Membership
from pingan.org.selectors import memberships_of, user_roles

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


def _text(
    payload: dict[str, Any],
    field: str,
    label: str,
    *,
    required: bool = True,
    max_len: int | None = None,
) -> str:
    value = payload.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, gettext("%(label)s应为文字") % {"label": label})
    value = value.strip()
    if required and not value:
        raise invalid(field, gettext("请填写%(label)s") % {"label": label})
    if max_len and len(value) > max_len:
        raise invalid(field, gettext("%(label)s不能超过%(n)s字") % {"label": label, "n": max_len})
    return value


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


def own_report_paths(user: Any) -> list[str] | None:
    """Where a grid worker or grid leader may report: the region paths of their grid-role
    memberships (the grids in them). None when the rule does not hold the user: the
    centre (a dispatcher types in what citizens report) and everyone without a grid role.
    docs/field-app.md, "Where a grid worker reports"."""
    roles = user_roles(user)
    if not roles & GRID_ROLES or Role.DISPATCHER in roles:
        return None
    return [
        m.region.path for m in memberships_of(user) if m.role in GRID_ROLES and m.region is not None
    ]


def _inside(region: Region, paths: list[str]) -> bool:
    return any(region.path.startswith(p) for p in paths)


def _point_in_own_grid(lat: float, lng: float, paths: list[str]) -> bool:
    """Whether one of the reporter's own grids holds the point, even where the locator
    gave it to a special grid drawn over theirs (a market in the worker's grid)."""
    held = Region.objects.filter(pk__in=locator.grid_ids_containing(lat, lng))
    return any(path.startswith(p) for path in held.values_list("path", flat=True) for p in paths)


def event_report(
    *,
    user: Any,
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
    request: Any = None,
) -> tuple[Event, bool]:
    """Create an event in the reported state; returns (event, created).

    The same `client_uuid` again returns the first event and created=False.
    With coordinates the grid is found from them.

    Grid staff report in the grids of their own regions (`own_report_paths`): a point
    located outside them is a 422 on `lat` unless `outside_own_grid` says the reporter
    knows (then it goes to the grid containing the point, and the timeline row and the
    audit row note it); a region outside them is a 422 on `region`, flag or not.
    """
    if client_uuid:
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            raise invalid("client_uuid", gettext("不是有效的UUID")) from None
        existing = Event.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.reporter_id not in (None, getattr(user, "pk", None)):
                raise Conflict(gettext("client_uuid 已被使用"))
            return existing, False
    roles = user_roles(user)
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
    own = own_report_paths(user)
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
            code=_next_code(reg, reported_at),
            title=title or description[:30],
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
            reporter=user if getattr(user, "pk", None) else None,
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
                existing = Event.objects.filter(client_uuid=client_uuid).first()
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
            user,
            _role_for_report(user),
            note=(
                gettext_noop("不在本人网格内上报，已按坐标定位到%(grid)s") % {"grid": reg.name}
                if outside
                else ""
            ),
            data=noted,
            at=reported_at,
        )
        audit.record(
            action="event.report",
            actor=user,
            object_type="event",
            object_id=event.pk,
            request=request,
            detail=noted,
        )
        _announce(event, "report")
    return event, True


def _role_for_report(user: Any) -> str:
    roles = user_roles(user)
    for r in (Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER):
        if r in roles:
            return str(r)
    return ""


# ---- the transition service -----------------------------------------------------------


def _timeline(
    event: Event,
    action: str,
    from_status: str,
    to_status: str,
    user: Any,
    role: str,
    *,
    note: str = "",
    public_reply: str = "",
    department: Department | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> EventTransition:
    return EventTransition.objects.create(
        event=event,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=user if getattr(user, "pk", None) else None,
        actor_role=role,
        department=department,
        note=note,
        public_reply=public_reply,
        data=data or {},
        at=at or clock.now(),
    )


def _announce(
    event: Event, action: str, transition: EventTransition | None = None, **extra: Any
) -> None:
    event_id = event.pk
    transition_id = transition.pk if transition else None

    def send() -> None:
        signals.event_changed.send(
            sender=Event, event_id=event_id, action=action, transition_id=transition_id, **extra
        )

    transaction.on_commit(send)


def _user_department_ids(user: Any) -> set[int]:
    return {
        m.department_id
        for m in memberships_of(user)
        if m.role == Role.HANDLER and m.department_id is not None
    }


def _actor_assignment(user: Any, event: Event, *, statuses: tuple[str, ...]) -> Assignment | None:
    """The actor's department's assignment on the event (lead first)."""
    departments = _user_department_ids(user)
    if not departments:
        return None
    rows = sorted(
        Assignment.objects.filter(
            event=event, department_id__in=departments, status__in=statuses
        ).select_related("department"),
        key=lambda a: a.role != AssignmentRole.LEAD,
    )
    return rows[0] if rows else None


ACTIVE = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)


def _variant(action: str, event: Event, user: Any, payload: dict[str, Any]) -> str:
    if action == "extend":
        return "lead"
    if action in ("acknowledge", "return", "resolve"):
        statuses = (AssignmentStatus.DISPATCHED,) if action == "acknowledge" else ACTIVE
        a = _actor_assignment(user, event, statuses=statuses)
        if a is not None and a.role == AssignmentRole.ASSIST:
            return "assist"
        return "lead"
    if action == "verify":
        return "failed" if payload.get("passed") is False else "passed"
    if action == "reopen":
        return "dispatched" if event.lead_department_id else "undispatched"
    if action == "escalate":
        return "handling" if event.status in (Status.DISPATCHED, Status.IN_PROGRESS) else ""
    return ""


def _require(row: workflow.Transition, payload: dict[str, Any]) -> None:
    labels = {
        "note": gettext("说明"),
        "master": gettext("主事件"),
        "lead_department": gettext("主办部门"),
        "days": gettext("延期天数"),
        "approve": gettext("审批意见"),
        "result": gettext("处置结果"),
        "passed": gettext("核查结论"),
        "satisfaction": gettext("满意度"),
        "participants": gettext("参与方"),
        "conclusion": gettext("会商结论"),
        "check": gettext("复查任务"),
        "recurred": gettext("复查结论"),
    }
    for field in row.requires:
        value = payload.get(field)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            raise invalid(field, gettext("请填写%(label)s") % {"label": labels.get(field, field)})


PUBLIC_REPLY_MAX = 1000


def _public_reply(row: workflow.Transition, payload: dict[str, Any]) -> str:
    """The optional reply to the reporter and the public (对外答复), kept apart from the
    internal note and stored with phones and ID numbers masked, as it is published
    (docs/privacy.md, "Public replies"). 422 on a row that takes none (the table's
    `public_reply`), on a non-text value or past PUBLIC_REPLY_MAX characters."""
    label = gettext("对外答复")
    reply = _text(payload, "public_reply", label, required=False, max_len=PUBLIC_REPLY_MAX)
    if reply and not row.public_reply:
        raise invalid(
            "public_reply",
            gettext("「%(action)s」不填写对外答复") % {"action": row.display_label},
        )
    return mask_in_text(reply)


def _int(payload: dict[str, Any], field: str, label: str) -> int:
    value = payload.get(field)
    if isinstance(value, bool):
        raise invalid(field, gettext("%(label)s应为整数") % {"label": label})
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise invalid(field, gettext("%(label)s应为整数") % {"label": label}) from None


def _bool(payload: dict[str, Any], field: str, label: str) -> bool:
    value = payload.get(field)
    if isinstance(value, bool):
        return value
    if value in ("true", "1", "on", 1):
        return True
    if value in ("false", "0", "off", 0):
        return False
    raise invalid(field, gettext("%(label)s应为是或否") % {"label": label})


def event_transition(
    *,
    user: Any,
    event_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
    request: Any = None,
) -> Event:
    """Fire `action` on the event as `user`. 404 out of scope, 403 not this role, 409 not
    from this state, 422 invalid fields; nothing is written unless all checks pass."""
    payload = dict(payload or {})
    if action not in workflow.ACTIONS:
        raise invalid("action", gettext("未知的操作：%(action)s") % {"action": action})
    with transaction.atomic():
        event = access_event(user, event_id, for_update=True)
        event = (
            Event.objects.select_related("category", "region", "queue_region")
            .filter(pk=event.pk, reported_at=event.reported_at)
            .get()
        )
        variant = _variant(action, event, user, payload)
        row = workflow.find(action, variant)
        if row is None:
            raise invalid("action", gettext("未知的操作：%(action)s") % {"action": action})
        # Role first (403), then state (409), then fields (422).
        active = active_department_ids(event)
        roles = user_roles(user)
        if not roles & row.roles:
            audit.record(
                action=f"event.{action}",
                actor=user,
                object_type="event",
                object_id=event.pk,
                result="denied",
                request=request,
            )
            raise Forbidden(
                gettext("当前角色不能执行「%(action)s」") % {"action": row.display_label}
            )
        if event.status not in row.sources:
            raise Conflict(
                gettext("事件当前状态为「%(status)s」，不能执行「%(action)s」")
                % {"status": Status(event.status).label, "action": row.display_label}
            )
        membership = acting_membership(user, row, event, active)
        if membership is None:
            audit.record(
                action=f"event.{action}",
                actor=user,
                object_type="event",
                object_id=event.pk,
                result="denied",
                request=request,
            )
            raise Forbidden(
                gettext("您不负责此事件，不能执行「%(action)s」") % {"action": row.display_label}
            )
        _require(row, payload)
        public_reply = _public_reply(row, payload)
        from_status = event.status
        now = clock.now()
        handler = _HANDLERS[action]
        note, department, data = handler(event, user, payload, row, membership, now)
        if row.target is not None:
            event.status = row.target
        _apply_clock(event, row, now)
        event.save()
        signals.event_written.send(sender=Event, event=event, action=action)
        transition = _timeline(
            event,
            action,
            from_status,
            event.status,
            user,
            membership.role,
            note=note,
            public_reply=public_reply,
            department=department,
            data=data,
            at=now,
        )
        audit.record(
            action=f"event.{action}",
            actor=user,
            object_type="event",
            object_id=event.pk,
            request=request,
            detail={"from": from_status, "to": event.status, "variant": variant},
        )
        _announce(event, action, transition, variant=variant)
    return event


def _apply_clock(event: Event, row: workflow.Transition, now: dt.datetime) -> None:
    if row.clock == workflow.CLOCK_START:
        deadlines.start_clocks(event, now)
    elif row.clock == workflow.CLOCK_STOP_ACK:
        deadlines.stop_ack_clock(event, now)
    elif row.clock == workflow.CLOCK_RESTART:
        deadlines.restart_handling_clock(event, now)
    elif row.clock == workflow.CLOCK_STOP:
        deadlines.stop_clocks(event)


# ---- per-action effects: (event, user, payload, row, membership, now) -> (note, dept, data)

Effect = tuple[str, Department | None, dict[str, Any]]


def _do_accept(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    event.accepted_at = now
    return (_opt_note(p), None, {})


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


def _do_reject(event: Event, user: Any, p: dict[str, Any], *_: Any) -> Effect:
    return (_text(p, "note", gettext("不予受理理由"), max_len=2000), None, {})


def _do_merge(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    master_id = _int(p, "master", gettext("主事件"))
    if master_id == event.pk:
        raise invalid("master", gettext("不能合并到自身"))
    try:
        master = access_event(user, master_id)
    except NotFound:
        raise invalid("master", gettext("主事件不存在")) from None
    if master.status in (Status.MERGED, Status.REJECTED):
        raise invalid("master", gettext("主事件已合并或不予受理"))
    event.master = master
    event.closed_at = now
    t = _timeline(
        master,
        "merged_in",
        master.status,
        master.status,
        user,
        m.role,
        note=f"并入重复件 {event.code}",
        data={"duplicate": event.pk},
        at=now,
    )
    _announce(master, "merged_in", t)
    return (_opt_note(p), None, {"master": master.pk, "master_code": master.code})


def _do_escalate(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    up = next_queue_up(event.queue_region)
    if up is None:
        raise Conflict(gettext("已在最高一级受理中心，不能再提级"))
    old = event.queue_region
    event.queue_region = up
    return (
        _text(p, "note", gettext("提级理由"), max_len=2000),
        None,
        {"from_queue": old.pk, "to_queue": up.pk, "to_queue_name": up.name},
    )


def _do_resolve_on_site(
    event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any
) -> Effect:
    result = _text(p, "result", gettext("处置结果"), max_len=5000)
    event.resolved_on_site = True
    event.resolved_at = now
    event.closed_at = now
    event.closed_on_time = True
    return (result, None, {"result": result})


def _department(value: Any, field: str) -> Department:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise invalid(field, gettext("部门编号应为整数")) from None
    dept = Department.objects.filter(pk=pk, is_active=True).first()
    if dept is None:
        raise invalid(field, gettext("部门不存在或已停用"))
    return dept


def _do_dispatch(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    lead = _department(p.get("lead_department"), "lead_department")
    raw = p.get("assisting_departments") or []
    if not isinstance(raw, list):
        raise invalid("assisting_departments", gettext("协办部门应为列表"))
    assisting: list[Department] = []
    for value in raw:
        dept = _department(value, "assisting_departments")
        if dept.pk == lead.pk:
            raise invalid("assisting_departments", gettext("协办部门不能与主办部门相同"))
        if dept.pk not in {d.pk for d in assisting}:
            assisting.append(dept)
    event.lead_department = lead
    event.dispatched_at = now
    # Clocks start now; each assignment carries the same deadlines.
    deadlines.start_clocks(event, now)
    Assignment.objects.filter(event=event, status__in=ACTIVE).update(
        status=AssignmentStatus.CANCELLED
    )
    for dept, role in [(lead, AssignmentRole.LEAD)] + [
        (d, AssignmentRole.ASSIST) for d in assisting
    ]:
        Assignment.objects.create(
            event=event,
            department=dept,
            role=role,
            dispatched_at=now,
            dispatched_by=user,
            ack_due_at=event.ack_due_at,
            due_at=event.due_at,
        )
    return (
        _opt_note(p),
        lead,
        {
            "lead_department": lead.pk,
            "lead_department_name": lead.name,
            "assisting_departments": [d.pk for d in assisting],
            "assisting_department_names": [d.name for d in assisting],
        },
    )


def _do_acknowledge(
    event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any
) -> Effect:
    a = _actor_assignment(user, event, statuses=(AssignmentStatus.DISPATCHED,))
    if a is None:
        raise Conflict(gettext("本部门没有待签收的派遣"))
    a.status = AssignmentStatus.ACKNOWLEDGED
    a.acknowledged_at = now
    a.acknowledged_by = user
    a.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    return (_opt_note(p), a.department, {"assignment": a.pk, "role": a.role})


def _do_return(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    note = _text(p, "note", gettext("退回理由"), max_len=2000)
    a = _actor_assignment(user, event, statuses=ACTIVE)
    if a is None:
        raise Conflict(gettext("本部门没有可退回的派遣"))
    if a.role == AssignmentRole.LEAD:
        Assignment.objects.filter(event=event, status__in=ACTIVE).update(
            status=AssignmentStatus.CANCELLED
        )
        event.lead_department = None
        event.due_at = None
        event.clock_started_at = None
    a.status = AssignmentStatus.RETURNED
    a.note = note
    a.save(update_fields=["status", "note"])
    return (note, a.department, {"assignment": a.pk, "role": a.role})


def _do_extend(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    days = _int(p, "days", gettext("延期天数"))
    if not 1 <= days <= 60:
        raise invalid("days", gettext("延期天数应在1到60个工作日之间"))
    note = _text(p, "note", gettext("延期理由"), max_len=2000)
    a = _actor_assignment(user, event, statuses=ACTIVE)
    if a is None or a.role != AssignmentRole.LEAD:
        raise Forbidden(gettext("只有主办部门可以申请延期"))
    if event.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(gettext("已有待审批的延期申请"))
    ext = ExtensionRequest.objects.create(
        event=event,
        assignment=a,
        days=days,
        note=note,
        requested_by=user,
        requested_at=now,
        old_due_at=event.due_at,
    )
    return (note, a.department, {"extension": ext.pk, "days": days})


def _do_decide_extension(
    event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any
) -> Effect:
    approve = _bool(p, "approve", gettext("审批意见"))
    ext = event.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        raise Conflict(gettext("没有待审批的延期申请"))
    ext.decided_by = user
    ext.decided_at = now
    data: dict[str, Any] = {"extension": ext.pk, "approve": approve, "days": ext.days}
    if approve:
        ext.status = ExtensionStatus.APPROVED
        new_due = deadlines.move_deadline(event, ext.days, now)
        ext.new_due_at = new_due
        Assignment.objects.filter(event=event, status__in=ACTIVE).update(due_at=new_due)
        data["new_due_at"] = new_due.isoformat()
    else:
        ext.status = ExtensionStatus.REFUSED
    ext.save()
    return (_opt_note(p), None, data)


def _do_resolve(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    result = _text(p, "result", gettext("处置结果"), max_len=5000)
    a = _actor_assignment(user, event, statuses=ACTIVE)
    if a is None:
        raise Conflict(gettext("本部门没有办理中的派遣"))
    if a.role == AssignmentRole.LEAD and a.status != AssignmentStatus.ACKNOWLEDGED:
        raise Conflict(gettext("请先签收"))
    if a.status == AssignmentStatus.DISPATCHED:
        a.acknowledged_at = now
        a.acknowledged_by = user
    a.status = AssignmentStatus.RESOLVED
    a.resolved_at = now
    a.resolved_by = user
    a.result = result
    a.save()
    if a.role == AssignmentRole.LEAD:
        event.resolved_at = now
        event.closed_on_time = event.due_at is None or now <= event.due_at
    return (result, a.department, {"assignment": a.pk, "role": a.role, "result": result})


def _do_verify(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    passed = _bool(p, "passed", gettext("核查结论"))
    note = _opt_note(p)
    if passed:
        event.closed_at = now
    else:
        if not note:
            raise invalid("note", gettext("核查不通过时请说明原因"))
        # The lead department takes it up again.
        Assignment.objects.filter(
            event=event, role=AssignmentRole.LEAD, status=AssignmentStatus.RESOLVED
        ).update(status=AssignmentStatus.ACKNOWLEDGED, resolved_at=None)
        event.resolved_at = None
        event.closed_on_time = None
    return (note, None, {"passed": passed})


def _do_follow_up(event: Event, user: Any, p: dict[str, Any], *_: Any) -> Effect:
    sat = p.get("satisfaction")
    if sat not in Satisfaction.values:
        raise invalid(
            "satisfaction", gettext("满意度应为 satisfied、basically_satisfied 或 dissatisfied")
        )
    event.satisfaction = sat
    return (_opt_note(p), None, {"satisfaction": sat})


def _do_reopen(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    note = _text(p, "note", gettext("重办理由"), max_len=2000)
    event.closed_at = None
    event.closed_on_time = None
    event.resolved_at = None
    if row.variant == "dispatched":
        lead = (
            Assignment.objects.filter(event=event, role=AssignmentRole.LEAD).order_by("-id").first()
        )
        if lead is not None:
            lead.status = AssignmentStatus.ACKNOWLEDGED
            lead.resolved_at = None
            lead.save(update_fields=["status", "resolved_at"])
    TrackingCheck.objects.filter(event=event, status=TrackingStatus.PENDING).update(
        status=TrackingStatus.CANCELLED
    )
    event.under_tracking = False
    return (note, None, {})


def _grid_worker_of(event: Event) -> Any:
    m = (
        Membership.objects.filter(
            role=Role.GRID_WORKER,
            is_active=True,
            region__path__in=[
                "/".join(event.region_path.split("/")[:i]) + "/"
                for i in range(event.region_path.count("/"), 0, -1)
            ],
        )
        .select_related("user", "region")
        .order_by("-region__depth")
        .first()
    )
    return m.user if m else event.reporter


def _do_track(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    raw = p.get("intervals") or settings.PINGAN_TRACKING_INTERVALS
    if not isinstance(raw, list) or not raw:
        raise invalid("intervals", gettext("复查间隔应为天数列表"))
    intervals = []
    for v in raw:
        try:
            d = int(v)
        except (TypeError, ValueError):
            raise invalid("intervals", gettext("复查间隔应为整数天")) from None
        if not 1 <= d <= 366:
            raise invalid("intervals", gettext("复查间隔应在1到366天之间"))
        intervals.append(d)
    if event.under_tracking:
        raise Conflict(gettext("事件已在长效跟踪中"))
    assignee = _grid_worker_of(event)
    base = timezone.localtime(event.closed_at or now).date()
    for d in sorted(set(intervals)):
        TrackingCheck.objects.create(
            event=event, interval_days=d, due_on=base + dt.timedelta(days=d), assignee=assignee
        )
    event.under_tracking = True
    return (_opt_note(p), None, {"intervals": sorted(set(intervals))})


def _do_recheck(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    check_id = _int(p, "check", gettext("复查任务"))
    check = TrackingCheck.objects.filter(
        pk=check_id, event=event, status=TrackingStatus.PENDING
    ).first()
    if check is None:
        raise invalid("check", gettext("复查任务不存在或已完成"))
    recurred = _bool(p, "recurred", gettext("复查结论"))
    note = _opt_note(p)
    if recurred and not note:
        raise invalid("note", gettext("复发时请描述情况"))
    check.status = TrackingStatus.RECURRED if recurred else TrackingStatus.OK
    check.done_by = user
    check.done_at = now
    check.note = note
    data: dict[str, Any] = {"check": check.pk, "recurred": recurred}
    if recurred:
        # A recurrence opens a linked event in the same place for the centre.
        new_event, _created = event_report(
            user=user,
            category=event.category,
            description=note,
            title=f"复发：{event.title}"[:200],
            source=Source.GRID_PATROL,
            urgency=event.urgency,
            region=event.region,
            lat=event.lat,
            lng=event.lng,
            address=event.address,
            extra=event.extra,
            # The recurrence is where the event was, wherever the re-checker's grid is.
            outside_own_grid=True,
        )
        Event.objects.filter(pk=new_event.pk, reported_at=new_event.reported_at).update(
            linked_from=event
        )
        check.new_event = new_event
        data["new_event"] = new_event.pk
        data["new_event_code"] = new_event.code
        TrackingCheck.objects.filter(event=event, status=TrackingStatus.PENDING).exclude(
            pk=check.pk
        ).update(status=TrackingStatus.CANCELLED)
        event.under_tracking = False
    elif (
        not TrackingCheck.objects.filter(event=event, status=TrackingStatus.PENDING)
        .exclude(pk=check.pk)
        .exists()
    ):
        event.under_tracking = False
    check.save()
    return (note, None, data)


def _do_consult(event: Event, user: Any, p: dict[str, Any], row: Any, m: Any, now: Any) -> Effect:
    participants = p.get("participants")
    if isinstance(participants, list):
        participants = "、".join(str(x).strip() for x in participants if str(x).strip())
        p["participants"] = participants
    participants = _text(p, "participants", gettext("参与方"), max_len=2000)
    conclusion = _text(p, "conclusion", gettext("会商结论"), max_len=5000)
    c = Consultation.objects.create(
        event=event, participants=participants, conclusion=conclusion, recorded_by=user, at=now
    )
    return (conclusion, None, {"consultation": c.pk, "participants": participants})


def _do_note(label: str | Promise) -> Any:
    def effect(event: Event, user: Any, p: dict[str, Any], *_: Any) -> Effect:
        return (_text(p, "note", str(label), max_len=5000), None, {})

    return effect


_HANDLERS: dict[str, Any] = {
    "accept": _do_accept,
    "reject": _do_reject,
    "merge": _do_merge,
    "escalate": _do_escalate,
    "resolve_on_site": _do_resolve_on_site,
    "dispatch": _do_dispatch,
    "acknowledge": _do_acknowledge,
    "return": _do_return,
    "extend": _do_extend,
    "decide_extension": _do_decide_extension,
    "resolve": _do_resolve,
    "verify": _do_verify,
    "follow_up": _do_follow_up,
    "reopen": _do_reopen,
    "track": _do_track,
    "recheck": _do_recheck,
    "consult": _do_consult,
    "supervise": _do_note(gettext_lazy("督办意见")),
    "remind": _do_note(gettext_lazy("催办内容")),
    "comment": _do_note(gettext_lazy("备注")),
}


# ---- system marks (the sweeper) -------------------------------------------------------


def event_mark_deadline(*, event_id: int, state: str, now: dt.datetime | None = None) -> bool:
    """Mark an open event yellow or red. Returns True only for the caller whose conditional
    UPDATE changed the row, so concurrent sweepers never mark an event twice."""
    now = now or clock.now()
    if state == DeadlineState.OVERDUE:
        allowed_from = [DeadlineState.NORMAL, DeadlineState.WARNING, ""]
    elif state == DeadlineState.WARNING:
        allowed_from = [DeadlineState.NORMAL, ""]
    else:
        raise ValueError(state)
    with transaction.atomic():
        changed = (
            Event.objects.filter(key_q(pk=event_id))
            .filter(
                status__in=[Status.DISPATCHED, Status.IN_PROGRESS],
                deadline_state__in=allowed_from,
            )
            .update(deadline_state=state, updated_at=now)
        )
        if not changed:
            return False
        event = Event.objects.filter(key_q(pk=event_id)).get()
        action = "overdue" if state == DeadlineState.OVERDUE else "warning"
        signals.event_written.send(sender=Event, event=event, action=action)
        t = _timeline(
            event,
            action,
            event.status,
            event.status,
            None,
            "system",
            at=now,
            data={
                "due_at": event.due_at.isoformat() if event.due_at else None,
                "ack_due_at": event.ack_due_at.isoformat() if event.ack_due_at else None,
            },
        )
        _announce(event, action, t)
    return True


def event_auto_escalate(*, event_id: int) -> bool:
    """Move an overdue event to the next level's queue (policy: the category says so).
    Does nothing when it is already at the top or was escalated for this deadline."""
    with transaction.atomic():
        event = (
            Event.objects.select_for_update()
            .select_related("queue_region")
            .filter(key_q(pk=event_id))
            .get()
        )
        if event.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
            return False
        if event.timeline.filter(action="auto_escalate", at__gte=event.clock_started_at).exists():
            return False
        up = next_queue_up(event.queue_region)
        if up is None:
            return False
        old = event.queue_region
        event.queue_region = up
        event.save(update_fields=["queue_region", "updated_at"])
        t = _timeline(
            event,
            "auto_escalate",
            event.status,
            event.status,
            None,
            "system",
            note="超期未办结，自动提级",
            data={"from_queue": old.pk, "to_queue": up.pk},
        )
        _announce(event, "auto_escalate", t)
    return True


def allowed_actions(user: Any, event: Event) -> list[workflow.Transition]:
    """The rows `user` may fire on `event` now (for buttons). Same checks as the service,
    without payload validation."""
    active = active_department_ids(event)
    roles = user_roles(user)
    out: list[workflow.Transition] = []
    seen: set[str] = set()
    for action in workflow.ACTIONS:
        rows = workflow.rows_for(action)
        for row in rows:
            if row.action in seen and row.action != "verify":
                continue
            if event.status not in row.sources or not roles & row.roles:
                continue
            if row.variant:
                if action == "verify":
                    pass
                else:
                    want = _variant(action, event, user, {})
                    if want != row.variant:
                        continue
            if acting_membership(user, row, event, active) is None:
                continue
            if (
                action == "decide_extension"
                and not event.extensions.filter(status=ExtensionStatus.PENDING).exists()
            ):
                continue
            if action == "track" and event.under_tracking:
                continue
            if (
                action == "recheck"
                and not event.tracking_checks.filter(status=TrackingStatus.PENDING).exists()
            ):
                continue
            if (
                action in ("acknowledge",)
                and _actor_assignment(user, event, statuses=(AssignmentStatus.DISPATCHED,)) is None
            ):
                continue
            if (
                action in ("resolve", "return", "extend")
                and _actor_assignment(user, event, statuses=ACTIVE) is None
            ):
                continue
            out.append(row)
            seen.add(row.action)
    return out

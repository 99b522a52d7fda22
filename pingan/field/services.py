"""Writes from the phone app. Each is one transaction and idempotent by client_uuid, so
the phone's queue may resend anything until it is acknowledged.

Reports go through `events.services.event_report` (which already returns the first event
for a repeated client_uuid), photos through `events.attachments.attachment_add`, actions
through `events.services.event_transition`; this module adds what the phone knows (made
at, GPS accuracy, photo time and place) and the on-site checks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events.attachments import attachment_add
from pingan.events.choices import AttachmentKind, Status
from pingan.events.models import Attachment, Event
from pingan.events.permissions import access_event
from pingan.events.services import event_report, event_transition
from pingan.field.choices import SiteCheckStatus
from pingan.field.evidence import evidence_check
from pingan.field.models import FieldAction, FieldReport, PhotoClaim, SiteCheck
from pingan.field.permissions import can_do_site_check, can_request_site_check
from pingan.geo.choices import Level

# Actions a grid worker may send from the phone.
PHONE_ACTIONS = frozenset(
    {"verify", "follow_up", "recheck", "comment", "site_check", "resolve_on_site"}
)


def _uuid(value: Any) -> uuid.UUID:
    if value in (None, ""):
        raise invalid("client_uuid", gettext("请提供客户端UUID"))
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("不是有效的UUID")) from None


def _past(value: dt.datetime | None, field: str) -> dt.datetime | None:
    """A time the phone claims, made aware. A phone whose clock runs ahead is not
    refused (its queue would fail for good): a future time counts as now."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return min(value, clock.now())


def field_report(
    *,
    actor: Actor | Any,
    client_uuid: Any,
    category: int,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    accuracy_m: float | None = None,
    region: int | None = None,
    address: str = "",
    urgency: str = "normal",
    extra: dict[str, Any] | None = None,
    made_at: dt.datetime | None = None,
    settle_result: str = "",
    outside_own_grid: bool = False,
) -> tuple[Event, bool]:
    """Report an event from the phone, optionally settled on site at once.

    The same client_uuid again returns the first event (created=False) and changes
    nothing. Report, phone facts and on-site settlement are one transaction. Where a
    grid worker may report is `event_report`'s rule (`outside_own_grid`: the phone
    showed 「不在本人网格内」 and the worker sent it anyway)."""
    cu = _uuid(client_uuid)
    if accuracy_m is not None and not (0 <= accuracy_m <= 100_000):
        raise invalid("accuracy_m", gettext("定位精度不正确"))
    made = _past(made_at, "made_at")
    actor = as_actor(actor)
    with transaction.atomic():
        event, created = event_report(
            actor=actor,
            category=category,
            description=description,
            lat=lat,
            lng=lng,
            region=region,
            address=address,
            urgency=urgency,
            extra=extra,
            client_uuid=cu,
            occurred_at=made,
            outside_own_grid=bool(outside_own_grid),
        )
        if not created:
            return event, False
        FieldReport.objects.create(
            event=event, made_at=made or event.reported_at, accuracy_m=accuracy_m
        )
        if settle_result and settle_result.strip():
            event = event_transition(
                actor=actor,
                event_id=event.pk,
                action="resolve_on_site",
                payload={"result": settle_result},
            )
    return event, True


def field_photo_add(
    *,
    actor: Actor | Any,
    event_id: int,
    upload: Any,
    client_uuid: Any,
    kind: str = AttachmentKind.REPORT,
    taken_at: dt.datetime | None = None,
    lat: float | None = None,
    lng: float | None = None,
    accuracy_m: float | None = None,
) -> tuple[Attachment, bool]:
    """Attach one photo (already shrunk on the phone) with what the phone knows of it."""
    cu = _uuid(client_uuid)
    if (lat is None) != (lng is None):
        raise invalid("lat", gettext("经纬度须同时提供"))
    if lat is not None and (not (-90 <= lat <= 90) or not (-180 <= lng <= 180)):  # type: ignore[operator]
        raise invalid("lat", gettext("经纬度超出范围"))
    taken = _past(taken_at, "taken_at") if taken_at else None
    with transaction.atomic():
        att, created = attachment_add(
            actor=actor, event_id=event_id, upload=upload, kind=kind, client_uuid=cu
        )
        if created and (taken or lat is not None):
            PhotoClaim.objects.create(
                attachment=att, taken_at=taken, lat=lat, lng=lng, accuracy_m=accuracy_m
            )
    if created:
        evidence_check(attachment_id=att.pk)
    return att, created


def field_action(
    *,
    actor: Actor | Any,
    client_uuid: Any,
    event_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> tuple[Event, bool]:
    """Fire a workflow action (or complete an on-site check) once per client_uuid.

    A repeat of an acknowledged uuid returns the event as it is (created=False)."""
    cu = _uuid(client_uuid)
    actor = as_actor(actor)
    done = FieldAction.objects.filter(client_uuid=cu).first()
    if done is not None:
        if done.user_id != actor.pk or done.event_id != event_id:
            raise Conflict(
                gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")}
            )
        return access_event(actor, event_id), False
    if action not in PHONE_ACTIONS:
        raise invalid("action", gettext("手机端不支持此操作"))
    if actor.user is None:  # anonymous: sees no event
        raise NotFound(gettext("事件不存在"))
    payload = dict(payload or {})
    try:
        with transaction.atomic():
            FieldAction.objects.create(
                client_uuid=cu,
                user=actor.user,
                event_id=access_event(actor, event_id).pk,
                action=action,
                at=clock.now(),
            )
            if action == "site_check":
                site_check_done(
                    actor=actor,
                    check_id=payload.get("check"),
                    result=str(payload.get("result") or ""),
                )
                event = access_event(actor, event_id)
            else:
                event = event_transition(
                    actor=actor, event_id=event_id, action=action, payload=payload
                )
    except IntegrityError:
        # The same uuid raced in twice: the first one won.
        if FieldAction.objects.filter(client_uuid=cu, user=actor.user).exists():
            return access_event(actor, event_id), False
        raise
    return event, True


# ---- on-site checks -------------------------------------------------------------------


def site_check_request(
    *,
    actor: Actor | Any,
    event_id: int,
    note: str,
    due_at: dt.datetime,
    assignee: Any = None,
) -> SiteCheck:
    """The centre asks the event's grid to check something on site."""
    actor = as_actor(actor)
    event = access_event(actor, event_id)
    if actor.user is None or not can_request_site_check(actor, event):
        raise Forbidden(gettext("只有受理员可以要求现场核实"))
    if event.status in (Status.REJECTED, Status.MERGED):
        raise Conflict(gettext("事件已不予受理或已合并"))
    note = (note or "").strip()
    if not note:
        raise invalid("note", gettext("请填写核实要求"))
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if event.region.level != Level.GRID:
        raise invalid("event", gettext("事件未定位到网格，无法派给网格员核实"))
    with transaction.atomic():
        check = SiteCheck.objects.create(
            event=event,
            region=event.region,
            region_path=event.region_path,
            assignee=assignee,
            note=note[:2000],
            due_at=due_at,
            requested_by=actor.user,
            requested_at=clock.now(),
        )
        actor.audit(
            "site_check.request",
            object_type="event",
            object_id=event.pk,
            detail={"check": check.pk},
        )
    return check


def site_check_done(*, actor: Actor | Any, check_id: Any, result: str) -> SiteCheck:
    """A grid worker of the check's grid records what they found."""
    actor = as_actor(actor)
    try:
        pk = int(check_id)
    except (TypeError, ValueError):
        raise invalid("check", gettext("请指定核实任务")) from None
    check = SiteCheck.objects.select_for_update().filter(pk=pk).first()
    if check is None or not can_do_site_check(actor, check):
        raise NotFound(gettext("核实任务不存在"))
    if check.status != SiteCheckStatus.PENDING:
        raise Conflict(gettext("该核实任务已完成或已取消"))
    result = (result or "").strip()
    if not result:
        raise invalid("result", gettext("请填写核实情况"))
    check.status = SiteCheckStatus.DONE
    check.done_by = actor.user
    check.done_at = clock.now()
    check.result = result[:5000]
    check.save(update_fields=["status", "done_by", "done_at", "result"])
    actor.audit(
        "site_check.done",
        object_type="event",
        object_id=check.event_id,
        detail={"check": check.pk},
    )
    return check

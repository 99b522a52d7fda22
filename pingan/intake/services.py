"""Writes of the intake app: integrations and their keys, work orders from 12345 and
110 (received idempotently by their order number, withdrawn or reassigned by them),
transfers of police matters to 110, and the status callbacks sent back to each channel
through the notifications outbox (retries, backoff and HMAC signatures come from there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor, as_actor
from pingan.core import clock, pii
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events.choices import AssignmentRole, Status, Urgency
from pingan.events.models import Assignment, Category, Event, EventTransition
from pingan.events.partitions import key_q
from pingan.events.permissions import access_event
from pingan.events.services import event_report, event_transition
from pingan.events.workflow import ACTION_LABELS
from pingan.geo.models import Region
from pingan.intake.choices import EVENT_SOURCE, ActionKind, Channel, OrderState
from pingan.intake.models import (
    CategoryMap,
    ExternalOrder,
    Integration,
    IntegrationKey,
    OrderAction,
)
from pingan.intake.selectors import can_transfer_110
from pingan.notifications.models import Delivery, WebhookEndpoint
from pingan.notifications.services import is_muted, reporter_tell
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert

log = logging.getLogger(__name__)

# Sent back to the channel when a transition changes the event's state, and on these.
CALLBACK_EXTRA_ACTIONS = frozenset({"follow_up"})


# ---- integrations and keys --------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def integration_setup(
    *,
    channel: str,
    region: Region,
    name: str = "",
    default_category: Category | None = None,
    callback_url: str = "",
    callback_secret: str = "",
) -> Integration:
    """Create or update the integration of `channel`: its service account (a dispatcher
    over `region`, unable to sign in) and its callback endpoint."""
    if channel not in Channel.values:
        raise invalid("channel", _("渠道不正确"))
    label = str(Channel(channel).label)
    with transaction.atomic():
        user = user_upsert(username=f"svc-{channel}", name=_("%(c)s接口") % {"c": label})
        membership_grant(user=user, role=Role.DISPATCHER, region=region)
        integration = Integration.objects.filter(channel=channel).first()
        if integration is None:
            integration = Integration(channel=channel, acting_user=user, region=region)
        integration.name = name or integration.name or label
        integration.region = region
        integration.acting_user = user
        if default_category is not None:
            integration.default_category = default_category
        if callback_url:
            endpoint = integration.callback or WebhookEndpoint()
            endpoint.name = _("%(c)s回调") % {"c": label}
            endpoint.url = callback_url
            endpoint.secret = callback_secret
            # An action name that never occurs: the general webhook fan-out skips it.
            endpoint.actions = [f"channel:{channel}"]
            endpoint.is_active = True
            endpoint.save()
            integration.callback = endpoint
        integration.save()
    return integration


def integration_key_issue(*, integration: Integration, name: str = "", key: str = "") -> str:
    """A new API key for the integration (or `key` itself, e.g. the demo's); returns the
    key, which is shown once: only its hash is stored."""
    key = key or secrets.token_urlsafe(32)
    digest = _hash(key)
    existing = IntegrationKey.objects.filter(key_hash=digest).first()
    if existing is not None:
        if existing.integration_id != integration.pk:
            raise Conflict(_("该密钥已属于其他渠道"))
        return key
    IntegrationKey.objects.create(
        integration=integration, name=name, key_hash=digest, prefix=key[:8]
    )
    return key


def integration_for_key(*, key: str, channels: tuple[str, ...]) -> Integration | None:
    """The active integration owning `key`, when it is one of `channels`; else None."""
    key = (key or "").strip()
    if not key:
        return None
    row = (
        IntegrationKey.objects.select_related("integration", "integration__acting_user")
        .filter(
            key_hash=_hash(key),
            revoked_at__isnull=True,
            integration__is_active=True,
            integration__channel__in=channels,
        )
        .first()
    )
    if row is None:
        return None
    IntegrationKey.objects.filter(pk=row.pk).update(last_used_at=clock.now())
    return row.integration


def integration_key_revoke(*, key_id: int) -> int:
    return IntegrationKey.objects.filter(pk=key_id, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )


# ---- work orders from 12345 and 110 ---------------------------------------------------


def _leaf(category: Category) -> bool:
    return not category.children.filter(is_active=True).exists()


def resolve_category(
    *, integration: Integration, category_code: str = "", their_category: str = ""
) -> Category:
    """Our category for a work order: our code when given, else the integration's
    mapping of their category name, else a leaf category of that very name, else the
    integration's default. 422 when none applies."""
    if category_code:
        cat = Category.objects.filter(code=category_code, is_active=True).first()
        if cat is None or not _leaf(cat):
            raise invalid("category_code", _("分类不存在或不是小类"))
        return cat
    if their_category:
        mapped = (
            CategoryMap.objects.select_related("category")
            .filter(integration=integration, their_category=their_category)
            .first()
        )
        if mapped is not None and mapped.category.is_active:
            return mapped.category
        for cat in Category.objects.filter(name=their_category, is_active=True):
            if _leaf(cat):
                return cat
    if integration.default_category_id and integration.default_category.is_active:  # type: ignore[union-attr]
        return integration.default_category  # type: ignore[return-value]
    raise invalid("category", _("无法对应本平台分类，请提供 category_code 或配置分类对照"))


def order_receive(
    *,
    actor: Actor | Any,
    integration: Integration,
    order_no: str,
    content: str,
    category: str = "",
    category_code: str = "",
    title: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    deadline: dt.datetime | None = None,
    urgency: str = Urgency.NORMAL,
) -> tuple[ExternalOrder, bool]:
    """Turn a work order into an event (source = the channel) as `actor`, the
    integration's acting user (`acting(integration.acting_user, request)`: the channel's
    client address goes on the audit rows); returns (order, created). The same order
    number again returns the first order and created=False."""
    if integration.channel not in (Channel.HOTLINE_12345, Channel.POLICE_110):
        raise invalid("channel", _("该渠道不接收工单"))
    order_no = (order_no or "").strip()
    if not order_no:
        raise invalid("order_no", _("请填写工单号"))
    if len(order_no) > 64:
        raise invalid("order_no", _("工单号不能超过64字"))
    existing = _order(integration, order_no)
    if existing is not None:
        return existing, False
    if len(caller_name or "") > 50:
        raise invalid("caller_name", _("来电人不能超过50字"))
    if len(caller_phone or "") > 20:
        raise invalid("caller_phone", _("来电号码不能超过20字"))
    cat = resolve_category(
        integration=integration, category_code=category_code, their_category=category
    )
    actor = as_actor(actor)
    try:
        with transaction.atomic():
            event, _created = event_report(
                actor=actor,
                category=cat,
                description=content,
                title=title,
                source=EVENT_SOURCE[Channel(integration.channel)],
                urgency=urgency,
                lat=lat,
                lng=lng,
                region=integration.region,
                address=address,
                reporter_name=caller_name,
                reporter_phone=caller_phone,
            )
            order = ExternalOrder.objects.create(
                integration=integration,
                event=event,
                order_no=order_no,
                their_category=(category or "")[:100],
                caller_name=caller_name,
                caller_phone=caller_phone,
                deadline=deadline,
                received_at=event.reported_at,
            )
            actor.audit(
                "intake.order_receive",
                object_type="event",
                object_id=event.pk,
                detail={"channel": integration.channel, "order_no": order_no},
            )
    except IntegrityError:  # the same order number arrived twice at once
        existing = _order(integration, order_no)
        if existing is None:
            raise
        return existing, False
    return order, True


def _order(integration: Integration, order_no: str) -> ExternalOrder | None:
    return (
        ExternalOrder.objects.select_related("event", "event__lead_department")
        .filter(integration=integration, order_no=order_no)
        .first()
    )


def order_withdraw(
    *, actor: Actor | Any, integration: Integration, order_no: str, kind: str, note: str
) -> ExternalOrder:
    """They take the order back (撤单) or reassign it to another unit (改派), `actor` being
    the integration's acting user (as in `order_receive`). An event not yet accepted is
    closed as not accepted; one already in hand gets a timeline note so the centre
    decides. No further callbacks are sent for the order."""
    if kind not in (ActionKind.WITHDRAW, ActionKind.REASSIGN):
        raise invalid("kind", _("类型应为 withdraw（撤单）或 reassign（改派）"))
    note = (note or "").strip()
    if not note:
        raise invalid("note", _("请填写原因"))
    label = str(ActionKind(kind).label)
    channel_label = str(Channel(integration.channel).label)
    text = f"{channel_label}{label}：{note}"[:2000]
    with transaction.atomic():
        order = (
            ExternalOrder.objects.select_for_update()
            .filter(integration=integration, order_no=order_no)
            .first()
        )
        if order is None:
            raise NotFound(_("工单不存在"))
        if order.state != OrderState.RECEIVED:
            raise Conflict(
                _("工单当前状态为「%(s)s」，不能再%(k)s")
                % {"s": OrderState(order.state).label, "k": label}
            )
        order.state = OrderState.WITHDRAWN if kind == ActionKind.WITHDRAW else OrderState.REASSIGNED
        order.save(update_fields=["state"])
        OrderAction.objects.create(
            event_id=order.event_id,
            order=order,
            kind=kind,
            note=note,
            actor=integration.acting_user,
            at=clock.now(),
        )
        event_row = Event.objects.filter(key_q(pk=order.event_id))
        status = event_row.values_list("status", flat=True).get()
        action = "reject" if status == Status.REPORTED else "comment"
        if status not in (Status.REJECTED, Status.MERGED):
            event_transition(
                actor=actor,
                event_id=order.event_id,
                action=action,
                payload={"note": text},
            )
    return order


# ---- transfer of police matters to 110 --------------------------------------------------


def _enqueue(delivery_ids: list[int]) -> None:
    def enqueue() -> None:
        from pingan.notifications.tasks import deliver

        for pk in delivery_ids:
            try:
                deliver.enqueue(pk)
            except Exception:
                log.exception("could not enqueue delivery %s", pk)

    if delivery_ids:
        transaction.on_commit(enqueue)


def _deliver(endpoint: WebhookEndpoint, cause: str, payload: dict[str, Any]) -> None:
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel=Delivery.Channel.WEBHOOK,
                target=str(endpoint.pk),
                cause=cause,
                payload=payload,
                next_attempt_at=clock.now(),
            )
        ],
        ignore_conflicts=True,
    )
    ids = list(
        Delivery.objects.filter(
            cause=cause,
            channel=Delivery.Channel.WEBHOOK,
            target=str(endpoint.pk),
            state=Delivery.State.PENDING,
            attempts=0,
        ).values_list("pk", flat=True)
    )
    _enqueue(ids)


def police_transfer(*, actor: Actor | Any, event_id: int, reason: str) -> OrderAction:
    """A centre dispatcher hands a police matter to 110: the event is closed here as not
    accepted (so only a not-yet-accepted event can be transferred: 409 otherwise) and the
    matter, with the caller's contact, goes to 110 through the outbox. Out of scope → 404
    like missing; anyone but a dispatcher over the event's region → 403."""
    actor = as_actor(actor)
    event = access_event(actor, event_id)
    if not can_transfer_110(actor, event):
        raise Forbidden(_("只有本辖区的指挥中心受理员可以移交110"))
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("请填写移交理由"))
    if len(reason) > 1000:
        raise invalid("reason", _("移交理由不能超过1000字"))
    integration = (
        Integration.objects.select_related("callback")
        .filter(channel=Channel.POLICE_110, is_active=True)
        .first()
    )
    if integration is None or integration.callback is None:
        raise Conflict(_("尚未配置110对接地址，不能移交"))
    with transaction.atomic():
        # Came from 110 in the first place: the transfer is their answer, not a return.
        ExternalOrder.objects.filter(
            event_id=event_id, integration=integration, state=OrderState.RECEIVED
        ).update(state=OrderState.RETURNED)
        event = event_transition(
            actor=actor,
            event_id=event_id,
            action="reject",
            payload={
                "note": _("属公安管辖，已移交110：%(r)s") % {"r": reason},
                # What the reporter hears (SMS, tracking page, Open311): not the reason.
                "public_reply": gettext_noop("您反映的问题属公安管辖，已移交110处理。"),
            },
        )
        order = ExternalOrder.objects.filter(event=event, integration=integration).first()
        action = OrderAction.objects.create(
            event=event,
            order=order,
            kind=ActionKind.TRANSFER_110,
            note=reason,
            actor=actor.user,
            at=clock.now(),
        )
        payload = {
            "type": "transfer",
            "event_code": event.code,
            "order_no": order.order_no if order else "",
            "title": event.title,
            "description": event.description,
            "category": event.category.name,
            "address": event.address,
            "lat": event.lat,
            "lng": event.lng,
            "caller_name": event.reporter_name,
            "caller_phone": event.reporter_phone,
            "reason": reason,
            "time": action.at.isoformat(),
        }
        _deliver(integration.callback, f"p110:{action.pk}", payload)
    return action


# ---- callbacks --------------------------------------------------------------------------


def _lead_result(event: Event) -> str:
    row = (
        Assignment.objects.filter(event=event, role=AssignmentRole.LEAD)
        .exclude(result="")
        .order_by("-id")
        .first()
    )
    return row.result if row else ""


def callback_payload(order: ExternalOrder, transition: EventTransition) -> dict[str, Any]:
    event = order.event
    return {
        "type": "return" if transition.action == "reject" else "status",
        "channel": order.integration.channel,
        "order_no": order.order_no,
        "event_code": event.code,
        "action": transition.action,
        "action_label": ACTION_LABELS.get(transition.action, transition.action),
        "status": event.status,
        "status_label": str(Status(event.status).label),
        # `note` is the internal note, for the hotline's staff only; `public_reply` is
        # what they may tell the caller or publish (masked; docs/channels.md).
        "note": transition.note,
        "public_reply": pii.mask_in_text(transition.public_reply),
        "department": event.lead_department.name if event.lead_department_id else "",  # type: ignore[union-attr]
        "result": _lead_result(event) if event.status in (Status.RESOLVED, Status.CLOSED) else "",
        "satisfaction": event.satisfaction,
        "due_at": event.due_at.isoformat() if event.due_at else None,
        "time": transition.at.isoformat(),
    }


def order_caller_tell(*, event_id: int, transition_id: int | None) -> bool:
    """Tell the caller of a 12345/110 work order that is still ours by SMS when the row
    merged or closed their matter (notifications.services.reporter_tell, the order number
    as the reference); True when a message was stored."""
    order = (
        ExternalOrder.objects.select_related("integration")
        .filter(event_id=event_id, state=OrderState.RECEIVED)
        .first()
    )
    if order is None or transition_id is None:
        return False
    ref = _("%(channel)s工单号%(no)s") % {
        "channel": "12345" if order.integration.channel == Channel.HOTLINE_12345 else "110",
        "no": order.order_no,
    }
    return reporter_tell(event_id=event_id, transition_id=transition_id, ref=ref) is not None


def order_callback(*, event_id: int, action: str, transition_id: int | None) -> bool:
    """Queue the callback of one timeline row to the channel the event came from, when
    the row changed the event's state (or is a follow-up). Our rejection of an order
    that was still ours is recorded as a return (退单). Returns True when queued;
    running it twice for one row queues nothing more."""
    if is_muted() or transition_id is None or action == "report":
        return False
    # Most events came from no channel: ask for the order alone first (a join to the
    # events table would be planned over every partition, for every change of every event).
    order = (
        ExternalOrder.objects.select_related("integration", "integration__callback")
        .filter(event_id=event_id)
        .first()
    )
    if order is None:
        return False
    event = Event.objects.select_related("lead_department").filter(key_q(pk=event_id)).first()
    if event is None:
        return False
    order.event = event
    transition = EventTransition.objects.filter(pk=transition_id, event_id=event_id).first()
    if transition is None:
        return False
    with transaction.atomic():
        if action == "reject" and order.state == OrderState.RECEIVED:
            changed = ExternalOrder.objects.filter(pk=order.pk, state=OrderState.RECEIVED).update(
                state=OrderState.RETURNED
            )
            if changed:
                OrderAction.objects.create(
                    event_id=event_id,
                    order=order,
                    kind=ActionKind.RETURN,
                    note=transition.note or "—",
                    actor=transition.actor,
                    at=transition.at,
                )
                order.state = OrderState.RETURNED
        elif order.state != OrderState.RECEIVED:
            return False
        endpoint = order.integration.callback
        if endpoint is None or not endpoint.is_active or not order.integration.is_active:
            return False
        moved = transition.from_status != transition.to_status
        if not moved and action not in CALLBACK_EXTRA_ACTIONS:
            return False
        _deliver(endpoint, f"ch:t{transition.pk}", callback_payload(order, transition))
    return True

"""Channel linkage: work orders from 12345 and 110 (their API key, header X-Api-Key,
limited to its own channel), and the centre's transfer of police matters to 110.

Services in `pingan.intake.services`; nothing here changes an event directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.security import APIKeyHeader
from pydantic import Field

from pingan.access.actor import acting, actor_of
from pingan.core.errors import NotFound
from pingan.events.choices import Status
from pingan.intake.choices import ORDER_CHANNELS, OrderState
from pingan.intake.models import ExternalOrder, Integration
from pingan.intake.services import (
    integration_for_key,
    order_receive,
    order_withdraw,
    police_transfer,
)


class IntegrationKeyAuth(APIKeyHeader):
    """`X-Api-Key: <key>` of a 12345 or 110 integration; `request.auth` is the integration."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return integration_for_key(key=key or "", channels=tuple(ORDER_CHANNELS))


intake_router = Router(tags=["intake"], auth=IntegrationKeyAuth())
router = Router(tags=["intake"])


class OrderIn(Schema):
    order_no: str = Field(..., description="对方工单号（同一渠道内唯一，重复推送返回同一工单）")
    content: str = Field(..., description="诉求内容")
    category: str = Field("", description="对方分类名称（按分类对照表对应）")
    category_code: str = Field("", description="本平台小类编码（优先于 category）")
    title: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    deadline: dt.datetime | None = Field(None, description="对方要求的办结时限")
    urgency: Literal["normal", "urgent", "critical"] = "normal"


class OrderOut(Schema):
    channel: str
    order_no: str
    state: str
    state_label: str
    event_code: str
    status: str
    status_label: str
    department: str
    deadline: dt.datetime | None
    received_at: dt.datetime


def _out(order: ExternalOrder) -> dict[str, Any]:
    event = order.event
    return {
        "channel": order.integration.channel,
        "order_no": order.order_no,
        "state": order.state,
        "state_label": str(OrderState(order.state).label),
        "event_code": event.code,
        "status": event.status,
        "status_label": str(Status(event.status).label),
        "department": event.lead_department.name if event.lead_department_id else "",  # type: ignore[union-attr]
        "deadline": order.deadline,
        "received_at": order.received_at,
    }


def _get(integration: Integration, order_no: str) -> ExternalOrder:
    order = (
        ExternalOrder.objects.select_related("integration", "event", "event__lead_department")
        .filter(integration=integration, order_no=order_no)
        .first()
    )
    if order is None:
        raise NotFound(_("工单不存在"))
    return order


@intake_router.post(
    "/intake/orders",
    response={200: OrderOut, 201: OrderOut},
    summary="接收12345/110工单（相同工单号重复推送返回 200 与首次结果）",
)
def order_create(request: HttpRequest, payload: OrderIn) -> Any:
    integration: Integration = request.auth  # type: ignore[attr-defined]
    deadline = payload.deadline
    if deadline is not None and timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    order, created = order_receive(
        actor=acting(integration.acting_user, request),
        integration=integration,
        order_no=payload.order_no,
        content=payload.content,
        category=payload.category,
        category_code=payload.category_code,
        title=payload.title,
        caller_name=payload.caller_name,
        caller_phone=payload.caller_phone,
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        deadline=deadline,
        urgency=payload.urgency,
    )
    return Reply(201 if created else 200, _out(_get(integration, order.order_no)))


@intake_router.get("/intake/orders/{order_no}", response=OrderOut, summary="查询工单办理状态")
def order_detail(request: HttpRequest, order_no: str) -> Any:
    return _out(_get(request.auth, order_no))  # type: ignore[attr-defined]


class WithdrawIn(Schema):
    kind: Literal["withdraw", "reassign"] = Field(..., description="withdraw 撤单；reassign 改派")
    note: str = Field(..., description="原因")


@intake_router.post(
    "/intake/orders/{order_no}/withdraw", response=OrderOut, summary="对方撤单或改派"
)
def order_take_back(request: HttpRequest, order_no: str, payload: WithdrawIn) -> Any:
    integration: Integration = request.auth  # type: ignore[attr-defined]
    order_withdraw(
        actor=acting(integration.acting_user, request),
        integration=integration,
        order_no=order_no,
        kind=payload.kind,
        note=payload.note,
    )
    return _out(_get(integration, order_no))


class TransferIn(Schema):
    reason: str = Field(..., description="移交理由")


class TransferOut(Schema):
    event_code: str
    status: str
    reason: str
    at: dt.datetime


@router.post(
    "/events/{event_id}/transfer-110",
    response=TransferOut,
    summary="将属公安管辖的事件移交110（事件以不予受理结束，并推送110）",
)
def transfer_to_110(request: HttpRequest, event_id: int, payload: TransferIn) -> Any:
    action = police_transfer(actor=actor_of(request), event_id=event_id, reason=payload.reason)
    return {
        "event_code": action.event.code,
        "status": action.event.status,
        "reason": action.note,
        "at": action.at,
    }

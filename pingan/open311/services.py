"""Writes of the Open311 server: a POSTed service request becomes an event."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, as_actor
from pingan.core import pii
from pingan.core.errors import NotFound, invalid
from pingan.events.services import event_report
from pingan.intake.choices import EVENT_SOURCE, Channel
from pingan.intake.models import Integration
from pingan.notifications.services import reporter_tell
from pingan.open311 import selectors
from pingan.open311.models import Open311Request

MAX_DESCRIPTION = 4000


def _float(data: dict[str, str], name: str) -> float | None:
    value = (data.get(name) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise invalid(name, _("应为数字")) from None


def open311_request_create(
    *,
    actor: Actor | Any,
    integration: Integration,
    data: dict[str, str],
    attributes: dict[str, Any],
) -> Open311Request:
    """Create the event and its Open311 record as `actor`, the integration's acting user
    (`acting(integration.acting_user, request)`: the requester's client address goes on
    the audit rows). `data` holds the POSTed fields (empty ones count as absent),
    `attributes` the attribute[CODE] answers."""
    actor = as_actor(actor)
    code = (data.get("service_code") or "").strip()
    if not code:
        raise invalid("service_code", _("缺少 service_code"))
    category = selectors.service(code)
    if category is None:
        raise NotFound(_("service_code %(c)s 不存在") % {"c": code})
    lat = _float(data, "lat")
    lng = _float(data, "long")
    address = (data.get("address_string") or "").strip()[:255]
    address_id = (data.get("address_id") or "").strip()[:100]
    if (lat is None) != (lng is None):
        raise invalid("long" if lng is None else "lat", _("lat 与 long 须同时提供"))
    if lat is None and not address and not address_id:
        raise invalid("lat", _("须提供 lat/long、address_string 或 address_id 之一"))
    description = (data.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise invalid("description", _("描述不能超过4000字"))
    if not description:
        point = f"{selectors.public_coordinate(lat)},{selectors.public_coordinate(lng)}"
        where = pii.mask_address(address) or address_id or point  # coarse, as published
        description = f"{category.name}（{where}）"  # the description is public
    name = f"{(data.get('last_name') or '').strip()}{(data.get('first_name') or '').strip()}"
    phone = (data.get("phone") or "").strip()
    if len(phone) > 20:
        raise invalid("phone", _("电话不能超过20字"))
    media_url = (data.get("media_url") or "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        raise invalid("media_url", _("media_url 应为 http(s) 地址"))
    with transaction.atomic():
        event, _created = event_report(
            actor=actor,
            category=category,
            description=description,
            source=EVENT_SOURCE[Channel.OPEN311],
            lat=lat,
            lng=lng,
            region=integration.region,
            address=address,
            extra={k: v for k, v in attributes.items()},
            reporter_name=name[:50],
            reporter_phone=phone,
        )
        row = Open311Request.objects.create(
            event=event,
            integration=integration,
            token=secrets.token_hex(16),
            service_code=code,
            email=(data.get("email") or "").strip()[:254],
            device_id=(data.get("device_id") or "").strip()[:100],
            account_id=(data.get("account_id") or "").strip()[:100],
            first_name=(data.get("first_name") or "").strip()[:50],
            last_name=(data.get("last_name") or "").strip()[:50],
            phone=phone,
            address_id=address_id,
            media_url=media_url[:500],
            attributes=event.extra,
            created_at=event.reported_at,
        )
        actor.audit("open311.request_create", object_type="event", object_id=event.pk)
    return row


def open311_requester_tell(*, event_id: int, transition_id: int | None) -> bool:
    """Tell the requester by SMS when the row merged or closed their request (the
    service_request_id as the reference); True when a message was stored."""
    row = Open311Request.objects.filter(event_id=event_id).select_related("event").first()
    if row is None or transition_id is None:
        return False
    ref = _("编号%(code)s") % {"code": row.event.code}
    return reporter_tell(event_id=event_id, transition_id=transition_id, ref=ref) is not None

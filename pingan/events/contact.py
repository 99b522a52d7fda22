"""The reporter's contact and the event's address: masked for every answer, revealed in
full only by an explicit, audited action of a role that needs it (docs/privacy.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import Forbidden, NotFound, invalid
from pingan.core.pii import mask_address, mask_name, mask_phone
from pingan.events.models import Event
from pingan.events.partitions import key_q
from pingan.events.permissions import access_event, can_unmask
from pingan.org.choices import Role
from pingan.privacy.choices import Sensitivity


@dataclass(frozen=True)
class Contact:
    reporter_name: str
    reporter_phone: str
    address: str


def _raw(event: Event) -> Contact:
    reporter = event.reporter if event.reporter_id else None
    return Contact(
        reporter_name=event.reporter_name or (reporter.display_name if reporter else ""),
        reporter_phone=event.reporter_phone or (reporter.phone if reporter else ""),
        address=event.address,
    )


def contact_masked(event: Event) -> Contact:
    """What lists, pages, exports and API answers show: 张*, 138****5678, 城东社区海滨****."""
    raw = _raw(event)
    return Contact(
        reporter_name=mask_name(raw.reporter_name),
        reporter_phone=mask_phone(raw.reporter_phone),
        address=mask_address(raw.address),
    )


def event_contact_reveal(*, actor: Actor | Any, event_id: int) -> Contact:
    """The contact in full for a dispatcher of the event's region or a handler of an
    assigned department; every reveal (and every refusal) is written to the audit log,
    with the actor's client address. 404 out of scope, 403 for a role that may not unmask."""
    actor = as_actor(actor)
    event = access_event(actor, event_id)
    if not can_unmask(actor, event):
        actor.audit("pii.unmask", object_type="event", object_id=event.pk, result="denied")
        raise Forbidden(_("当前角色不能查看完整的个人信息"))
    with transaction.atomic():
        actor.audit(
            "pii.unmask",
            object_type="event",
            object_id=event.pk,
            detail={"fields": ["reporter_name", "reporter_phone", "address"]},
        )
    return _raw(event)


def event_sensitivity_set(*, actor: Actor | Any, event_id: int, sensitivity: str) -> Event:
    """Put or take off a sensitivity label. The security administrator may always; a
    dispatcher of the event's region only with clearance for the old and the new label."""
    if sensitivity not in Sensitivity.values:
        raise invalid("sensitivity", _("敏感标签不正确"))
    actor = as_actor(actor)
    with transaction.atomic():
        if actor.has_role(Role.SEC_ADMIN):
            event = Event.objects.select_for_update().filter(key_q(pk=event_id)).first()
            if event is None:
                raise NotFound(_("事件不存在"))
        else:
            event = access_event(actor, event_id, for_update=True)
            needed = {label for label in (event.sensitivity, sensitivity) if label}
            if (
                not actor.has_role(Role.DISPATCHER)
                or not needed <= actor.clearances
                or not can_unmask(actor, event)
            ):
                raise Forbidden(_("当前角色不能设置敏感标签"))
        old = event.sensitivity
        event.sensitivity = sensitivity
        event.save(update_fields=["sensitivity", "updated_at"])
        actor.audit(
            "event.label",
            object_type="event",
            object_id=event.pk,
            detail={"from": old, "to": sensitivity},
        )
    return event

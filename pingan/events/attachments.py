"""Photos on events: the upload service and the scoped reads.

The pixels are checked and cleaned in `events.photos`; this module decides who may add a
photo to which event, stores the clean JPEG and its thumbnail through Django's default
storage and records the act.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, NotFound, invalid
from pingan.events import photos, workflow
from pingan.events.choices import AttachmentKind, Status
from pingan.events.models import Attachment, EventTransition
from pingan.events.permissions import access_event


def _uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid("client_uuid", gettext("不是有效的UUID")) from None


def _transition_of(event_id: int, transition: EventTransition | int | None) -> int | None:
    if transition is None or transition == "":
        return None
    pk = transition.pk if isinstance(transition, EventTransition) else transition
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise invalid("transition", gettext("流转记录编号应为整数")) from None
    if not EventTransition.objects.filter(pk=pk, event_id=event_id).exists():
        raise invalid("transition", gettext("流转记录不属于该事件"))
    return pk


def _safe_name(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or "")
    return os.path.basename(name.replace("\\", "/"))[:255]


def attachment_add(
    *,
    actor: Actor | Any,
    event_id: int,
    upload: Any,
    kind: str = AttachmentKind.REPORT,
    client_uuid: uuid.UUID | str | None = None,
    transition: EventTransition | int | None = None,
) -> tuple[Attachment, bool]:
    """Add a photo to an event `actor` can see and that is not rejected or merged;
    returns (attachment, created). The same `client_uuid` again returns the first photo.
    404 out of scope, 409 terminal event or reused uuid, 422 not a photo / too large."""
    actor = as_actor(actor)
    event = access_event(actor, event_id)
    cu = _uuid(client_uuid)
    if cu is not None:
        existing = Attachment.objects.filter(client_uuid=cu).first()
        if existing is not None:
            if existing.event_id != event.pk or existing.uploaded_by_id != actor.pk:
                raise Conflict(
                    gettext("client_uuid 已被使用"), fields={"client_uuid": gettext("已被使用")}
                )
            return existing, False
    if event.status in workflow.TERMINAL:
        raise Conflict(
            gettext("事件%(status)s，不能再上传照片") % {"status": Status(event.status).label}
        )
    if kind not in AttachmentKind.values:
        raise invalid("kind", gettext("照片类型不正确"))
    transition_id = _transition_of(event.pk, transition)

    clean = photos.clean(photos.read_upload(upload))

    att = Attachment(
        event=event,
        transition_id=transition_id,
        kind=kind,
        content_type="image/jpeg",
        size=clean.size,
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
        taken_at=clean.taken_at,
        lat=clean.lat,
        lng=clean.lng,
        original_name=_safe_name(upload),
        uploaded_by=actor.user,
        uploaded_at=clock.now(),
        client_uuid=cu,
    )

    def write() -> None:
        att.save()
        actor.audit(
            "attachment.add",
            object_type="event",
            object_id=event.pk,
            detail={
                "attachment": att.pk,
                "kind": kind,
                "sha256": clean.sha256,
                "format": clean.source_format,
            },
        )

    # The same upload raced in twice: the first one wins.
    return photos.store(
        att,
        clean,
        write=write,
        again=lambda: (
            Attachment.objects.filter(client_uuid=cu, event_id=event.pk).first()
            if cu is not None
            else None
        ),
    )


def attachment_list(*, user: Actor | Any, event_id: int) -> list[Attachment]:
    """The photos of an event the user can see, oldest first (404 out of scope)."""
    event = access_event(user, event_id)
    return list(Attachment.objects.filter(event=event).order_by("uploaded_at", "id"))


def attachment_get(*, user: Actor | Any, attachment_id: int) -> Attachment:
    """One photo whose event the user can see; 404 for missing and out of scope alike."""
    att = Attachment.objects.filter(pk=attachment_id).only("id", "event_id").first()
    if att is None:
        raise NotFound(gettext("照片不存在"))
    try:
        access_event(user, att.event_id)
    except NotFound:
        raise NotFound(gettext("照片不存在")) from None
    return Attachment.objects.get(pk=attachment_id)

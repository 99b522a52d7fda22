"""Photo upload endpoints (mounted by router.py).

`POST /events/{event_id}/attachments` (multipart: file, kind, client_uuid) → 201 with the
photo; the same client_uuid again → 200 with the first one.
`GET /events/{event_id}/attachments` → the event's photos.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from pingan.events.attachments import attachment_add, attachment_list
from pingan.events.choices import AttachmentKind
from pingan.events.models import Attachment

router = Router(tags=["attachments"])


class AttachmentOut(Schema):
    id: int
    kind: str
    url: str
    thumbnail_url: str | None
    taken_at: dt.datetime | None
    lat: float | None
    lng: float | None
    size: int
    width: int
    height: int
    uploaded_at: dt.datetime


def _out(request: HttpRequest, att: Attachment) -> dict[str, Any]:
    return {
        "id": att.pk,
        "kind": att.kind,
        "url": request.build_absolute_uri(att.file.url),
        "thumbnail_url": request.build_absolute_uri(att.thumbnail.url) if att.thumbnail else None,
        "taken_at": att.taken_at,
        "lat": att.lat,
        "lng": att.lng,
        "size": att.size,
        "width": att.width,
        "height": att.height,
        "uploaded_at": att.uploaded_at,
    }


@router.post(
    "/events/{event_id}/attachments",
    response={200: AttachmentOut, 201: AttachmentOut},
    summary="上传事件照片",
)
def upload(
    request: HttpRequest,
    event_id: int,
    file: File[UploadedFile],
    kind: Form[str] = AttachmentKind.REPORT,
    client_uuid: Form[str] = "",
) -> Status:
    att, created = attachment_add(
        user=request.auth,  # type: ignore[attr-defined]
        event_id=event_id,
        upload=file,
        kind=kind or AttachmentKind.REPORT,
        client_uuid=client_uuid or None,
        request=request,
    )
    return Status(201 if created else 200, _out(request, att))


@router.get("/events/{event_id}/attachments", response=list[AttachmentOut], summary="事件照片列表")
def list_(request: HttpRequest, event_id: int) -> list[dict[str, Any]]:
    return [
        _out(request, a)
        for a in attachment_list(user=request.auth, event_id=event_id)  # type: ignore[attr-defined]
    ]

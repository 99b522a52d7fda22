"""Photo upload endpoints (mounted by router.py).

`POST /events/{event_id}/attachments` (multipart: file, kind, client_uuid) → 201 with the
photo; the same client_uuid again → 200 with the first one.
`GET /events/{event_id}/attachments` → the event's photos.
`GET /events/{event_id}/attachments/{attachment_id}/file[?thumb=true]` → the image itself,
behind the same scope check (there is no public URL for a photo).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from pingan.access.actor import actor_of
from pingan.events.attachments import attachment_add, attachment_list
from pingan.events.choices import AttachmentKind
from pingan.events.models import Attachment
from pingan.events.selectors import attachment_detail

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


def _file_url(request: HttpRequest, att: Attachment, *, thumb: bool) -> str:
    url = reverse(
        "api-v1:attachment_file",
        kwargs={"event_id": att.event_id, "attachment_id": att.pk},
    )
    return request.build_absolute_uri(url + ("?thumb=true" if thumb else ""))


def _out(request: HttpRequest, att: Attachment) -> dict[str, Any]:
    return {
        "id": att.pk,
        "kind": att.kind,
        "url": _file_url(request, att, thumb=False),
        "thumbnail_url": _file_url(request, att, thumb=True) if att.thumbnail else None,
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
        actor=actor_of(request),
        event_id=event_id,
        upload=file,
        kind=kind or AttachmentKind.REPORT,
        client_uuid=client_uuid or None,
    )
    return Status(201 if created else 200, _out(request, att))


@router.get("/events/{event_id}/attachments", response=list[AttachmentOut], summary="事件照片列表")
def list_(request: HttpRequest, event_id: int) -> list[dict[str, Any]]:
    return [_out(request, a) for a in attachment_list(user=actor_of(request), event_id=event_id)]


@router.get(
    "/events/{event_id}/attachments/{attachment_id}/file",
    url_name="attachment_file",
    summary="照片文件",
    response={200: None},
)
def file_(
    request: HttpRequest, event_id: int, attachment_id: int, thumb: bool = False
) -> FileResponse:
    att = attachment_detail(
        user=actor_of(request),
        event_id=event_id,
        attachment_id=attachment_id,
    )
    stored = att.thumbnail if thumb and att.thumbnail else att.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("照片文件不存在") from exc
    response = FileResponse(handle, content_type=att.content_type or "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

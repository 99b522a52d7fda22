"""The restore drill: back up, destroy, restore, and every event, photo and audit row is
back, byte for byte. Runs on SQLite and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from pingan.core.models import AuditEntry
from pingan.events.attachments import attachment_add
from pingan.events.models import Attachment, Event, EventTransition
from pingan.events.services import event_report, event_transition


def photo(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "JPEG")
    return SimpleUploadedFile("IMG.jpg", buf.getvalue(), content_type="image/jpeg")


def snapshot() -> dict:
    def digest(field) -> str:
        with field.open("rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    return {
        "events": list(Event.objects.order_by("pk").values_list("pk", "code", "status")),
        "timeline": list(
            EventTransition.objects.order_by("pk").values_list("pk", "event_id", "action")
        ),
        "photos": [
            (a.pk, a.event_id, a.file.name, digest(a.file), a.thumbnail.name)
            for a in Attachment.objects.order_by("pk")
        ],
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", "action", "object_id")),
    }


@pytest.mark.django_db(transaction=True)
def test_restore_drill_brings_back_every_event_photo_and_audit_row(cast, settings, tmp_path):
    lat, lng = cast.point_a1
    for i, colour in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)]):
        event, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description=f"楼道堆放杂物{i}",
            lat=lat,
            lng=lng,
        )
        attachment_add(actor=cast.gridworker, event_id=event.pk, upload=photo(colour))
    event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept", payload={})
    before = snapshot()
    assert len(before["photos"]) == 3 and len(before["audit"]) >= 4

    target = tmp_path / "backup"
    call_command("backup", "--output", str(target))
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["counts"]["events.Event"] == 3

    # Disaster: the database is emptied and the photos are gone.
    call_command("flush", "--noinput")
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not Event.objects.exists() and not AuditEntry.objects.exists()

    call_command("restore", str(target), "--noinput")

    assert snapshot() == before
    # The restored site works: a new transition on a restored event is accepted.
    first = before["events"][0][0]
    event_transition(actor=cast.dispatcher, event_id=first, action="accept", payload={})
    assert Event.objects.get(pk=first).status == "accepted"


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"truncated")
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "format": 1,
                "engine": "postgresql",
                "database_file": "database.dump",
                "database_sha256": "0" * 64,
                "counts": {},
                "created_at": "2026-01-01T00:00:00+00:00",
            }
        )
    )
    with pytest.raises(CommandError, match="校验不符"):
        call_command("restore", str(tmp_path), "--noinput")
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(Path(tmp_path) / "nothing"), "--noinput")

"""Evidence checks: does a report photo fit its report?

A photo is flagged when it was taken more than N hours before the report was made
(`PINGAN_EVIDENCE_MAX_AGE_HOURS`), more than M metres from the report's location
(`PINGAN_EVIDENCE_MAX_DISTANCE_M`), or outside the report's grid. The time and place come
from the photo's EXIF (kept on `Attachment` by `events.photos`) and, where EXIF has none
(photos shrunk on the phone), from what the phone said (`PhotoClaim`). A photo with no
time or place is not flagged for what it lacks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from pingan.events.choices import AttachmentKind
from pingan.events.models import Attachment, Event
from pingan.events.partitions import key_q
from pingan.field.choices import FlagReason
from pingan.field.models import EvidenceFlag, FieldReport, PhotoClaim
from pingan.geo import locator
from pingan.geo.choices import Level
from pingan.patrols.track import haversine_m


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.PINGAN_EVIDENCE_MAX_AGE_HOURS))


def max_distance_m() -> float:
    return float(settings.PINGAN_EVIDENCE_MAX_DISTANCE_M)


def _facts(att: Attachment) -> tuple[dt.datetime | None, float | None, float | None]:
    claim = PhotoClaim.objects.filter(attachment=att).first()
    taken = att.taken_at or (claim.taken_at if claim else None)
    lat: float | None
    lng: float | None
    if att.lat is not None and att.lng is not None:
        lat, lng = att.lat, att.lng
    elif claim is not None and claim.lat is not None and claim.lng is not None:
        lat, lng = claim.lat, claim.lng
    else:
        lat = lng = None
    return taken, lat, lng


def findings(event: Event, att: Attachment) -> list[tuple[str, str]]:
    """(reason, detail) for each doubt about one photo of one report."""
    out: list[tuple[str, str]] = []
    taken, lat, lng = _facts(att)
    made = FieldReport.objects.filter(event=event).values_list("made_at", flat=True).first()
    report_at = made or event.reported_at
    if taken is not None and report_at - taken > max_age():
        hours = (report_at - taken).total_seconds() / 3600
        out.append((FlagReason.TOO_OLD, f"拍摄于上报前{hours:.1f}小时"))
    if lat is not None and lng is not None:
        if event.lat is not None and event.lng is not None:
            d = haversine_m(lat, lng, event.lat, event.lng)
            if d > max_distance_m():
                out.append((FlagReason.TOO_FAR, f"拍摄地点距上报位置{d:.0f}米"))
        if event.region.level == Level.GRID and locator.grid_id_at(lat, lng) != event.region_id:
            out.append((FlagReason.OUTSIDE_GRID, f"拍摄地点不在{event.region.name}内"))
    return out


def evidence_check(*, attachment_id: int) -> list[EvidenceFlag]:
    """Recompute the flags of one report photo; returns the flags it now has."""
    att = Attachment.objects.filter(pk=attachment_id).first()
    if att is None or att.kind != AttachmentKind.REPORT:
        return []
    # The event by its key (one partition planned), not joined to the attachment.
    event = Event.objects.select_related("region").filter(key_q(pk=att.event_id)).first()
    if event is None:
        return []
    att.event = event
    wanted = dict(findings(att.event, att))
    with transaction.atomic():
        EvidenceFlag.objects.filter(attachment=att).exclude(reason__in=list(wanted)).delete()
        have = set(EvidenceFlag.objects.filter(attachment=att).values_list("reason", flat=True))
        for reason, detail in wanted.items():
            if reason not in have:
                EvidenceFlag.objects.create(
                    event_id=att.event_id, attachment=att, reason=reason, detail=detail
                )
    return list(EvidenceFlag.objects.filter(attachment=att))


def event_flags(event: Any) -> list[EvidenceFlag]:
    return list(EvidenceFlag.objects.filter(event=event).select_related("attachment"))

"""The 通报 downloads: one inspection's or one round's (a plan's period), for whoever
sees them (`selectors`), each download audited. docs/inspections.md, "通报"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.downloads import DOCX
from pingan.inspections.documents import report_docx
from pingan.inspections.selectors import inspection_detail, round_inspections


def inspection_report(*, actor: Actor | Any, inspection_id: int) -> tuple[bytes, str]:
    """The 通报 of one inspection (.docx bytes, file stem); 404 if the actor cannot see it."""
    actor = as_actor(actor)
    i = inspection_detail(actor, inspection_id)
    title = gettext("%(level)s情况通报") % {"level": i.get_level_display()}
    data = report_docx(title, [i], subtitle=f"{i.unit_name} · {i.get_kind_display()}")
    actor.audit("inspections.report", object_type="inspection", object_id=i.pk)
    return data, f"inspection-{i.pk}"


def round_report(*, actor: Actor | Any, plan_id: int, period_start: dt.date) -> tuple[bytes, str]:
    """The 通报 of a plan's round (the period starting `period_start`)."""
    actor = as_actor(actor)
    plan, inspections = round_inspections(actor, plan_id=plan_id, period_start=period_start)
    title = gettext("%(name)s情况通报") % {"name": plan.name}
    subtitle = gettext("检查周期：%(day)s起") % {"day": period_start.isoformat()}
    data = report_docx(title, inspections, subtitle=subtitle)
    actor.audit(
        "inspections.report",
        object_type="inspection_plan",
        object_id=plan.pk,
        detail={"period_start": period_start.isoformat(), "inspections": len(inspections)},
    )
    return data, f"inspection-round-{plan.pk}-{period_start:%Y%m%d}"


def docx_response(data: bytes, stem: str) -> HttpResponse:
    """A .docx download `<stem>-<local yyyymmddHHMM>.docx`, never stored (pages and API)."""
    response = HttpResponse(data, content_type=DOCX)
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.docx"'
    patch_cache_control(response, no_store=True)
    return response

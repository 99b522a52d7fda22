"""Reads of the citizen page: what a citizen may see of their own report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from pingan.citizen.models import CitizenReport
from pingan.core.pii import mask_in_text
from pingan.events.choices import Status
from pingan.events.models import Category, Event
from pingan.geo.choices import Level
from pingan.geo.selectors import region_subtree
from pingan.intake.choices import Channel
from pingan.intake.models import Integration

# Timeline rows a citizen sees (no names, no internal notes: only the public reply).
PUBLIC_ACTIONS = {
    "report": gettext_noop("已提交"),
    "accept": gettext_noop("已受理"),
    "reject": gettext_noop("不予受理"),
    "merge": gettext_noop("已与同类诉求合并办理"),
    "dispatch": gettext_noop("已派至责任部门"),
    "accept_dispatch": gettext_noop("已受理并派至责任部门"),
    "acknowledge": gettext_noop("部门已签收，正在处置"),
    "resolve": gettext_noop("部门已反馈处置结果"),
    "verify": gettext_noop("已核查"),
    "reopen": gettext_noop("重新办理"),
    "follow_up": gettext_noop("已回访"),
}


def leaf_categories() -> list[Category]:
    cats = list(Category.objects.filter(is_active=True).select_related("parent"))
    parents = {c.parent_id for c in cats if c.parent_id}
    return [c for c in cats if c.pk not in parents]


def town_outlines() -> dict[str, Any]:
    """GeoJSON of the towns of the citizen channel's county, for the map (outlines only:
    the page works offline without map tiles)."""
    integration = Integration.objects.filter(channel=Channel.CITIZEN, is_active=True).first()
    features: list[dict[str, Any]] = []
    if integration is not None:
        towns = (
            region_subtree(integration.region)
            .filter(level=Level.TOWN, geometry__isnull=False)
            .order_by("code")
        )
        features = [
            {"type": "Feature", "geometry": r.geometry, "properties": {"name": r.name}}
            for r in towns
        ]
    return {"type": "FeatureCollection", "features": features}


def has_default_category() -> bool:
    """Whether the citizen channel has a category for "not sure"."""
    return Integration.objects.filter(
        channel=Channel.CITIZEN, is_active=True, default_category__isnull=False
    ).exists()


def progress(report: CitizenReport) -> list[dict[str, Any]]:
    """The public steps of the citizen's matter, each with the public reply (对外答复)
    written on it, masked; never the internal note (docs/privacy.md, "Public replies")."""
    rows = []
    held = ""  # the lead's reply on a 办结反馈 that waited for assisting departments
    for t in report.event.timeline.order_by("at", "id"):
        moved = t.from_status != t.to_status
        reply = t.public_reply
        if moved and t.to_status == Status.RESOLVED:
            # Into 待核查, whichever row completed the result (the lead's 办结反馈, or the
            # last assisting part reporting, returning, waived or removed after it): one
            # step, with the lead's reply.
            action = "resolve"
            reply = reply or held
        else:
            action = t.action
        if action == "resolve" and not moved:
            held = t.public_reply or held
        # A 更正回访 corrects the satisfaction the citizen never sees: no second 已回访.
        corrected = action == "follow_up" and (t.data or {}).get("corrected")
        if action not in PUBLIC_ACTIONS or corrected or not (moved or action == "follow_up"):
            continue
        held = ""
        rows.append(
            {
                "at": t.at,
                "label": gettext(PUBLIC_ACTIONS[action]),
                "reply": mask_in_text(reply),
            }
        )
    return rows


def public_status(report: CitizenReport) -> str:
    return str(Status(report.event.status).label)


def merged_into(report: CitizenReport) -> dict[str, Any] | None:
    """For a report merged into another matter: that matter's code, public state and lead
    department (the citizen follows it there); None otherwise."""
    event = report.event
    if event.status != Status.MERGED or event.master_id is None:
        return None
    master = (
        Event.objects.select_related("lead_department")
        .only("code", "status", "lead_department__name")
        .filter(pk=event.master_id)
        .first()
    )
    if master is None:
        return None
    return {
        "code": master.code,
        "status_label": str(Status(master.status).label),
        "department": master.lead_department.name if master.lead_department else "",
    }

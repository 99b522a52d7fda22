"""The event page and its action forms (htmx partials, plain-form fallback without JS).

Buttons come only from `events.services.allowed_actions`; every write goes through
`events.services.event_transition` (and `events.attachments.attachment_add` for photos),
inside one transaction so that a bad photo leaves the event untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.cases.service import buttons
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.events import deadlines, workflow
from pingan.events.attachments import attachment_add
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    DeadlineState,
    Referral,
    Resolution,
    Satisfaction,
    Status,
)
from pingan.events.contact import contact_masked, event_contact_reveal
from pingan.events.deadlines import state_at
from pingan.events.kind import EVENTS
from pingan.events.models import Event
from pingan.events.permissions import can_unmask
from pingan.events.selectors import EventFilters, event_detail, event_list
from pingan.events.services import allowed_actions, event_transition
from pingan.geo.choices import Level
from pingan.geo.selectors import region_ancestor_at
from pingan.intake.selectors import transfer_110_offered
from pingan.org.choices import Role
from pingan.places.rules import camera_radius_m
from pingan.places.selectors import cameras_near_event
from pingan.web.views import dispatch_form

# Fields every action form may carry besides the row's required ones.
BOOL_FIELDS = ("approve", "passed", "recurred")
TEXT_FIELDS = (
    "note",
    "public_reply",
    "result",
    "participants",
    "conclusion",
    "satisfaction",
    "days",
    "check",
    "resolution",
    "referral",
)
# Actions whose form takes photos, and the kind the photos get.
PHOTO_KINDS = {
    "resolve": AttachmentKind.RESULT,
    "resolve_on_site": AttachmentKind.RESULT,
    "verify": AttachmentKind.VERIFICATION,
}
# ---- presentation helpers ---------------------------------------------------------------


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _role_label(value: str) -> str:
    if value == "system":
        return _("系统")
    return str(Role(value).label) if value in Role.values else value


def _action_label(t: Any) -> str:
    # 协办反馈, 核查通过 / 核查不通过, 更正回访: the variant's name where it differs.
    return workflow.timeline_label(t.action, t.data)


@dataclass
class TimelineRow:
    """One line of the timeline as the page shows it."""

    at: Any
    action: str
    label: str
    actor: str
    role: str
    from_label: str
    to_label: str
    note: str
    department: str
    photos: list[Any] = field(default_factory=list)
    public_reply: str = ""


def _timeline(event: Event) -> list[TimelineRow]:
    rows = []
    for t in event.timeline_rows:  # type: ignore[attr-defined]
        rows.append(
            TimelineRow(
                at=t.at,
                action=t.action,
                label=_action_label(t),
                actor=t.actor.display_name if t.actor else _("系统"),
                role=_role_label(t.actor_role),
                from_label=_status_label(t.from_status) if t.from_status else "",
                to_label=_status_label(t.to_status) if t.to_status else "",
                note=t.note,
                department=t.department.name if t.department else "",
                photos=list(t.attachments.all()),
                public_reply=t.public_reply,
            )
        )
    return rows


def _extra_rows(event: Event) -> list[tuple[str, Any]]:
    """The category's extra fields as (label, value), in the category's order."""
    specs = list(event.category.extra_fields or [])
    parent = event.category.parent if event.category.parent_id else None
    if parent is not None:
        specs = list(parent.extra_fields or []) + specs
    labels = {s.get("name"): s.get("label", s.get("name")) for s in specs if s.get("name")}
    extra = event.extra if isinstance(event.extra, dict) else {}
    rows: list[tuple[str, Any]] = []
    for name, value in extra.items():
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        rows.append((str(labels.get(name) or name), value))
    return rows


# The stage a photo belongs to: its timeline row's action first, else its kind.
_STAGE_OF_ACTION = {
    "report": "report",
    "resolve": "result",
    "resolve_on_site": "result",
    "verify": "verification",
    "recheck": "recheck",
}
_STAGE_OF_KIND: dict[str, str] = {
    AttachmentKind.REPORT: "report",
    AttachmentKind.RESULT: "result",
    AttachmentKind.VERIFICATION: "verification",
}
_STAGE_ORDER = ("report", "result", "verification", "recheck", "other")


@dataclass
class PhotoGroup:
    """The photos of one stage (处置照片 once per department), oldest first."""

    key: str
    label: str
    department: str = ""
    photos: list[Any] = field(default_factory=list)


def _stage_label(stage: str) -> str:
    return {
        "report": _("上报照片"),
        "result": _("处置照片"),
        "verification": _("核查照片"),
        "recheck": _("复查照片"),
    }.get(stage, _("其他照片"))


def _photo_groups(event: Event) -> list[PhotoGroup]:
    """The event's photos by stage: 上报, 处置 (by department), 核查, 复查, 其他; each
    photo with who uploaded it (named as the timeline names people) and when."""
    photos = list(
        event.attachments.select_related("uploaded_by", "transition__department").order_by(
            "uploaded_at", "id"
        )
    )
    groups: dict[tuple[str, str], PhotoGroup] = {}
    for p in photos:
        t = p.transition
        by_action = _STAGE_OF_ACTION.get(t.action) if t is not None else None
        stage = by_action or _STAGE_OF_KIND.get(p.kind, "other")
        department = t.department.name if stage == "result" and t and t.department else ""
        who = p.uploaded_by.display_name if p.uploaded_by else _("系统")
        p.who = who  # type: ignore[attr-defined]
        group = groups.setdefault(
            (stage, department),
            PhotoGroup(key=stage, label=_stage_label(stage), department=department),
        )
        group.photos.append(p)
    # Stages in the order of the work; 处置照片 of several departments by first photo.
    return sorted(groups.values(), key=lambda g: _STAGE_ORDER.index(g.key))


def _feature(region: Any, kind: str) -> dict[str, Any] | None:
    """A region's outline as a GeoJSON Feature (None without a stored boundary)."""
    geometry = region.geometry if region is not None else None
    if not isinstance(geometry, dict) or not geometry.get("type"):
        return None
    if geometry["type"] == "Feature":
        geometry = geometry.get("geometry")
    elif geometry["type"] == "FeatureCollection":
        parts = [f.get("geometry") for f in geometry.get("features") or [] if f.get("geometry")]
        geometry = {"type": "GeometryCollection", "geometries": parts}
    if not geometry:
        return None
    return {
        "type": "Feature",
        "properties": {"kind": kind, "name": region.name},
        "geometry": geometry,
    }


# The town's outline is context only: left out when its boundary is too detailed to
# inline in every event page (characters of its GeoJSON).
TOWN_OUTLINE_MAX_CHARS = 30_000


def _small(feature: dict[str, Any] | None) -> dict[str, Any] | None:
    if feature is None or len(json.dumps(feature["geometry"])) > TOWN_OUTLINE_MAX_CHARS:
        return None
    return feature


def _map_context(user: Any, event: Event, town: Any, may_unmask: bool) -> dict[str, Any]:
    """What the location map draws: the grid's outline (and the town's), the point, and
    the county's intranet tile server when one is configured (never an internet URL).

    The exact point goes only to those who may see the address in full (who may unmask,
    and the reporter of the event); for the others the page masks the address, and the
    map shows the grid's outline alone, as the coordinates line does."""
    features = [
        f
        for f in (
            _small(_feature(town, "town")) if town and town.pk != event.region_id else None,
            _feature(event.region, "grid"),
        )
        if f is not None
    ]
    located = event.lat is not None and event.lng is not None
    show_point = located and (
        may_unmask or (event.reporter_id is not None and event.reporter_id == user.pk)
    )
    return {
        "located": located,
        "show_point": show_point,
        "has_outline": bool(features),
        "map_data": {
            "outlines": {"type": "FeatureCollection", "features": features},
            "point": [event.lat, event.lng] if show_point else None,
            "tile_url": getattr(settings, "PINGAN_MAP_TILE_URL", "") or "",
            "region": event.region.name,
        },
    }


def _load(user: Any, event_id: int) -> Event:
    try:
        return event_detail(user=user, event_id=event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None


def _page_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    user = request.user
    deadline_state = state_at(event)
    # A due time means something only while the clock runs (dispatched / in progress).
    due_at = None
    if deadline_state is not None:
        due_at = (
            event.ack_due_at
            if event.status == Status.DISPATCHED and event.ack_due_at
            else event.due_at
        )
    rows = allowed_actions(user, event)
    town = region_ancestor_at(event.region, Level.TOWN)
    may_unmask = can_unmask(user, event)
    ctx = {
        "extra_rows": _extra_rows(event),
        "event": event,
        "town": town,
        "contact": contact_masked(event),
        "may_unmask": may_unmask,
        "deadline_state": deadline_state,
        # The one word of the lists and exports (DeadlineState's label).
        "deadline_label": str(DeadlineState(deadline_state).label) if deadline_state else "",
        "due_at": due_at,
        "due_is_ack": due_at is not None and due_at == event.ack_due_at,
        # 转调解 (its own form, web/views/mediation.py) only for a dispute.
        "buttons": [
            b
            for b in buttons(EVENTS, rows)
            if b["action"] != "refer_mediation" or event.category.is_dispute
        ],
        # Joint handling: the lead has reported, these assisting departments have not.
        "waiting_assist": workflow.waiting_for_assist(event),
        "transfer_110": transfer_110_offered(user, event),
        "assignments": event.assignment_rows,  # type: ignore[attr-defined]
        "assisting": event.assisting,  # type: ignore[attr-defined]
        "photo_groups": _photo_groups(event),
        **_map_context(user, event, town, may_unmask),
        "consultations": list(
            event.consultations.select_related("recorded_by", "suggested_lead").prefetch_related(
                "invited_departments"
            )
        ),
        "supervisions": list(event.supervisions.select_related("department", "issued_by")),
        "extensions": list(event.extensions.select_related("requested_by", "decided_by")),
        # 自然日 for an event whose clock runs day and night, else 工作日.
        "day_word": deadlines.day_word(event),
        "tracking_checks": list(event.tracking_checks.select_related("assignee", "done_by")),
        "timeline": _timeline(event),
    }
    # 附近视频点位 (docs/places.md): only for those shown the exact point, since camera
    # distances would give it away.
    ctx["nearby_cameras"] = cameras_near_event(event) if ctx["show_point"] else []
    ctx["camera_radius_m"] = camera_radius_m()
    return ctx


# ---- the page -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event page; the same 404 for a missing event and one out of scope."""
    event = _load(request.user, event_id)
    template = "web/event/detail.html"
    if getattr(request, "htmx", False) and request.GET.get("partial") == "page":
        template += "#page"
    return render(request, template, _page_context(request, event))


@never_cache  # personal data in full: never kept by a browser or a proxy
@login_required
@require_http_methods(["POST"])
def event_contact(request: HttpRequest, event_id: int) -> HttpResponse:
    """The explicit "显示" action: the reporter's contact and the address in full, for a
    role that may unmask (audited as pii.unmask); 403 for others, 404 out of scope."""
    try:
        contact = event_contact_reveal(actor=actor_of(request), event_id=event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None
    except Forbidden as e:
        return HttpResponse(e.message, status=403, content_type="text/plain; charset=utf-8")
    event = _load(request.user, event_id)
    ctx = {"event": event, "contact": contact, "revealed": True, "may_unmask": False}
    return render(request, "web/event/detail.html#contact", ctx)


# ---- action forms -------------------------------------------------------------------------


def _rows_for(user: Any, event: Event, action: str) -> list[workflow.Transition]:
    return [r for r in allowed_actions(user, event) if r.action == action]


def _form_fields(action: str, rows: list[workflow.Transition]) -> dict[str, Any]:
    requires: set[str] = set()
    for row in rows:
        requires |= set(row.requires)
    if action == "verify":
        requires.discard("note")  # only a failed verification needs a reason
    return {
        "requires": requires,
        "photos": action in PHOTO_KINDS,
        "public_reply": any(row.public_reply for row in rows),
    }


def _form_context(
    request: HttpRequest,
    event: Event,
    action: str,
    rows: list[workflow.Transition],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "event": event,
        "action": action,
        "row": rows[0] if rows else None,
        "label": _("核查") if action == "verify" else (rows[0].display_label if rows else action),
        "fields": _form_fields(action, rows),
        "values": values or {},
        "errors": errors or {},
        "message": message,
        "day_word": deadlines.day_word(event),
    }
    # 派遣 / 受理并派遣 / 改派 / 协办 / 会商 / 督办: the picker, the suggestion, the deadlines.
    ctx.update(dispatch_form.form_extras(request, event, action, ctx["values"], bool(values)))
    if action == "verify":
        ctx.update(_verify_extras(event))
    if action == "waive_assist":
        ctx["waivable"] = [a.department for a in workflow.active_assists(event)]
    if action == "decide_extension":
        ctx["pending_extension"] = event.extensions.filter(status="pending").first()
    if action == "recheck":
        ctx["pending_checks"] = list(event.tracking_checks.filter(status="pending"))
    if action == "follow_up":
        ctx["satisfactions"] = Satisfaction.choices
    if action == "resolve" and rows and rows[0].variant in ("lead", "lead_waiting"):
        ctx.update(_outcome_extras(event, ctx["values"]))
    return ctx


def _outcome_extras(event: Event, values: dict[str, Any]) -> dict[str, Any]:
    """The lead's 办结反馈 asks the outcome (化解结果): a dispute's handler must choose it
    (nothing pre-selected), any other event's form starts at 已解决."""
    required = event.category.is_dispute
    if not required and "resolution" not in values:
        values["resolution"] = Resolution.RESOLVED
    return {
        "resolutions": Resolution.choices,
        "referrals": Referral.choices,
        "resolution_required": required,
    }


@dataclass
class DepartmentResult:
    """One department's part as the verifier reads it: its result and its photos."""

    department: str
    role: str
    status: str
    result: str
    at: Any
    photos: list[Any] = field(default_factory=list)


def _verify_extras(event: Event) -> dict[str, Any]:
    """What the verifier needs to see before deciding: every department's result (lead
    first, assisting after, a waived one with the centre's reason) with the photos it
    gave with its feedback, and whether this category requires an on-site photo."""
    rows = getattr(event, "assignment_rows", None)
    if rows is None:
        rows = list(event.assignments.select_related("department").order_by("-role", "id"))
    photos = list(
        event.attachments.filter(transition__action="resolve")
        .select_related("transition")
        .order_by("uploaded_at", "id")
    )
    results = []
    for a in rows:
        if a.status in (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED):
            continue
        results.append(
            DepartmentResult(
                department=a.department.name,
                role=str(AssignmentRole(a.role).label),
                status=str(AssignmentStatus(a.status).label),
                result=a.result or a.note,
                at=a.resolved_at,
                photos=[
                    p
                    for p in photos
                    if p.transition is not None
                    and p.transition.department_id == a.department_id
                    and (a.resolved_at is None or p.transition.at <= a.resolved_at)
                ],
            )
        )
    return {
        "results": results,
        "verify_photo_required": event.category.verify_photo_required,
        # The lead's outcome, which 核查通过 keeps.
        "outcome": workflow.outcome_label(event.resolution, event.referral),
    }


def _render_form(request: HttpRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    if getattr(request, "htmx", False):
        return render(request, "web/event/action.html#form", ctx, status=status)
    return render(request, "web/event/action.html", ctx, status=status)


def _payload(request: HttpRequest, user: Any) -> dict[str, Any]:
    post = request.POST
    payload: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in post:
            payload[name] = post.get(name, "")
    for name in BOOL_FIELDS:
        if name in post:
            raw = post.get(name, "")
            payload[name] = {"true": True, "false": False}.get(raw, raw)
    if "lead_department" in post:
        payload["lead_department"] = post.get("lead_department", "")
    if "assisting_departments" in post:
        payload["assisting_departments"] = [
            v for v in post.getlist("assisting_departments") if v.strip()
        ]
    if "master" in post:
        payload["master"] = _master_id(user, post.get("master", ""))
    payload.update(dispatch_form.payload_extras(request))
    return payload


def _master_id(user: Any, raw: str) -> Any:
    """An event code or id typed by the dispatcher → the id of that event in scope."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if raw.isascii() and raw.isdigit() and len(raw) <= 12:
        return int(raw)
    match = event_list(user=user, filters=EventFilters(q=raw)).filter(code=raw).first()
    if match is None:
        raise Invalid(f"master: {_('主事件不存在')}", fields={"master": _("主事件不存在")})
    return match.pk


def newest_transition(user: Any, event_id: int) -> Any:
    """The timeline row just written (the newest one) for attaching photos to it."""
    rows = event_detail(user=user, event_id=event_id).timeline_rows  # type: ignore[attr-defined]
    return rows[-1] if rows else None


def attach_photos(
    *, actor: Actor, event_id: int, files: list[Any], kind: str, transition: Any = None
) -> None:
    """Attach uploaded photos to an event (and a timeline row), raising Invalid on bad files."""
    if not files:
        return
    for upload in files:
        try:
            attachment_add(
                actor=actor, event_id=event_id, upload=upload, kind=kind, transition=transition
            )
        except Invalid as e:
            # The processing names its own field ("upload"/"file"); the form shows "photos".
            reason = next(iter(e.fields.values()), e.message) if e.fields else e.message
            raise Invalid(f"photos: {reason}", fields={"photos": reason}) from None


def _verify_confirmed(request: HttpRequest, payload: dict[str, Any]) -> None:
    """核查通过 on the page needs the box 「已现场核实处置结果」 ticked (the API does not:
    docs/workflow.md); raised after the service's own checks, inside the same
    transaction, so that nothing is kept."""
    if payload.get("passed") is True and request.POST.get("confirmed") != "1":
        reason = _("请勾选「已现场核实处置结果」后再核查通过")
        raise Invalid(f"confirmed: {reason}", fields={"confirmed": reason})


@login_required
@require_http_methods(["GET", "POST"])
def event_action(request: HttpRequest, event_id: int, action: str) -> HttpResponse:
    """GET: the form for one action. POST: fire it; on error show the form again with the
    Chinese message (nothing changed), on success the refreshed page + HX-Trigger."""
    user = request.user
    event = _load(user, event_id)
    if action not in workflow.ACTIONS:
        raise Http404(_("没有这个操作"))
    rows = _rows_for(user, event, action)

    if request.method == "GET":
        if not rows:
            ctx = _form_context(
                request,
                event,
                action,
                workflow.rows_for(action),
                message=_("当前不能执行此操作"),
            )
            ctx["closed"] = True
            return _render_form(request, ctx, status=409)
        return _render_form(request, _form_context(request, event, action, rows))

    values: dict[str, Any] = {k: request.POST.get(k, "") for k in request.POST}
    values["assisting_departments"] = request.POST.getlist("assisting_departments")
    values.update(dispatch_form.posted_values(request))
    form_rows = rows or workflow.rows_for(action)
    try:
        with transaction.atomic():
            payload = _payload(request, user)
            files = request.FILES.getlist("photos")
            if action == "verify":
                # The on-site photos go in first: 核查通过 may require one (the service
                # counts the verifier's photos not yet on a timeline row).
                attach_photos(
                    actor=actor_of(request),
                    event_id=event.pk,
                    files=files,
                    kind=PHOTO_KINDS[action],
                )
            if action == "resolve" and rows and rows[0].variant in ("lead", "lead_waiting"):
                workflow.dispute_outcome_required(event, payload)
            event_transition(
                actor=actor_of(request), event_id=event.pk, action=action, payload=payload
            )
            if action == "verify":
                # (The service put the counted photos on the verification's row.)
                _verify_confirmed(request, payload)
            elif files and action in PHOTO_KINDS:
                attach_photos(
                    actor=actor_of(request),
                    event_id=event.pk,
                    files=files,
                    kind=PHOTO_KINDS[action],
                    transition=newest_transition(user, event.pk),
                )
    except NotFound:
        raise Http404(_("事件不存在")) from None
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        message = _("请检查填写的内容") if isinstance(e, Invalid) else e.message
        ctx = _form_context(
            request, event, action, form_rows, values=values, errors=errors, message=message
        )
        return _render_form(request, ctx, status=e.status)

    label = form_rows[0].display_label if form_rows else action
    if getattr(request, "htmx", False):
        fresh = _load(user, event.pk)
        response = render(request, "web/event/detail.html#page", _page_context(request, fresh))
        response["HX-Retarget"] = "#event-page"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Trigger"] = "event-changed"
        return response
    messages.success(request, _("已完成：%(label)s") % {"label": label})
    return redirect(reverse("event_detail", args=[event.pk]), permanent=False)

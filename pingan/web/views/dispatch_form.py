"""The dispatch-side action forms of the event page: 派遣 / 受理并派遣 / 改派 / 增加协办 /
撤销协办 (a searchable department picker grouped by level and town, the suggestion first
and selected, the deadlines before confirming), 发起会商 / 会商结论, 督办 / 督办回复.

`event.py` calls `form_extras` for the form's context and `payload_extras` for the
fields these forms post; the deadline preview is its own small GET (`dispatch_deadlines`)
so that the form can refresh it with htmx. Everything works as a plain form without JS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.core import clock
from pingan.core.errors import NotFound
from pingan.events import workflow
from pingan.events.choices import AssignmentRole
from pingan.events.models import ConsultationStatus, Event, SupervisionLevel
from pingan.events.permissions import access_event
from pingan.events.supervision import answerable, reply_days
from pingan.geo.choices import Level
from pingan.org.models import Department
from pingan.org.selectors import department_list
from pingan.routing.selectors import suggest as routing_suggest

# Forms that pick departments, and the field each one posts.
PICKER_ACTIONS = {
    "dispatch": "lead_department",
    "accept_dispatch": "lead_department",
    "reassign": "lead_department",
    "add_assist": "department",
    "remove_assist": "department",
}
# Forms whose confirmation starts the clocks: the deadlines are shown before confirming.
CLOCK_ACTIONS = ("dispatch", "accept_dispatch", "reassign")
TEXT_FIELDS = (
    "department",
    "topic",
    "scheduled_at",
    "level",
    "reply_days",
    "reply",
    "supervision",
    "consultation",
    "suggested_lead",
)
LIST_FIELDS = ("invited_departments", "suggested_assisting")


@dataclass
class Group:
    """A heading of the picker (推荐, 县级部门, a town's offices) and its departments."""

    name: str
    departments: list[Department] = field(default_factory=list)
    suggested: bool = False


@dataclass
class Proposal:
    """What the form proposes: a lead and assisting departments, and why."""

    lead: Department | None = None
    assisting: list[Department] = field(default_factory=list)
    reason: str = ""


def _groups(departments: list[Department], first: list[Department]) -> list[Group]:
    """The departments under their region: the suggested ones first (推荐), then the county
    level, then each town's (and below) in the directory's order; searchable by name."""
    chosen = {d.pk for d in first}
    out: list[Group] = []
    if first:
        out.append(Group(_("推荐"), list(first), suggested=True))
    by_region: dict[int, Group] = {}
    for d in departments:
        if d.pk in chosen:
            continue
        region = d.region
        if region.level in (Level.COUNTY, Level.CITY):
            name = _("%(region)s 县级部门") % {"region": region.name}
        else:
            name = region.name
        group = by_region.get(region.pk)
        if group is None:
            group = by_region[region.pk] = Group(name)
            out.append(group)
        group.departments.append(d)
    return out


def _proposal(event: Event) -> Proposal:
    """The 会商结论's suggestion when the latest concluded consultation made one, else the
    routing suggestion (a rule, or the category's default department)."""
    c = (
        event.consultations.filter(
            status=ConsultationStatus.CONCLUDED, suggested_lead__isnull=False
        )
        .select_related("suggested_lead")
        .order_by("-concluded_at", "-id")
        .first()
    )
    if c is not None and c.suggested_lead is not None and c.suggested_lead.is_active:
        return Proposal(
            c.suggested_lead,
            list(c.suggested_assisting.filter(is_active=True)),
            _("会商结论"),
        )
    s = routing_suggest(event)
    lead = s.lead or event.category.default_department
    return Proposal(lead, list(s.assisting), s.reason)


def deadline_preview(event: Event, now: dt.datetime | None = None) -> dict[str, Any]:
    """The 签收 and 办理 deadlines a dispatch confirmed now would set."""
    now = now or clock.now()
    ack_due, due = workflow.fresh_deadlines(event, now)
    return {"at": now, "ack_due_at": ack_due, "due_at": due}


def _active(event: Event) -> list[Any]:
    return list(
        event.assignments.filter(status__in=workflow.ACTIVE)
        .select_related("department")
        .order_by("-role", "id")
    )


def form_extras(
    request: HttpRequest, event: Event, action: str, values: dict[str, Any], posted: bool
) -> dict[str, Any]:
    """The extra context of these forms; `values` (the form's values) is filled with the
    suggestion on a fresh form."""
    ctx: dict[str, Any] = {}
    if action in PICKER_ACTIONS:
        departments = department_list(user=request.user)
        active = _active(event)
        lead_id = event.lead_department_id
        assisting_ids = {a.department_id for a in active if a.role == AssignmentRole.ASSIST}
        first: list[Department] = []
        if action in ("dispatch", "accept_dispatch"):
            proposal = _proposal(event)
            ctx["proposal"] = proposal
            if proposal.lead is not None:
                first = [proposal.lead]
            if not posted:
                values["lead_department"] = str(proposal.lead.pk) if proposal.lead else ""
                values["assisting_departments"] = [
                    str(d.pk) for d in proposal.assisting if proposal.lead != d
                ]
        elif action == "reassign":
            departments = [d for d in departments if d.pk != lead_id]
        elif action == "add_assist":
            departments = [d for d in departments if d.pk != lead_id and d.pk not in assisting_ids]
        elif action == "remove_assist":
            departments = [a.department for a in active if a.role == AssignmentRole.ASSIST]
        ctx["picker"] = {
            "field": PICKER_ACTIONS[action],
            "assist": action in ("dispatch", "accept_dispatch"),
            "groups": _groups(departments, first),
            "count": len(departments),
            "selected": str(values.get(PICKER_ACTIONS[action]) or ""),
        }
        ctx["current_lead"] = event.lead_department if lead_id else None
        ctx["current_assisting"] = [a.department for a in active if a.role == AssignmentRole.ASSIST]
    if action in CLOCK_ACTIONS:
        ctx["preview"] = deadline_preview(event)
    if action == "consult":
        ctx["picker"] = {
            "field": "invited_departments",
            "multiple": True,
            "groups": _groups(department_list(user=request.user), []),
        }
    if action == "conclude_consult":
        ctx["departments"] = department_list(user=request.user)
        ctx["pending_consultation"] = (
            event.consultations.filter(status=ConsultationStatus.INVITED)
            .prefetch_related("invited_departments")
            .order_by("-at", "-id")
            .first()
        )
    if action == "supervise":
        ctx["levels"] = [
            (value, label, reply_days(value)) for value, label in SupervisionLevel.choices
        ]
        ctx["active_assignments"] = _active(event)
        if not posted:
            values.setdefault("level", SupervisionLevel.NORMAL.value)
    if action == "reply_supervision":
        ctx["open_orders"] = answerable(request.user, event)
    return ctx


def payload_extras(request: HttpRequest) -> dict[str, Any]:
    """The fields these forms post, as the transition's payload wants them."""
    post = request.POST
    payload: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in post:
            payload[name] = post.get(name, "")
    for name in LIST_FIELDS:
        if name in post:
            payload[name] = [v for v in post.getlist(name) if v.strip()]
    return payload


def posted_values(request: HttpRequest) -> dict[str, Any]:
    """The list fields' values as posted (to show the form again after an error)."""
    return {name: request.POST.getlist(name) for name in LIST_FIELDS}


@login_required
@require_http_methods(["GET"])
def dispatch_deadlines(request: HttpRequest, event_id: int) -> HttpResponse:
    """The deadlines a dispatch of the event confirmed now would set (a fragment the
    dispatch form refreshes); 404 out of scope."""
    try:
        event = access_event(request.user, event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None
    return render(
        request,
        "web/event/_deadline_preview.html",
        {"event": event, "preview": deadline_preview(event)},
    )

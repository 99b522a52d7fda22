"""The risk register (稳评台账): the list with filters, figures and a map of the matters,
one matter's page (steps, measures, timeline, linked events, the engine's buttons), the
register form and the action forms. Reads through `risk.selectors`, writes through
`risk.services`; buttons come from the case engine (`cases.service.allowed`). docs/risk.md."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.analytics.kpis import format_rate, rate
from pingan.cases.service import allowed, buttons
from pingan.core import clock
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.choices import Role
from pingan.org.models import Department
from pingan.risk import linking, stats
from pingan.risk.choices import Decision, Grade, MatterKind, Status, StepKind
from pingan.risk.kind import RISK
from pingan.risk.models import MajorMatter
from pingan.risk.permissions import office_memberships
from pingan.risk.selectors import linked_event_dict, matter_detail, matter_list, measure_state
from pingan.risk.services import matter_create, risk_transition

# Who has the register (the header's 「稳评」): the office, leaders, departments, grid staff.
REGISTER_ROLES = frozenset(
    {Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.GRID_WORKER, Role.GRID_LEADER}
)
PAGE_SIZE = 50
MAP_LIMIT = 500
# Actions with a form here; the others go to the generic form /cases/risk/<id>/<action>/.
FORM_ACTIONS: dict[str, tuple[str, ...]] = {
    "record_step": ("step_kind", "held_on", "body", "summary"),
    "grade": ("grade", "reasons"),
    "decide": ("decision", "note"),
    "add_measure": ("measure", "owner_department", "owner_user", "deadline"),
    "measure_done": ("measure_id", "note"),
}
REGISTER_FIELDS = (
    "title",
    "kind",
    "owner_department",
    "region",
    "lat",
    "lng",
    "area",
    "radius_m",
    "people_affected",
    "planned_on",
    "description",
)


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def _tile_url() -> str:
    return getattr(settings, "PINGAN_MAP_TILE_URL", "") or ""


def _map_item(m: MajorMatter) -> dict[str, Any]:
    return {
        "id": m.pk,
        "code": m.code,
        "title": m.title,
        "grade": m.grade,
        "grade_label": m.get_grade_display() if m.grade else _("未定级"),
        "status_label": m.get_status_display(),
        "lat": m.lat,
        "lng": m.lng,
        "area": m.area,
        "radius_m": m.radius_m,
        "url": reverse("risk_matter", args=[m.pk]),
    }


def _split(request: HttpRequest, name: str, values: list[str]) -> list[str]:
    return [v for v in request.GET.getlist(name) if v in values]


# ---- the register ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def risk_register(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.roles & REGISTER_ROLES:
        return _forbidden(_("当前角色不能查看稳评台账"))
    chosen = {
        "grade": _split(request, "grade", Grade.values),
        "decision": _split(request, "decision", Decision.values),
        "kind": _split(request, "kind", MatterKind.values),
        "status": _split(request, "status", Status.values),
    }
    region = None
    raw_region = request.GET.get("region", "")
    if raw_region.isdigit():
        region = Region.objects.filter(pk=int(raw_region)).first()
    filters = {
        "grade": chosen["grade"],
        "decision": chosen["decision"],
        "kind": chosen["kind"],
        "status": chosen["status"],
    }
    qs = matter_list(actor=actor, region=region, counts=True, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate(clock.now())
    date_from, date_to = stats.default_period(today)
    figures = stats.figures(actor=actor, date_from=date_from, date_to=date_to, region=region)
    on_time = rate(figures["measures_on_time"], figures["measures_due"])
    # The map: the matters of the filter that have a place (one query, no annotations).
    placed = (
        matter_list(actor=actor, region=region, counts=False, **filters)
        .exclude(lat__isnull=True, area__isnull=True)
        .order_by("-created_at")[:MAP_LIMIT]
    )
    regions = Region.objects.filter(
        within_q("path", actor.paths()), level__in=("county", "town")
    ).order_by("path")
    return render(
        request,
        "web/risk/register.html",
        {
            "nav_active": "risk",
            "page": page,
            "chosen": chosen,
            "region": region,
            "regions": regions,
            "grades": Grade.choices,
            "decisions": Decision.choices,
            "kinds": MatterKind.choices,
            "statuses": Status.choices,
            "figures": figures,
            "grade_rows": [(v, label, figures["by_grade"][v]) for v, label in Grade.choices],
            "decision_rows": [
                (v, label, figures["by_decision"][v]) for v, label in Decision.choices
            ],
            "on_time_text": format_rate(on_time),
            "map_data": {
                "tile_url": _tile_url(),
                "matters": [_map_item(m) for m in placed],
                "events": [],
            },
            "may_register": bool(office_memberships(actor)),
        },
    )


# ---- one matter -------------------------------------------------------------------------------


def _load(actor: Actor, matter_id: int) -> MajorMatter:
    try:
        return matter_detail(actor=actor, matter_id=matter_id)
    except NotFound:
        raise Http404(_("重大事项不存在")) from None


def _button_url(m: MajorMatter, action: str) -> str:
    if action in FORM_ACTIONS:
        return reverse("risk_action", args=[m.pk, action])
    return reverse("case_action", args=[RISK.name, m.pk, action])


def _timeline(m: MajorMatter) -> list[dict[str, Any]]:
    wf = RISK.workflow
    return [
        {
            "at": t.at,
            "action": t.action,
            "label": wf.action_label(t.action),
            "actor": t.actor.display_name if t.actor else _("系统"),
            "role": str(Role(t.actor_role).label) if t.actor_role in Role.values else "",
            "from_label": wf.state_label(t.from_status) if t.from_status else "",
            "to_label": wf.state_label(t.to_status) if t.to_status else "",
            "note": t.note,
        }
        for t in m.timeline.all()
    ]


@login_required
@require_http_methods(["GET"])
def risk_matter(request: HttpRequest, risk_matter_id: int) -> HttpResponse:
    """The matter's page; the same 404 for a missing matter and one out of scope."""
    actor = actor_of(request)
    m = _load(actor, risk_matter_id)
    rows = allowed(RISK, actor, m)
    actions = [{**b, "url": _button_url(m, b["action"])} for b in buttons(RISK, rows)]
    today = timezone.localdate(clock.now())
    linked = linking.linked_events(actor=actor, matter=m)
    disputes = linking.dispute_category_ids() if linked.events else set()
    latest = [linked_event_dict(e, disputes=disputes) for e in linked.latest]
    latest_disputes = [linked_event_dict(e, disputes=disputes) for e in linked.latest_disputes]
    measures = [{"m": x, "state": measure_state(x, today)} for x in m.measures.all()]
    return render(
        request,
        "web/risk/matter.html",
        {
            "nav_active": "risk",
            "matter": m,
            "steps": list(m.steps.all()),
            "measures": measures,
            "timeline": _timeline(m),
            "actions": actions,
            "linked": linked,
            "latest": latest,
            "latest_disputes": latest_disputes,
            "map_data": {
                "tile_url": _tile_url(),
                "matters": [_map_item(m)] if m.has_place else [],
                "events": [
                    {
                        "code": e["code"],
                        "title": e["title"],
                        "lat": e["lat"],
                        "lng": e["lng"],
                        "dispute": e["is_dispute"],
                    }
                    for e in latest
                ],
            },
        },
    )


# ---- the action forms ---------------------------------------------------------------------


def _action_context(
    m: MajorMatter,
    action: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    open_measures = [x for x in m.measures.all() if x.done_at is None]
    return {
        "nav_active": "risk",
        "matter": m,
        "action": action,
        "label": RISK.workflow.action_label(action),
        "fields": FORM_ACTIONS[action],
        "step_kinds": StepKind.choices,
        "grades": Grade.choices,
        "decisions": Decision.choices,
        "departments": Department.objects.filter(is_active=True).order_by("code")
        if action == "add_measure"
        else [],
        "open_measures": open_measures,
        "values": values or {},
        "errors": errors or {},
        "message": message,
        "state_label": RISK.workflow.state_label(m.status),
        "today": timezone.localdate(clock.now()).isoformat(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def risk_action(request: HttpRequest, risk_matter_id: int, action: str) -> HttpResponse:
    """The forms the generic one cannot draw (choices, dates, departments, the measure
    picker). 403 when the actor may not fire the action now; nothing written on an error
    (the form again, with the reason in Chinese)."""
    if action not in FORM_ACTIONS:
        raise Http404(_("页面不存在"))
    actor = actor_of(request)
    m = _load(actor, risk_matter_id)
    if not any(r.action == action for r in allowed(RISK, actor, m)):
        ctx = _action_context(m, action, message=_("您当前不能执行此操作"))
        return render(request, "web/risk/action.html", ctx, status=403)
    if request.method == "GET":
        return render(request, "web/risk/action.html", _action_context(m, action))
    payload = {
        name: request.POST.get(name, "").strip()
        for name in FORM_ACTIONS[action]
        if name in request.POST
    }
    try:
        risk_transition(actor=actor, matter_id=m.pk, action=action, payload=payload)
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        stray = [r for name, r in errors.items() if name not in FORM_ACTIONS[action]]
        ctx = _action_context(
            _load(actor, risk_matter_id),
            action,
            values=payload,
            errors=errors,
            message="；".join(stray) if stray else ("" if errors else e.message),
        )
        return render(request, "web/risk/action.html", ctx, status=e.status)
    return redirect("risk_matter", risk_matter_id=m.pk)


# ---- registering ------------------------------------------------------------------------------


def _register_context(
    actor: Actor, values: dict[str, Any], errors: dict[str, str], message: str = ""
) -> dict[str, Any]:
    paths = [mm.region.path for mm in office_memberships(actor) if mm.region is not None]
    return {
        "nav_active": "risk",
        "kinds": MatterKind.choices,
        "departments": Department.objects.filter(is_active=True).order_by("code"),
        "regions": Region.objects.filter(within_q("path", paths)).order_by("path")[:2000],
        "values": values,
        "errors": errors,
        "message": message,
        "tile_url": _tile_url(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request: HttpRequest) -> HttpResponse:
    """The register form (登记重大事项): the county's Ping'an office only (403 otherwise);
    the polygon as GeoJSON text (drawn elsewhere or pasted), the point as lat/lng."""
    actor = actor_of(request)
    if not office_memberships(actor):
        return _forbidden(_("只有县级平安办（受理员、领导）可以登记重大事项"))
    if request.method == "GET":
        return render(request, "web/risk/new.html", _register_context(actor, {}, {}))
    values = {k: request.POST.get(k, "").strip() for k in REGISTER_FIELDS}
    fields: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
    if "area" in fields:
        with contextlib.suppress(ValueError):  # the service names the field
            fields["area"] = json.loads(fields["area"])
    for name in ("title", "owner_department", "region"):
        fields.setdefault(name, "")
    try:
        matter = matter_create(actor=actor, **fields)
    except (Invalid, Forbidden) as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        ctx = _register_context(actor, values, errors, "" if errors else e.message)
        return render(request, "web/risk/new.html", ctx, status=e.status)
    return redirect("risk_matter", risk_matter_id=matter.pk)

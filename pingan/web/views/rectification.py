"""Rectification pages (整改通知): the list with filters and counts per state (overdue in
red), one order (requirement, evidence, timeline, the engine's buttons; the owner unit
uploads evidence here), issuing an order by hand (the office), an evidence file through
the scope check, and the deductions of a year per unit with each deduction's source.
Reads through `rectification.selectors`/`permissions`, writes through
`rectification.services`; the actions go to the engine's generic form
`/cases/rectification/<id>/<action>/`. docs/rectification.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.access.actor import actor_of
from pingan.cases.service import allowed, buttons
from pingan.core import clock
from pingan.core.errors import DomainError, Invalid, NotFound
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.choices import Role
from pingan.org.models import Department
from pingan.rectification.choices import OrderSource, Status
from pingan.rectification.kind import RECTIFICATION
from pingan.rectification.models import Evidence, RectificationOrder
from pingan.rectification.permissions import access_order, is_unit, office_paths
from pingan.rectification.selectors import (
    deduction_totals,
    deductions_in_scope,
    order_list,
    order_state_counts,
)
from pingan.rectification.services import evidence_add, order_issue

# Who has the list (the header's 「整改」): the office and towns, departments, leaders,
# inspectors; grid staff have none.
LIST_ROLES = frozenset({Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.INSPECTOR})
PAGE_SIZE = 50


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _units(actor: Any) -> tuple[list[Region], list[Department]]:
    """The towns and departments the actor may filter by (their own regions' towns)."""
    towns = list(
        Region.objects.filter(within_q("path", actor.paths()), level=Level.TOWN).order_by("code")
    )
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    return towns, departments


# ---- the list ---------------------------------------------------------------------------------


@login_required
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.roles & LIST_ROLES:
        return _forbidden(_("当前角色不能查看整改通知"))
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    unit = request.GET.get("unit", "")
    kind, _sep, pk = unit.partition(":")
    unit_region = int(pk) if kind == "region" and pk.isdigit() else None
    unit_department = int(pk) if kind == "department" and pk.isdigit() else None
    overdue = {"1": True, "0": False}.get(request.GET.get("overdue", ""))
    campaign = _int(request.GET.get("campaign"))
    common: dict[str, Any] = {
        "unit_region_id": unit_region,
        "unit_department_id": unit_department,
        "overdue": overdue,
        "campaign_id": campaign,
    }
    qs = order_list(actor, status=status, **common)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = order_state_counts(order_list(actor, **common))
    towns, departments = _units(actor)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/rectification/list.html",
        {
            "nav_active": "rectification",
            "page": page,
            "state_rows": [(v, label, counts[v]) for v, label in Status.choices],
            "total": sum(counts.values()),
            "statuses": Status.choices,
            "status": status,
            "unit": unit,
            "overdue": request.GET.get("overdue", ""),
            "unit_options": [(f"region:{t.pk}", t.name) for t in towns]
            + [(f"department:{d.pk}", d.name) for d in departments],
            "query": query.urlencode(),
            "today": timezone.localdate(clock.now()),
            "may_issue": bool(office_paths(actor)),
        },
    )


# ---- one order --------------------------------------------------------------------------------


def _load(request: HttpRequest, order_id: int) -> RectificationOrder:
    try:
        return access_order(actor_of(request), order_id)
    except NotFound:
        raise Http404(_("整改通知不存在")) from None


def _timeline(o: RectificationOrder) -> list[dict[str, Any]]:
    wf = RECTIFICATION.workflow
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
        for t in o.timeline.select_related("actor")
    ]


def _order_page(
    request: HttpRequest, o: RectificationOrder, *, error: str = "", status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    actions = [
        {**b, "url": reverse("case_action", args=[RECTIFICATION.name, o.pk, b["action"]])}
        for b in buttons(RECTIFICATION, allowed(RECTIFICATION, actor, o))
    ]
    may_upload = (
        o.published
        and o.status in (Status.ISSUED, Status.RECTIFYING)
        and any(is_unit(m, o) for m in actor.memberships)
    )
    return render(
        request,
        "web/rectification/order.html",
        {
            "nav_active": "rectification",
            "order": o,
            "actions": actions,
            "evidence": list(o.evidence.all()),
            "timeline": _timeline(o),
            "deductions": list(o.deductions.all()) if o.published or office_paths(actor) else [],
            "watchers": [u.display_name for u in o.watchers.all()],
            "may_upload": may_upload,
            "upload_error": error,
        },
        status=status,
    )


@login_required
@require_GET
def rectification_order(request: HttpRequest, order_id: int) -> HttpResponse:
    return _order_page(request, _load(request, order_id))


@login_required
@require_POST
def rectification_evidence_upload(request: HttpRequest, order_id: int) -> HttpResponse:
    o = _load(request, order_id)
    if not any(is_unit(m, o) for m in actor_of(request).memberships):
        return _forbidden(_("只有责任单位可以上传佐证材料"))
    upload = request.FILES.get("file")
    if upload is None:
        return _order_page(request, o, error=_("请选择文件"), status=422)
    try:
        evidence_add(
            actor=actor_of(request),
            order_id=o.pk,
            upload=upload,
            name=upload.name or "",
            note=request.POST.get("note", ""),
        )
    except DomainError as e:
        message = "；".join(e.fields.values()) if isinstance(e, Invalid) else e.message
        return _order_page(request, _load(request, order_id), error=message, status=e.status)
    return redirect("rectification_order", order_id=o.pk)


@login_required
@require_GET
def rectification_evidence_file(
    request: HttpRequest, order_id: int, evidence_id: int
) -> FileResponse:
    o = _load(request, order_id)
    evidence = Evidence.objects.filter(order=o, pk=evidence_id).first()
    if evidence is None:
        raise Http404(_("佐证材料不存在"))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("佐证材料不存在")) from exc
    response = FileResponse(handle, content_type=evidence.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- issuing by hand --------------------------------------------------------------------------


def _form_values(post: Any) -> dict[str, Any]:
    unit = post.get("unit", "")
    kind, _sep, pk = unit.partition(":")
    try:
        deadline = dt.date.fromisoformat(post.get("deadline", ""))
    except ValueError:
        raise Invalid(_("整改期限应为日期"), fields={"deadline": _("整改期限应为日期")}) from None
    try:
        points = Decimal(post.get("deduction_points") or "1")
    except InvalidOperation:
        raise Invalid(_("扣分应为数字"), fields={"deduction_points": _("扣分应为数字")}) from None
    return {
        "title": post.get("title", ""),
        "finding": post.get("finding", ""),
        "requirement": post.get("requirement", ""),
        "evidence_required": post.get("evidence_required", ""),
        "deadline": deadline,
        "region_id": _int(post.get("region")) or 0,
        "unit_region_id": int(pk) if kind == "region" and pk.isdigit() else None,
        "unit_department_id": int(pk) if kind == "department" and pk.isdigit() else None,
        "deduction_points": points,
        "source_kind": OrderSource.MANUAL,
    }


@login_required
@require_http_methods(["GET", "POST"])
def rectification_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    paths = office_paths(actor)
    if not paths:
        return _forbidden(_("只有县级平安办可以下发整改通知"))
    towns, departments = _units(actor)
    regions = Region.objects.filter(
        within_q("path", paths), level__in=(Level.COUNTY, Level.TOWN, Level.VILLAGE)
    ).order_by("path")
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        try:
            values = _form_values(request.POST)
            o = order_issue(actor=actor, **values)
        except DomainError as e:
            errors = dict(e.fields) if isinstance(e, Invalid) else {}
            message = "" if errors else e.message
        else:
            return redirect("rectification_order", order_id=o.pk)
    return render(
        request,
        "web/rectification/new.html",
        {
            "nav_active": "rectification",
            "regions": regions,
            "towns": towns,
            "departments": departments,
            "values": request.POST if request.method == "POST" else {},
            "errors": errors,
            "message": message,
        },
        status=422 if errors else (409 if message else 200),
    )


# ---- deductions -------------------------------------------------------------------------------


@login_required
@require_GET
def rectification_deductions(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.roles & LIST_ROLES:
        return _forbidden(_("当前角色不能查看扣分情况"))
    this_year = timezone.localdate(clock.now()).year
    year = _int(request.GET.get("year")) or this_year
    if not 2000 <= year <= 2100:
        year = this_year
    qs = deductions_in_scope(actor).filter(on__year=year, cancelled=False)
    totals = deduction_totals(qs)
    items = list(qs.order_by("-on", "-id")[:500])
    return render(
        request,
        "web/rectification/deductions.html",
        {
            "nav_active": "rectification",
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "totals": totals,
            "total_points": sum((t["points"] for t in totals), Decimal("0")),
            "items": items,
            "capped": qs.count() > len(items),
        },
    )

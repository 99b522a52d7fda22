"""The inspection pages (docs/inspections.md, "Pages"): the home page (tasks due and
overdue, recent inspections, plans), an inspection (answers, findings with 「下发整改」,
deductions, publish, 通报 download), the plans and the new-plan form. Reads through
`inspections.selectors`, writes through `inspections.services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, Invalid, NotFound
from pingan.geo.choices import Level as GeoLevel
from pingan.geo.models import Region
from pingan.inspections import periods, selectors, services
from pingan.inspections.choices import Frequency, Kind, Level
from pingan.inspections.permissions import can_issue, can_manage, is_office
from pingan.inspections.reports import docx_response, inspection_report
from pingan.org.choices import Role
from pingan.org.models import Department, Membership

RECENT = 30


def _denied(e: DomainError) -> HttpResponse:
    if isinstance(e, NotFound):
        raise Http404(e.message)
    return HttpResponse(e.message, status=e.status, content_type="text/plain; charset=utf-8")


@login_required
@require_http_methods(["GET"])
def inspections_home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    today = periods.today()
    due = list(selectors.task_list(actor, due="today")[:100])
    ctx = {
        "nav_active": "inspections",
        "tasks": [{"task": t, "overdue": t.due_on < today} for t in due],
        "inspections": list(selectors.inspection_list(actor)[:RECENT]),
        "plans": list(selectors.plan_list(actor, year=today.year)[:50]),
        "is_office": is_office(actor),
        "today": today,
    }
    return render(request, "web/inspections/home.html", ctx)


@login_required
@require_http_methods(["GET"])
def inspections_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        i = selectors.inspection_detail(actor, inspection_id)
    except NotFound:
        raise Http404(_("督查检查不存在")) from None
    ctx = {
        "nav_active": "inspections",
        "i": i,
        "answers": list(i.answers.all()),
        "findings": list(i.findings.all()),
        "photos": list(i.photos.all()),
        "can_publish": i.published_at is None and can_manage(actor, i.region_path),
        "can_issue": can_issue(actor, i),
        "default_deadline": periods.today() + dt.timedelta(days=15),
    }
    return render(request, "web/inspections/detail.html", ctx)


@login_required
@require_http_methods(["POST"])
def inspections_publish(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        n = services.inspection_publish(actor=actor_of(request), inspection_id=inspection_id)
    except DomainError as e:
        return _denied(e)
    messages.success(request, _("已通报，公开整改通知%(n)s件") % {"n": n})
    return redirect("inspections_detail", inspection_id=inspection_id)


@login_required
@require_http_methods(["POST"])
def inspections_order(request: HttpRequest, inspection_id: int, finding_id: int) -> HttpResponse:
    try:
        deadline = dt.date.fromisoformat(request.POST.get("deadline", ""))
    except ValueError:
        deadline = None
    try:
        if deadline is None:
            raise Invalid(_("请填写整改期限"), fields={"deadline": _("请填写整改期限")})
        services.finding_order_issue(
            actor=actor_of(request),
            inspection_id=inspection_id,
            finding_id=finding_id,
            deadline=deadline,
            requirement=request.POST.get("requirement", ""),
            evidence_required=request.POST.get("evidence_required", ""),
        )
    except Invalid as e:
        messages.error(request, e.message)
        return redirect("inspections_detail", inspection_id=inspection_id)
    except DomainError as e:
        return _denied(e)
    messages.success(request, _("已下发整改通知"))
    return redirect("inspections_detail", inspection_id=inspection_id)


@login_required
@require_http_methods(["GET"])
def inspections_report(request: HttpRequest, inspection_id: int) -> HttpResponse:
    try:
        data, stem = inspection_report(actor=actor_of(request), inspection_id=inspection_id)
    except NotFound:
        raise Http404(_("督查检查不存在")) from None
    return docx_response(data, stem)


@login_required
@require_http_methods(["GET"])
def inspections_plans(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    ctx = {
        "nav_active": "inspections",
        "plans": list(selectors.plan_list(actor)[:200]),
        "is_office": is_office(actor),
    }
    return render(request, "web/inspections/plans.html", ctx)


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@login_required
@require_http_methods(["GET", "POST"])
def inspections_plan_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not is_office(actor):
        return HttpResponse(
            _("只有县级平安办可以制定督查计划"),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    post = request.POST
    values: dict[str, Any] = {"year": periods.today().year}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {
            "name": post.get("name", ""),
            "level": post.get("level", ""),
            "kind": post.get("kind", ""),
            "frequency": post.get("frequency", ""),
            "year": post.get("year", ""),
            "towns": _int_list(post.getlist("towns")),
            "departments": _int_list(post.getlist("departments")),
            "inspectors": _int_list(post.getlist("inspectors")),
            "return_visits": post.get("return_visits") == "1",
        }
        try:
            year = int(values["year"])
        except ValueError:
            year = 0
        try:
            plan = services.plan_create(
                actor=actor,
                name=values["name"],
                level=values["level"],
                kind=values["kind"],
                frequency=values["frequency"],
                year=year,
                target_region_ids=values["towns"],
                target_department_ids=values["departments"],
                inspector_ids=values["inspectors"],
                return_visits=values["return_visits"],
            )
        except Invalid as e:
            errors, status = e.fields or {"name": e.message}, 422
        else:
            messages.success(request, _("已制定督查计划：%(name)s") % {"name": plan.name})
            return redirect("inspections_plans")
    people = (
        Membership.objects.filter(is_active=True, role__in=[Role.INSPECTOR, Role.LEADER])
        .values_list("user_id", flat=True)
        .distinct()
    )
    ctx = {
        "nav_active": "inspections",
        "values": values,
        "errors": errors,
        "levels": Level.choices,
        "kinds": Kind.choices,
        "frequencies": Frequency.choices,
        "towns": Region.objects.filter(level=GeoLevel.TOWN).order_by("path"),
        "departments": Department.objects.filter(is_active=True).order_by("code"),
        "inspectors": get_user_model().objects.filter(pk__in=people, is_active=True),
    }
    return render(request, "web/inspections/plan_new.html", ctx, status=status)

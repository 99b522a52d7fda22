"""The emergency pages (docs/emergency.md, "Pages"): the plan library, the activations and
the command page of one (wall-screen ready, refreshed by htmx polling), 启动预案 from an
event, the group members' phone page, the duty roster and drills. Reads go through
`emergency.selectors`, writes through `emergency.services`; buttons come from the case
engine (`cases.service.allowed`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pingan.access.actor import Actor, actor_of
from pingan.cases.service import allowed, buttons
from pingan.core import clock
from pingan.core.errors import DomainError, Forbidden, Invalid, NotFound
from pingan.emergency.choices import DrillState, DutyRole, Level, Shift
from pingan.emergency.kind import ACTIVATION
from pingan.emergency.models import Activation, SituationReport
from pingan.emergency.permissions import OFFICE_ROLES, can_manage
from pingan.emergency.selectors import (
    ack_light,
    activation_detail,
    activation_list,
    drill_list,
    duty_dict,
    duty_list,
    event_activations,
    groups_of,
    handover_list,
    minutes_label,
    my_tasks,
    plan_detail,
    plan_list,
    response_times,
    task_light,
)
from pingan.emergency.services import (
    activation_from_event,
    activation_transition,
    drill_cancel,
    drill_create,
    drill_record,
    duty_handover_create,
    duty_shift_create,
    duty_shift_delete,
    situation_report,
)
from pingan.events.selectors import event_detail
from pingan.events.services import allowed_actions
from pingan.geo.choices import Level as RegionLevel
from pingan.geo.models import Region

# Actions with a form of their own on the command page; the others use the generic form.
OWN_FORMS = ("situation", "add_task")
# Member actions fired by a button (the command page, the phone page).
MEMBER_ACTIONS = ("acknowledge", "task_done")
WALL_POLL_S = 15


def _forbidden(message: str) -> HttpResponse:
    return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")


def _load(actor: Actor, activation_id: int) -> Activation:
    try:
        return activation_detail(actor=actor, activation_id=activation_id)
    except NotFound:
        raise Http404(_("预案启动记录不存在")) from None


def _office_regions(actor: Actor) -> list[Region]:
    """The county and towns the actor keeps plans, rosters and drills for."""
    levels = [RegionLevel.COUNTY, RegionLevel.TOWN]
    return [
        r
        for r in Region.objects.filter(level__in=levels).order_by("path")
        if can_manage(actor, r.path)
    ]


# ---- plans ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def emergency_plans(request: HttpRequest) -> HttpResponse:
    """The plan library."""
    actor = actor_of(request)
    return render(
        request,
        "web/emergency/plans.html",
        {"nav_active": "emergency", "plans": list(plan_list(actor=actor))},
    )


@login_required
@require_http_methods(["GET"])
def emergency_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = actor_of(request)
    plan = plan_detail(actor=actor, plan_id=plan_id)
    if plan is None:
        raise Http404(_("应急预案不存在"))
    return render(
        request,
        "web/emergency/plan.html",
        {
            "nav_active": "emergency",
            "plan": plan,
            "drills": list(drill_list(actor=actor, plan=plan.pk)[:20]),
            "activations": list(activation_list(actor=actor).filter(plan=plan)[:20]),
        },
    )


# ---- activations ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def emergency_activations(request: HttpRequest) -> HttpResponse:
    """The activations in the actor's scope, running ones first."""
    actor = actor_of(request)
    rows = list(activation_list(actor=actor)[:200])
    running = [a for a in rows if a.status != "stood_down"]
    ended = [a for a in rows if a.status == "stood_down"]
    return render(
        request,
        "web/emergency/activations.html",
        {"nav_active": "emergency", "running": running, "ended": ended},
    )


def _timeline(a: Activation) -> list[dict[str, Any]]:
    wf = ACTIVATION.workflow
    return [
        {
            "at": t.at,
            "action": t.action,
            "label": wf.action_label(t.action),
            "actor": t.actor.display_name if t.actor else _("系统"),
            "note": t.note,
            "data": t.data,
        }
        for t in a.timeline.select_related("actor").order_by("-at", "-id")
    ]


def _board(actor: Actor, a: Activation) -> dict[str, Any]:
    """What the command page and its refresh show."""
    now = clock.now()
    groups = groups_of(a)
    for g in groups:
        g.light = ack_light(g, now)  # type: ignore[attr-defined]
        g.mine = actor.pk in {u.pk for u in g.people.all()}  # type: ignore[attr-defined]
        for t in g.tasks.all():
            t.light = task_light(t, now, a.activated_at)  # type: ignore[attr-defined]
    reports = list(a.reports.select_related("by").order_by("-at", "-id"))
    spans = [
        {"key": s.key, "label": s.label, "minutes": s.minutes, "text": minutes_label(s.minutes)}
        for s in response_times(a)
    ]
    pins = [
        {
            "lat": r.lat,
            "lng": r.lng,
            "label": timezone.localtime(r.at).strftime("%H:%M") + " " + r.text[:40],
        }
        for r in reports
        if r.lat is not None and r.lng is not None
    ]
    return {
        "activation": a,
        "groups": groups,
        "reports": reports,
        "spans": spans,
        "timeline": _timeline(a),
        "map_data": {
            "tile_url": getattr(settings, "PINGAN_MAP_TILE_URL", "") or "",
            "event": {"lat": a.lat, "lng": a.lng, "label": a.event.code},
            "reports": pins,
        },
        "now": now,
        "poll_s": WALL_POLL_S,
    }


def _button_url(a: Activation, action: str) -> str:
    if action in OWN_FORMS:
        return reverse("emergency_activation_act", args=[a.pk, action])
    return reverse("case_action", args=[ACTIVATION.name, a.pk, action])


@login_required
@require_http_methods(["GET"])
def emergency_activation(request: HttpRequest, activation_id: int) -> HttpResponse:
    """The command page of one activation; `?wall=1` for the wall screen (large type)."""
    actor = actor_of(request)
    a = _load(actor, activation_id)
    rows = [r for r in allowed(ACTIVATION, actor, a) if r.action not in MEMBER_ACTIONS]
    ctx = _board(actor, a)
    ctx.update(
        nav_active="emergency",
        wall=request.GET.get("wall") == "1",
        actions=[{**b, "url": _button_url(a, b["action"])} for b in buttons(ACTIVATION, rows)],
    )
    return render(request, "web/emergency/activation.html", ctx)


@never_cache
@login_required
@require_http_methods(["GET"])
def emergency_activation_live(request: HttpRequest, activation_id: int) -> HttpResponse:
    """The command page's board, polled by htmx every WALL_POLL_S seconds."""
    actor = actor_of(request)
    a = _load(actor, activation_id)
    request.session.save = lambda must_create=False: None  # type: ignore[method-assign]
    return render(request, "web/emergency/includes/board.html", _board(actor, a))


def _act_context(a: Activation, action: str, **extra: Any) -> dict[str, Any]:
    return {
        "nav_active": "emergency",
        "activation": a,
        "action": action,
        "label": ACTIVATION.workflow.action_label(action),
        "groups": list(a.groups.order_by("order", "id")),
        "values": extra.get("values", {}),
        "errors": extra.get("errors", {}),
        "message": extra.get("message", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def emergency_activation_act(request: HttpRequest, activation_id: int, action: str) -> HttpResponse:
    """态势报告 (with an optional photo) and 增派任务 (with a group picker); 403 when the
    actor may not fire the action now; nothing written on an error."""
    if action not in OWN_FORMS:
        raise Http404(_("页面不存在"))
    actor = actor_of(request)
    a = _load(actor, activation_id)
    if not any(r.action == action for r in allowed(ACTIVATION, actor, a)):
        ctx = _act_context(a, action, message=_("您当前不能执行此操作"))
        return render(request, "web/emergency/act.html", ctx, status=403)
    if request.method == "GET":
        return render(request, "web/emergency/act.html", _act_context(a, action))
    names = (
        ("text", "people_count", "lat", "lng")
        if action == "situation"
        else ("group", "title", "minutes", "note")
    )
    payload = {n: request.POST.get(n, "").strip() for n in names if request.POST.get(n, "").strip()}
    try:
        if action == "situation":
            situation_report(
                actor=actor,
                activation_id=a.pk,
                payload=payload,
                photo=request.FILES.get("photo"),
            )
        else:
            activation_transition(actor=actor, activation_id=a.pk, action=action, payload=payload)
    except DomainError as e:
        errors = dict(e.fields) if isinstance(e, Invalid) else {}
        ctx = _act_context(
            a, action, values=payload, errors=errors, message="" if errors else e.message
        )
        return render(request, "web/emergency/act.html", ctx, status=e.status)
    return redirect("emergency_activation", activation_id=a.pk)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["POST"])
def emergency_member_action(request: HttpRequest, activation_id: int) -> HttpResponse:
    """签收 a group or 完成 a task (the phone page's and the command page's buttons)."""
    actor = actor_of(request)
    action = request.POST.get("action", "")
    if action not in MEMBER_ACTIONS:
        raise Http404(_("页面不存在"))
    field = "group" if action == "acknowledge" else "task"
    payload = {field: request.POST.get(field, ""), "note": request.POST.get("note", "").strip()}
    try:
        activation_transition(
            actor=actor, activation_id=activation_id, action=action, payload=payload
        )
    except NotFound:
        raise Http404(_("预案启动记录不存在")) from None
    except Forbidden as e:
        return _forbidden(e.message)
    except DomainError as e:
        return HttpResponse(e.message, status=e.status, content_type="text/plain; charset=utf-8")
    return redirect(_back(request, reverse("emergency_activation", args=[activation_id])))


@login_required
@require_http_methods(["GET"])
def emergency_report_photo(request: HttpRequest, report_id: int) -> HttpResponseBase:
    """A situation report's photo, for whoever sees its activation."""
    actor = actor_of(request)
    report = SituationReport.objects.filter(pk=report_id).only("activation_id", "photo").first()
    if report is None or not report.photo:
        raise Http404(_("照片不存在"))
    _load(actor, report.activation_id)
    response = FileResponse(report.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---- 启动预案 from an event --------------------------------------------------------------------


def _activatable(actor: Actor, event_id: int) -> Any:
    try:
        event = event_detail(user=actor, event_id=event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None
    if not any(r.action == "activate_plan" for r in allowed_actions(actor, event)):
        raise Forbidden(_("您当前不能对该事件启动预案"))
    return event


@login_required
@require_http_methods(["GET", "POST"])
def emergency_activate(request: HttpRequest, event_id: int) -> HttpResponse:
    """启动预案: choose the plan and the level (the centre and leaders of the event's
    region); errors per field in Chinese, nothing written."""
    actor = actor_of(request)
    try:
        event = _activatable(actor, event_id)
    except Forbidden as e:
        return _forbidden(e.message)
    plans = list(plan_list(actor=actor, active=True))
    ctx: dict[str, Any] = {
        "nav_active": "emergency",
        "event": event,
        "plans": plans,
        "levels": Level.choices,
        "values": {},
        "errors": {},
        "message": "",
    }
    if request.method == "GET":
        return render(request, "web/emergency/activate.html", ctx)
    values = {k: request.POST.get(k, "").strip() for k in ("plan", "level", "note")}
    try:
        a = activation_from_event(
            actor=actor,
            event_id=event.pk,
            plan=values["plan"] or None,
            level=values["level"] or None,
            note=values["note"],
        )
    except DomainError as e:
        ctx.update(
            values=values,
            errors=dict(e.fields) if isinstance(e, Invalid) else {},
            message="" if isinstance(e, Invalid) else e.message,
        )
        return render(request, "web/emergency/activate.html", ctx, status=e.status)
    return redirect("emergency_activation", activation_id=a.pk)


@login_required
@require_http_methods(["GET"])
def emergency_event_banner(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event page's line about its activations (loaded by htmx): empty when none."""
    actor = actor_of(request)
    try:
        event_detail(user=actor, event_id=event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None
    rows = event_activations(actor=actor, event_id=event_id)
    return render(request, "web/emergency/includes/event_banner.html", {"activations": rows})


# ---- the phone page -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def emergency_my_tasks(request: HttpRequest) -> HttpResponse:
    """The signed-in member's groups and tasks, with 签收 and 完成 buttons."""
    actor = actor_of(request)
    now = clock.now()
    groups = my_tasks(actor=actor)
    for g in groups:
        g.light = ack_light(g, now)  # type: ignore[attr-defined]
        for t in g.tasks.all():
            t.light = task_light(t, now, g.activation.activated_at)  # type: ignore[attr-defined]
    return render(
        request, "web/emergency/my_tasks.html", {"nav_active": "emergency", "groups": groups}
    )


# ---- the duty roster --------------------------------------------------------------------------


def _week_start(value: str | None) -> dt.date:
    today = timezone.localdate(clock.now())
    try:
        day = dt.date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return day - dt.timedelta(days=day.weekday())


@login_required
@require_http_methods(["GET"])
def duty_roster(request: HttpRequest) -> HttpResponse:
    """The week's roster: one row per county or town, one column per day, the day and the
    night shift in each cell; a form to add a shift for the office."""
    actor = actor_of(request)
    start = _week_start(request.GET.get("week"))
    days = [start + dt.timedelta(days=i) for i in range(7)]
    shifts = list(duty_list(actor=actor, date_from=days[0], date_to=days[-1]))
    regions: dict[int, Region] = {}
    cells: dict[tuple[int, dt.date, str], list[dict[str, Any]]] = {}
    for s in shifts:
        regions.setdefault(s.region_id, s.region)
        row = duty_dict(s)
        row["may_edit"] = can_manage(actor, s.region_path)
        cells.setdefault((s.region_id, s.date, s.shift), []).append(row)
    grid = [
        {
            "region": r,
            "days": [
                {
                    "date": d,
                    "day": cells.get((r.pk, d, Shift.DAY), []),
                    "night": cells.get((r.pk, d, Shift.NIGHT), []),
                }
                for d in days
            ],
        }
        for r in sorted(regions.values(), key=lambda r: r.path)
    ]
    office = _office_regions(actor) if actor.roles & set(OFFICE_ROLES) else []
    today = timezone.localdate(clock.now())
    return render(
        request,
        "web/emergency/duty.html",
        {
            "nav_active": "duty",
            "days": days,
            "grid": grid,
            "today": today,
            "prev_week": (start - dt.timedelta(days=7)).isoformat(),
            "next_week": (start + dt.timedelta(days=7)).isoformat(),
            "office": office,
            "shifts": Shift.choices,
            "roles": DutyRole.choices,
            "users": list(
                get_user_model().objects.filter(is_active=True).order_by("username")[:500]
            )
            if office
            else [],
            "handovers": list(handover_list(actor=actor, date_from=days[0], date_to=days[-1])),
            "message": request.GET.get("error", ""),
        },
    )


def _roster_back(request: HttpRequest, message: str = "") -> HttpResponse:
    url = reverse("duty_roster") + "?week=" + (request.POST.get("date") or "")
    if message:
        from urllib.parse import quote

        url += "&error=" + quote(message)
    return redirect(url)


@login_required
@require_http_methods(["POST"])
def duty_shift_add(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    p = request.POST
    try:
        duty_shift_create(
            actor=actor,
            date=p.get("date"),
            shift=p.get("shift", ""),
            region=p.get("region"),
            user=p.get("user"),
            role=p.get("role", ""),
            phone=p.get("phone", "").strip(),
        )
    except Forbidden as e:
        return _forbidden(e.message)
    except DomainError as e:
        reason = "；".join(e.fields.values()) if isinstance(e, Invalid) and e.fields else e.message
        return _roster_back(request, reason)
    return _roster_back(request)


@login_required
@require_http_methods(["POST"])
def duty_shift_remove(request: HttpRequest, duty_shift_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        duty_shift_delete(actor=actor, shift_id=duty_shift_id)
    except NotFound:
        raise Http404(_("值班安排不存在")) from None
    except Forbidden as e:
        return _forbidden(e.message)
    return _roster_back(request)


@login_required
@require_http_methods(["POST"])
def duty_handover_add(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    p = request.POST
    try:
        duty_handover_create(
            actor=actor,
            region=p.get("region"),
            date=p.get("date"),
            shift=p.get("shift", ""),
            note=p.get("note", ""),
        )
    except Forbidden as e:
        return _forbidden(e.message)
    except DomainError as e:
        reason = "；".join(e.fields.values()) if isinstance(e, Invalid) and e.fields else e.message
        return _roster_back(request, reason)
    return _roster_back(request)


# ---- drills ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def emergency_drills(request: HttpRequest) -> HttpResponse:
    """The drills (planned, held, cancelled); the office plans new ones here."""
    actor = actor_of(request)
    office = _office_regions(actor) if actor.roles & set(OFFICE_ROLES) else []
    ctx: dict[str, Any] = {
        "nav_active": "emergency",
        "office": office,
        "plans": list(plan_list(actor=actor, active=True)),
        "values": {},
        "errors": {},
        "message": "",
        "today": timezone.localdate(clock.now()),
    }
    status = 200
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip() for k in ("plan", "title", "region", "planned_on")
        }
        try:
            drill_create(actor=actor, **values)
        except Forbidden as e:
            return _forbidden(e.message)
        except DomainError as e:
            ctx.update(
                values=values,
                errors=dict(e.fields) if isinstance(e, Invalid) else {},
                message="" if isinstance(e, Invalid) else e.message,
            )
            status = e.status
        else:
            return redirect("emergency_drills")
    ctx["drills"] = list(drill_list(actor=actor)[:300])
    ctx["planned"] = DrillState.PLANNED
    for d in ctx["drills"]:
        d.may_edit = d.state == DrillState.PLANNED and can_manage(actor, d.region_path)
    return render(request, "web/emergency/drills.html", ctx, status=status)


@login_required
@require_http_methods(["POST"])
def emergency_drill_record(request: HttpRequest, drill_id: int) -> HttpResponse:
    """登记演练举行情况 (held) or 取消 (cancel=1)."""
    actor = actor_of(request)
    p = request.POST
    try:
        if p.get("cancel") == "1":
            drill_cancel(actor=actor, drill_id=drill_id, note=p.get("findings", ""))
        else:
            drill_record(
                actor=actor,
                drill_id=drill_id,
                held_on=p.get("held_on"),
                participants=p.get("participants"),
                units=p.get("units", ""),
                findings=p.get("findings", ""),
            )
    except NotFound:
        raise Http404(_("演练不存在")) from None
    except Forbidden as e:
        return _forbidden(e.message)
    except DomainError as e:
        reason = "；".join(e.fields.values()) if isinstance(e, Invalid) and e.fields else e.message
        return HttpResponse(reason, status=e.status, content_type="text/plain; charset=utf-8")
    return redirect("emergency_drills")

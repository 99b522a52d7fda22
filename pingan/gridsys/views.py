"""Pages of the grid six systems for leaders and grid leaders (and each grid worker's own
score, warnings and appeals). Thin: reads through selectors, writes through services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, actor_of
from pingan.core import clock
from pingan.core.errors import DomainError, Invalid
from pingan.core.params import parse_int, parse_month
from pingan.core.spreadsheet import safe_row
from pingan.events.models import Event
from pingan.events.partitions import key_q
from pingan.events.permissions import events_in_scope
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.gridsys import scoring, selectors, services
from pingan.gridsys.choices import PARTS
from pingan.gridsys.forms import AfterReviewForm, MeetingForm
from pingan.gridsys.models import GridOfficer, Warning
from pingan.gridsys.permissions import (
    DECIDE_ROLES,
    MEETING_ROLES,
    VIEW_ROLES,
    can_publish_ranking,
    can_view,
    grid_scope_q,
    officer_scope_q,
)
from pingan.org.models import Department
from pingan.patrols.selectors import patrol_list

User = get_user_model()


def _month(raw: str | None) -> dt.date:
    """The month asked for (YYYY-MM), or this month when none or no valid one is given."""
    try:
        month = parse_month(raw, "month")
    except Invalid:
        month = None
    return month or timezone.localtime(clock.now()).date().replace(day=1)


def _quarter(raw: str | None) -> str:
    if raw:
        try:
            scoring.quarter_months(raw)
            return raw.upper()
        except ValueError:
            pass
    today = timezone.localtime(clock.now()).date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def _region(request: HttpRequest) -> Region | None:
    try:
        pk = parse_int(request.GET.get("region"), "region")
    except Invalid:
        pk = None
    return Region.objects.filter(pk=pk).first() if pk else None


def _regions_for(actor: Actor, roles: frozenset[str] = VIEW_ROLES) -> list[Region]:
    """The regions of the actor's memberships in `roles` (each one, nested ones too)."""
    ids = {m.region_id for m in actor.holding(roles) if m.region_id is not None}
    return list(Region.objects.filter(pk__in=ids).order_by("path"))


def _ctx(**kw: Any) -> dict[str, Any]:
    return {"nav_active": "gridsys", **kw}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    month = _month(None)
    viewer = can_view(actor)
    return render(
        request,
        "gridsys/index.html",
        _ctx(
            can_view=viewer,
            month=month,
            meetings=selectors.meeting_list(user=actor)[:5] if viewer else [],
            reviews=selectors.review_list(user=actor)[:5] if viewer else [],
            officers=GridOfficer.objects.filter(
                officer_scope_q(actor), is_active=True
            ).select_related("user", "grid")[:50]
            if viewer
            else [],
        ),
    )


# ---- (e) floating pay -----------------------------------------------------------------


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    month = _month(request.GET.get("month"))
    region = _region(request)
    try:
        rows = selectors.score_rows(user=actor, month=month, region=region)
    except DomainError:
        raise Http404 from None
    if request.GET.get("format") == "xlsx":
        return _scores_xlsx(rows, month)
    return render(
        request,
        "gridsys/scores.html",
        _ctx(
            rows=rows,
            month=month,
            region=region,
            regions=_regions_for(actor),
            parts=[(k, _(label)) for k, label in PARTS],
            weights=scoring.score_settings(),
        ),
    )


def _scores_xlsx(rows: list[scoring.ScoreRow], month: dt.date) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    ws.append(
        safe_row(
            [
                _("镇(街道)"),
                _("网格"),
                _("网格员"),
                *[_(label) for _k, label in PARTS],
                _("得分"),
                _("镇内名次"),
                _("绩效系数"),
            ]
        )
    )
    for r in rows:
        ws.append(
            safe_row(
                [
                    r.town_name,
                    r.grid_name,
                    r.name,
                    *[r.parts[k] for k, _l in PARTS],
                    r.score,
                    f"{r.rank}/{r.of}",
                    float(r.pay_coefficient),
                ]
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="grid-scores-{month:%Y-%m}.xlsx"'
    # Officers' names and pay: cells through safe_row, never kept in a cache.
    patch_cache_control(response, no_store=True)
    return response


# ---- (f) ranking, warnings, appeals ---------------------------------------------------


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    quarter = _quarter(request.GET.get("quarter") or request.POST.get("quarter"))
    if request.method == "POST":
        try:
            if "publish" in request.POST:
                town_id = request.POST.get("town")
                town = (
                    Region.objects.filter(pk=town_id, level=Level.TOWN).first()
                    if town_id is not None
                    else None
                )
                if town is None:
                    raise Http404
                entries = services.ranking_publish(actor=actor, quarter=quarter, town=town)
                messages.success(request, _("已发布%(n)d人的排名") % {"n": len(entries)})
            elif "appeal" in request.POST:
                services.appeal_submit(
                    actor=actor,
                    warning_id=parse_int(request.POST.get("warning"), "warning") or 0,
                    text=request.POST.get("text", ""),
                )
                messages.success(request, _("申诉已提交"))
            elif "decide" in request.POST:
                services.appeal_decide(
                    actor=actor,
                    appeal_id=parse_int(request.POST.get("appeal"), "appeal") or 0,
                    upheld=request.POST.get("upheld") == "1",
                    decision=request.POST.get("decision", ""),
                )
                messages.success(request, _("已裁定"))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect(f"{request.path}?quarter={quarter}")
    entries = list(selectors.ranking_list(user=actor, quarter=quarter))
    preview = selectors.quarter_rows(user=actor, quarter=quarter) if not entries else []
    my_warnings = (
        Warning.objects.filter(entry__user=actor.pk)
        .select_related("entry")
        .prefetch_related("appeals")
    )
    return render(
        request,
        "gridsys/ranking.html",
        _ctx(
            quarter=quarter,
            entries=entries,
            preview=preview,
            towns=[
                t
                for t in selectors.towns_over(actor.paths(DECIDE_ROLES))
                if can_publish_ranking(actor, t)
            ],
            my_warnings=my_warnings,
            can_decide=bool(actor.paths(DECIDE_ROLES)),
        ),
    )


# ---- (b) meetings ---------------------------------------------------------------------


def _usernames(raw: str) -> list[Any]:
    names = [n.strip() for n in raw.replace("，", ",").split(",") if n.strip()]
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise DomainError(_("用户不存在：%(n)s") % {"n": "、".join(missing)})
    return [found[n] for n in names]


def _event_by_code(actor: Actor, code: str) -> Event:
    e = events_in_scope(actor).filter(key_q(code=code.strip())).first()
    if e is None:
        raise DomainError(_("事件不存在：%(c)s") % {"c": code})
    return e


def _lines(raw: str) -> list[list[str]]:
    return [
        [p.strip() for p in line.replace("|", "｜").split("｜")]
        for line in raw.splitlines()
        if line.strip()
    ]


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_view(actor):
        raise Http404
    regions = _regions_for(actor, MEETING_ROLES)
    form = MeetingForm(request.POST or None)
    cast(forms.TypedChoiceField, form.fields["region"]).choices = [(r.pk, r.name) for r in regions]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            attendees = [(u, True) for u in _usernames(d["present"])]
            attendees += [(u, False) for u in _usernames(d["absent"])]
            reviews = []
            for parts in _lines(d["reviews"]):
                e = _event_by_code(actor, parts[0])
                reviews.append((e.pk, parts[1] if len(parts) > 1 else ""))
            decisions = []
            for parts in _lines(d["decisions"]):
                parts += [""] * (4 - len(parts))
                decisions.append(
                    {
                        "text": parts[0],
                        "event": _event_by_code(actor, parts[1]).pk if parts[1] else None,
                        "owner": _usernames(parts[2])[0] if parts[2] else None,
                        "due_on": dt.date.fromisoformat(parts[3]) if parts[3] else None,
                    }
                )
            meeting = services.meeting_record(
                actor=actor,
                region=Region.objects.get(pk=d["region"]),
                kind=d["kind"],
                title=d["title"],
                held_at=d["held_at"],
                agenda=d["agenda"],
                place=d["place"],
                minutes=d["minutes"],
                attendees=attendees,
                reviews=reviews,
                decisions=decisions,
            )
        except (DomainError, ValueError) as e:
            form.add_error(None, getattr(e, "message", None) or _("日期格式应为 YYYY-MM-DD"))
        else:
            messages.success(request, _("例会已记录"))
            return redirect("gridsys_meeting", meeting_id=meeting.pk)
    return render(
        request,
        "gridsys/meetings.html",
        _ctx(
            form=form, meetings=selectors.meeting_list(user=actor)[:100], can_record=bool(regions)
        ),
    )


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_get(user=actor_of(request), meeting_id=meeting_id)
    except DomainError:
        raise Http404 from None
    return render(request, "gridsys/meeting.html", _ctx(meeting=meeting))


# ---- (d) after-the-fact review --------------------------------------------------------


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_view(actor):
        raise Http404
    form = AfterReviewForm(request.POST or None)
    cast(forms.TypedChoiceField, form.fields["accountable_department"]).choices = [("", "—")] + [
        (d.pk, d.name) for d in Department.objects.filter(is_active=True)
    ]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            event = _event_by_code(actor, d["event_code"])
            who = _usernames(d["accountable_username"])[0] if d["accountable_username"] else None
            dept = (
                Department.objects.filter(pk=d["accountable_department"]).first()
                if d["accountable_department"]
                else None
            )
            services.after_review_record(
                actor=actor,
                event_id=event.pk,
                findings=d["findings"],
                conclusion=d["conclusion"],
                accountable_user=who,
                accountable_department=dept,
                measures=d["measures"],
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("倒查记录已保存"))
            return redirect("gridsys_reviews")
    return render(
        request,
        "gridsys/reviews.html",
        _ctx(form=form, reviews=selectors.review_list(user=actor)[:200]),
    )


# ---- patrols on the map ---------------------------------------------------------------


@login_required
def patrols(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localtime(clock.now()).date()
    rows = list(patrol_list(user=actor, day_from=day, day_to=day)[:200])
    grids = Region.objects.filter(grid_scope_q(actor), level=Level.GRID, geometry__isnull=False)[
        :500
    ]
    return render(
        request,
        "gridsys/patrols.html",
        _ctx(
            day=day,
            patrols=rows,
            grids=[{"id": g.pk, "name": g.name, "geometry": g.geometry} for g in grids],
        ),
    )

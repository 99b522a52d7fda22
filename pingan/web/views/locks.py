"""Period locking (封账) page: the locked periods, locking a month or a year with a
reason, unlocking. For whoever the API lets lock (a county or city leader or centre
dispatcher); everyone else gets 403, as from the API. Audited by the same services."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pingan.analytics import selectors, services
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound, invalid
from pingan.core.params import parse_month

KINDS = {"month": "按月", "year": "按年"}


def period_from(data: Any) -> tuple[dt.date, dt.date, str]:
    """(from, to, reason) of a month (`month` = YYYY-MM) or a year (`year` = YYYY)
    with a reason (`note`). Bad values → Invalid naming the field."""
    kind = (data.get("kind") or "month").strip()
    if kind not in KINDS:
        raise invalid("kind", gettext("应为按月或按年"))
    note = (data.get("note") or "").strip()
    if kind == "month":
        start = parse_month(data.get("month"), "month")
        if start is None:
            raise invalid("month", gettext("月份格式应为 YYYY-MM"))
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    else:
        raw = (data.get("year") or "").strip()
        if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
            raise invalid("year", gettext("年份应为四位数字"))
        start, end = dt.date(int(raw), 1, 1), dt.date(int(raw), 12, 31)
    if not note:
        raise invalid("note", gettext("请填写封账说明"))
    if len(note) > 200:
        raise invalid("note", gettext("封账说明不能超过200字"))
    return start, end, note


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    today = timezone.localdate(clock.now())
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return render(
        request,
        "web/analytics/locks.html",
        {
            "nav_active": "dashboard",
            "locks": selectors.period_locks(),
            "error": error,
            "form": {
                "kind": request.POST.get("kind", "month"),
                "month": request.POST.get("month", last_month.strftime("%Y-%m")),
                "year": request.POST.get("year", str(today.year - 1)),
                "note": request.POST.get("note", ""),
            },
        },
        status=status,
    )


def _allowed(request: HttpRequest) -> None:
    if not services.can_lock(request.user):
        raise PermissionDenied(gettext("只有县级领导或县级指挥中心可以封账"))


@login_required
def period_locks(request: HttpRequest) -> HttpResponse:
    """The locked periods and the form to lock one."""
    _allowed(request)
    return _page(request)


@login_required
@require_POST
def period_lock(request: HttpRequest) -> HttpResponse:
    """Lock a month or a year with a reason; 422 (nothing written) on bad input, 409 when
    it overlaps a locked period."""
    _allowed(request)
    try:
        date_from, date_to, note = period_from(request.POST)
        services.period_lock(
            user=request.user, date_from=date_from, date_to=date_to, note=note, request=request
        )
    except Invalid as exc:
        return _page(request, error="；".join(exc.fields.values()) or exc.message, status=422)
    except Conflict as exc:
        return _page(request, error=exc.message, status=409)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(
        request,
        gettext("已封账：%(from)s 至 %(to)s")
        % {"from": f"{date_from:%Y-%m-%d}", "to": f"{date_to:%Y-%m-%d}"},
    )
    return redirect("period_locks")


@login_required
@require_POST
def period_unlock(request: HttpRequest, lock_id: int) -> HttpResponse:
    """Unlock: the period's figures are recounted from the events as they are now."""
    _allowed(request)
    try:
        services.period_unlock(user=request.user, lock_id=lock_id, request=request)
    except NotFound as exc:
        return _page(request, error=exc.message, status=404)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, gettext("已解除封账，该期间已按事件现状重算"))
    return redirect("period_locks")

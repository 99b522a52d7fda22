"""Triage actions from the event page: merge into a duplicate, dismiss a candidate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, Forbidden, NotFound
from pingan.core.params import parse_int
from pingan.triage import services


@login_required
@require_POST
def merge(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        services.duplicate_merge(
            actor=actor_of(request),
            event_id=event_id,
            master_id=parse_int(request.POST.get("master"), "master") or 0,
            note=request.POST.get("note", "").strip() or _("经研判为重复事件，予以合并"),
        )
        messages.success(request, _("已合并到主事件"))
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("event_detail", event_id)


@login_required
@require_POST
def dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    try:
        cand = services.duplicate_dismiss(actor=actor_of(request), candidate_id=candidate_id)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return HttpResponseForbidden(exc.message)
    messages.success(request, _("已标记为非重复"))
    return redirect("event_detail", cand.event_id)

"""督办件 list (`/supervision/`): the supervision orders in the actor's scope, filtered by
state (待回复 / 已超期 / 已回复) and level, with the open and overdue counts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.core import clock
from pingan.events.models import SupervisionLevel
from pingan.events.supervision import OVERDUE, state_of, supervision_counts, supervision_list

PAGE_SIZE = 30


def state_choices() -> list[tuple[str, str]]:
    return [("open", _("待回复")), (OVERDUE, _("已超期")), ("replied", _("已回复"))]


@login_required
@require_http_methods(["GET"])
def supervision_page(request: HttpRequest) -> HttpResponse:
    """The list; unknown filter values are ignored (the whole list)."""
    actor = actor_of(request)
    now = clock.now()
    state = request.GET.get("state", "")
    level = request.GET.get("level", "")
    rows = supervision_list(actor, state=state, level=level, now=now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(state_choices())
    for order in page.object_list:
        order.state = state_of(order, now)  # type: ignore[attr-defined]
        order.state_label = labels.get(order.state, order.state)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "counts": supervision_counts(actor, now=now),
        "state": state,
        "level": level,
        "states": state_choices(),
        "levels": SupervisionLevel.choices,
        "nav_active": "supervision",
    }
    return render(request, "web/supervision_list.html", context)

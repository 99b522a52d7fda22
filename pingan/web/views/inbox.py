"""The in-app inbox (`/inbox/`): notifications of the signed-in user, and marking them read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pingan.core.errors import Invalid
from pingan.core.params import parse_int
from pingan.notifications.selectors import inbox as notification_inbox
from pingan.notifications.services import notification_mark_read

PAGE_SIZE = 30


def _id(raw: str) -> int | None:
    """A posted notification id; anything no row can have is left out."""
    try:
        return parse_int(raw, "ids")
    except Invalid:
        return None


def _context(request: HttpRequest) -> dict[str, Any]:
    qs = notification_inbox(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"nav_active": "inbox", "page": page, "only_unread": request.GET.get("unread") == "1"}


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked."""
    template = "web/inbox.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        template += "#list"
    return render(request, template, _context(request))


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted notification ids (or, with none, all) read; then go to `next`."""
    ids: list[int] | None = None
    raw = request.POST.getlist("ids")
    if raw:
        ids = [i for i in map(_id, raw) if i is not None]
    if ids is None or ids:
        notification_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("inbox")
    if getattr(request, "htmx", False) and not request.POST.get("next"):
        response = render(request, "web/inbox.html#list", _context(request))
        response["HX-Trigger"] = "notifications-read"
        return response
    return HttpResponseRedirect(target)

"""The in-app inbox (`/inbox/`): the signed-in user's notifications in groups (one line
per matter, or per hour's digest of new events), and marking them read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.errors import Invalid
from pingan.core.params import parse_int
from pingan.notifications.models import Notification
from pingan.notifications.selectors import inbox as notification_inbox
from pingan.notifications.selectors import inbox_groups
from pingan.notifications.services import (
    digest_kind,
    group_title,
    is_digest,
    notification_mark_read,
)

PAGE_SIZE = 30


def _id(raw: str) -> int | None:
    """A posted notification id; anything no row can have is left out."""
    try:
        return parse_int(raw, "ids")
    except Invalid:
        return None


@dataclass
class Group:
    """One line of the inbox: a matter's notifications, or an hour's digest of a kind."""

    key: str
    n: int
    unread: int
    latest: Notification

    @property
    def digest(self) -> bool:
        return is_digest(self.key)

    @property
    def title(self) -> str:
        if self.digest:
            return _("%(kind)s %(n)d 件") % {
                "kind": group_title(digest_kind(self.key)),
                "n": self.n,
            }
        if self.n > 1 and self.latest.event is not None:
            return _("%(n)d 条关于 %(code)s 的通知") % {"n": self.n, "code": self.latest.event.code}
        return self.latest.title

    @property
    def link(self) -> str:
        """Where the group leads: the queue for a digest of new events, else the matter."""
        if self.digest:
            return reverse("workbench") + "?" + urlencode({"tab": "reported"})
        if self.latest.event_id:
            return reverse("event_detail", args=[self.latest.event_id])
        return ""


def _context(request: HttpRequest) -> dict[str, Any]:
    only_unread = request.GET.get("unread") == "1"
    page = Paginator(inbox_groups(request.user, only_unread=only_unread), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = page.object_list
    latest = {
        n.pk: n for n in notification_inbox(request.user).filter(pk__in=[g["top"] for g in rows])
    }
    page.object_list = [
        Group(key=g["group_key"], n=g["n"], unread=g["unread"], latest=latest[g["top"]])
        for g in rows
        if g["top"] in latest
    ]
    return {"nav_active": "inbox", "page": page, "only_unread": only_unread}


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The user's notifications in groups, the newest group first, unread ones marked."""
    template = "web/inbox.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        template += "#list"
    return render(request, template, _context(request))


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted notification ids and groups (or, with neither, all) read; then go
    to `next`."""
    ids: list[int] | None = None
    groups: list[str] | None = None
    raw = request.POST.getlist("ids")
    if raw:
        ids = [i for i in map(_id, raw) if i is not None]
    raw_groups = [g.strip() for g in request.POST.getlist("group") if g.strip()]
    if raw_groups:
        groups = raw_groups
    if (ids is None and groups is None) or ids or groups:
        notification_mark_read(user=request.user, ids=ids, groups=groups)
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

"""Live updates of a dispatcher's pages (`/live/`): polled every PINGAN_LIVE_POLL_S seconds
by `static/web/js/live.js`, one request per open page.

The page sends the version it last saw (`?v=`, or `If-None-Match`); when nothing changed
the answer is an empty 204 after two small statements (the queue's aggregate and the
unread count), otherwise a small JSON document: the counts for the badges, the 紧急/特急
events waiting in the dispatcher's centres (the alert banner) and the new version. Why
polling rather than server-sent events: docs/architecture.md, "Live updates".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pingan.events import queue as queue_rules
from pingan.events.selectors import event_list
from pingan.notifications.selectors import unread_group_count


def _skip_save(must_create: bool = False) -> None:
    return None


def _unchanged(request: HttpRequest, version: str) -> bool:
    seen = request.GET.get("v") or request.headers.get("If-None-Match", "").strip('W/"')
    return seen == version


@never_cache
@login_required
@require_GET
def live_state(request: HttpRequest) -> HttpResponse:
    """204 when the dispatcher's queue and unread count are as the page last saw them;
    otherwise their counts, the urgent events waiting, and the version (also the ETag)."""
    # A poll is not activity: saving the session (the middleware's once-a-minute touch)
    # would push the idle timeout back; a dispatcher who leaves the page open must still
    # be signed out after PINGAN_IDLE_TIMEOUT_S.
    request.session.save = _skip_save  # type: ignore[method-assign]
    centres = [c.pk for c in queue_rules.dispatcher_centres(request.user)]
    if not centres:
        return HttpResponse(status=204)
    queue = event_list(user=request.user).filter(queue_region_id__in=centres)
    stamp = queue_rules.version(queue)
    unread = unread_group_count(request.user)
    version = f"{stamp}-{unread}"
    if _unchanged(request, version):
        response = HttpResponse(status=204)
    else:
        urgent = queue_rules.alerts(queue)
        response = JsonResponse(
            {
                "version": version,
                "reported": int(stamp.split("-", 1)[0]),
                "unread": unread,
                "poll": settings.PINGAN_LIVE_POLL_S,
                "alerts": [
                    {
                        "id": e.pk,
                        "code": e.code,
                        "title": e.title,
                        "urgency": e.urgency,
                        "urgency_label": str(e.get_urgency_display()),
                        "url": reverse("event_detail", args=[e.pk]),
                    }
                    for e in urgent
                ],
            }
        )
    response["ETag"] = f'"{version}"'
    return response

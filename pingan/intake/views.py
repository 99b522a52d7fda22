"""Staff pages of the channels: the work orders from 12345 and 110, and the transfer of
a police matter to 110."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pingan.access.actor import actor_of
from pingan.core.errors import DomainError, NotFound
from pingan.core.pii import mask_name, mask_phone
from pingan.events.permissions import access_event
from pingan.intake import selectors
from pingan.intake.choices import ORDER_CHANNELS, Channel, OrderState
from pingan.intake.services import police_transfer


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    channel = request.GET.get("channel", "")
    state = request.GET.get("state", "")
    if channel not in ORDER_CHANNELS:
        channel = ""
    if state not in OrderState.values:
        state = ""
    qs = selectors.orders_for(user=actor_of(request), channel=channel, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # Masked for every role: the full contact is revealed (audited) on the event page.
    rows = [
        {
            "order": o,
            "caller": mask_name(o.caller_name),
            "phone": mask_phone(o.caller_phone),
        }
        for o in page.object_list
    ]
    return render(
        request,
        "intake/orders.html",
        {
            "page": page,
            "rows": rows,
            "channel": channel,
            "state": state,
            "channels": [(c, Channel(c).label) for c in ORDER_CHANNELS],
            "states": OrderState.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_110(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = access_event(actor_of(request), event_id)
    except NotFound:
        raise Http404(_("事件不存在")) from None
    error = ""
    status = 200
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            police_transfer(actor=actor_of(request), event_id=event.pk, reason=reason)
        except NotFound:
            raise Http404(_("事件不存在")) from None
        except DomainError as exc:
            error = next(iter(exc.fields.values()), exc.message)
            status = exc.status
        else:
            messages.success(request, _("已移交110"))
            return redirect(reverse("event_detail", args=[event.pk]))
    return render(
        request,
        "intake/transfer_110.html",
        {
            "event": event,
            "error": error,
            "reason": reason,
            "actions": selectors.actions_for(user=actor_of(request), event_id=event.pk),
        },
        status=status,
    )

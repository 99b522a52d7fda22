from __future__ import annotations

from typing import Any

from django import template

from pingan.access.actor import as_actor
from pingan.events.services import allowed_actions
from pingan.triage.alerts import VERDICT_ROLES
from pingan.triage.selectors import event_triage

register = template.Library()


@register.inclusion_tag("triage/_panel.html", takes_context=True)
def triage_panel(context: Any, event: Any) -> dict[str, Any]:
    """The dispatcher's triage box on the event page: suggestions, duplicates, alerts."""
    request = context.get("request")
    user = getattr(request, "user", None)
    data = event_triage(user=user, event=event) if user is not None else {}
    can_merge = user is not None and any(r.action == "merge" for r in allowed_actions(user, event))
    # The page is shown only to those who see the event; of them, leaders and dispatchers
    # (who are told of alerts and triage them) mark an alert 属实 or 误报.
    can_verdict = bool(
        data.get("alerts") and user is not None and as_actor(user).has_role(*VERDICT_ROLES)
    )
    return {
        **data,
        "event": event,
        "can_merge": can_merge,
        "can_verdict": can_verdict,
        "csrf_token": context.get("csrf_token"),
    }

"""Reads of triage, always through the events scope."""

from __future__ import annotations

from typing import Any

from pingan.access.actor import Actor
from pingan.core.errors import NotFound
from pingan.events.models import Event
from pingan.events.partitions import keys_q
from pingan.events.permissions import access_event, event_scope_q
from pingan.triage.choices import DuplicateState
from pingan.triage.models import Alert, DuplicateCandidate, Suggestion


def event_triage(*, user: Actor | Any, event: Event) -> dict[str, Any]:
    """Suggestion, open duplicate candidates (in the user's scope) and alerts of an event
    the caller already holds."""
    suggestion = (
        Suggestion.objects.filter(event=event).select_related("category", "department").first()
    )
    # The candidates first, then only their events (in scope, by their months): a join
    # to the events table would be planned over every partition (ADR 0006).
    candidates = list(
        DuplicateCandidate.objects.filter(event=event, state=DuplicateState.OPEN).order_by(
            "-score", "id"
        )
    )
    if candidates:
        others = {
            e.pk: e
            for e in Event.objects.filter(
                event_scope_q(user), keys_q(c.other_id for c in candidates)
            ).select_related("region")
        }
        candidates = [c for c in candidates if c.other_id in others]
        for c in candidates:
            c.other = others[c.other_id]
    alerts = list(Alert.objects.filter(event=event).select_related("rule"))
    if suggestion is None:
        suggestion = live_suggestion(event)
    return {"suggestion": suggestion, "candidates": candidates, "alerts": alerts}


def event_alerts(*, user: Actor | Any, event_id: int) -> list[Alert]:
    """The risk alerts of an event the user sees (as its page shows them), oldest first;
    NotFound when the event is missing or not theirs."""
    event = access_event(user, event_id)
    return list(Alert.objects.filter(event=event).order_by("created_at", "id"))


def candidate_for_update(*, user: Actor | Any, candidate_id: int) -> DuplicateCandidate:
    """A candidate whose event is in the caller's scope, locked; else NotFound."""
    cand = DuplicateCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if cand is None:
        raise NotFound("疑似重复记录不存在")
    access_event(user, cand.event_id)
    return cand


def live_suggestion(event: Event) -> Suggestion | None:
    """A suggestion computed now and not stored (events reported before the model)."""
    from pingan.events.models import Category
    from pingan.org.models import Department
    from pingan.triage import classifier

    bundle = classifier.load()
    if bundle is None:
        return None
    s = Suggestion(event=event)
    text = f"{event.title}\n{event.description}"
    if bundle.category is not None:
        code, s.category_confidence = bundle.category.predict([text])[0]
        s.category = Category.objects.filter(code=code).first()
    if bundle.department is not None:
        code, s.department_confidence = bundle.department.predict([text])[0]
        s.department = Department.objects.filter(code=code).first()
    return s

"""Writes of triage: classifier suggestions (and the automatic acceptance an
administrator allowed), duplicate candidates and merges, risk alerts, training.

Called after an event is reported (receivers.on_event_changed), by the pages and by
tasks. State changes of events go through `events.services.event_transition`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from pingan.access.actor import Actor, as_actor
from pingan.core import audit, clock
from pingan.core.errors import DomainError, Forbidden, invalid
from pingan.events.choices import Status
from pingan.events.models import Category, Event
from pingan.events.partitions import key_q
from pingan.events.services import event_transition
from pingan.org.choices import Role
from pingan.org.models import Department
from pingan.triage import classifier, duplicates
from pingan.triage.alerts import (  # noqa: F401  (the names other apps and tests use)
    Match,
    alert_rule_validate,
    alert_rules_install_defaults,
    alert_verdict,
    alerts_check,
    leaders_over,
    rule_match,
    signals_in,
)
from pingan.triage.choices import DuplicateState
from pingan.triage.models import (
    AutoTriagePolicy,
    DuplicateCandidate,
    PhoneKey,
    Suggestion,
)

log = logging.getLogger(__name__)


def event_text(event: Event) -> str:
    """The text the classifier and the rules read: title and description."""
    return f"{event.title}\n{event.description}"


# ---- classification ----------------------------------------------------------------------


def suggestion_make(*, event_id: int) -> Suggestion | None:
    """Predict category and lead department for the event and store the suggestion; when an
    administrator allowed it for the category and the confidence is high enough, accept
    (and dispatch) the event as the configured triage account. None without a model."""
    bundle = classifier.load()
    event = Event.objects.select_related("category").filter(key_q(pk=event_id)).first()
    if bundle is None or event is None:
        return None
    text = event_text(event)
    cat, cat_conf, dept, dept_conf = None, 0.0, None, 0.0
    if bundle.category is not None:
        code, cat_conf = bundle.category.predict([text])[0]
        cat = Category.objects.filter(code=code, is_active=True).first()
    if bundle.department is not None:
        code, dept_conf = bundle.department.predict([text])[0]
        dept = Department.objects.filter(code=code, is_active=True).first()
    suggestion, _created = Suggestion.objects.update_or_create(
        event=event,
        defaults={
            "category": cat,
            "category_confidence": cat_conf,
            "department": dept,
            "department_confidence": dept_conf,
            "model_trained_at": bundle.trained_at,
        },
    )
    _auto_triage(event, suggestion)
    return suggestion


def _triage_actor() -> Any:
    username = getattr(settings, "PINGAN_TRIAGE_ACTOR", "")
    if not username:
        return None
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _auto_triage(event: Event, s: Suggestion) -> None:
    """Accept, and dispatch when allowed, only when the suggestion agrees with the reported
    category, the category's policy allows it and both confidences clear the bar."""
    if event.status != Status.REPORTED or s.category_id != event.category_id:
        return
    policy = AutoTriagePolicy.objects.filter(category_id=event.category_id, is_active=True).first()
    if policy is None or not policy.auto_accept:
        return
    bar = max(policy.min_confidence, settings.PINGAN_TRIAGE_MIN_CONFIDENCE)
    if not classifier.is_confident(s.category_confidence, bar):
        return
    actor = _triage_actor()
    if actor is None:
        return
    try:
        event_transition(actor=actor, event_id=event.pk, action="accept", payload={})
        done = "accept"
        if (
            policy.auto_dispatch
            and s.department_id
            and classifier.is_confident(s.department_confidence, bar)
        ):
            event_transition(
                actor=actor,
                event_id=event.pk,
                action="dispatch",
                payload={"lead_department": s.department_id, "note": _("智能分拨自动派遣")},
            )
            done = "dispatch"
    except DomainError as exc:
        log.info("auto triage of event %s stopped: %s", event.pk, exc.message)
        return
    Suggestion.objects.filter(pk=s.pk).update(auto_action=done)


def training_rows(
    limit: int | None = None,
) -> tuple[list[str], list[str], list[str], list[str]]:
    """History the classifier learns from: (texts, category codes) over the newest
    `limit` events not rejected or merged (`PINGAN_CLASSIFIER_TRAIN_MAX`, 10,000 by
    default: a county's recent months; training time grows with the rows, and the
    newest ones say best how the county files matters now), and (texts, department
    codes) over those with a lead department. The category and department an event ends
    with include dispatchers' corrections."""
    if limit is None:
        limit = int(getattr(settings, "PINGAN_CLASSIFIER_TRAIN_MAX", 10_000))
    cat_x: list[str] = []
    cat_y: list[str] = []
    dep_x: list[str] = []
    dep_y: list[str] = []
    newest = (
        Event.objects.exclude(status__in=[Status.REJECTED, Status.MERGED])
        .values_list("title", "description", "category__code", "lead_department__code")
        .order_by("-pk")[:limit]
    )
    rows = list(newest)
    rows.reverse()  # oldest first, as before: the fit does not depend on it, reading does
    for title, description, cat, dept in rows:
        text = f"{title}\n{description}"
        cat_x.append(text)
        cat_y.append(cat)
        if dept:
            dep_x.append(text)
            dep_y.append(dept)
    return cat_x, cat_y, dep_x, dep_y


def _fit_or_none(texts: list[str], labels: list[str]) -> classifier.TextModel | None:
    if len(set(labels)) < 2:
        return None
    return classifier.TextModel.fit(texts, labels)


def classifier_train(
    *, texts: list[str] | None = None, labels: list[str] | None = None
) -> classifier.Bundle:
    """Train from the platform's history (or from given texts and category labels) and
    store the model under var/. Returns the bundle."""
    if texts is not None and labels is not None:
        bundle = classifier.Bundle(category=_fit_or_none(texts, labels))
    else:
        cat_x, cat_y, dep_x, dep_y = training_rows()
        bundle = classifier.Bundle(
            category=_fit_or_none(cat_x, cat_y), department=_fit_or_none(dep_x, dep_y)
        )
    if bundle.category is None and bundle.department is None:
        raise invalid("labels", _("训练样本不足：至少需要两个类别"))
    bundle.save()
    audit.record(
        action="triage.classifier_train",
        object_type="classifier",
        detail={
            "category_samples": bundle.category.samples if bundle.category else 0,
            "department_samples": bundle.department.samples if bundle.department else 0,
        },
    )
    return bundle


# ---- duplicates --------------------------------------------------------------------------


def phone_digest(phone: str) -> str:
    """A keyed digest of a phone number (digits only), never the number itself."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()


def duplicates_check(*, event_id: int) -> list[DuplicateCandidate]:
    """Find and store the event's duplicate candidates (same or neighbouring grids within
    the window and similar text, or the same reporter phone); returns them best first."""
    event = Event.objects.select_related("region").filter(key_q(pk=event_id)).first()
    if event is None:
        return []
    digest = phone_digest(event.reporter_phone)
    if digest:
        PhoneKey.objects.update_or_create(
            event=event, defaults={"digest": digest, "reported_at": event.reported_at}
        )
    found = duplicates.find(event, phone_key=digest)
    rows = [
        DuplicateCandidate(event=event, other_id=c.event_id, score=c.score, reasons=c.reasons)
        for c in found
    ]
    if rows:
        # One upsert: a pair found before keeps its state (dismissed, merged) and gets the
        # new score and reasons.
        DuplicateCandidate.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["event", "other"],
            update_fields=["score", "reasons"],
        )
    return rows


def duplicate_dismiss(*, actor: Actor | Any, candidate_id: int) -> DuplicateCandidate:
    """Mark a candidate as not a duplicate (a dispatcher who sees its event)."""
    from pingan.triage.selectors import candidate_for_update

    actor = as_actor(actor)
    if not actor.has_role(Role.DISPATCHER):
        raise Forbidden(_("当前角色不能判断重复事件"))
    with transaction.atomic():
        cand = candidate_for_update(user=actor, candidate_id=candidate_id)
        cand.state = DuplicateState.DISMISSED
        cand.decided_by = actor.user
        cand.decided_at = clock.now()
        cand.save(update_fields=["state", "decided_by", "decided_at"])
        actor.audit(
            "triage.duplicate_dismiss",
            object_type="event",
            object_id=cand.event_id,
            detail={"other": cand.other_id},
        )
    return cand


def duplicate_merge(*, actor: Actor | Any, event_id: int, master_id: int, note: str = "") -> Event:
    """Merge the event into the master through the workflow's merge action (both timelines
    stay), record the link and tell both reporters."""
    actor = as_actor(actor)
    with transaction.atomic():
        event = event_transition(
            actor=actor,
            event_id=event_id,
            action="merge",
            payload={"master": master_id, "note": note},
        )
        cand, _created = DuplicateCandidate.objects.get_or_create(
            event_id=event_id, other_id=master_id, defaults={"score": 1.0, "reasons": ["manual"]}
        )
        cand.state = DuplicateState.MERGED
        cand.decided_by = actor.user
        cand.decided_at = clock.now()
        cand.save(update_fields=["state", "decided_by", "decided_at"])
        # Both reporters are told after commit by the notifications app, as for a merge
        # from the event page or the API: the duplicate's reporter ("merge") and the
        # master's ("merged_in") in their inbox, a citizen without an account by SMS
        # (notifications.services.reporter_tell, called by the channel apps).
        actor.audit(
            "triage.duplicate_merge",
            object_type="event",
            object_id=event_id,
            detail={"master": master_id},
        )
    return event


def intake(*, event_id: int) -> None:
    """Everything triage does for a newly reported event; each part fails on its own."""
    for step in (alerts_check, duplicates_check, suggestion_make):
        try:
            step(event_id=event_id)
        except Exception:
            log.exception("triage step %s failed for event %s", step.__name__, event_id)

"""就地调解: a dispute a grid worker mediated on the spot, recorded as a case that is
already ended (docs/mediation.md, "On the phone"). The phone's endpoint
(`field.onsite.field_mediation`) writes the event and calls `mediation_case_on_site`
in the same transaction; `on_site_outcome` reads the outcome before anything is written.

The case: channel `on_site`, the event linked, registered, accepted and ended at the
moment the server takes it (as an event's `reported_at`), with one session at the
moment the mediation was held on the phone (offline: earlier), and status `succeeded`
(terms, performance) or `failed` (reason, guidance). It is placed with the people's
committee nearest the place (the village's, else the town's), whose mediators do the
follow-up (履行回访) and close it; none when the county has no such committee.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import invalid
from pingan.events.models import Event
from pingan.mediation import rollup
from pingan.mediation.choices import (
    CommitteeKind,
    CommitteeLevel,
    Performance,
    Referral,
    Status,
)
from pingan.mediation.fields import date_of
from pingan.mediation.models import Committee, MediationCase, MediationSession, MediationTransition
from pingan.mediation.services import _create, _dispute_kind_of, _entitled_role

SUCCEEDED, FAILED = "succeeded", "failed"


def is_dispute(category_code: str) -> bool:
    """Whether a category is a dispute (矛盾纠纷): only those are mediated on the spot."""
    return category_code.split(".", 1)[0] == "dispute"


def on_site_outcome(p: dict[str, Any]) -> dict[str, Any]:
    """The outcome of an on-site mediation from the payload, validated: `outcome`
    succeeded (`terms`, `performance` at_once by default, `performance_due` for by_date)
    or failed (`reason`, optional `referral`); 422 naming the field otherwise."""
    outcome = p.get("outcome")
    if outcome not in (SUCCEEDED, FAILED):
        raise invalid("outcome", gettext("调解结果应为 succeeded（调解成功）或 failed（调解不成）"))
    if outcome == SUCCEEDED:
        terms = _text(p, "terms", gettext("协议内容"), max_len=20000)
        performance = p.get("performance") or Performance.AT_ONCE
        if performance not in Performance.values:
            raise invalid(
                "performance", gettext("履行方式应为 at_once（即时履行）或 by_date（限期履行）")
            )
        due = None
        if performance == Performance.BY_DATE:
            due = date_of(p, "performance_due", gettext("履行期限"), required=True)
            if due is not None and due < timezone.localdate(clock.now()):
                raise invalid("performance_due", gettext("履行期限不能早于今天"))
        return {"outcome": outcome, "terms": terms, "performance": performance, "due": due}
    reason = _text(p, "reason", gettext("调解不成原因"), max_len=5000)
    referral = p.get("referral") or ""
    if referral not in ("", *Referral.values):
        raise invalid(
            "referral", gettext("引导途径应为 litigation、arbitration、petition 或 other")
        )
    return {"outcome": outcome, "reason": reason, "referral": referral}


def home_committee(region_path: str) -> Committee | None:
    """The active people's committee nearest the place: the deepest village or town
    committee whose region contains it."""
    codes = [c for c in region_path.split("/") if c]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    found = Committee.objects.filter(
        region_path__in=paths,
        level__in=[CommitteeLevel.VILLAGE, CommitteeLevel.TOWN],
        kind=CommitteeKind.PEOPLE,
        is_active=True,
    ).order_by("-region_path", "pk")
    return found.first()


def mediation_case_on_site(
    *,
    actor: Actor,
    event: Event,
    parties: Any,
    outcome: dict[str, Any],
    client_uuid: uuid.UUID,
    mediated_at: dt.datetime | None = None,
    amount: Any = None,
) -> MediationCase:
    """The ended case of an on-site mediation of `event` (inside the caller's
    transaction); `outcome` from `on_site_outcome`. 403 / 422 as registering a case."""
    role, _ = _entitled_role(actor, event.region, None)
    committee = home_committee(event.region_path)
    case = _create(
        actor,
        role,
        summary=event.description,
        region=event.region,
        channel="on_site",
        dispute_kind=_dispute_kind_of(event),
        amount=amount,
        parties=parties,
        committee=committee,
        event=event,
        client_uuid=client_uuid,
    )
    now = clock.now()
    succeeded = outcome["outcome"] == SUCCEEDED
    case.accepted_at = case.ended_at = now
    if succeeded:
        case.status = Status.SUCCEEDED
        case.agreement_terms = outcome["terms"]
        case.performance = outcome["performance"]
        case.performance_due = outcome["due"]
    else:
        case.status = Status.FAILED
        case.failure_reason = outcome["reason"]
        case.referral = outcome["referral"]
    case.save()
    rollup.case_written(case)  # the figures' rollup: from registered to ended
    held = min(mediated_at or now, now)
    record = outcome.get("terms") or outcome.get("reason") or ""
    session = MediationSession.objects.create(
        case=case,
        at=held,
        place=event.address or event.region.name,
        attendees=gettext("网格员、双方当事人"),
        record=record,
        recorded_by=actor.user,
    )
    if succeeded:
        data: dict[str, Any] = {"performance": case.performance}
        if case.performance_due:
            data["performance_due"] = case.performance_due.isoformat()
        end, note = ("succeed", Status.SUCCEEDED), ""
    else:
        data = {"referral": case.referral} if case.referral else {}
        end, note = ("fail", Status.FAILED), case.failure_reason
    steps = [
        ("accept", Status.REGISTERED, Status.ACCEPTED, "", {"on_site": True}),
        (
            "session",
            Status.ACCEPTED,
            Status.MEDIATING,
            "",
            {"session": session.pk, "at": held.isoformat(), "place": session.place},
        ),
        (end[0], Status.MEDIATING, end[1], note, data),
    ]
    MediationTransition.objects.bulk_create(
        MediationTransition(
            case=case,
            action=action,
            from_status=before,
            to_status=after,
            actor=actor.user,
            actor_role=role,
            note=text,
            public_reply=text if action == "fail" else "",
            data=row,
            at=now,
        )
        for action, before, after, text, row in steps
    )
    actor.audit(
        "mediation.on_site",
        object_type="mediation",
        object_id=case.pk,
        detail={"event": event.pk, "outcome": outcome["outcome"]},
    )
    return case

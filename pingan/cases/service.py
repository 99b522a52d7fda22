"""The one transition service of every case kind, and the buttons drawn from the same
checks. docs/architecture.md, "The closed loop" and "Adding a case type"."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases import fields
from pingan.cases.kind import CaseKind
from pingan.cases.table import Step, Transition
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, invalid
from pingan.org.models import Membership

C = TypeVar("C", bound=models.Model)


def acting_membership(
    kind: CaseKind[C], actor: Actor, row: Transition, case: C, context: Any
) -> Membership | None:
    """The membership that entitles `actor` to fire `row` on `case`, or None."""
    for m in actor.memberships:
        for role, scope in row.who:
            if m.role == role and kind.covers(m, scope, case, context):
                return m
    return None


def transition(
    kind: CaseKind[C],
    *,
    actor: Actor | Any,
    case_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> C:
    """Fire `action` on the case as `actor`. 404 out of scope, 403 not this role or not
    this person's case, 409 not from this state, 422 invalid fields; nothing is written
    unless every check passes and the effect succeeds (one transaction)."""
    actor = as_actor(actor)
    payload = dict(payload or {})
    wf = kind.workflow
    if action not in wf.actions:
        raise invalid("action", gettext("未知的操作：%(action)s") % {"action": action})
    with transaction.atomic():
        case = kind.lock(actor, case_id)
        before = _snapshot(case)
        variant = kind.variant(action, case, actor, payload)
        row = wf.find(action, variant)
        if row is None:
            raise invalid("action", gettext("未知的操作：%(action)s") % {"action": action})
        context = kind.context(case)
        # Role first (403), then state (409), then scope (403), then fields (422).
        if not actor.roles & row.roles:
            _denied(kind, actor, action, case)
            raise Forbidden(gettext(kind.messages["wrong_role"]) % {"action": row.display_label})
        state = kind.state(case)
        if state not in row.sources:
            raise Conflict(
                gettext(kind.messages["wrong_state"])
                % {"status": wf.state_label(state), "action": row.display_label}
            )
        membership = acting_membership(kind, actor, row, case, context)
        if membership is None:
            _denied(kind, actor, action, case)
            raise Forbidden(gettext(kind.messages["not_yours"]) % {"action": row.display_label})
        fields.require(row, payload, kind.field_labels)
        public_reply = fields.public_reply(row, payload)
        now = clock.now()
        outcome = row.effect(Step(case, actor, payload, row, membership, now))
        if row.target is not None:
            kind.set_state(case, row.target)
        kind.apply_clock(case, row, now)
        kind.save(case, changed_fields(case, before))
        kind.written(case, action)
        record = kind.record(
            case,
            action=action,
            from_state=state,
            to_state=kind.state(case),
            actor=actor,
            role=membership.role,
            note=outcome.note,
            public_reply=public_reply,
            data=outcome.data,
            at=now,
            columns=outcome.columns,
        )
        actor.audit(
            f"{kind.audit_type}.{action}",
            object_type=kind.audit_type,
            object_id=case.pk,
            detail={"from": state, "to": kind.state(case), "variant": variant},
        )
        kind.announce(case, action, record, variant)
    return case


def _snapshot(case: models.Model) -> dict[str, Any]:
    """The case's column values as loaded (mutable ones, JSON, copied)."""
    return {
        f.attname: copy.deepcopy(case.__dict__[f.attname])
        for f in case._meta.concrete_fields
        if f.attname in case.__dict__
    }


def changed_fields(case: models.Model, before: dict[str, Any]) -> list[str]:
    """The fields whose value differs from `before` (and the `auto_now` ones): what a kind
    may write after the transition (`CaseKind.save`). The others stay as stored, so an
    unchanged encrypted field is not encrypted again and a column another statement of the
    same transition wrote is not overwritten with the value read before it."""
    return [
        f.name
        for f in case._meta.concrete_fields
        if not f.primary_key
        and f.attname in before
        and (getattr(f, "auto_now", False) or case.__dict__.get(f.attname) != before[f.attname])
    ]


def _denied(kind: CaseKind[Any], actor: Actor, action: str, case: Any) -> None:
    actor.audit(
        f"{kind.audit_type}.{action}",
        object_type=kind.audit_type,
        object_id=case.pk,
        result="denied",
    )


def allowed(kind: CaseKind[C], actor: Actor | Any, case: C) -> list[Transition]:
    """The rows `actor` may fire on `case` now (the buttons): the service's checks of
    role, state, variant and scope, and the kind's `available`, without the payload.
    One row per action, except the actions whose variant the person chooses."""
    actor = as_actor(actor)
    wf = kind.workflow
    state = kind.state(case)
    context = kind.context(case)
    out: list[Transition] = []
    seen: set[str] = set()
    for row in wf.rows:
        chosen = row.action in wf.chosen_variants
        if row.action in seen and not chosen:
            continue
        if state not in row.sources or not actor.roles & row.roles:
            continue
        if row.variant and not chosen and kind.variant(row.action, case, actor, {}) != row.variant:
            continue
        if acting_membership(kind, actor, row, case, context) is None:
            continue
        if not kind.available(row, case, actor, context):
            continue
        out.append(row)
        seen.add(row.action)
    return out


def buttons(kind: CaseKind[Any], rows: list[Transition]) -> list[dict[str, str]]:
    """One button per action: the row's label and style; an action whose variant the
    person chooses (both rows allowed) becomes one primary button with the action's name,
    its form asking which."""
    wf = kind.workflow
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for row in rows:
        if row.action in seen:
            continue
        seen.add(row.action)
        chosen = row.action in wf.chosen_variants
        out.append(
            {
                "action": row.action,
                "label": wf.action_label(row.action) if chosen else row.display_label,
                "style": "primary" if chosen else row.style,
            }
        )
    return out

"""Telling mediators about their cases through the notifications app (`users_tell`: an
inbox row each and an e-mail to those with an address, once per cause):

- a case assigned to them (指派, 提级调解, 转交 to their committee): the case's own
  mediator when they have an account, else every mediator of the committee with one
  (someone has to take the case up); whoever fired the action is not told;
- a case turned 超期 (the sweeper's mark): the case's mediator and the committee's
  mediators with accounts.

The texts name the case by its code, dispute kind, committee and deadline: no party's
name or the summary (free text that may hold personal data) goes into an inbox or an
e-mail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from pingan.mediation.models import MediationCase, MediationTransition, Mediator
from pingan.notifications.services import users_tell

# The timeline actions that put a case in a committee's or a mediator's hands.
ASSIGNING = frozenset({"assign", "escalate", "refer"})


def _accounts(q: Q) -> list[Any]:
    posts = (
        Mediator.objects.filter(q, is_active=True, user__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    seen: dict[int, Any] = {}
    for post in posts:
        if post.user_id is not None:
            seen.setdefault(post.user_id, post.user)
    return list(seen.values())


def assignees(case: MediationCase) -> list[Any]:
    """Who is told of an assignment: the case's mediator's account, else the accounts of
    the committee's active mediators."""
    if case.mediator_id is not None:
        own = _accounts(Q(pk=case.mediator_id))
        if own:
            return own
    if case.committee_id is None:
        return []
    return _accounts(Q(committee_id=case.committee_id))


def everyone(case: MediationCase) -> list[Any]:
    """The case's mediator's account and the committee's mediators' accounts."""
    q = Q(committee_id=case.committee_id) if case.committee_id else Q(pk__in=[])
    if case.mediator_id is not None:
        q |= Q(pk=case.mediator_id)
    return _accounts(q)


def _body(case: MediationCase) -> str:
    parts = [gettext("纠纷类型：%(kind)s") % {"kind": case.get_dispute_kind_display()}]
    if case.committee is not None:
        parts.append(gettext("调委会：%(name)s") % {"name": case.committee.name})
    if case.due_at is not None:
        parts.append(
            gettext("调解期限：%(day)s")
            % {"day": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")}
        )
    return "；".join(parts)


def _cause(row: MediationTransition) -> str:
    return f"mediation-t{row.pk}"


def assigned(case: MediationCase, row: MediationTransition) -> int:
    """Tell the assignees (not the one who assigned) of a new assignment; returns how many."""
    users = [u for u in assignees(case) if u.pk != row.actor_id]
    if not users:
        return 0
    return users_tell(
        users=users,
        event=None,
        kind="mediation_assign",
        title=gettext("新指派调解案件：%(code)s") % {"code": case.code},
        cause=_cause(row),
        body=_body(case),
        at=row.at,
    )


def overdue(case: MediationCase, row: MediationTransition) -> int:
    """Tell the case's mediators that it turned 超期; returns how many."""
    users = everyone(case)
    if not users:
        return 0
    return users_tell(
        users=users,
        event=None,
        kind="mediation_overdue",
        title=gettext("调解案件已超期：%(code)s") % {"code": case.code},
        cause=_cause(row),
        body=_body(case),
        at=row.at,
    )


def announce(case: MediationCase, action: str, row: MediationTransition) -> None:
    """The kind's `announce` (inside the transition's transaction, after its timeline row):
    an assignment tells its assignees."""
    if action in ASSIGNING:
        assigned(case, row)

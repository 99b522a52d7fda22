"""Who sees which mediation cases and committees, and who may reveal parties' data; built
on the actor and the scope rules (`pingan.access`), never on a path comparison of its own.

- The town and county centres (受理员, 领导) see the cases in their regions; the cases of
  judicial-kind committees only while `PINGAN_MEDIATION_JUDICIAL_VISIBLE_TO_CENTRE`.
- A mediator (role `mediator` and an active `Mediator` post with their account) sees the
  cases of their committees and the cases assigned to them.
- Whoever registered a case sees it. Cases with a sensitivity label drop out for those
  not cleared for it (the registrar and the committee's mediators excepted).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.access.scope import memberships_covering
from pingan.core.errors import NotFound
from pingan.mediation.choices import CommitteeKind
from pingan.mediation.models import Committee, MediationCase, Mediator
from pingan.org.choices import Role

CENTRE_ROLES = (Role.DISPATCHER, Role.LEADER)

__all__ = [
    "CENTRE_ROLES",
    "access_case",
    "can_unmask",
    "case_scope_q",
    "committee_scope_q",
    "judicial_visible_to_centre",
    "mediator_posts",
]


def judicial_visible_to_centre() -> bool:
    return bool(getattr(settings, "PINGAN_MEDIATION_JUDICIAL_VISIBLE_TO_CENTRE", True))


def mediator_posts(actor: Actor | Any) -> list[Mediator]:
    """The actor's active mediator posts (none without the `mediator` role)."""
    actor = as_actor(actor)
    if actor.user is None or not actor.has_role(Role.MEDIATOR):
        return []
    return list(Mediator.objects.filter(user=actor.user, is_active=True, committee__is_active=True))


def _centre_q(actor: Actor) -> Q:
    q = actor.region_q("region_path", CENTRE_ROLES)
    if not judicial_visible_to_centre():
        q &= ~Q(committee__kind=CommitteeKind.JUDICIAL)
    return q


def case_scope_q(actor: Actor | Any) -> Q:
    """Filter for the cases the actor may see (module docstring)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    labels = sorted(actor.clearances)
    cleared = Q(sensitivity="") | Q(sensitivity__in=labels) if labels else Q(sensitivity="")
    q = _centre_q(actor) & cleared
    posts = mediator_posts(actor)
    if posts:
        q |= Q(committee_id__in={p.committee_id for p in posts})
        q |= Q(mediator_id__in={p.pk for p in posts})
    return q | Q(created_by_id=actor.user.pk)


def cases_in_scope(actor: Actor | Any) -> QuerySet[MediationCase]:
    return MediationCase.objects.filter(case_scope_q(actor))


def access_case(actor: Actor | Any, case_id: int) -> MediationCase:
    """The case if the actor may see it; NotFound for missing and out of scope alike."""
    case = (
        cases_in_scope(actor)
        .select_related("region", "committee", "mediator", "event")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(gettext("调解案件不存在"))
    return case


def committee_scope_q(actor: Actor | Any) -> Q:
    """The committees the actor may list: those in (or above) their regions, and their own."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = actor.region_q("region_path", None)
    for path in actor.paths(None):
        # The committees above: the town's and the county's of a village's user.
        q |= Q(region__in=_ancestors(path))
    posts = mediator_posts(actor)
    if posts:
        q |= Q(pk__in={p.committee_id for p in posts})
    return q


def _ancestors(path: str) -> QuerySet[Any]:
    from pingan.geo.models import Region

    codes = [c for c in path.split("/") if c]
    return Region.objects.filter(code__in=codes)


def committee_covers(user_id: int | None, committee: Committee | None) -> bool:
    """Whether the user holds an active mediator post on `committee`."""
    if user_id is None or committee is None:
        return False
    return Mediator.objects.filter(user_id=user_id, committee=committee, is_active=True).exists()


def can_unmask(actor: Actor | Any, case: MediationCase) -> bool:
    """Whether the actor may reveal the parties' data of `case` (one audited action): a
    dispatcher whose region contains the case, or a mediator of its committee or the
    case's own mediator. Leaders and others see masked values only."""
    actor = as_actor(actor)
    centre = memberships_covering(actor, case.region_path, (Role.DISPATCHER,))
    if centre and (judicial_visible_to_centre() or not _is_judicial(case)):
        return True
    posts = mediator_posts(actor)
    return any(p.committee_id == case.committee_id or p.pk == case.mediator_id for p in posts)


def _is_judicial(case: MediationCase) -> bool:
    return case.committee is not None and case.committee.kind == CommitteeKind.JUDICIAL

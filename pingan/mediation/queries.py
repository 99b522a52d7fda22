"""Reads for the mediation pages (web/views/mediation.py): the mediator's workbench, the
committee register, the pickers of the forms. Every read goes through the actor's scope
(`permissions`); nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import NotFound
from pingan.geo.models import Region
from pingan.geo.scope import within
from pingan.geo.selectors import region_subtree
from pingan.mediation import workflow
from pingan.mediation.choices import Status
from pingan.mediation.models import Committee, MediationCase, MediationSession, Mediator
from pingan.mediation.permissions import case_scope_q, mediator_posts
from pingan.mediation.selectors import case_list, committee_list
from pingan.org.choices import Role

# Rows per list of the workbench (the rest through the API's list).
WORKBENCH_ROWS = 50
# Regions offered by the registration form (a county has a few hundred grids).
MAX_REGIONS = 2000

OPEN: list[str] = sorted(str(s) for s in workflow.OPEN)


@dataclass
class Workbench:
    """The mediator's workbench: each list already in the actor's scope."""

    mine: list[MediationCase] = field(default_factory=list)
    sessions_today: list[MediationSession] = field(default_factory=list)
    overdue: list[MediationCase] = field(default_factory=list)
    waiting: list[MediationCase] = field(default_factory=list)
    is_mediator: bool = False
    is_dispatcher: bool = False


def _today_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def workbench(*, actor: Actor | Any) -> Workbench:
    """My open cases (assigned to me or my committee), today's sessions, the overdue open
    cases and, for a dispatcher, the registered cases of their regions waiting for 受理."""
    actor = as_actor(actor)
    now = clock.now()
    posts = mediator_posts(actor)
    out = Workbench(is_mediator=bool(posts), is_dispatcher=actor.has_role(Role.DISPATCHER))
    open_cases = case_list(actor=actor, status=OPEN)
    if posts:
        mine_q = Q(mediator_id__in={p.pk for p in posts}) | Q(
            committee_id__in={p.committee_id for p in posts}
        )
        out.mine = list(open_cases.filter(mine_q).order_by("due_at", "-id")[:WORKBENCH_ROWS])
    start, end = _today_bounds(now)
    out.sessions_today = list(
        MediationSession.objects.filter(at__gte=start, at__lt=end)
        .filter(case__in=MediationCase.objects.filter(case_scope_q(actor)).values("pk"))
        .select_related("case", "case__committee")
        .order_by("at")[:WORKBENCH_ROWS]
    )
    out.overdue = list(open_cases.filter(due_at__lt=now).order_by("due_at", "id")[:WORKBENCH_ROWS])
    if out.is_dispatcher:
        out.waiting = list(
            open_cases.filter(actor.region_q("region_path", (Role.DISPATCHER,)))
            .filter(status=Status.REGISTERED)
            .order_by("created_at", "id")[:WORKBENCH_ROWS]
        )
    return out


def deadline_state(case: MediationCase, now: dt.datetime | None = None) -> str:
    """The deadline light of an open case with a term: normal, warning or overdue ("" else)."""
    if case.status not in workflow.OPEN or case.due_at is None:
        return ""
    now = now or clock.now()
    if now > case.due_at:
        return "overdue"
    if case.warn_at is not None and now >= case.warn_at:
        return "warning"
    return "normal"


def committee_register(*, actor: Actor | Any) -> QuerySet[Committee]:
    """The committees the actor may list, with their 五有 rows and mediators, the count
    of active mediators and of open cases."""
    return committee_list(actor=actor).annotate(
        mediator_count=Count("mediators", filter=Q(mediators__is_active=True), distinct=True),
        open_cases=Count("cases", filter=Q(cases__status__in=OPEN), distinct=True),
    )


def committee_detail(*, actor: Actor | Any, committee_id: int) -> Committee:
    """One committee of the register; NotFound outside the actor's list."""
    committee = committee_register(actor=actor).filter(pk=committee_id).first()
    if committee is None:
        raise NotFound(gettext("调委会不存在"))
    return committee


def committee_cases(*, actor: Actor | Any, committee: Committee) -> QuerySet[MediationCase]:
    """The committee's cases the actor may see, newest first."""
    return case_list(actor=actor, committee=committee.pk)


def committees_for_case(*, actor: Actor | Any, case: MediationCase) -> list[Committee]:
    """The committees the actor may pick for `case`: those whose area contains its place."""
    return [c for c in committee_list(actor=actor) if within(case.region_path, (c.region_path,))]


def committees_for_region(*, actor: Actor | Any, region: Region) -> list[Committee]:
    return [c for c in committee_list(actor=actor) if within(region.path, (c.region_path,))]


def active_mediators(committees: list[Committee]) -> list[Mediator]:
    """The active mediators of `committees` (the assign form's picker)."""
    return list(
        Mediator.objects.filter(committee__in=[c.pk for c in committees], is_active=True)
        .select_related("committee")
        .order_by("committee_id", "name")
    )


def registration_regions(*, actor: Actor | Any) -> list[Region]:
    """Where the actor may register a case: the regions under their dispatcher or grid
    memberships, or under their committees' areas for a mediator."""
    actor = as_actor(actor)
    roots: dict[int, Region] = {}
    for m in actor.holding((Role.DISPATCHER, Role.GRID_LEADER, Role.GRID_WORKER)):
        if m.region is not None:
            roots[m.region.pk] = m.region
    for post in mediator_posts(actor):
        roots[post.committee.region_id] = post.committee.region
    found: dict[int, Region] = {}
    for root in roots.values():
        for region in region_subtree(root)[:MAX_REGIONS]:
            found[region.pk] = region
    return sorted(found.values(), key=lambda r: r.path)[:MAX_REGIONS]


def registration_committees(*, actor: Actor | Any) -> list[Committee]:
    """The committees offered on the registration form (a mediator's own first)."""
    actor = as_actor(actor)
    posts = mediator_posts(actor)
    if posts and not actor.has_role(Role.DISPATCHER, Role.GRID_LEADER, Role.GRID_WORKER):
        return [p.committee for p in posts]
    return list(committee_list(actor=actor))

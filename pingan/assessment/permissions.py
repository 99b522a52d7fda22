"""Who may do what with a scheme (docs/assessment.md, "Scope"):

- the office (办公室): a dispatcher whose region covers the scheme's county runs everything;
- county leaders (a leader covering the county) read everything;
- a town's dispatchers and leaders answer for their town, a department's handlers for
  their department: they see the scheme once published, their own scores, the published
  ranking, and file entered values and appeals for their unit;
- anyone else: 404 (the scheme does not exist for them).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from pingan.access.actor import Actor
from pingan.assessment.choices import SchemeStatus
from pingan.assessment.models import Scheme
from pingan.assessment.units import Unit
from pingan.core.errors import Forbidden, NotFound
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.scope import within
from pingan.org.choices import Role
from pingan.org.models import Department

UNIT_REGION_ROLES = (Role.DISPATCHER, Role.LEADER)
RANKING_VISIBLE = (SchemeStatus.RANKED, SchemeStatus.FINAL)


def office_counties(actor: Actor) -> list[Region]:
    """The counties whose office this actor is: dispatcher memberships at county level
    (or above, covering counties)."""
    paths = actor.paths((Role.DISPATCHER,))
    if not paths:
        return []
    return [r for r in Region.objects.filter(level=Level.COUNTY) if within(r.path, paths)]


def is_office(actor: Actor, scheme: Scheme) -> bool:
    return actor.covers(scheme.county.path, (Role.DISPATCHER,))


def reads_all(actor: Actor, scheme: Scheme) -> bool:
    """The office and the leaders over the county."""
    return actor.covers(scheme.county.path, (Role.DISPATCHER, Role.LEADER))


def own_units(actor: Actor, scheme: Scheme) -> list[Unit]:
    """The units this actor answers for: towns of the county their dispatcher or leader
    membership covers (not the whole county: that is the office), and their departments."""
    out: list[Unit] = []
    if reads_all(actor, scheme):
        return out
    for r in Region.objects.filter(parent=scheme.county, level=Level.TOWN):
        if actor.covers(r.path, UNIT_REGION_ROLES):
            out.append(Unit("town", r.pk, r.name, r.path))
    ids = actor.department_ids()
    if ids:
        for d in Department.objects.filter(pk__in=ids, region=scheme.county):
            out.append(Unit("department", d.pk, d.name))
    return out


def answers_for(actor: Actor, scheme: Scheme, unit: Unit) -> bool:
    return any(u.key == unit.key for u in own_units(actor, scheme))


def scheme_scope_q(actor: Actor) -> Q:
    """Schemes the actor may see: of the counties they cover as office or leader (drafts
    included), or, once published, of the county their town or department belongs to."""
    if actor.user is None:
        return Q(pk__in=[])
    county_ids: set[int] = set()
    unit_county_ids: set[int] = set()
    paths = actor.paths((Role.DISPATCHER, Role.LEADER))
    for r in Region.objects.filter(level=Level.COUNTY):
        if actor.covers(r.path, (Role.DISPATCHER, Role.LEADER)):
            county_ids.add(r.pk)
        elif any(within(p, [r.path]) for p in paths):
            unit_county_ids.add(r.pk)
    ids = actor.department_ids()
    if ids:
        unit_county_ids |= set(
            Department.objects.filter(pk__in=ids).values_list("region_id", flat=True)
        )
    return Q(county_id__in=county_ids) | (
        Q(county_id__in=unit_county_ids) & ~Q(status=SchemeStatus.DRAFT)
    )


def visible_schemes(actor: Actor) -> QuerySet[Scheme]:
    return Scheme.objects.filter(scheme_scope_q(actor)).select_related("county")


def access_scheme(actor: Actor, scheme_id: int, *, for_update: bool = False) -> Scheme:
    """The scheme if the actor may see it; NotFound (404) for missing and not theirs."""
    qs = visible_schemes(actor)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    scheme = qs.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound(_("考核方案不存在"))
    return scheme


def require_office(actor: Actor, scheme: Scheme) -> None:
    if not is_office(actor, scheme):
        raise Forbidden(_("只有县平安办可以进行此操作"))


def can_see_unit(actor: Actor, scheme: Scheme, unit: Unit) -> bool:
    return reads_all(actor, scheme) or answers_for(actor, scheme, unit)


def can_see_ranking(actor: Actor, scheme: Scheme) -> bool:
    return reads_all(actor, scheme) or scheme.status in RANKING_VISIBLE

"""Who sees and who fills which screening reports; built on the actor and the scope rules
(`pingan.access`), never on a path comparison of its own.

- A unit's people report for it: the grid workers and grid leaders of a village (their
  grids' village), the dispatchers and leaders whose region is the unit (a village's,
  a town's, the county's). A town's people report for the town, not for its villages.
- Everyone sees the reports of the units in their regions (a town sees its villages, the
  county sees all) and of the units they report for; a round is visible when one of its
  reports is.
- A report's items are disposed of (made an event or a mediation case) by its unit's
  people and by the dispatchers whose region contains the unit.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext

from pingan.access.actor import REGION_ROLES, Actor, as_actor
from pingan.access.scope import memberships_covering
from pingan.core.errors import NotFound
from pingan.geo.choices import Level
from pingan.org.choices import Role
from pingan.screening.models import ScreeningItem, ScreeningReport, ScreeningRound

REPORTER_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER})
UNIT_LEVELS = frozenset({Level.VILLAGE, Level.TOWN, Level.COUNTY})

__all__ = [
    "REPORTER_ROLES",
    "access_item",
    "access_report",
    "access_round",
    "can_dispose",
    "can_report",
    "report_scope_q",
    "reporting_units",
    "round_scope_q",
]


def reporting_units(actor: Actor | Any) -> set[int]:
    """The ids of the units (regions) the actor reports for (module docstring)."""
    actor = as_actor(actor)
    units: set[int] = set()
    for m in actor.holding(REPORTER_ROLES):
        region = m.region
        if region is None:
            continue
        if region.level == Level.GRID and m.role in (Role.GRID_WORKER, Role.GRID_LEADER):
            if region.parent_id is not None:
                units.add(region.parent_id)
        elif region.level in UNIT_LEVELS:
            units.add(region.pk)
    return units


def report_scope_q(actor: Actor | Any, prefix: str = "") -> Q:
    """Filter for the reports the actor may see; `prefix` ("reports__") filters rounds."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = actor.region_q(f"{prefix}region_path", REGION_ROLES)
    units = reporting_units(actor)
    if units:
        q |= Q(**{f"{prefix}unit_id__in": units})
    return q


def round_scope_q(actor: Actor | Any) -> Q:
    """Filter for the rounds the actor may see: those with a report they see."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    seen = ScreeningReport.objects.filter(report_scope_q(actor), round_id=OuterRef("pk"))
    return Q(Exists(seen))


def can_report(actor: Actor | Any, report: ScreeningReport) -> bool:
    return report.unit_id in reporting_units(actor)


def can_dispose(actor: Actor | Any, report: ScreeningReport) -> bool:
    actor = as_actor(actor)
    if can_report(actor, report):
        return True
    return bool(memberships_covering(actor, report.region_path, (Role.DISPATCHER,)))


def access_round(actor: Actor | Any, round_id: int) -> ScreeningRound:
    """The round if the actor may see it; NotFound for missing and out of scope alike."""
    found = (
        ScreeningRound.objects.filter(round_scope_q(actor), pk=round_id)
        .select_related("region")
        .first()
    )
    if found is None:
        raise NotFound(gettext("排查轮次不存在"))
    return found


def access_report(actor: Actor | Any, report_id: int) -> ScreeningReport:
    found = (
        ScreeningReport.objects.filter(report_scope_q(actor), pk=report_id)
        .select_related("round", "unit")
        .first()
    )
    if found is None:
        raise NotFound(gettext("排查报告不存在"))
    return found


def access_item(actor: Actor | Any, item_id: int) -> ScreeningItem:
    found = (
        ScreeningItem.objects.filter(report_scope_q(actor, "report__"), pk=item_id)
        .select_related("report", "report__round", "report__unit")
        .first()
    )
    if found is None:
        raise NotFound(gettext("排查事项不存在"))
    return found

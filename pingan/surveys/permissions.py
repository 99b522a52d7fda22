"""Who runs, sees, answers and reads which surveys; built on the actor and the scope rules
(`pingan.access`, `pingan.geo.scope`), never on a path comparison of its own.

- The county's Ping'an office (a dispatcher whose membership region is the county) creates,
  edits (while draft), opens and closes the county's surveys, and reads every response.
- Drafts are seen by the office and the county's leaders; open and closed surveys by
  everyone whose region lies in the county or contains it.
- Results: dispatchers and leaders, each for the towns in their regions (a town's
  dispatchers their town; the county's all of them and the county row).
- Grid workers and grid leaders answer for the grids (villages) they hold.
- Responses (with masked phones): dispatchers, those of the regions they cover.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from pingan.access.actor import REGION_ROLES, Actor, as_actor
from pingan.access.scope import memberships_covering
from pingan.core.errors import Forbidden, NotFound
from pingan.geo import scope as paths
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.org.choices import GRID_ROLES, Role
from pingan.surveys.choices import SurveyStatus
from pingan.surveys.models import Survey

READER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
OFFICE_LEVELS = frozenset({Level.COUNTY, Level.CITY})

__all__ = [
    "access_survey",
    "answer_regions",
    "can_manage",
    "can_read_results",
    "office_counties",
    "result_towns",
    "survey_scope_q",
]


def ancestor_paths(path: str) -> list[str]:
    """Every path from the root down to `path` itself ("330424/", "330424/330424001/")."""
    codes = [c for c in path.split("/") if c]
    return ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]


def office_counties(actor: Actor | Any) -> list[Region]:
    """The counties whose office the actor is (dispatcher memberships at county level)."""
    actor = as_actor(actor)
    out = []
    for m in actor.holding((Role.DISPATCHER,)):
        if m.region is not None and m.region.level in OFFICE_LEVELS:
            out.append(m.region)
    return out


def can_manage(actor: Actor | Any, survey: Survey) -> bool:
    """The office of the survey's county (a dispatcher at county level covering it)."""
    actor = as_actor(actor)
    return any(
        m.region is not None and m.region.level in OFFICE_LEVELS
        for m in memberships_covering(actor, survey.region_path, (Role.DISPATCHER,))
    )


def survey_scope_q(actor: Actor | Any) -> Q:
    """Filter for the surveys the actor may see (module docstring)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    above: set[str] = set()
    for p in actor.paths(REGION_ROLES):
        above.update(ancestor_paths(p))
    overlapping = actor.region_q("region_path", REGION_ROLES) | Q(region_path__in=sorted(above))
    drafts = Q(status=SurveyStatus.DRAFT) & actor.region_q("region_path", READER_ROLES)
    return (~Q(status=SurveyStatus.DRAFT) & overlapping) | drafts


def access_survey(actor: Actor | Any, survey_id: int) -> Survey:
    """The survey if the actor may see it; NotFound for missing and out of scope alike."""
    found = (
        Survey.objects.filter(survey_scope_q(actor), pk=survey_id).select_related("region").first()
    )
    if found is None:
        raise NotFound(gettext("问卷不存在"))
    return found


def result_towns(actor: Actor | Any, survey: Survey) -> tuple[bool, list[Region]]:
    """(whether the actor reads the whole county, the towns whose results they read)."""
    actor = as_actor(actor)
    towns = list(
        Region.objects.filter(
            paths.within_q("path", [survey.region_path]), level=Level.TOWN
        ).order_by("path")
    )
    whole = actor.covers(survey.region_path, READER_ROLES)
    if whole:
        return True, towns
    return False, [t for t in towns if actor.covers(t.path, READER_ROLES)]


def can_read_results(actor: Actor | Any, survey: Survey) -> bool:
    whole, towns = result_towns(actor, survey)
    return whole or bool(towns)


def require_results(actor: Actor | Any, survey: Survey) -> tuple[bool, list[Region]]:
    whole, towns = result_towns(actor, survey)
    if not whole and not towns:
        raise Forbidden(gettext("您不能查看本问卷的调查结果"))
    return whole, towns


def answer_regions(actor: Actor | Any, survey: Survey) -> list[Region]:
    """The grids (grid workers) and villages (grid leaders) in the survey's county the actor
    answers for."""
    actor = as_actor(actor)
    return [
        m.region
        for m in actor.holding(GRID_ROLES)
        if m.region is not None and paths.within(m.region.path, [survey.region_path])
    ]


def response_scope_q(actor: Actor | Any) -> Q:
    """Filter for the responses a dispatcher sees (their regions)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    return actor.region_q("region_path", (Role.DISPATCHER,))

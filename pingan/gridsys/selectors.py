"""Reads of the six systems, scoped to the acting actor (`gridsys.permissions`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import NotFound
from pingan.geo import scope
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.gridsys import scoring
from pingan.gridsys.models import AfterReview, Meeting, RankingEntry
from pingan.gridsys.permissions import (
    VIEW_ROLES,
    meeting_scope_q,
    ranking_scope_q,
    review_scope_q,
)


def visible_paths(actor: Actor | Any, region: Region | None = None) -> list[str]:
    """The region paths whose workers the actor may see, narrowed to `region`.
    NotFound when `region` is outside them."""
    paths = as_actor(actor).paths(VIEW_ROLES)
    if region is None:
        return paths
    if scope.within(region.path, paths):
        return [region.path]
    inner = [p for p in paths if scope.within(p, (region.path,))]
    if not inner:
        raise NotFound(gettext("区划不存在"))
    return inner


def towns_over(paths: list[str]) -> list[Region]:
    """Towns that contain or lie within the given paths (ranks are within a whole town)."""
    return [t for t in Region.objects.filter(level=Level.TOWN) if scope.overlaps(t.path, paths)]


def score_rows(
    *, user: Actor | Any, month: dt.date, region: Region | None = None
) -> list[scoring.ScoreRow]:
    """Monthly scores the actor may see: their own, and the workers of the regions they
    lead or oversee. Ranks are within each whole town."""
    actor = as_actor(user)
    paths = visible_paths(actor, region)
    if not paths:
        rows = scoring.monthly_scores(month)
        return [r for r in rows if r.user_id == actor.pk]
    rows = scoring.monthly_scores(month, towns=towns_over(paths))
    return [r for r in rows if scope.within(r.grid_path, paths)]


def quarter_rows(
    *, user: Actor | Any, quarter: str, region: Region | None = None
) -> list[scoring.ScoreRow]:
    """Quarterly scores of the workers in the actor's regions (none of their own)."""
    paths = visible_paths(user, region)
    if not paths:
        return []
    rows = scoring.quarterly_scores(quarter, towns=towns_over(paths))
    return [r for r in rows if scope.within(r.grid_path, paths)]


def meeting_list(*, user: Actor | Any) -> QuerySet[Meeting]:
    """Meetings in the actor's regions."""
    return Meeting.objects.filter(meeting_scope_q(user)).select_related("region")


def meeting_get(*, user: Actor | Any, meeting_id: int) -> Meeting:
    """One meeting in the actor's regions; NotFound for missing and out of scope alike."""
    m = meeting_list(user=user).filter(pk=meeting_id).first()
    if m is None:
        raise NotFound(gettext("例会不存在"))
    return m


def review_list(*, user: Actor | Any) -> QuerySet[AfterReview]:
    """After-the-fact reviews in the actor's regions."""
    return AfterReview.objects.filter(review_scope_q(user)).select_related(
        "event", "reviewer", "accountable_user", "accountable_department"
    )


def ranking_list(*, user: Actor | Any, quarter: str) -> QuerySet[RankingEntry]:
    """Published ranking entries of `quarter` for grids in the actor's regions."""
    return (
        RankingEntry.objects.filter(ranking_scope_q(user), quarter=quarter.upper())
        .select_related("user", "grid", "town", "warning")
        .prefetch_related("warning__appeals")
    )

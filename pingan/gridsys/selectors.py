"""Reads of the six systems, scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from pingan.core.errors import NotFound
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.gridsys import scoring
from pingan.gridsys.models import AfterReview, Meeting, RankingEntry
from pingan.gridsys.permissions import path_q, paths_for


def visible_paths(user: Any, region: Region | None = None) -> list[str]:
    """The region paths whose workers the user may see, narrowed to `region`.
    NotFound when `region` is outside them."""
    paths = paths_for(user)
    if region is None:
        return paths
    if any(region.path.startswith(p) for p in paths):
        return [region.path]
    inner = [p for p in paths if p.startswith(region.path)]
    if not inner:
        raise NotFound(gettext("区划不存在"))
    return inner


def towns_over(paths: list[str]) -> list[Region]:
    """Towns that contain or lie within the given paths (ranks are within a whole town)."""
    towns = []
    for t in Region.objects.filter(level=Level.TOWN):
        if any(p.startswith(t.path) or t.path.startswith(p) for p in paths):
            towns.append(t)
    return towns


def score_rows(
    *, user: Any, month: dt.date, region: Region | None = None
) -> list[scoring.ScoreRow]:
    """Monthly scores the user may see: their own, and the workers of the regions they
    lead or oversee. Ranks are within each whole town."""
    paths = visible_paths(user, region)
    if not paths:
        rows = scoring.monthly_scores(month)
        return [r for r in rows if r.user_id == user.pk]
    rows = scoring.monthly_scores(month, towns=towns_over(paths))
    return [r for r in rows if any(r.grid_path.startswith(p) for p in paths)]


def quarter_rows(
    *, user: Any, quarter: str, region: Region | None = None
) -> list[scoring.ScoreRow]:
    paths = visible_paths(user, region)
    if not paths:
        return []
    rows = scoring.quarterly_scores(quarter, towns=towns_over(paths))
    return [r for r in rows if any(r.grid_path.startswith(p) for p in paths)]


def meeting_list(*, user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(path_q(paths_for(user))).select_related("region")


def meeting_get(*, user: Any, meeting_id: int) -> Meeting:
    m = meeting_list(user=user).filter(pk=meeting_id).first()
    if m is None:
        raise NotFound(gettext("例会不存在"))
    return m


def review_list(*, user: Any) -> QuerySet[AfterReview]:
    return AfterReview.objects.filter(path_q(paths_for(user))).select_related(
        "event", "reviewer", "accountable_user", "accountable_department"
    )


def ranking_list(*, user: Any, quarter: str) -> QuerySet[RankingEntry]:
    return (
        RankingEntry.objects.filter(path_q(paths_for(user), "grid__path"), quarter=quarter.upper())
        .select_related("user", "grid", "town", "warning")
        .prefetch_related("warning__appeals")
    )

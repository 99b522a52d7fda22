"""Reads of patrols, scoped to the acting actor (`patrols.permissions`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from pingan.access.actor import Actor
from pingan.core.errors import NotFound
from pingan.geo import scope
from pingan.patrols.models import Patrol
from pingan.patrols.permissions import patrol_scope_q


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def patrol_list(
    *,
    user: Actor | Any,
    day_from: dt.date | None = None,
    day_to: dt.date | None = None,
    region_path: str | None = None,
) -> QuerySet[Patrol]:
    """Patrols in the actor's scope that were under way on any day of [day_from, day_to]
    (local days): one that runs past midnight belongs to both days."""
    qs = Patrol.objects.filter(patrol_scope_q(user)).select_related("user", "region")
    if day_from:
        qs = qs.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=_local_midnight(day_from)))
    if day_to:
        qs = qs.filter(started_at__lt=_local_midnight(day_to + dt.timedelta(days=1)))
    if region_path:
        qs = qs.filter(scope.within_q("region_path", [region_path]))
    return qs


def patrol_get(*, user: Actor | Any, patrol_id: int) -> Patrol:
    """One patrol in the actor's scope; NotFound for missing and out of scope alike."""
    patrol = (
        Patrol.objects.filter(patrol_scope_q(user), pk=patrol_id)
        .select_related("user", "region")
        .first()
    )
    if patrol is None:
        raise NotFound("巡查不存在")
    return patrol

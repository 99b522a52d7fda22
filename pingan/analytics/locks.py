"""Period locking (封账): the figures of a locked period's days stay as published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.analytics.kpis import check_period
from pingan.analytics.models import PeriodLock
from pingan.analytics.rebuild import rollup_rebuild
from pingan.core import audit, clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.geo.choices import Level
from pingan.org.choices import Role
from pingan.org.selectors import memberships_of

LOCKING_LEVELS = (Level.CITY, Level.COUNTY)


def day_locked(day: dt.date) -> bool:
    """Whether `day` lies in a locked period."""
    return PeriodLock.objects.filter(date_from__lte=day, date_to__gte=day).exists()


def can_lock(user: Any) -> bool:
    """A county or city leader or centre dispatcher: who may lock and unlock periods."""
    return any(
        (
            m.role in (Role.LEADER, Role.DISPATCHER)
            and m.region is not None
            and m.region.level in LOCKING_LEVELS
        )
        for m in memberships_of(user)
    )


def period_lock(
    *, user: Any, date_from: dt.date, date_to: dt.date, note: str = "", request: Any = None
) -> PeriodLock:
    """Lock the figures of events reported from date_from to date_to (a county or city
    leader or centre dispatcher). Overlapping an existing lock is a conflict. Audited."""
    if not can_lock(user):
        raise Forbidden(_("只有县级领导或县级指挥中心可以封账"))
    check_period(date_from, date_to, from_field="date_from", to_field="date_to")
    if date_to >= timezone.localdate(clock.now()):
        raise invalid("date_to", _("只能对已经结束的期间封账"))
    with transaction.atomic():
        if (
            PeriodLock.objects.select_for_update()
            .filter(date_from__lte=date_to, date_to__gte=date_from)
            .exists()
        ):
            raise Conflict(_("该期间与已封账期间重叠"))
        lock = PeriodLock.objects.create(
            date_from=date_from,
            date_to=date_to,
            note=note[:200],
            locked_at=clock.now(),
            locked_by=user,
        )
        audit.record(
            action="analytics.period_lock",
            actor=user,
            object_type="period_lock",
            object_id=lock.pk,
            request=request,
            detail={"from": date_from.isoformat(), "to": date_to.isoformat(), "note": note[:200]},
        )
    return lock


def period_unlock(*, user: Any, lock_id: int, request: Any = None) -> None:
    """Unlock a period: its figures are recounted from the events as they are now. Audited."""
    if not can_lock(user):
        raise Forbidden(_("只有县级领导或县级指挥中心可以解除封账"))
    with transaction.atomic():
        lock = PeriodLock.objects.select_for_update().filter(pk=lock_id).first()
        if lock is None:
            raise NotFound(_("封账记录不存在"))
        span = (lock.date_from, lock.date_to)
        lock.delete()
        audit.record(
            action="analytics.period_unlock",
            actor=user,
            object_type="period_lock",
            object_id=lock_id,
            request=request,
            detail={"from": span[0].isoformat(), "to": span[1].isoformat()},
        )
        rollup_rebuild(date_from=span[0], date_to=span[1])

"""Reads of leads: a dispatcher sees the leads of the regions of their centre."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from pingan.access.actor import Actor
from pingan.core.errors import NotFound
from pingan.leads.choices import LeadStatus
from pingan.leads.models import Lead
from pingan.leads.permissions import lead_scope_q


@dataclass
class LeadFilters:
    status: str = ""
    platform: str = ""
    min_risk: float | None = None
    q: str = ""
    since: dt.date | None = None
    signal: str = ""

    @classmethod
    def from_params(cls, params: Any) -> LeadFilters:
        def get(name: str) -> str:
            return (params.get(name) or "").strip()

        min_risk = None
        try:
            min_risk = float(get("min_risk")) if get("min_risk") else None
        except ValueError:
            min_risk = None
        since = None
        try:
            since = dt.date.fromisoformat(get("since")) if get("since") else None
        except ValueError:
            since = None
        status = get("status")
        return cls(
            status=status if status in LeadStatus.values else "",
            platform=get("platform"),
            min_risk=min_risk,
            q=get("q"),
            since=since,
            signal=get("signal"),
        )


def lead_list(*, user: Actor | Any, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    """Leads in the actor's scope, riskiest first, filtered."""
    f = filters or LeadFilters()
    qs = Lead.objects.filter(lead_scope_q(user)).select_related("region", "event")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.platform:
        qs = qs.filter(posts__platform=f.platform)
    if f.min_risk is not None:
        qs = qs.filter(risk_score__gte=f.min_risk)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(posts__text__icontains=f.q))
    if f.since:
        qs = qs.filter(last_seen__date__gte=f.since)
    if f.signal:
        qs = qs.filter(signals__icontains=f.signal)
    return qs.distinct().order_by("-risk_score", "-last_seen")


def lead_detail(*, user: Actor | Any, lead_id: int) -> Lead:
    """One lead in the actor's scope; NotFound for missing and out of scope alike."""
    lead = Lead.objects.filter(lead_scope_q(user), pk=lead_id).select_related("region").first()
    if lead is None:
        raise NotFound("线索不存在")
    return lead


def lead_for_update(*, user: Actor | Any, lead_id: int) -> Lead:
    """A lead in scope, locked; the same NotFound for missing and out of scope."""
    lead = Lead.objects.select_for_update().filter(lead_scope_q(user), pk=lead_id).first()
    if lead is None:
        raise NotFound("线索不存在")
    return lead

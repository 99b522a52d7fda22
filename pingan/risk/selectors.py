"""Reads on major matters, always through the actor's scope (`permissions`); the linked
events masked as the events' own lists mask them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.pii import mask_address, mask_in_text
from pingan.events.choices import Status as EventStatus
from pingan.events.models import Event
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.risk.choices import StepKind
from pingan.risk.models import AssessmentStep, MajorMatter, MatterTransition, RiskMeasure
from pingan.risk.permissions import access_matter, matter_scope_q


def matter_list(
    *,
    actor: Actor | Any,
    grade: list[str] | None = None,
    decision: list[str] | None = None,
    kind: list[str] | None = None,
    status: list[str] | None = None,
    region: Region | None = None,
    counts: bool = True,
) -> QuerySet[MajorMatter]:
    """The matters the actor may see, newest first, with (`counts`) their counts of steps
    and measures (open, overdue) and whether a third party assessed them: one query."""
    today = timezone.localdate(clock.now())
    qs = MajorMatter.objects.filter(matter_scope_q(as_actor(actor))).select_related(
        "region", "owner_department"
    )
    if counts:
        qs = qs.annotate(
            step_count=Count("steps", distinct=True),
            measure_count=Count("measures", distinct=True),
            open_measures=Count(
                "measures", filter=Q(measures__done_at__isnull=True), distinct=True
            ),
            overdue_measures=Count(
                "measures",
                filter=Q(measures__done_at__isnull=True, measures__deadline__lt=today),
                distinct=True,
            ),
            third_party=Exists(
                AssessmentStep.objects.filter(matter=OuterRef("pk"), kind=StepKind.THIRD_PARTY)
            ),
        )
    if grade:
        qs = qs.filter(grade__in=grade)
    if decision:
        qs = qs.filter(decision__in=decision)
    if kind:
        qs = qs.filter(kind__in=kind)
    if status:
        qs = qs.filter(status__in=status)
    if region is not None:
        qs = qs.filter(within_q("region_path", [region.path]))
    return qs.order_by("-created_at", "-id")


def matter_detail(*, actor: Actor | Any, matter_id: int) -> MajorMatter:
    """One matter with its steps, measures and timeline prefetched; NotFound out of scope."""
    matter = access_matter(actor, matter_id)
    return (
        MajorMatter.objects.filter(pk=matter.pk)
        .select_related("region", "owner_department", "created_by")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=AssessmentStep.objects.select_related("recorded_by").order_by(
                    "held_on", "id"
                ),
            ),
            Prefetch(
                "measures",
                queryset=RiskMeasure.objects.select_related(
                    "owner_department", "owner_user"
                ).order_by("deadline", "id"),
            ),
            Prefetch(
                "timeline",
                queryset=MatterTransition.objects.select_related("actor").order_by("at", "id"),
            ),
        )
        .get()
    )


def measure_state(m: RiskMeasure, today: Any) -> str:
    """done_on_time | done_late | overdue | open."""
    if m.done_at is not None:
        return "done_on_time" if m.on_time else "done_late"
    return "overdue" if m.deadline < today else "open"


def linked_event_dict(e: Event, *, disputes: set[int] | None = None) -> dict[str, Any]:
    """A linked event as the lists show one: no reporter, the address masked, phones and
    ID numbers masked in the title."""
    return {
        "id": e.pk,
        "code": e.code,
        "title": mask_in_text(e.title),
        "category": e.category_id,
        "category_name": e.category.name,
        "status": e.status,
        "status_label": str(EventStatus(e.status).label)
        if e.status in EventStatus.values
        else e.status,
        "region_name": e.region.name,
        "address": mask_address(e.address),
        "lat": e.lat,
        "lng": e.lng,
        "reported_at": timezone.localtime(e.reported_at),
        "is_dispute": e.category_id in disputes if disputes is not None else None,
    }

"""Reads of the inspections app, each taking the actor and applying the scope
(`permissions`), except the system reads named so (`inspection_label`,
`campaign_inspection_count`, used by other apps). docs/inspections.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import invalid
from pingan.inspections import periods
from pingan.inspections.choices import Kind, Result, TaskStatus
from pingan.inspections.models import (
    Answer,
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPhoto,
    InspectionPlan,
    InspectionTask,
)
from pingan.inspections.permissions import (
    access_inspection,
    access_plan,
    inspection_scope_q,
    plan_scope_q,
    task_scope_q,
)

DUE = ("open", "overdue", "today", "done", "all")

__all__ = [
    "DUE",
    "campaign_inspection_count",
    "checklists",
    "inspection_detail",
    "inspection_label",
    "inspection_list",
    "my_tasks",
    "photo_get",
    "plan_list",
    "round_inspections",
    "task_list",
]


def inspection_label(inspection_id: int) -> str:
    """A short name of an inspection for other apps' sources (system read, no scope):
    「2026-11-03 县领导督查（督查）· 武原街道」."""
    i = (
        Inspection.objects.filter(pk=inspection_id)
        .select_related("unit_region", "unit_department")
        .first()
    )
    if i is None:
        return ""
    day = timezone.localtime(i.submitted_at).date().isoformat()
    return f"{day} {i.get_level_display()}（{i.get_kind_display()}）· {i.unit_name}"


def campaign_inspection_count(campaign_id: int) -> int:
    """How many inspections were made under the campaign (system read, no scope)."""
    return Inspection.objects.filter(campaign_id=campaign_id).count()


def inspection_list(
    actor: Actor | Any,
    *,
    kind: str | None = None,
    unit_region: int | None = None,
    unit_department: int | None = None,
    plan: int | None = None,
    published: bool | None = None,
    campaign: int | None = None,
) -> QuerySet[Inspection]:
    """The inspections the actor sees, newest first, with their counts."""
    actor = as_actor(actor)
    if kind is not None and kind not in Kind.values:
        raise invalid("kind", gettext("取值应为：%(values)s") % {"values": "、".join(Kind.values)})
    qs = Inspection.objects.filter(inspection_scope_q(actor))
    if kind:
        qs = qs.filter(kind=kind)
    if unit_region is not None:
        qs = qs.filter(unit_region_id=unit_region)
    if unit_department is not None:
        qs = qs.filter(unit_department_id=unit_department)
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    if published is not None:
        qs = qs.filter(published_at__isnull=not published)
    return (
        qs.select_related("unit_region", "unit_department", "plan")
        .annotate(
            finding_count=Count("findings", distinct=True),
            problem_count=Count("answers", filter=Q(answers__result=Result.PROBLEM), distinct=True),
        )
        .order_by("-submitted_at", "-pk")
    )


def inspection_detail(actor: Actor | Any, inspection_id: int) -> Inspection:
    """One inspection with its answers, findings, photos and inspectors (404 if unseen)."""
    found = access_inspection(actor, inspection_id)
    return (
        Inspection.objects.filter(pk=found.pk)
        .select_related("unit_region", "unit_department", "plan", "checklist", "task", "place")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("item")),
            Prefetch("findings", queryset=Finding.objects.select_related("item")),
            "photos",
            "inspectors",
        )
        .get()
    )


def task_list(
    actor: Actor | Any, *, due: str = "open", mine: bool = False
) -> QuerySet[InspectionTask]:
    """The tasks the actor sees (`mine`: assigned to them), by `due`: open (not done),
    overdue (open past its due date), today (open, due today or earlier), done, all."""
    actor = as_actor(actor)
    if due not in DUE:
        raise invalid("due", gettext("取值应为：%(values)s") % {"values": "、".join(DUE)})
    qs = InspectionTask.objects.filter(task_scope_q(actor))
    if mine:
        qs = qs.filter(assignees=actor.user)
    day = periods.today()
    if due == "open":
        qs = qs.filter(status=TaskStatus.OPEN)
    elif due == "overdue":
        qs = qs.filter(status=TaskStatus.OPEN, due_on__lt=day)
    elif due == "today":
        qs = qs.filter(status=TaskStatus.OPEN, period_start__lte=day)
    elif due == "done":
        qs = qs.filter(status=TaskStatus.DONE)
    return qs.select_related("plan", "plan__checklist", "unit_region", "unit_department").order_by(
        "due_on", "pk"
    )


def my_tasks(actor: Actor | Any) -> list[InspectionTask]:
    """The actor's open tasks of periods begun, for the phone (with each checklist)."""
    return list(task_list(actor, due="today", mine=True)[:100])


def plan_list(actor: Actor | Any, *, year: int | None = None) -> QuerySet[InspectionPlan]:
    qs = InspectionPlan.objects.filter(plan_scope_q(actor))
    if year is not None:
        qs = qs.filter(year=year)
    return (
        qs.select_related("checklist", "region")
        .annotate(
            target_count=Count("target_regions", distinct=True)
            + Count("target_departments", distinct=True),
            open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN), distinct=True),
        )
        .order_by("-year", "level", "pk")
    )


def checklists() -> list[Checklist]:
    """The active checklists with their items (reference data: every signed-in user)."""
    return list(
        Checklist.objects.filter(active=True).prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))
        )
    )


def round_inspections(
    actor: Actor | Any, *, plan_id: int, period_start: dt.date
) -> tuple[InspectionPlan, list[Inspection]]:
    """A plan's round (one period): the inspections of its tasks the actor sees."""
    plan = access_plan(actor, plan_id)
    ids = Inspection.objects.filter(
        inspection_scope_q(actor), plan=plan, task__period_start=period_start
    ).values_list("pk", flat=True)
    return plan, [inspection_detail(actor, pk) for pk in ids]


def photo_get(actor: Actor | Any, photo_id: int) -> InspectionPhoto:
    """A photo of an inspection the actor sees (404 otherwise)."""
    from pingan.core.errors import NotFound

    photo = InspectionPhoto.objects.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound(gettext("照片不存在"))
    try:
        access_inspection(actor, photo.inspection_id)
    except NotFound:
        raise NotFound(gettext("照片不存在")) from None
    return photo

"""Who sees and who does what in inspections; built on the actor and `pingan.geo.scope`
(no path comparison of its own). docs/inspections.md, "Scope".

- The office (办公室): a dispatcher whose membership region is a county runs plans and
  inspections: sees all of its county, publishes, issues orders.
- Inspectors (督查员, or anyone named on an inspection or a task) see the inspections and
  the tasks they are assigned to, and issue their findings' orders.
- A town's dispatchers and leaders, a department's handlers: their own self-checks, and
  the inspections of them once published (暗访 stays hidden until then); leaders read the
  published ones in their region. Out of scope is 404, as missing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core.errors import NotFound
from pingan.geo import scope as paths
from pingan.geo.choices import Level as GeoLevel
from pingan.inspections.choices import Kind
from pingan.inspections.models import Inspection, InspectionPlan, InspectionTask
from pingan.org.choices import Role

UNIT_ROLES = (Role.DISPATCHER, Role.LEADER)

__all__ = [
    "access_inspection",
    "access_plan",
    "access_task",
    "can_issue",
    "can_manage",
    "can_submit_task",
    "inspection_scope_q",
    "is_office",
    "office_paths",
    "plan_scope_q",
    "task_scope_q",
]


def office_paths(actor: Actor | Any) -> list[str]:
    """The counties whose office (county-level dispatcher) the actor is part of."""
    actor = as_actor(actor)
    return paths.narrowest(
        m.region.path
        for m in actor.holding((Role.DISPATCHER,))
        if m.region is not None and m.region.level == GeoLevel.COUNTY
    )


def is_office(actor: Actor | Any) -> bool:
    return bool(office_paths(actor))


def can_manage(actor: Actor | Any, path: str) -> bool:
    """Whether the actor is the office over the unit at `path` (publish, plans, orders)."""
    return bool(path) and paths.within(path, office_paths(actor))


def _assigned(model: type[Any], user_id: int | None, field: str) -> Q:
    through = getattr(model, field).through
    key = f"{model._meta.model_name}_id"
    return Q(pk__in=through.objects.filter(user_id=user_id).values(key))


def inspection_scope_q(actor: Actor | Any) -> Q:
    """Filter for the inspections the actor may see (module docstring)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = paths.within_q("region_path", office_paths(actor))
    unit = actor.region_q("region_path", UNIT_ROLES)
    depts = actor.department_ids()
    if depts:
        unit |= Q(unit_department_id__in=depts)
    q |= unit & Q(published_at__isnull=False)
    q |= _assigned(Inspection, actor.user.pk, "inspectors")
    q |= Q(created_by_id=actor.user.pk)
    return q


def task_scope_q(actor: Actor | Any) -> Q:
    """Filter for the tasks the actor may see: the office's, the assignees', and a unit's
    own self-check tasks (never the schedule of an inspection of it)."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = paths.within_q("region_path", office_paths(actor))
    q |= _assigned(InspectionTask, actor.user.pk, "assignees")
    unit = actor.region_q("region_path", UNIT_ROLES)
    depts = actor.department_ids()
    if depts:
        unit |= Q(unit_department_id__in=depts)
    q |= unit & Q(plan__kind=Kind.SELF_CHECK)
    return q


def plan_scope_q(actor: Actor | Any) -> Q:
    """Filter for the plans: the office's, and those naming the actor as an inspector."""
    actor = as_actor(actor)
    if actor.user is None:
        return Q(pk__in=[])
    q = paths.within_q("region_path", office_paths(actor))
    q |= actor.region_q("region_path", (Role.LEADER,))
    q |= _assigned(InspectionPlan, actor.user.pk, "inspectors")
    return q


def can_issue(actor: Actor | Any, inspection: Inspection) -> bool:
    """The office over the unit, or one of the inspection's inspectors, issues orders."""
    actor = as_actor(actor)
    if can_manage(actor, inspection.region_path):
        return True
    return actor.user is not None and inspection.inspectors.filter(pk=actor.user.pk).exists()


def can_submit_task(actor: Actor | Any, task: InspectionTask) -> bool:
    actor = as_actor(actor)
    if can_manage(actor, task.region_path):
        return True
    return actor.user is not None and task.assignees.filter(pk=actor.user.pk).exists()


def access_inspection(actor: Actor | Any, inspection_id: int) -> Inspection:
    """The inspection if the actor may see it; NotFound for missing and out of scope."""
    found = (
        Inspection.objects.filter(inspection_scope_q(actor), pk=inspection_id)
        .select_related("unit_region", "unit_department", "plan", "checklist", "task")
        .first()
    )
    if found is None:
        raise NotFound(gettext("督查检查不存在"))
    return found


def access_task(actor: Actor | Any, task_id: int) -> InspectionTask:
    found = (
        InspectionTask.objects.filter(task_scope_q(actor), pk=task_id)
        .select_related("plan", "plan__checklist", "unit_region", "unit_department")
        .first()
    )
    if found is None:
        raise NotFound(gettext("督查任务不存在"))
    return found


def access_plan(actor: Actor | Any, plan_id: int) -> InspectionPlan:
    found = (
        InspectionPlan.objects.filter(plan_scope_q(actor), pk=plan_id)
        .select_related("checklist", "region")
        .first()
    )
    if found is None:
        raise NotFound(gettext("督查计划不存在"))
    return found

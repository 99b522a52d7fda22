"""Plans and their tasks: `plan_create` (the office) and `tasks_generate` (daily, the
command `manage.py inspection_tasks`): one task per plan, period and target unit, due on
the period's last working day. Idempotent. docs/inspections.md, "Plans and tasks"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Forbidden, invalid
from pingan.geo import scope as paths
from pingan.geo.choices import Level as GeoLevel
from pingan.geo.models import Region
from pingan.inspections import periods
from pingan.inspections.choices import Frequency, Kind, Level, TaskStatus
from pingan.inspections.models import Checklist, InspectionPlan, InspectionTask
from pingan.inspections.permissions import office_paths
from pingan.org.choices import Role
from pingan.org.models import Department, Membership

__all__ = ["Generated", "campaign_check", "plan_create", "tasks_generate", "unit_people"]

MIN_YEAR, MAX_YEAR = 2000, 2100


def campaign_check(campaign_id: int | None) -> int | None:
    """The campaign id if it names a campaign (422 otherwise); None stays None."""
    if campaign_id is None:
        return None
    try:
        from pingan.campaigns.models import Campaign
    except ImportError:  # the campaigns app without its models yet
        raise invalid("campaign", gettext("专项行动不存在")) from None
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise invalid("campaign", gettext("专项行动不存在"))
    return campaign_id


def _choice(value: str, values: list[str], field: str) -> str:
    if value not in values:
        raise invalid(field, gettext("取值应为：%(values)s") % {"values": "、".join(values)})
    return value


def plan_create(
    *,
    actor: Actor | Any,
    name: str,
    level: str,
    kind: str,
    frequency: str,
    year: int,
    target_region_ids: Sequence[int] = (),
    target_department_ids: Sequence[int] = (),
    inspector_ids: Sequence[int] = (),
    checklist_id: int | None = None,
    campaign_id: int | None = None,
    return_visits: bool = False,
) -> InspectionPlan:
    """Create a plan as the county's office (403 otherwise; 422 on bad input): its towns
    must lie in the office's county, its checklist be of its kind (default: the kind's)."""
    actor = as_actor(actor)
    counties = office_paths(actor)
    if not counties:
        raise Forbidden(gettext("只有县级平安办可以制定督查计划"))
    name = (name or "").strip()
    if not name:
        raise invalid("name", gettext("请填写计划名称"))
    if len(name) > 200:
        raise invalid("name", gettext("计划名称不能超过200字"))
    _choice(level, Level.values, "level")
    _choice(kind, Kind.values, "kind")
    _choice(frequency, Frequency.values, "frequency")
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise invalid("year", gettext("年度不正确"))
    if checklist_id is None:
        checklist = Checklist.objects.filter(kind=kind, active=True).order_by("pk").first()
        if checklist is None:
            raise invalid("checklist", gettext("该检查方式没有可用的检查清单"))
    else:
        checklist = Checklist.objects.filter(pk=checklist_id, active=True).first()
        if checklist is None:
            raise invalid("checklist", gettext("检查清单不存在"))
    towns = list(Region.objects.filter(pk__in=set(target_region_ids)))
    if len(towns) != len(set(target_region_ids)):
        raise invalid("target_regions", gettext("区划不存在"))
    for town in towns:
        if town.level != GeoLevel.TOWN or not paths.within(town.path, counties):
            raise invalid("target_regions", gettext("被检查单位应为本县的乡镇（街道）"))
    depts = list(Department.objects.filter(pk__in=set(target_department_ids), is_active=True))
    if len(depts) != len(set(target_department_ids)):
        raise invalid("target_departments", gettext("部门不存在"))
    if not towns and not depts:
        raise invalid("target_regions", gettext("请选择被检查的乡镇或部门"))
    users = list(get_user_model().objects.filter(pk__in=set(inspector_ids), is_active=True))
    if len(users) != len(set(inspector_ids)):
        raise invalid("inspectors", gettext("督查人员不存在"))
    if kind != Kind.SELF_CHECK and not users:
        raise invalid("inspectors", gettext("请指定督查人员"))
    campaign_check(campaign_id)
    county = Region.objects.get(path=counties[0])
    for c in counties:  # the county holding the targets, when the office has several
        if all(paths.within(t.path, [c]) for t in towns):
            county = Region.objects.get(path=c)
            break
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            name=name,
            level=level,
            kind=kind,
            frequency=frequency,
            year=int(year),
            region=county,
            checklist=checklist,
            campaign_id=campaign_id,
            return_visits=bool(return_visits),
            created_by=actor.user,
            created_at=clock.now(),
        )
        plan.target_regions.set(towns)
        plan.target_departments.set(depts)
        plan.inspectors.set(users)
        actor.audit(
            "inspections.plan.create",
            object_type="inspection_plan",
            object_id=plan.pk,
            detail={"level": level, "kind": kind, "frequency": frequency, "year": int(year)},
        )
    return plan


def unit_people(unit: Region | Department) -> list[int]:
    """The unit's own people, who self-check it: a town's dispatchers and the grid
    leaders within it; a department's handlers."""
    active = Membership.objects.filter(is_active=True, user__is_active=True)
    if isinstance(unit, Department):
        handlers = active.filter(role=Role.HANDLER, department=unit)
        return sorted(set(handlers.values_list("user_id", flat=True)))
    dispatchers = active.filter(role=Role.DISPATCHER, region=unit)
    leaders = active.filter(paths.within_q("region__path", [unit.path]), role=Role.GRID_LEADER)
    ids = set(dispatchers.values_list("user_id", flat=True))
    ids |= set(leaders.values_list("user_id", flat=True))
    return sorted(ids)


@dataclass
class Generated:
    tasks: int = 0


def tasks_generate(*, on: dt.date | None = None, since: dt.date | None = None) -> Generated:
    """Make the tasks of every active plan for the periods from the one holding `since`
    (default: `on`) to the one holding `on` (default: today), within the plan's year:
    one per target unit. Idempotent: a task that exists is left as it is."""
    on = on or periods.today()
    since = min(since or on, on)
    out = Generated()
    now = clock.now()
    plans = InspectionPlan.objects.filter(active=True, year__gte=since.year, year__lte=on.year)
    for plan in plans.prefetch_related("target_regions", "target_departments", "inspectors"):
        first = max(since, dt.date(plan.year, 1, 1))
        last = min(on, dt.date(plan.year, 12, 31))
        if first > last:
            continue
        units: list[Region | Department] = [*plan.target_regions.all()]
        units += [d for d in plan.target_departments.all() if d.is_active]
        inspectors = [u.pk for u in plan.inspectors.all()]
        for start, end in periods.periods_between(plan.frequency, first, last):
            due = periods.due_on(start, end)
            for unit in units:
                key = (
                    {"unit_department": unit}
                    if isinstance(unit, Department)
                    else {"unit_region": unit}
                )
                with transaction.atomic():
                    if InspectionTask.objects.filter(plan=plan, period_start=start, **key).exists():
                        continue
                    task = InspectionTask(
                        plan=plan,
                        period_start=start,
                        period_end=end,
                        due_on=due,
                        status=TaskStatus.OPEN,
                        created_at=now,
                        **key,
                    )
                    task.save()
                    people = unit_people(unit) if plan.kind == Kind.SELF_CHECK else inspectors
                    task.assignees.set(people)
                    out.tasks += 1
    return out

"""Reads on emergency handling, always through the actor's scope (`permissions`); duty
phones masked unless revealed by `services.duty_phone_reveal`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.pii import mask_phone
from pingan.emergency.models import (
    Activation,
    ActivationGroup,
    ActivationTask,
    Drill,
    DutyHandover,
    DutyShift,
    EmergencyPlan,
    PlanGroup,
)
from pingan.emergency.permissions import access_activation, activation_scope_q
from pingan.emergency.workflow import OPEN
from pingan.events.choices import DeadlineState

# A task's light turns yellow when this share of its time is gone (as events do).
WARNING_SHARE = 0.8


# ---- plans -----------------------------------------------------------------------------------


def plan_list(*, actor: Actor | Any, active: bool | None = None) -> QuerySet[EmergencyPlan]:
    """The plan library (every signed-in user reads it), with each plan's counts."""
    qs = EmergencyPlan.objects.select_related("region").annotate(
        n_groups=Count("groups", distinct=True),
        n_drills=Count("drills", distinct=True),
    )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("kind", "name", "id")


def plan_detail(*, actor: Actor | Any, plan_id: int) -> EmergencyPlan | None:
    """One plan with its groups (departments, people, task templates) and checklist."""
    return (
        EmergencyPlan.objects.select_related("region")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=PlanGroup.objects.select_related("lead_department", "lead_user")
                .prefetch_related("member_departments", "members", "tasks")
                .order_by("order", "id"),
            ),
            "steps",
        )
        .filter(pk=plan_id)
        .first()
    )


# ---- activations -----------------------------------------------------------------------------


def activation_list(
    *,
    actor: Actor | Any,
    status: list[str] | None = None,
    event: int | None = None,
    open_only: bool = False,
) -> QuerySet[Activation]:
    """The activations the actor may see, newest first."""
    qs = Activation.objects.filter(activation_scope_q(as_actor(actor))).select_related(
        "plan", "region", "event", "commander"
    )
    if status:
        qs = qs.filter(status__in=status)
    if open_only:
        qs = qs.filter(status__in=OPEN)
    if event is not None:
        qs = qs.filter(event_id=event)
    return qs.order_by("-activated_at", "-id")


def activation_detail(*, actor: Actor | Any, activation_id: int) -> Activation:
    """One activation; NotFound out of scope."""
    return access_activation(actor, activation_id)


def groups_of(activation: Activation) -> list[ActivationGroup]:
    """The activation's groups with their departments, people and tasks (4 queries)."""
    return list(
        activation.groups.select_related("lead_department", "lead_user", "acknowledged_by")
        .prefetch_related(
            "member_departments",
            "people",
            Prefetch("tasks", queryset=ActivationTask.objects.select_related("done_by")),
        )
        .order_by("order", "id")
    )


def task_light(task: ActivationTask, now: dt.datetime, start: dt.datetime) -> str:
    """正常 / 临期 / 超期 for an open task, "" for a done one."""
    if task.done_at is not None:
        return ""
    if now > task.due_at:
        return DeadlineState.OVERDUE
    if now >= start + (task.due_at - start) * WARNING_SHARE:
        return DeadlineState.WARNING
    return DeadlineState.NORMAL


def ack_light(group: ActivationGroup, now: dt.datetime) -> str:
    if group.acknowledged_at is not None:
        return ""
    return DeadlineState.OVERDUE if now > group.ack_due_at else DeadlineState.NORMAL


@dataclass(frozen=True)
class Span:
    key: str
    label: str
    start: dt.datetime | None
    end: dt.datetime | None

    @property
    def minutes(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return max(0, int((self.end - self.start).total_seconds() // 60))


def response_times(a: Activation) -> list[Span]:
    """The response times: report → activation → on site → under control → stand-down,
    and the whole; a span whose end has not happened yet has no minutes."""
    return [
        Span("to_activation", gettext("上报至启动"), a.reported_at, a.activated_at),
        Span("to_on_site", gettext("启动至到场"), a.activated_at, a.on_site_at),
        Span(
            "to_control",
            gettext("到场至控制"),
            a.on_site_at or a.activated_at,
            a.under_control_at,
        ),
        Span(
            "to_stand_down",
            gettext("控制至终止"),
            a.under_control_at or a.on_site_at or a.activated_at,
            a.stood_down_at,
        ),
        Span("total", gettext("上报至终止"), a.reported_at, a.stood_down_at),
    ]


def minutes_label(minutes: int | None) -> str:
    if minutes is None:
        return "—"
    if minutes < 60:
        return gettext("%(m)s分钟") % {"m": minutes}
    return gettext("%(h)s小时%(m)s分钟") % {"h": minutes // 60, "m": minutes % 60}


def my_tasks(*, actor: Actor | Any) -> list[ActivationGroup]:
    """The groups of running activations the actor was called up in, with their tasks
    (the phone page /emergency/tasks/)."""
    actor = as_actor(actor)
    if actor.user is None:
        return []
    return list(
        ActivationGroup.objects.filter(people=actor.user, activation__status__in=OPEN)
        .select_related("activation__plan", "activation__event", "lead_department")
        .prefetch_related(Prefetch("tasks", queryset=ActivationTask.objects.order_by("order")))
        .order_by("-activation__activated_at", "order", "id")
    )


def event_activations(*, actor: Actor | Any, event_id: int) -> list[Activation]:
    """The activations of one event the actor may see, running ones first."""
    rows = list(activation_list(actor=actor, event=event_id))
    rows.sort(key=lambda a: (a.status not in OPEN, -a.activated_at.timestamp()))
    return rows


# ---- the duty roster --------------------------------------------------------------------------


def duty_list(
    *, actor: Actor | Any, date_from: dt.date, date_to: dt.date, region: int | None = None
) -> QuerySet[DutyShift]:
    """The shifts between two dates (every signed-in user reads the roster)."""
    qs = DutyShift.objects.filter(date__gte=date_from, date__lte=date_to).select_related(
        "region", "user"
    )
    if region is not None:
        qs = qs.filter(region_id=region)
    return qs.order_by("date", "shift", "region__path", "role", "id")


def duty_dict(s: DutyShift) -> dict[str, Any]:
    return {
        "id": s.pk,
        "date": s.date,
        "shift": s.shift,
        "shift_label": s.get_shift_display(),
        "level": s.level,
        "region": s.region_id,
        "region_name": s.region.name,
        "user": s.user_id,
        "user_name": s.user.display_name,
        "role": s.role,
        "role_label": s.get_role_display(),
        "phone": mask_phone(s.phone),
    }


def handover_list(
    *, actor: Actor | Any, date_from: dt.date, date_to: dt.date
) -> QuerySet[DutyHandover]:
    return (
        DutyHandover.objects.filter(date__gte=date_from, date__lte=date_to)
        .select_related("region", "written_by")
        .order_by("-date", "-written_at", "-id")
    )


# ---- drills ------------------------------------------------------------------------------------


def drill_list(
    *, actor: Actor | Any, plan: int | None = None, state: str | None = None
) -> QuerySet[Drill]:
    qs = Drill.objects.select_related("plan", "region")
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-planned_on", "-id")


def overdue_counts(activation: Activation) -> dict[str, int]:
    """Open tasks past their deadline and groups not acknowledged past theirs, now."""
    now = clock.now()
    return {
        "tasks": ActivationTask.objects.filter(
            group__activation=activation, done_at__isnull=True, due_at__lt=now
        ).count(),
        "groups": activation.groups.filter(
            Q(acknowledged_at__isnull=True), ack_due_at__lt=now
        ).count(),
    }

"""Telling people about emergencies through the notifications app (`users_tell`: an
inbox row each and an e-mail to those with an address, once per cause). The duty
officers on shift for the event's town and county are always told first
(`emergency.duty`):

- an activation: the duty officers, then everyone called up in its groups;
- a level change, a new task, the stand-down: the duty officers, then the called-up
  people (a new task: its group only);
- a group lead not acknowledging in time, a task overdue (the sweeper's marks): the
  commander, whoever activated the plan and the duty officers;
- an urgent (紧急 / 特急) event reported: its duty officers, before the dispatchers
  (`receivers.on_event_changed` runs first among the listeners).

The texts name the activation by its code, plan, level and group: no personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from pingan.core import clock
from pingan.emergency.duty import duty_officers
from pingan.emergency.models import (
    Activation,
    ActivationGroup,
    ActivationTask,
    ActivationTransition,
)
from pingan.events.choices import Urgency
from pingan.events.models import Event
from pingan.notifications.services import users_tell

URGENT = frozenset({Urgency.URGENT, Urgency.CRITICAL})


def _everyone(activation: Activation) -> list[Any]:
    seen: dict[int, Any] = {}
    groups = activation.groups.prefetch_related("people").order_by("order", "id")
    for g in groups:
        for u in g.people.all():
            if u.is_active:
                seen.setdefault(u.pk, u)
    return list(seen.values())


def _title(activation: Activation, what: str) -> str:
    return gettext("%(what)s：%(plan)s %(level)s（%(code)s）") % {
        "what": what,
        "plan": activation.plan.name,
        "level": activation.get_level_display(),
        "code": activation.code,
    }


def _tell_first_duty(
    activation: Activation,
    others: list[Any],
    *,
    kind: str,
    title: str,
    cause: str,
    body: str,
    at: dt.datetime | None = None,
) -> tuple[int, int]:
    """The duty officers on shift at `at` (default now) first, under their own cause, then
    the others not already told; returns (duty officers told, others told)."""
    at = at or clock.now()
    duty = duty_officers(activation.region, at)
    n_duty = 0
    if duty:
        n_duty = users_tell(
            users=duty,
            event=activation.event,
            kind="duty_" + kind,
            title=gettext("【值班】") + title,
            cause=f"{cause}-duty",
            body=body,
            at=at,
        )
    told = {u.pk for u in duty}
    rest = [u for u in others if u.pk not in told]
    n_rest = 0
    if rest:
        n_rest = users_tell(
            users=rest,
            event=activation.event,
            kind=kind,
            title=title,
            cause=cause,
            body=body,
            at=at,
        )
    return n_duty, n_rest


def _groups_body(activation: Activation) -> str:
    parts = []
    for g in activation.groups.order_by("order", "id"):
        due = timezone.localtime(g.ack_due_at).strftime("%H:%M")
        parts.append(gettext("%(name)s（%(due)s前签收）") % {"name": g.name, "due": due})
    return gettext("工作组：%(groups)s") % {"groups": "、".join(parts)} if parts else ""


def activated(activation: Activation) -> tuple[int, int]:
    """The call-up: duty officers, then every group's people."""
    return _tell_first_duty(
        activation,
        _everyone(activation),
        kind="emergency_activate",
        title=_title(activation, gettext("启动应急预案")),
        cause=f"emergency-a{activation.pk}",
        body=_groups_body(activation),
        at=activation.activated_at,
    )


def changed(activation: Activation, row: ActivationTransition) -> tuple[int, int]:
    """A level change, a new task or the stand-down (the kind's ANNOUNCED rows)."""
    label = gettext(ACTION_WORDS[row.action]) if row.action in ACTION_WORDS else row.action
    others = _everyone(activation)
    body = row.note
    if row.action == "add_task":
        group_id = int((row.data or {}).get("group") or 0)
        group = ActivationGroup.objects.filter(pk=group_id).first()
        others = [u for u in group.people.all() if u.is_active] if group else []
        body = str((row.data or {}).get("title", ""))
    return _tell_first_duty(
        activation,
        others,
        kind="emergency_" + row.action,
        title=_title(activation, str(label)),
        cause=f"emergency-t{row.pk}",
        body=body,
        at=row.at,
    )


ACTION_WORDS = {
    "change_level": gettext_noop("应急响应级别调整"),
    "add_task": gettext_noop("应急增派任务"),
    "stand_down": gettext_noop("应急响应终止"),
}


def _bosses(activation: Activation) -> list[Any]:
    users = [u for u in (activation.commander, activation.created_by) if u is not None]
    return [u for u in users if u.is_active]


def ack_overdue(group: ActivationGroup, row: ActivationTransition) -> tuple[int, int]:
    activation = group.activation
    return _tell_first_duty(
        activation,
        _bosses(activation),
        kind="emergency_ack_overdue",
        title=_title(activation, gettext("工作组签收超时：%(name)s") % {"name": group.name}),
        cause=f"emergency-t{row.pk}",
        body="",
        at=row.at,
    )


def task_overdue(task: ActivationTask, row: ActivationTransition) -> tuple[int, int]:
    group = task.group
    activation = group.activation
    others = _bosses(activation) + [u for u in group.people.all() if u.is_active]
    return _tell_first_duty(
        activation,
        others,
        kind="emergency_task_overdue",
        title=_title(activation, gettext("任务超期：%(title)s") % {"title": task.title}),
        cause=f"emergency-t{row.pk}",
        body=group.name,
        at=row.at,
    )


def urgent_event(event: Event, at: dt.datetime) -> int:
    """An urgent event reported: its town's and county's duty officers, once."""
    if event.urgency not in URGENT:
        return 0
    users = duty_officers(event.region, at)
    if not users:
        return 0
    return users_tell(
        users=users,
        event=event,
        kind="duty_urgent_event",
        title=gettext("【值班】%(urgency)s事件：%(code)s %(title)s")
        % {"urgency": event.get_urgency_display(), "code": event.code, "title": event.title},
        cause=f"duty-e{event.pk}",
        body=event.region.name if event.region_id else "",
        at=at,
    )

"""An activation's loop (「一三五」 emergency response) as a declaration on the case engine
(docs/workflow-activation.md is generated from it).

启动预案 on an event (the event's `activate_plan` row, `services.activate_from_event`) →
已启动: the groups are called up and told at once, each group lead acknowledges within
PINGAN_EMERGENCY_ACK_MINUTES natural minutes or the sweeper escalates → 到达现场 → 控制局面
→ 终止响应 with a summary and the lessons learnt. Along the way: 态势报告 (the situation
timeline), 调整响应级别, 增派任务, and each group's 签收 and 任务完成. The moments of each
step are the response times; the event gets a comment on a level change and at the end.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from pingan.cases import deadlines
from pingan.cases.fields import integer as _int
from pingan.cases.fields import text as _text
from pingan.cases.table import Outcome, Step, Workflow
from pingan.core.errors import Forbidden, invalid
from pingan.core.i18n import pgettext_noop
from pingan.emergency.choices import LEVEL_ORDER, Level, Status
from pingan.emergency.models import (
    Activation,
    ActivationGroup,
    ActivationTask,
    SituationReport,
)
from pingan.events.choices import Status as EventStatus
from pingan.events.services import event_transition
from pingan.org.choices import Role

S = Status
R = Role

OPEN = frozenset({S.ACTIVATED, S.ON_SITE, S.UNDER_CONTROL})
TERMINAL = frozenset({S.STOOD_DOWN})
INITIAL = S.ACTIVATED

# Scope kinds.
REGION = "region"  # the membership's region contains the event's region
GROUP = "group"  # the user was called up in one of the activation's groups

CENTRE = ((R.DISPATCHER, REGION), (R.LEADER, REGION))
MEMBER_ROLES = (R.GRID_WORKER, R.GRID_LEADER, R.DISPATCHER, R.HANDLER, R.LEADER, R.MEDIATOR)
MEMBERS = tuple((role, GROUP) for role in MEMBER_ROLES)
ON_SITE_STAFF = ((R.GRID_WORKER, REGION), (R.GRID_LEADER, REGION))

SYSTEM_ACTIONS = {
    "activate": pgettext_noop("action", "启动预案"),
    # The sweeper's marks (emergency.deadlines).
    "ack_overdue": pgettext_noop("action", "签收超时"),
    "task_overdue": pgettext_noop("action", "任务超期"),
}

ACTIVATION = Workflow(
    states=Status.choices,
    initial=INITIAL,
    open_states=OPEN,
    terminal=TERMINAL,
    scopes={
        REGION: "辖区：所辖区划包含事件所在地（受理员、领导；态势报告另含网格员、网格长）",
        GROUP: "工作组：本人是该次启动所调度工作组的成员",
    },
    system_actions=SYSTEM_ACTIONS,
)

# The group lead acknowledges within this many natural minutes of the call-up.
ACK_MINUTES = 15
MAX_TASK_MINUTES = 7 * 24 * 60


def ack_minutes() -> int:
    return int(getattr(settings, "PINGAN_EMERGENCY_ACK_MINUTES", ACK_MINUTES))


def level_of(plan_levels: list[str], value: Any, field: str = "level") -> str:
    """The response level `value` if the plan applies at it; 422 naming the choices."""
    if value not in Level.values:
        raise invalid(field, gettext("响应级别应为 I、II、III 或 IV"))
    if value not in plan_levels:
        allowed = "、".join(sorted(plan_levels, key=lambda v: LEVEL_ORDER.get(v, 9)))
        raise invalid(
            field, gettext("该预案不适用此响应级别（可选：%(levels)s）") % {"levels": allowed}
        )
    return str(value)


def event_note(s: Step[Activation], note: str) -> None:
    """A comment on the activation's event (the event follows the activation), by the
    same actor, when the event can still take one."""
    event = s.case.event
    if event.status in (EventStatus.REJECTED, EventStatus.MERGED):
        return
    event_transition(actor=s.actor, event_id=event.pk, action="comment", payload={"note": note})


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


def _group_of(s: Step[Activation], *, member: bool) -> ActivationGroup:
    raw = s.payload.get("group")
    try:
        pk = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise invalid("group", gettext("工作组不存在")) from None
    group = ActivationGroup.objects.filter(activation=s.case, pk=pk).first()
    if group is None:
        raise invalid("group", gettext("工作组不存在"))
    if member and not group.people.filter(pk=s.user.pk).exists():
        raise Forbidden(gettext("您不是该工作组成员"))
    return group


def _minutes(p: dict[str, Any]) -> int:
    minutes = _int(p, "minutes", gettext("完成时限（分钟）"))
    if not 1 <= minutes <= MAX_TASK_MINUTES:
        raise invalid("minutes", gettext("完成时限应为1到%(n)s分钟") % {"n": MAX_TASK_MINUTES})
    return minutes


def _number(p: dict[str, Any], field: str, label: str) -> int | None:
    if p.get(field) in (None, ""):
        return None
    n = _int(p, field, label)
    if n < 0:
        raise invalid(field, gettext("%(label)s不能为负数") % {"label": label})
    return n


def _coordinate(p: dict[str, Any], field: str, low: float, high: float) -> float | None:
    if p.get(field) in (None, ""):
        return None
    try:
        value = float(p[field])
    except (TypeError, ValueError):
        raise invalid(field, gettext("坐标格式不正确")) from None
    if not low <= value <= high:
        raise invalid(field, gettext("坐标超出范围"))
    return value


# ---- the rows ----------------------------------------------------------------------------


@ACTIVATION.row(
    "arrive",
    pgettext_noop("action", "到达现场"),
    {S.ACTIVATED},
    S.ON_SITE,
    CENTRE,
    style="primary",
)
def arrive(s: Step[Activation]) -> Outcome:
    s.case.on_site_at = s.now
    return Outcome(_opt_note(s.payload))


@ACTIVATION.row(
    "control",
    pgettext_noop("action", "控制局面"),
    {S.ACTIVATED, S.ON_SITE},
    S.UNDER_CONTROL,
    CENTRE,
    style="primary",
)
def control(s: Step[Activation]) -> Outcome:
    s.case.under_control_at = s.now
    return Outcome(_opt_note(s.payload))


@ACTIVATION.row(
    "stand_down",
    pgettext_noop("action", "终止响应"),
    OPEN,
    S.STOOD_DOWN,
    CENTRE,
    ("summary", "lessons"),
    style="danger",
)
def stand_down(s: Step[Activation]) -> Outcome:
    """The end: a summary of the response and the lessons learnt, both required; the
    event gets the summary as a comment."""
    case, p = s.case, s.payload
    case.summary = _text(p, "summary", gettext("处置总结"), max_len=10000)
    case.lessons = _text(p, "lessons", gettext("经验教训"), max_len=10000)
    case.stood_down_at = s.now
    event_note(
        s,
        gettext("应急响应终止（%(code)s）：%(summary)s")
        % {
            "code": case.code,
            "summary": case.summary,
        },
    )
    return Outcome(_opt_note(p), {"stood_down_at": s.now.isoformat()})


@ACTIVATION.row(
    "change_level",
    pgettext_noop("action", "调整响应级别"),
    OPEN,
    None,
    CENTRE,
    ("level", "note"),
)
def change_level(s: Step[Activation]) -> Outcome:
    case, p = s.case, s.payload
    level = level_of(list(case.plan.levels), p.get("level"))
    if level == case.level:
        raise invalid("level", gettext("响应级别未变化"))
    note = _text(p, "note", gettext("调整理由"), max_len=2000)
    old = case.level
    case.level = level
    event_note(
        s,
        gettext("应急响应级别由%(old)s调整为%(new)s（%(code)s）")
        % {"old": Level(old).label, "new": Level(level).label, "code": case.code},
    )
    return Outcome(note, {"from_level": old, "to_level": level})


@ACTIVATION.row(
    "add_task",
    pgettext_noop("action", "增派任务"),
    OPEN,
    None,
    CENTRE,
    ("group", "title", "minutes"),
)
def add_task(s: Step[Activation]) -> Outcome:
    group = _group_of(s, member=False)
    title = _text(s.payload, "title", gettext("任务"), max_len=200)
    minutes = _minutes(s.payload)
    last = group.tasks.order_by("-order").values_list("order", flat=True).first() or 0
    task = ActivationTask.objects.create(
        group=group,
        title=title,
        order=last + 1,
        due_at=deadlines.due(s.now, minutes / 60, "hours", natural=True),
    )
    return Outcome(
        _opt_note(s.payload),
        {"group": group.pk, "group_name": group.name, "task": task.pk, "title": title},
    )


@ACTIVATION.row(
    "situation",
    pgettext_noop("action", "态势报告"),
    OPEN,
    None,
    (*CENTRE, *ON_SITE_STAFF, *MEMBERS),
    ("text",),
)
def situation(s: Step[Activation]) -> Outcome:
    """One entry of the situation timeline: the text, the number of people there, where."""
    p = s.payload
    row = SituationReport.objects.create(
        activation=s.case,
        at=s.now,
        text=_text(p, "text", gettext("情况"), max_len=5000),
        people_count=_number(p, "people_count", gettext("现场人数")),
        lat=_coordinate(p, "lat", -90, 90),
        lng=_coordinate(p, "lng", -180, 180),
        by=s.user,
    )
    return Outcome("", {"report": row.pk, "people_count": row.people_count})


@ACTIVATION.row(
    "acknowledge",
    pgettext_noop("action", "小组签收"),
    OPEN,
    None,
    MEMBERS,
    ("group",),
    style="primary",
)
def acknowledge(s: Step[Activation]) -> Outcome:
    """A member of the group (its lead, a member, a handler of its departments) confirms
    the call-up; once per group."""
    group = _group_of(s, member=True)
    if group.acknowledged_at is not None:
        raise invalid("group", gettext("该工作组已签收"))
    group.acknowledged_at = s.now
    group.acknowledged_by = s.user
    group.save(update_fields=["acknowledged_at", "acknowledged_by"])
    late = s.now > group.ack_due_at
    return Outcome(
        _opt_note(s.payload), {"group": group.pk, "group_name": group.name, "late": late}
    )


@ACTIVATION.row(
    "task_done",
    pgettext_noop("action", "任务完成"),
    OPEN,
    None,
    MEMBERS,
    ("task",),
)
def task_done(s: Step[Activation]) -> Outcome:
    raw = s.payload.get("task")
    try:
        pk = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise invalid("task", gettext("任务不存在")) from None
    task = (
        ActivationTask.objects.select_related("group")
        .filter(group__activation=s.case, pk=pk)
        .first()
    )
    if task is None:
        raise invalid("task", gettext("任务不存在"))
    if not task.group.people.filter(pk=s.user.pk).exists():
        raise Forbidden(gettext("您不是该工作组成员"))
    if task.done_at is not None:
        raise invalid("task", gettext("该任务已完成"))
    task.done_at = s.now
    task.done_by = s.user
    task.note = _text(s.payload, "note", gettext("完成情况"), required=False, max_len=500)
    task.save(update_fields=["done_at", "done_by", "note"])
    return Outcome(
        task.note,
        {
            "task": task.pk,
            "title": task.title,
            "group": task.group_id,
            "on_time": s.now <= task.due_at,
        },
    )


TABLE = ACTIVATION.table
ACTIONS = ACTIVATION.actions

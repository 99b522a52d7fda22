"""Writes on emergency handling: the plan library, activating a plan on an event (the
event's `activate_plan` row) and the one transition service, situation photos, the duty
roster and drills. docs/emergency.md."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.cases import deadlines
from pingan.cases import service as engine
from pingan.cases.fields import text as _text
from pingan.cases.table import Outcome, Step
from pingan.core import clock, pii
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.core.uploads import read_limited
from pingan.emergency import workflow
from pingan.emergency.choices import (
    LEVEL_ORDER,
    DrillState,
    DutyLevel,
    DutyRole,
    Level,
    PlanKind,
    Shift,
)
from pingan.emergency.kind import ACTIVATION
from pingan.emergency.models import (
    Activation,
    ActivationGroup,
    ActivationSequence,
    ActivationTask,
    ActivationTransition,
    Drill,
    DutyHandover,
    DutyShift,
    EmergencyPlan,
    PlanGroup,
    PlanStep,
    PlanTaskTemplate,
    SituationReport,
)
from pingan.emergency.permissions import (
    OFFICE_ROLES,
    can_reveal_duty_phone,
    require_manage,
)
from pingan.events import workflow as event_workflow
from pingan.events.models import Event
from pingan.geo.choices import Level as RegionLevel
from pingan.geo.models import Region
from pingan.geo.selectors import county_code_of
from pingan.org.choices import Role
from pingan.org.models import Department, Membership

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_ROSTER_DAYS = 62


# ---- small readers ------------------------------------------------------------------------------


def _region(value: Any, field: str = "region") -> Region:
    if isinstance(value, Region):
        return value
    try:
        region = Region.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        region = None
    if region is None:
        raise invalid(field, gettext("区划不存在"))
    return region


def _date(value: Any, field: str, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise invalid(field, gettext("请填写%(label)s") % {"label": label})
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, gettext("%(label)s格式应为 YYYY-MM-DD") % {"label": label}) from None


def _day(value: Any, field: str, label: str) -> dt.date:
    day = _date(value, field, label)
    assert day is not None  # required: _date raised otherwise
    return day


def _levels(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise invalid("levels", gettext("请选择适用响应级别"))
    out = []
    for v in value:
        if v not in Level.values:
            raise invalid("levels", gettext("响应级别应为 I、II、III 或 IV"))
        out.append(str(v))
    return sorted(set(out), key=lambda v: LEVEL_ORDER[v])


def _department(value: Any, field: str) -> Department | None:
    if value in (None, ""):
        return None
    try:
        dept = Department.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        dept = None
    if dept is None:
        raise invalid(field, gettext("部门不存在"))
    return dept


# ---- the plan library ---------------------------------------------------------------------------


def plan_create(
    *,
    actor: Actor | Any,
    name: str,
    kind: str,
    levels: list[str],
    region: Any,
    version: str = "1.0",
    summary: str = "",
    groups: list[dict[str, Any]] | None = None,
    steps: list[str] | None = None,
) -> EmergencyPlan:
    """A plan with its groups (name, duty, lead_department, member_departments,
    lead_user, members, tasks: [{title, minutes}]) and checklist, by the office of its
    region (403 otherwise); 422 naming the field on bad input."""
    actor = as_actor(actor)
    where = _region(region)
    require_manage(actor, where.path, gettext("当前角色不能制定应急预案"))
    name = _text({"name": name}, "name", gettext("预案名称"), max_len=100)
    if kind not in PlanKind.values:
        raise invalid("kind", gettext("预案类别不正确"))
    chosen = _levels(levels)
    version = _text({"version": version}, "version", gettext("版本"), max_len=20)
    with transaction.atomic():
        plan = EmergencyPlan.objects.create(
            name=name,
            kind=kind,
            levels=chosen,
            version=version,
            summary=_text({"s": summary}, "s", gettext("说明"), required=False, max_len=5000),
            region=where,
            created_by=actor.user,
            created_at=clock.now(),
        )
        for i, g in enumerate(groups or []):
            _plan_group(plan, g, i)
        for i, text in enumerate(steps or []):
            step = _text({"t": text}, "t", gettext("步骤"), max_len=300)
            PlanStep.objects.create(plan=plan, order=i + 1, text=step)
        actor.audit(
            "emergency.plan_create", object_type="emergency_plan", object_id=plan.pk, detail={}
        )
    return plan


def _plan_group(plan: EmergencyPlan, g: Any, i: int) -> PlanGroup:
    at = f"groups[{i}]."
    if not isinstance(g, dict):
        raise invalid(f"groups[{i}]", gettext("工作组格式不正确"))
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    lead_user = None
    if g.get("lead_user") not in (None, ""):
        lead_user = users.filter(pk=g["lead_user"], is_active=True).first()
        if lead_user is None:
            raise invalid(at + "lead_user", gettext("用户不存在"))
    group = PlanGroup.objects.create(
        plan=plan,
        name=_text(g, "name", gettext("小组名称"), max_len=50),
        duty=_text(g, "duty", gettext("职责"), required=False, max_len=500),
        lead_department=_department(g.get("lead_department"), at + "lead_department"),
        lead_user=lead_user,
        order=i + 1,
    )
    depts = [_department(d, at + "member_departments") for d in g.get("member_departments") or []]
    group.member_departments.set([d for d in depts if d is not None])
    member_ids = list(g.get("members") or [])
    members = list(users.filter(pk__in=member_ids, is_active=True))
    if len(members) != len(set(member_ids)):
        raise invalid(at + "members", gettext("用户不存在"))
    group.members.set(members)
    for j, t in enumerate(g.get("tasks") or []):
        if not isinstance(t, dict):
            raise invalid(f"{at}tasks[{j}]", gettext("任务格式不正确"))
        minutes = t.get("minutes", 60)
        if not isinstance(minutes, int) or not 1 <= minutes <= workflow.MAX_TASK_MINUTES:
            raise invalid(f"{at}tasks[{j}].minutes", gettext("完成时限应为正整数（分钟）"))
        PlanTaskTemplate.objects.create(
            group=group,
            title=_text(t, "title", gettext("任务"), max_len=200),
            due_minutes=minutes,
            order=j + 1,
        )
    return group


# ---- activation ----------------------------------------------------------------------------------


def _plan_of(value: Any) -> EmergencyPlan:
    if value in (None, ""):
        raise invalid("plan", gettext("请选择预案"))
    try:
        plan = EmergencyPlan.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        plan = None
    if plan is None:
        raise invalid("plan", gettext("预案不存在或未启用"))
    return plan


def _next_code(region: Region, now: dt.datetime) -> str:
    prefix = f"YJ-{county_code_of(region)}-{timezone.localtime(now):%Y%m%d}"
    seq, _ = ActivationSequence.objects.select_for_update().get_or_create(prefix=prefix)
    seq.value += 1
    seq.save(update_fields=["value"])
    return f"{prefix}-{seq.value:03d}"


def _people(group: PlanGroup) -> set[int]:
    """Who a group calls up: its lead, its members, the handlers of its departments."""
    ids = set(group.members.values_list("pk", flat=True))
    if group.lead_user_id:
        ids.add(group.lead_user_id)
    depts = set(group.member_departments.values_list("pk", flat=True))
    if group.lead_department_id:
        depts.add(group.lead_department_id)
    if depts:
        ids |= set(
            Membership.objects.filter(
                role=Role.HANDLER, is_active=True, department_id__in=depts
            ).values_list("user_id", flat=True)
        )
    return ids


def _call_up(activation: Activation, plan: EmergencyPlan, now: dt.datetime) -> int:
    """Copy the plan's groups and tasks onto the activation; returns the tasks made."""
    ack_due = deadlines.due(now, workflow.ack_minutes() / 60, "hours", natural=True)
    n = 0
    groups = plan.groups.select_related("lead_department").prefetch_related("tasks")
    for pg in groups.order_by("order", "id"):
        group = ActivationGroup.objects.create(
            activation=activation,
            name=pg.name,
            duty=pg.duty,
            lead_department=pg.lead_department,
            lead_user_id=pg.lead_user_id,
            order=pg.order,
            notified_at=now,
            ack_due_at=ack_due,
        )
        group.member_departments.set(pg.member_departments.all())
        group.people.set(_people(pg))
        ActivationTask.objects.bulk_create(
            ActivationTask(
                group=group,
                title=t.title,
                order=t.order,
                due_at=deadlines.due(now, t.due_minutes / 60, "hours", natural=True),
            )
            for t in pg.tasks.all()
        )
        n += pg.tasks.count()
    return n


def _activate(s: Step[Event]) -> Outcome:
    """The effect of the event's `activate_plan` row: the activation, its groups and
    tasks, its first timeline row and audit row, in the event's transaction; the call-up
    is told after commit (duty officers first)."""
    event, p = s.case, s.payload
    plan = _plan_of(p.get("plan"))
    level = workflow.level_of(list(plan.levels), p.get("level"))
    if Activation.objects.filter(event=event, status__in=workflow.OPEN).exists():
        raise Conflict(gettext("该事件已启动应急预案，尚未终止"))
    note = _text(p, "note", gettext("说明"), required=False, max_len=2000)
    now = s.now
    activation = Activation.objects.create(
        code=_next_code(event.region, now),
        event=event,
        plan=plan,
        level=level,
        region=event.region,
        region_path=event.region_path,
        sensitivity=event.sensitivity,
        commander=s.user,
        lat=event.lat,
        lng=event.lng,
        reported_at=event.reported_at,
        activated_at=now,
        created_by=s.user,
    )
    tasks = _call_up(activation, plan, now)
    ActivationTransition.objects.create(
        activation=activation,
        action="activate",
        from_status="",
        to_status=activation.status,
        actor=s.user,
        actor_role=s.membership.role,
        note=note,
        data={"event": event.pk, "event_code": event.code, "plan": plan.pk, "level": level},
        at=now,
    )
    s.actor.audit(
        "activation.activate",
        object_type="activation",
        object_id=activation.pk,
        detail={"event": event.pk, "plan": plan.pk, "level": level},
    )
    activation_id = activation.pk

    def enqueue() -> None:
        from pingan.emergency.tasks import activation_notify

        activation_notify.enqueue(activation_id)

    transaction.on_commit(enqueue)
    label = Level(level).label
    return Outcome(
        gettext("启动预案：%(plan)s %(level)s（%(code)s）")
        % {"plan": plan.name, "level": label, "code": activation.code},
        {
            "activation": activation.pk,
            "activation_code": activation.code,
            "plan": plan.pk,
            "level": level,
            "tasks": tasks,
        },
    )


def install() -> None:
    """Register 启动预案 on the events workflow (the app's `ready`)."""
    event_workflow.HANDOVERS["activate_plan"] = _activate


def activation_from_event(
    *, actor: Actor | Any, event_id: int, plan: Any, level: Any, note: str = ""
) -> Activation:
    """启动预案 on an event as `actor` (the event's row checks who: the centre, leaders);
    returns the new activation."""
    from pingan.events.services import event_transition

    actor = as_actor(actor)
    with transaction.atomic():
        event_transition(
            actor=actor,
            event_id=event_id,
            action="activate_plan",
            payload={"plan": plan, "level": level, "note": note},
        )
        activation = Activation.objects.filter(event_id=event_id).order_by("-id").first()
    if activation is None:  # pragma: no cover - the row's effect creates it
        raise NotFound(gettext("预案启动记录不存在"))
    return activation


def activation_transition(
    *,
    actor: Actor | Any,
    activation_id: int,
    action: str,
    payload: dict[str, Any] | None = None,
) -> Activation:
    """Fire `action` on the activation as `actor` (the case engine: 404 out of scope, 403
    role, 409 state, 422 fields; nothing written unless every check passes)."""
    return engine.transition(
        ACTIVATION, actor=actor, case_id=activation_id, action=action, payload=payload
    )


def _photo_bytes(upload: Any) -> bytes:
    data = read_limited(
        upload,
        limit=MAX_PHOTO_BYTES,
        too_big=invalid("photo", gettext("照片不能超过10MB")),
        empty=invalid("photo", gettext("照片为空")),
    )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
            fmt = (img.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise invalid("photo", gettext("照片格式不正确")) from None
    if fmt not in ("jpeg", "png", "webp"):
        raise invalid("photo", gettext("照片格式不正确"))
    return data


def situation_report(
    *,
    actor: Actor | Any,
    activation_id: int,
    payload: dict[str, Any],
    photo: Any = None,
) -> SituationReport:
    """态势报告 with an optional photo (JPEG, PNG or WebP, at most 10MB): the engine's
    `situation` row, the photo stored with the report in the same transaction."""
    data = _photo_bytes(photo) if photo is not None else None
    with transaction.atomic():
        activation_transition(
            actor=actor, activation_id=activation_id, action="situation", payload=payload
        )
        report = SituationReport.objects.filter(activation_id=activation_id).latest("id")
        if data is not None:
            report.photo.save(f"s{report.pk}.img", ContentFile(data), save=True)
    return report


# ---- the duty roster ---------------------------------------------------------------------------


def _duty_level(region: Region) -> str:
    if region.level == RegionLevel.COUNTY:
        return DutyLevel.COUNTY
    if region.level == RegionLevel.TOWN:
        return DutyLevel.TOWN
    raise invalid("region", gettext("值班只排在县或镇（街道）一级"))


def duty_shift_create(
    *,
    actor: Actor | Any,
    date: Any,
    shift: str,
    region: Any,
    user: Any,
    role: str,
    phone: str = "",
) -> DutyShift:
    """One person on one shift at the county or a town, by that region's office."""
    actor = as_actor(actor)
    where = _region(region)
    require_manage(actor, where.path, gettext("当前角色不能排班"))
    day = _day(date, "date", gettext("日期"))
    if shift not in Shift.values:
        raise invalid("shift", gettext("班次应为 day（白班）或 night（夜班）"))
    if role not in DutyRole.values:
        raise invalid("role", gettext("值班角色应为 leader（带班领导）或 officer（值班员）"))
    from django.contrib.auth import get_user_model

    try:
        person = get_user_model().objects.filter(pk=int(user), is_active=True).first()
    except (TypeError, ValueError):
        person = None
    if person is None:
        raise invalid("user", gettext("用户不存在"))
    if phone:
        phone = pii.validate_phone(phone)
    try:
        with transaction.atomic():
            row = DutyShift.objects.create(
                date=day,
                shift=shift,
                level=_duty_level(where),
                region=where,
                user=person,
                role=role,
                phone=phone,
                created_by=actor.user,
            )
            actor.audit(
                "emergency.duty_create", object_type="duty_shift", object_id=row.pk, detail={}
            )
    except IntegrityError:
        raise Conflict(gettext("此人已在该班次值班")) from None
    return row


def duty_shift_delete(*, actor: Actor | Any, shift_id: int) -> None:
    actor = as_actor(actor)
    row = DutyShift.objects.filter(pk=shift_id).first()
    if row is None:
        raise NotFound(gettext("值班安排不存在"))
    require_manage(actor, row.region_path, gettext("当前角色不能排班"))
    with transaction.atomic():
        actor.audit("emergency.duty_delete", object_type="duty_shift", object_id=row.pk)
        row.delete()


def duty_phone_reveal(*, actor: Actor | Any, shift_id: int) -> str:
    """The duty phone in full for the office of the shift's region; every reveal (and
    refusal) audited as pii.unmask."""
    actor = as_actor(actor)
    row = DutyShift.objects.filter(pk=shift_id).first()
    if row is None:
        raise NotFound(gettext("值班安排不存在"))
    if not can_reveal_duty_phone(actor, row.region_path):
        actor.audit("pii.unmask", object_type="duty_shift", object_id=row.pk, result="denied")
        raise Forbidden(gettext("当前角色不能查看完整的个人信息"))
    actor.audit(
        "pii.unmask", object_type="duty_shift", object_id=row.pk, detail={"fields": ["phone"]}
    )
    return row.phone


def duty_handover_create(
    *, actor: Actor | Any, region: Any, date: Any, shift: str, note: str
) -> DutyHandover:
    """A hand-over note by someone on that shift, or the region's office."""
    actor = as_actor(actor)
    where = _region(region)
    day = _day(date, "date", gettext("日期"))
    if shift not in Shift.values:
        raise invalid("shift", gettext("班次应为 day（白班）或 night（夜班）"))
    text = _text({"note": note}, "note", gettext("交接内容"), max_len=5000)
    on_shift = DutyShift.objects.filter(
        date=day, shift=shift, region=where, user_id=actor.pk or 0
    ).exists()
    if not on_shift:
        require_manage(actor, where.path, gettext("只有当班人员或值班管理人员可以填写交接班记录"))
    with transaction.atomic():
        row = DutyHandover.objects.create(
            date=day,
            shift=shift,
            region=where,
            note=text,
            written_by=actor.user,
            written_at=clock.now(),
        )
        actor.audit("emergency.handover", object_type="duty_handover", object_id=row.pk)
    return row


# ---- drills ------------------------------------------------------------------------------------


def drill_create(
    *, actor: Actor | Any, plan: Any, title: str, region: Any, planned_on: Any
) -> Drill:
    """A planned drill of a plan, by the office of its region."""
    actor = as_actor(actor)
    where = _region(region)
    require_manage(actor, where.path, gettext("当前角色不能安排演练"))
    try:
        chosen = EmergencyPlan.objects.filter(pk=int(plan)).first()
    except (TypeError, ValueError):
        chosen = None
    if chosen is None:
        raise invalid("plan", gettext("预案不存在"))
    with transaction.atomic():
        drill = Drill.objects.create(
            plan=chosen,
            title=_text({"title": title}, "title", gettext("演练名称"), max_len=100),
            region=where,
            planned_on=_day(planned_on, "planned_on", gettext("计划日期")),
            created_by=actor.user,
        )
        actor.audit("emergency.drill_create", object_type="drill", object_id=drill.pk)
    return drill


def _drill_for_update(actor: Actor, drill_id: int) -> Drill:
    drill = Drill.objects.select_for_update().filter(pk=drill_id).first()
    if drill is None:
        raise NotFound(gettext("演练不存在"))
    require_manage(actor, drill.region_path, gettext("当前角色不能登记演练"))
    if drill.state != DrillState.PLANNED:
        raise Conflict(gettext("演练已%(state)s") % {"state": drill.get_state_display()})
    return drill


def drill_record(
    *,
    actor: Actor | Any,
    drill_id: int,
    held_on: Any,
    participants: Any,
    units: str = "",
    findings: str = "",
) -> Drill:
    """The drill held: when, how many took part, which units, what was found."""
    actor = as_actor(actor)
    with transaction.atomic():
        drill = _drill_for_update(actor, drill_id)
        day = _day(held_on, "held_on", gettext("举行日期"))
        if day > timezone.localdate(clock.now()):
            raise invalid("held_on", gettext("举行日期不能晚于今天"))
        try:
            count = int(participants)
        except (TypeError, ValueError):
            raise invalid("participants", gettext("参演人数应为整数")) from None
        if count < 1:
            raise invalid("participants", gettext("参演人数应大于0"))
        drill.state = DrillState.HELD
        drill.held_on = day
        drill.participants = count
        drill.units = _text({"u": units}, "u", gettext("参演单位"), required=False, max_len=500)
        drill.findings = _text(
            {"findings": findings}, "findings", gettext("发现问题与改进"), max_len=10000
        )
        drill.save()
        actor.audit("emergency.drill_record", object_type="drill", object_id=drill.pk)
    return drill


def drill_cancel(*, actor: Actor | Any, drill_id: int, note: str = "") -> Drill:
    actor = as_actor(actor)
    with transaction.atomic():
        drill = _drill_for_update(actor, drill_id)
        drill.state = DrillState.CANCELLED
        if note:
            drill.findings = _text({"n": note}, "n", gettext("说明"), max_len=2000)
        drill.save()
        actor.audit("emergency.drill_cancel", object_type="drill", object_id=drill.pk)
    return drill


__all__ = [
    "OFFICE_ROLES",
    "activation_from_event",
    "activation_transition",
    "drill_cancel",
    "drill_create",
    "drill_record",
    "duty_handover_create",
    "duty_phone_reveal",
    "duty_shift_create",
    "duty_shift_delete",
    "install",
    "plan_create",
    "situation_report",
]

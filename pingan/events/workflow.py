"""The closed loop as a declaration: states, actions, who may fire each, what each needs —
and what each does, registered beside its row.

Each `@LOOP.row(...)` is one row of the table (action, label, source states, target
state or None to keep it, who × scope, required fields, clock effect, variant, button
style, public reply); the function under it is the row's effect, given a `Step` (the
locked event, the actor and their membership, the payload, the one "now") and returning
an `Outcome` (the timeline row's note, data and department). The engine
(`pingan.cases.service.transition`, through `events.kind.EVENTS`) does the rest: the lock,
the checks in order, the state, the clocks, the timeline and audit rows, the signals.
Pages draw their buttons from the same rows; docs/workflow.md is generated from them
(`manage.py workflow_doc events`) and a test fails when that file is stale.

Some actions have variants, chosen by `EventKind.variant` from the event and the actor:
the lead department's acknowledgement moves the event, an assisting department's only
its own assignment; verification passes or fails (the person chooses); reopening goes
back to handling when a department held the event, else back to the centre.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from pingan.access.actor import Actor, as_actor
from pingan.cases.fields import boolean as _bool
from pingan.cases.fields import integer as _int
from pingan.cases.fields import text as _text
from pingan.cases.table import (
    CLOCK_MOVE,
    CLOCK_NONE,
    CLOCK_RESTART,
    CLOCK_START,
    CLOCK_STOP,
    CLOCK_STOP_ACK,
    CLOCKS,
    Effect,
    Outcome,
    Step,
    Transition,
    Workflow,
)
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.core.i18n import pgettext_noop
from pingan.events import deadlines, supervision
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    ExtensionStatus,
    Referral,
    Resolution,
    Satisfaction,
    Source,
    Status,
    TrackingStatus,
)
from pingan.events.models import (
    Assignment,
    Attachment,
    Consultation,
    ConsultationStatus,
    Event,
    ExtensionRequest,
    SupervisionLevel,
    SupervisionStatus,
    TrackingCheck,
)
from pingan.events.permissions import access_event
from pingan.events.reporting import event_report
from pingan.events.timeline import announce as _announce
from pingan.events.timeline import record_transition as _timeline
from pingan.geo.selectors import next_queue_up
from pingan.org.choices import Role
from pingan.org.models import Department, Membership

S = Status
R = Role

OPEN = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED})
TERMINAL = frozenset({S.REJECTED, S.MERGED})
INITIAL = S.REPORTED

# Scope kinds: how a role's membership must cover the event for the role to act.
REGION = "region"  # the membership's region contains the event's region
QUEUE = "queue"  # the membership's region contains the centre whose queue holds the event
ASSIGNMENT = "assignment"  # the membership's department holds an active assignment
SCOPES = frozenset({REGION, QUEUE, ASSIGNMENT})

CENTRE = ((R.DISPATCHER, QUEUE),)
DEPARTMENT = ((R.HANDLER, ASSIGNMENT),)
GRID = ((R.GRID_WORKER, REGION), (R.GRID_LEADER, REGION))
ANYONE_IN_SCOPE = (
    (R.GRID_WORKER, REGION),
    (R.GRID_LEADER, REGION),
    (R.DISPATCHER, REGION),
    (R.HANDLER, ASSIGNMENT),
    (R.LEADER, REGION),
)

# Actions recorded on the timeline by the system itself, not fired by a person: by the
# events app (report, merged_in), the deadline sweeper (warning, overdue, auto_escalate),
# triage's risk alerts (risk_alert) and the importer (imported). None changes the state.
SYSTEM_ACTIONS = {
    "report": pgettext_noop("action", "上报"),
    "warning": pgettext_noop("action", "临期预警"),
    "overdue": pgettext_noop("action", "超期"),
    "merged_in": pgettext_noop("action", "并入重复件"),
    "auto_escalate": pgettext_noop("action", "超期提级"),
    "risk_alert": pgettext_noop("action", "风险预警"),
    "imported": pgettext_noop("action", "历史导入"),
    "mediation_result": pgettext_noop("action", "调解结果"),
}

LOOP = Workflow(
    states=Status.choices,
    initial=INITIAL,
    open_states=OPEN,
    terminal=TERMINAL,
    scopes={
        REGION: "辖区：所辖区划包含事件所在地",
        QUEUE: "受理队列：所辖区划包含事件所在的受理中心",
        ASSIGNMENT: "派遣：所在部门持有该事件的在办派遣",
    },
    system_actions=SYSTEM_ACTIONS,
    chosen_variants={"verify"},
    action_labels={
        "verify": pgettext_noop("action", "核查"),
        "resolve": pgettext_noop("action", "办结反馈"),
        "consult": pgettext_noop("action", "会商"),
        "follow_up": pgettext_noop("action", "回访"),
    },
)

ACTIVE = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)


def _out(note: str, department: Department | None, data: dict[str, Any]) -> Outcome:
    return Outcome(note, data, {"department": department} if department is not None else {})


def actor_assignment(
    actor: Actor | Any, event: Event, *, statuses: tuple[str, ...]
) -> Assignment | None:
    """The actor's department's assignment on the event (lead first)."""
    departments = as_actor(actor).department_ids()
    if not departments:
        return None
    rows = sorted(
        Assignment.objects.filter(
            event=event, department_id__in=departments, status__in=statuses
        ).select_related("department"),
        key=lambda a: a.role != AssignmentRole.LEAD,
    )
    return rows[0] if rows else None


_actor_assignment = actor_assignment


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


def _department(value: Any, field: str) -> Department:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise invalid(field, gettext("部门编号应为整数")) from None
    dept = Department.objects.filter(pk=pk, is_active=True).first()
    if dept is None:
        raise invalid(field, gettext("部门不存在或已停用"))
    return dept


def _grid_worker_of(event: Event) -> Any:
    m = (
        Membership.objects.filter(
            role=Role.GRID_WORKER,
            is_active=True,
            region__path__in=[
                "/".join(event.region_path.split("/")[:i]) + "/"
                for i in range(event.region_path.count("/"), 0, -1)
            ],
        )
        .select_related("user", "region")
        .order_by("-region__depth")
        .first()
    )
    return m.user if m else event.reporter


@LOOP.row(
    "accept",
    pgettext_noop("action", "受理"),
    frozenset({S.REPORTED}),
    S.ACCEPTED,
    CENTRE,
    style="primary",
)
def accept(s: Step[Event]) -> Outcome:
    event, p, now = s.case, s.payload, s.now
    event.accepted_at = now
    return _out(_opt_note(p), None, {})


@LOOP.row(
    "reject",
    pgettext_noop("action", "不予受理"),
    frozenset({S.REPORTED}),
    S.REJECTED,
    CENTRE,
    ("note",),
    clock=CLOCK_STOP,
    style="danger",
    public_reply=True,
)
def reject(s: Step[Event]) -> Outcome:
    p = s.payload
    return _out(_text(p, "note", gettext("不予受理理由"), max_len=2000), None, {})


@LOOP.row(
    "merge",
    pgettext_noop("action", "合并"),
    frozenset({S.REPORTED, S.ACCEPTED}),
    S.MERGED,
    CENTRE,
    ("master",),
    clock=CLOCK_STOP,
    public_reply=True,
)
def merge(s: Step[Event]) -> Outcome:
    event, user, p, m, now = s.case, s.user, s.payload, s.membership, s.now
    master_id = _int(p, "master", gettext("主事件"))
    if master_id == event.pk:
        raise invalid("master", gettext("不能合并到自身"))
    try:
        master = access_event(s.actor, master_id)
    except NotFound:
        raise invalid("master", gettext("主事件不存在")) from None
    if master.status in (Status.MERGED, Status.REJECTED):
        raise invalid("master", gettext("主事件已合并或不予受理"))
    event.master = master
    event.closed_at = now
    t = _timeline(
        master,
        "merged_in",
        master.status,
        master.status,
        user,
        m.role,
        note=f"并入重复件 {event.code}",
        data={"duplicate": event.pk},
        at=now,
    )
    _announce(master, "merged_in", t)
    return _out(_opt_note(p), None, {"master": master.pk, "master_code": master.code})


@LOOP.row(
    "escalate",
    pgettext_noop("action", "提级上报"),
    frozenset({S.REPORTED, S.ACCEPTED}),
    None,
    CENTRE,
    ("note",),
)
@LOOP.row(
    "escalate",
    pgettext_noop("action", "提级上报"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    None,
    (*CENTRE, (R.HANDLER, ASSIGNMENT)),
    ("note",),
    variant="handling",
)
def escalate(s: Step[Event]) -> Outcome:
    event, p = s.case, s.payload
    up = next_queue_up(event.queue_region)
    if up is None:
        raise Conflict(gettext("已在最高一级受理中心，不能再提级"))
    old = event.queue_region
    event.queue_region = up
    return _out(
        _text(p, "note", gettext("提级理由"), max_len=2000),
        None,
        {"from_queue": old.pk, "to_queue": up.pk, "to_queue_name": up.name},
    )


@LOOP.row(
    "resolve_on_site",
    pgettext_noop("action", "就地解决"),
    frozenset({S.REPORTED}),
    S.CLOSED,
    GRID,
    ("result",),
    clock=CLOCK_STOP,
    style="primary",
    public_reply=True,
)
def resolve_on_site(s: Step[Event]) -> Outcome:
    event, p, now = s.case, s.payload, s.now
    result = _text(p, "result", gettext("处置结果"), max_len=5000)
    event.resolved_on_site = True
    event.resolution = Resolution.RESOLVED
    event.referral = ""
    event.resolved_at = now
    event.closed_at = now
    event.closed_on_time = True
    return _out(result, None, {"result": result})


@LOOP.row(
    "dispatch",
    pgettext_noop("action", "派遣"),
    frozenset({S.ACCEPTED}),
    S.DISPATCHED,
    CENTRE,
    ("lead_department",),
    clock=CLOCK_START,
    style="primary",
)
def dispatch(s: Step[Event]) -> Outcome:
    return _dispatch(s)


@LOOP.row(
    "accept_dispatch",
    pgettext_noop("action", "受理并派遣"),
    frozenset({S.REPORTED}),
    S.DISPATCHED,
    CENTRE,
    ("lead_department",),
    clock=CLOCK_START,
    style="primary",
)
def accept_dispatch(s: Step[Event]) -> Outcome:
    """受理 and 派遣 in one step: the event is accepted (accepted_at) and dispatched at the
    same moment, with the dispatch's payload and effect."""
    s.case.accepted_at = s.now
    outcome = _dispatch(s)
    outcome.data["accepted"] = True
    return outcome


def _dispatch(s: Step[Event]) -> Outcome:
    event, user, p, now = s.case, s.user, s.payload, s.now
    lead = _department(p.get("lead_department"), "lead_department")
    raw = p.get("assisting_departments") or []
    if not isinstance(raw, list):
        raise invalid("assisting_departments", gettext("协办部门应为列表"))
    assisting: list[Department] = []
    for value in raw:
        dept = _department(value, "assisting_departments")
        if dept.pk == lead.pk:
            raise invalid("assisting_departments", gettext("协办部门不能与主办部门相同"))
        if dept.pk not in {d.pk for d in assisting}:
            assisting.append(dept)
    event.lead_department = lead
    event.dispatched_at = now
    # Clocks start now; each assignment carries the same deadlines.
    deadlines.start_clocks(event, now)
    Assignment.objects.filter(event=event, status__in=ACTIVE).update(
        status=AssignmentStatus.CANCELLED
    )
    for dept, role in [(lead, AssignmentRole.LEAD)] + [
        (d, AssignmentRole.ASSIST) for d in assisting
    ]:
        Assignment.objects.create(
            event=event,
            department=dept,
            role=role,
            dispatched_at=now,
            dispatched_by=user,
            ack_due_at=event.ack_due_at,
            due_at=event.due_at,
        )
    return _out(
        _opt_note(p),
        lead,
        {
            "lead_department": lead.pk,
            "lead_department_name": lead.name,
            "assisting_departments": [d.pk for d in assisting],
            "assisting_department_names": [d.name for d in assisting],
        },
    )


def fresh_deadlines(event: Event, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The acknowledge and handling deadlines a dispatch of `event` at `now` would set
    (`events.deadlines.start_clocks` on a scratch copy: the event itself is not touched).
    The dispatch form's preview and the departments added later use it."""
    scratch = Event(category=event.category, urgency=event.urgency)
    deadlines.start_clocks(scratch, now)
    assert scratch.ack_due_at is not None and scratch.due_at is not None
    return scratch.ack_due_at, scratch.due_at


def _active(event: Event, dept: Department) -> Assignment | None:
    return Assignment.objects.filter(event=event, department=dept, status__in=ACTIVE).first()


def _cancel_assist(s: Step[Event], reason: str, missing: str) -> tuple[Department, Assignment, str]:
    """Cancel the open assisting assignment of the payload's department, with the payload's
    note as the reason (撤销协办, 免除协办反馈); 422 on `department` when it has none."""
    dept = _department(s.payload.get("department"), "department")
    note = _text(s.payload, "note", reason, max_len=2000)
    a = _active(s.case, dept)
    if a is None or a.role != AssignmentRole.ASSIST:
        raise invalid("department", missing)
    a.status = AssignmentStatus.CANCELLED
    a.note = note
    a.save(update_fields=["status", "note"])
    return dept, a, note


@LOOP.row(
    "reassign",
    pgettext_noop("action", "改派"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    S.DISPATCHED,
    CENTRE,
    ("lead_department", "note"),
    clock=CLOCK_START,
)
def reassign(s: Step[Event]) -> Outcome:
    """A new lead department: the old lead's assignment is cancelled, the new one gets
    fresh deadlines and must acknowledge again (the event goes back to DISPATCHED). A
    department that was assisting becomes the lead (its assisting part is cancelled)."""
    event, user, p, now = s.case, s.user, s.payload, s.now
    lead = _department(p.get("lead_department"), "lead_department")
    note = _text(p, "note", gettext("改派理由"), max_len=2000)
    if lead.pk == event.lead_department_id:
        raise invalid("lead_department", gettext("新主办部门与原主办部门相同"))
    old = Assignment.objects.filter(
        event=event, role=AssignmentRole.LEAD, status__in=ACTIVE
    ).select_related("department")
    old_departments = [a.department for a in old]
    Assignment.objects.filter(event=event, status__in=ACTIVE, role=AssignmentRole.LEAD).update(
        status=AssignmentStatus.CANCELLED, note=note
    )
    Assignment.objects.filter(event=event, status__in=ACTIVE, department=lead).update(
        status=AssignmentStatus.CANCELLED, note=note
    )
    # A pending extension was asked by the old lead: it lapses with its assignment.
    event.extensions.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REFUSED, decided_by=user, decided_at=now
    )
    event.lead_department = lead
    deadlines.start_clocks(event, now)
    supervision.supervision_retarget(event, old_departments, lead)
    Assignment.objects.create(
        event=event,
        department=lead,
        role=AssignmentRole.LEAD,
        dispatched_at=now,
        dispatched_by=user,
        ack_due_at=event.ack_due_at,
        due_at=event.due_at,
    )
    return _out(
        note,
        lead,
        {
            "from_departments": [d.pk for d in old_departments],
            "from_department_names": [d.name for d in old_departments],
            "lead_department": lead.pk,
            "lead_department_name": lead.name,
            "notify_departments": [lead.pk, *(d.pk for d in old_departments)],
        },
    )


@LOOP.row(
    "add_assist",
    pgettext_noop("action", "增加协办"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    None,
    CENTRE,
    ("department", "note"),
)
def add_assist(s: Step[Event]) -> Outcome:
    event, user, p, now = s.case, s.user, s.payload, s.now
    dept = _department(p.get("department"), "department")
    note = _text(p, "note", gettext("说明"), max_len=2000)
    if dept.pk == event.lead_department_id:
        raise invalid("department", gettext("协办部门不能与主办部门相同"))
    if _active(event, dept) is not None:
        raise invalid("department", gettext("该部门已在协办本事件"))
    ack_due, due = fresh_deadlines(event, now)
    Assignment.objects.create(
        event=event,
        department=dept,
        role=AssignmentRole.ASSIST,
        dispatched_at=now,
        dispatched_by=user,
        ack_due_at=ack_due,
        due_at=event.due_at or due,
        note=note,
    )
    return _out(
        note,
        dept,
        {"department": dept.pk, "department_name": dept.name, "notify_departments": [dept.pk]},
    )


@LOOP.row(
    "remove_assist",
    pgettext_noop("action", "撤销协办"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    None,
    CENTRE,
    ("department", "note"),
)
@LOOP.row(
    "remove_assist",
    pgettext_noop("action", "撤销协办"),
    frozenset({S.IN_PROGRESS}),
    S.RESOLVED,
    CENTRE,
    ("department", "note"),
    clock=CLOCK_STOP,
    variant="last",
)
def remove_assist(s: Step[Event]) -> Outcome:
    """The centre takes an assisting department off the event, saying why; when it was the
    last part awaited after the lead's result, the event goes to verification with the
    lead's result (`last`), as with `waive_assist`."""
    event, now = s.case, s.now
    dept, _a, note = _cancel_assist(
        s, gettext("撤销理由"), gettext("该部门不是本事件的在办协办部门")
    )
    supervision.supervision_retarget(event, [dept], event.lead_department)
    data: dict[str, Any] = {
        "department": dept.pk,
        "department_name": dept.name,
        "notify_departments": [dept.pk],
    }
    if s.row.variant == "last":
        _result_in(event, now, data)
    return _out(note, dept, data)


@LOOP.row(
    "acknowledge",
    pgettext_noop("action", "签收"),
    frozenset({S.DISPATCHED}),
    S.IN_PROGRESS,
    DEPARTMENT,
    clock=CLOCK_STOP_ACK,
    variant="lead",
    style="primary",
)
@LOOP.row(
    "acknowledge",
    pgettext_noop("action", "签收"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED}),
    None,
    DEPARTMENT,
    variant="assist",
    style="primary",
)
def acknowledge(s: Step[Event]) -> Outcome:
    event, user, p, now = s.case, s.user, s.payload, s.now
    a = _actor_assignment(s.actor, event, statuses=(AssignmentStatus.DISPATCHED,))
    if a is None:
        raise Conflict(gettext("本部门没有待签收的派遣"))
    a.status = AssignmentStatus.ACKNOWLEDGED
    a.acknowledged_at = now
    a.acknowledged_by = user
    a.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    return _out(_opt_note(p), a.department, {"assignment": a.pk, "role": a.role})


@LOOP.row(
    "return",
    pgettext_noop("action", "退回"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    S.ACCEPTED,
    DEPARTMENT,
    ("note",),
    clock=CLOCK_STOP,
    variant="lead",
    style="danger",
)
@LOOP.row(
    "return",
    pgettext_noop("action", "退回"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED}),
    None,
    DEPARTMENT,
    ("note",),
    variant="assist",
    style="danger",
)
@LOOP.row(
    "return",
    pgettext_noop("action", "退回"),
    frozenset({S.IN_PROGRESS}),
    S.RESOLVED,
    DEPARTMENT,
    ("note",),
    clock=CLOCK_STOP,
    variant="assist_last",
    style="danger",
)
def return_(s: Step[Event]) -> Outcome:
    event, p, now = s.case, s.payload, s.now
    note = _text(p, "note", gettext("退回理由"), max_len=2000)
    a = _actor_assignment(s.actor, event, statuses=ACTIVE)
    if a is None:
        raise Conflict(gettext("本部门没有可退回的派遣"))
    if a.role == AssignmentRole.LEAD:
        Assignment.objects.filter(event=event, status__in=ACTIVE).update(
            status=AssignmentStatus.CANCELLED
        )
        event.lead_department = None
        event.due_at = None
        event.clock_started_at = None
    a.status = AssignmentStatus.RETURNED
    a.note = note
    a.save(update_fields=["status", "note"])
    data: dict[str, Any] = {"assignment": a.pk, "role": a.role}
    if s.row.variant == "assist_last":
        # The last assisting department is out: the lead's result stands for the event.
        _result_in(event, now, data)
    return _out(note, a.department, data)


@LOOP.row(
    "extend",
    pgettext_noop("action", "申请延期"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    None,
    DEPARTMENT,
    ("days", "note"),
    variant="lead",
)
def extend(s: Step[Event]) -> Outcome:
    event, user, p, now = s.case, s.user, s.payload, s.now
    days = _int(p, "days", gettext("延期天数"))
    if not 1 <= days <= 60:
        raise invalid("days", gettext("延期天数应在1到60天之间"))
    note = _text(p, "note", gettext("延期理由"), max_len=2000)
    a = _actor_assignment(s.actor, event, statuses=ACTIVE)
    if a is None or a.role != AssignmentRole.LEAD:
        raise Forbidden(gettext("只有主办部门可以申请延期"))
    if event.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(gettext("已有待审批的延期申请"))
    ext = ExtensionRequest.objects.create(
        event=event,
        assignment=a,
        days=days,
        note=note,
        requested_by=user,
        requested_at=now,
        old_due_at=event.due_at,
    )
    return _out(note, a.department, {"extension": ext.pk, "days": days})


@LOOP.row(
    "decide_extension",
    pgettext_noop("action", "审批延期"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    None,
    CENTRE,
    ("approve",),
    clock=CLOCK_MOVE,
)
def decide_extension(s: Step[Event]) -> Outcome:
    event, user, p, now = s.case, s.user, s.payload, s.now
    approve = _bool(p, "approve", gettext("审批意见"))
    ext = event.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        raise Conflict(gettext("没有待审批的延期申请"))
    ext.decided_by = user
    ext.decided_at = now
    data: dict[str, Any] = {"extension": ext.pk, "approve": approve, "days": ext.days}
    if approve:
        ext.status = ExtensionStatus.APPROVED
        new_due = deadlines.move_deadline(event, ext.days, now)
        ext.new_due_at = new_due
        Assignment.objects.filter(event=event, status__in=ACTIVE).update(due_at=new_due)
        data["new_due_at"] = new_due.isoformat()
    else:
        ext.status = ExtensionStatus.REFUSED
    ext.save()
    return _out(_opt_note(p), None, data)


def lead_assignment(event: Event) -> Assignment | None:
    """The event's current lead assignment (the newest one)."""
    return Assignment.objects.filter(event=event, role=AssignmentRole.LEAD).order_by("-id").first()


def lead_has_reported(event: Event) -> bool:
    """The lead department has given its result (办结反馈) on the current dispatch."""
    lead = lead_assignment(event)
    return lead is not None and lead.status == AssignmentStatus.RESOLVED


def active_assists(event: Event, *, exclude: int | None = None) -> list[Assignment]:
    """The assisting assignments still open (待签收 or 处置中), but department `exclude`."""
    qs = Assignment.objects.filter(
        event=event, role=AssignmentRole.ASSIST, status__in=ACTIVE
    ).select_related("department")
    if exclude is not None:
        qs = qs.exclude(department_id=exclude)
    return list(qs.order_by("id"))


def waiting_for_assist(event: Event) -> list[Assignment]:
    """While the lead has reported and the event is still in handling: the assisting
    departments whose 协办反馈 the event waits for (empty otherwise)."""
    if event.status not in (S.DISPATCHED, S.IN_PROGRESS) or not lead_has_reported(event):
        return []
    return active_assists(event)


def _result_in(event: Event, now: dt.datetime, data: dict[str, Any]) -> None:
    """The event's result is complete (the lead's result, every assisting department's
    feedback in or waived): the event goes to verification. `closed_on_time` says whether
    this moment came by the handling deadline (None without a deadline: neither on time
    nor late, docs/kpis.md)."""
    event.resolved_at = now
    event.closed_on_time = deadlines.on_time(event.due_at, now)
    lead = lead_assignment(event)
    if lead is not None:
        data["lead_result"] = lead.result


def _dept_names(rows: list[Assignment]) -> list[str]:
    return [a.department.name for a in rows]


def resolution_of(event: Event, p: dict[str, Any]) -> tuple[str, str]:
    """The outcome of the lead's 办结反馈 from the payload: (`resolution`, `referral`).
    Resolved when not given (the API's `resolve {result}` of the stable contract; the
    page makes a dispute's handler choose: `dispute_outcome_required`); where the parties
    were guided (`referral`) only for a matter not resolved. 422 on the field otherwise."""
    raw = p.get("resolution")
    if raw in (None, ""):
        raw = Resolution.RESOLVED
    if raw not in Resolution.values:
        raise invalid(
            "resolution", gettext("化解结果应为 resolved（已解决）或 unresolved（未化解）")
        )
    referral = p.get("referral")
    if referral in (None, ""):
        return str(raw), ""
    if referral not in Referral.values:
        raise invalid(
            "referral",
            gettext("引导途径应为 litigation、arbitration、petition 或 other"),
        )
    if raw != Resolution.UNRESOLVED:
        raise invalid("referral", gettext("只有未化解的事项才填写引导途径"))
    return str(raw), str(referral)


def dispute_outcome_required(event: Event, p: dict[str, Any]) -> None:
    """On the page, a dispute's (矛盾纠纷) lead handler must choose whether it was resolved
    (化解) or not: nothing is pre-selected, and a 办结反馈 without the choice is refused
    (422 on `resolution`). The API keeps the contract's `resolve {result}` and takes
    resolved when the field is left out."""
    if event.category.is_dispute and p.get("resolution") in (None, ""):
        raise invalid("resolution", gettext("矛盾纠纷须选择化解结果：已解决（化解）或未化解"))


@LOOP.row(
    "resolve",
    pgettext_noop("action", "办结反馈"),
    frozenset({S.IN_PROGRESS}),
    S.RESOLVED,
    DEPARTMENT,
    ("result",),
    clock=CLOCK_STOP,
    variant="lead",
    style="primary",
    public_reply=True,
)
@LOOP.row(
    "resolve",
    pgettext_noop("action", "办结反馈"),
    frozenset({S.IN_PROGRESS}),
    None,
    DEPARTMENT,
    ("result",),
    variant="lead_waiting",
    style="primary",
    public_reply=True,
)
@LOOP.row(
    "resolve",
    pgettext_noop("action", "协办反馈"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED}),
    None,
    DEPARTMENT,
    ("result",),
    variant="assist",
    style="primary",
)
@LOOP.row(
    "resolve",
    pgettext_noop("action", "协办反馈"),
    frozenset({S.IN_PROGRESS}),
    S.RESOLVED,
    DEPARTMENT,
    ("result",),
    clock=CLOCK_STOP,
    variant="assist_last",
    style="primary",
)
def resolve(s: Step[Event]) -> Outcome:
    """The lead's 办结反馈 moves the event to verification unless assisting departments
    are still at work (`lead_waiting`: the lead's part is done, the event waits); an
    assisting department's 协办反馈 closes its own part, and the last one, after the
    lead's, moves the event (`assist_last`)."""
    event, user, p, now, row = s.case, s.user, s.payload, s.now, s.row
    result = _text(p, "result", gettext("处置结果"), max_len=5000)
    a = _actor_assignment(s.actor, event, statuses=ACTIVE)
    if a is None:
        raise Conflict(gettext("本部门没有办理中的派遣"))
    if a.status != AssignmentStatus.ACKNOWLEDGED:
        raise Conflict(gettext("请先签收"))
    lead = row.variant in ("lead", "lead_waiting")
    # Only the lead's feedback gives the outcome; an assisting department's has none.
    outcome = resolution_of(event, p) if lead else None
    a.status = AssignmentStatus.RESOLVED
    a.resolved_at = now
    a.resolved_by = user
    a.result = result
    a.save()
    data: dict[str, Any] = {"assignment": a.pk, "role": a.role, "result": result}
    if outcome is not None:
        event.resolution, event.referral = outcome
        data["resolution"] = event.resolution
        if event.referral:
            data["referral"] = event.referral
        if event.category.is_dispute:
            data["dispute"] = True
    if row.variant == "lead_waiting":
        waiting = active_assists(event)
        data["waiting_for"] = [w.department_id for w in waiting]
        data["waiting_for_names"] = _dept_names(waiting)
    elif row.variant in ("lead", "assist_last"):
        _result_in(event, now, data)
    return _out(result, a.department, data)


@LOOP.row(
    "waive_assist",
    pgettext_noop("action", "免除协办反馈"),
    frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED}),
    None,
    CENTRE,
    ("department", "note"),
)
@LOOP.row(
    "waive_assist",
    pgettext_noop("action", "免除协办反馈"),
    frozenset({S.IN_PROGRESS}),
    S.RESOLVED,
    CENTRE,
    ("department", "note"),
    clock=CLOCK_STOP,
    variant="last",
)
def waive_assist(s: Step[Event]) -> Outcome:
    """The centre does without one assisting department's feedback, saying why: that
    assignment is cancelled; when it was the last one awaited after the lead's result,
    the event goes to verification with the lead's result (`last`)."""
    event, now = s.case, s.now
    dept, a, note = _cancel_assist(s, gettext("免除理由"), gettext("该部门没有在办的协办派遣"))
    data: dict[str, Any] = {
        "assignment": a.pk,
        "department": dept.pk,
        "department_name": dept.name,
        "waived": True,
    }
    if s.row.variant == "last":
        _result_in(event, now, data)
    return _out(note, dept, data)


@LOOP.row(
    "verify",
    pgettext_noop("action", "核查通过"),
    frozenset({S.RESOLVED}),
    S.CLOSED,
    (*GRID, *CENTRE),
    ("passed",),
    clock=CLOCK_STOP,
    variant="passed",
    style="primary",
    public_reply=True,
)
@LOOP.row(
    "verify",
    pgettext_noop("action", "核查不通过"),
    frozenset({S.RESOLVED}),
    S.IN_PROGRESS,
    (*GRID, *CENTRE),
    ("passed", "note"),
    clock=CLOCK_RESTART,
    variant="failed",
    style="danger",
    public_reply=True,
)
def verify(s: Step[Event]) -> Outcome:
    event, p, now = s.case, s.payload, s.now
    passed = _bool(p, "passed", gettext("核查结论"))
    note = _opt_note(p)
    data: dict[str, Any] = {"passed": passed}
    photos = verification_photos(event, s.user)
    if photos:
        data["photos"] = photos
    if passed:
        if event.category.verify_photo_required and not photos:
            raise invalid("photos", gettext("此类事件核查通过须上传现场核查照片"))
        event.closed_at = now
        # The outcome the lead gave stands, and the timeline row says which was confirmed.
        if event.resolution:
            data["resolution"] = event.resolution
        # Nothing stays open on a closed event (an assisting part added late, say).
        Assignment.objects.filter(event=event, status__in=ACTIVE).update(
            status=AssignmentStatus.CANCELLED
        )
    else:
        if not note:
            raise invalid("note", gettext("核查不通过时请说明原因"))
        # The lead department takes it up again.
        Assignment.objects.filter(
            event=event, role=AssignmentRole.LEAD, status=AssignmentStatus.RESOLVED
        ).update(status=AssignmentStatus.ACKNOWLEDGED, resolved_at=None)
        event.resolved_at = None
        event.closed_on_time = None
        # The lead's next 办结反馈 gives the outcome again.
        event.resolution = event.referral = ""
    return _out(note, None, data)


def verification_photos(event: Event, user: Any) -> list[int]:
    """The on-site photos `user` uploaded for the verification under way: kind
    verification, since the event last came to verification, not yet on a timeline row
    (the web form and the API upload them before 核查通过)."""
    since = event.resolved_at or event.clock_started_at or event.reported_at
    return list(
        Attachment.objects.filter(
            event=event,
            kind=AttachmentKind.VERIFICATION,
            uploaded_by=user,
            transition__isnull=True,
            uploaded_at__gte=since,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


@LOOP.row(
    "follow_up",
    pgettext_noop("action", "回访"),
    frozenset({S.CLOSED}),
    None,
    (*CENTRE, *GRID),
    ("satisfaction",),
    variant="first",
)
@LOOP.row(
    "follow_up",
    pgettext_noop("action", "更正回访"),
    frozenset({S.CLOSED}),
    None,
    (*CENTRE, *GRID),
    ("satisfaction", "note"),
    variant="correct",
)
def follow_up(s: Step[Event]) -> Outcome:
    """回访 is given once (`first`); another is a correction (`correct`) that must say
    why and keeps the satisfaction it replaces on its timeline row."""
    event, p = s.case, s.payload
    sat = p.get("satisfaction")
    if sat not in Satisfaction.values:
        raise invalid(
            "satisfaction", gettext("满意度应为 satisfied、basically_satisfied 或 dissatisfied")
        )
    data: dict[str, Any] = {"satisfaction": sat}
    if s.row.variant == "correct":
        note = _text(p, "note", gettext("更正理由"), max_len=2000)
        data["old_satisfaction"] = event.satisfaction
        data["corrected"] = True
    else:
        note = _opt_note(p)
    event.satisfaction = sat
    return _out(note, None, data)


def outcome_label(resolution: str, referral: str = "") -> str:
    """The outcome in words: 「已解决（化解）」, 「未化解」, 「未化解，引导诉讼」; "" when none."""
    if resolution not in Resolution.values:
        return ""
    label = str(Resolution(resolution).label)
    if referral in Referral.values:
        label = gettext("%(outcome)s，%(referral)s") % {
            "outcome": label,
            "referral": Referral(referral).label,
        }
    return label


def timeline_label(action: str, data: Any) -> str:
    """A timeline row's name in the active language: the action's, or its variant's where
    the variants are named apart (协办反馈, 核查通过 / 核查不通过, 更正回访)."""
    d = data if isinstance(data, dict) else {}
    if action == "resolve" and d.get("role") == AssignmentRole.ASSIST:
        return pgettext("action", "协办反馈")
    if action == "resolve" and (d.get("dispute") or d.get("resolution") == "unresolved"):
        return gettext("%(action)s · %(outcome)s") % {
            "action": action_label(action),
            "outcome": outcome_label(d.get("resolution", ""), d.get("referral", "")),
        }
    if action == "verify" and "passed" in d:
        return pgettext("action", "核查通过" if d["passed"] else "核查不通过")
    if action == "follow_up" and d.get("corrected"):
        return pgettext("action", "更正回访")
    return action_label(action)


@LOOP.row(
    "reopen",
    pgettext_noop("action", "重办"),
    frozenset({S.CLOSED}),
    S.IN_PROGRESS,
    CENTRE,
    ("note",),
    clock=CLOCK_RESTART,
    variant="dispatched",
    style="danger",
    public_reply=True,
)
@LOOP.row(
    "reopen",
    pgettext_noop("action", "重办"),
    frozenset({S.CLOSED}),
    S.ACCEPTED,
    CENTRE,
    ("note",),
    variant="undispatched",
    style="danger",
    public_reply=True,
)
def reopen(s: Step[Event]) -> Outcome:
    event, p, row = s.case, s.payload, s.row
    note = _text(p, "note", gettext("重办理由"), max_len=2000)
    event.closed_at = None
    event.closed_on_time = None
    event.resolved_at = None
    event.resolution = event.referral = ""
    if row.variant == "dispatched":
        lead = (
            Assignment.objects.filter(event=event, role=AssignmentRole.LEAD).order_by("-id").first()
        )
        if lead is not None:
            lead.status = AssignmentStatus.ACKNOWLEDGED
            lead.resolved_at = None
            lead.save(update_fields=["status", "resolved_at"])
    TrackingCheck.objects.filter(event=event, status=TrackingStatus.PENDING).update(
        status=TrackingStatus.CANCELLED
    )
    event.under_tracking = False
    return _out(note, None, {})


@LOOP.row("track", pgettext_noop("action", "长效跟踪"), frozenset({S.CLOSED}), None, CENTRE)
def track(s: Step[Event]) -> Outcome:
    event, p, now = s.case, s.payload, s.now
    raw = p.get("intervals") or settings.PINGAN_TRACKING_INTERVALS
    if not isinstance(raw, list) or not raw:
        raise invalid("intervals", gettext("复查间隔应为天数列表"))
    intervals = []
    for v in raw:
        try:
            d = int(v)
        except (TypeError, ValueError):
            raise invalid("intervals", gettext("复查间隔应为整数天")) from None
        if not 1 <= d <= 366:
            raise invalid("intervals", gettext("复查间隔应在1到366天之间"))
        intervals.append(d)
    if event.under_tracking:
        raise Conflict(gettext("事件已在长效跟踪中"))
    assignee = _grid_worker_of(event)
    base = timezone.localtime(event.closed_at or now).date()
    for d in sorted(set(intervals)):
        TrackingCheck.objects.create(
            event=event, interval_days=d, due_on=base + dt.timedelta(days=d), assignee=assignee
        )
    event.under_tracking = True
    return _out(_opt_note(p), None, {"intervals": sorted(set(intervals))})


@LOOP.row(
    "recheck",
    pgettext_noop("action", "跟踪复查"),
    frozenset({S.CLOSED}),
    None,
    (*GRID, *CENTRE),
    ("check", "recurred"),
)
def recheck(s: Step[Event]) -> Outcome:
    event, user, p, now = s.case, s.user, s.payload, s.now
    check_id = _int(p, "check", gettext("复查任务"))
    check = TrackingCheck.objects.filter(
        pk=check_id, event=event, status=TrackingStatus.PENDING
    ).first()
    if check is None:
        raise invalid("check", gettext("复查任务不存在或已完成"))
    recurred = _bool(p, "recurred", gettext("复查结论"))
    note = _opt_note(p)
    if recurred and not note:
        raise invalid("note", gettext("复发时请描述情况"))
    check.status = TrackingStatus.RECURRED if recurred else TrackingStatus.OK
    check.done_by = user
    check.done_at = now
    check.note = note
    data: dict[str, Any] = {"check": check.pk, "recurred": recurred}
    if recurred:
        # A recurrence opens a linked event in the same place for the centre.
        new_event, _created = event_report(
            actor=s.actor,
            category=event.category,
            description=note,
            title=f"复发：{event.title}"[:200],
            source=Source.GRID_PATROL,
            urgency=event.urgency,
            region=event.region,
            lat=event.lat,
            lng=event.lng,
            address=event.address,
            extra=event.extra,
            # The recurrence is where the event was, wherever the re-checker's grid is.
            outside_own_grid=True,
        )
        Event.objects.filter(pk=new_event.pk, reported_at=new_event.reported_at).update(
            linked_from=event
        )
        check.new_event = new_event
        data["new_event"] = new_event.pk
        data["new_event_code"] = new_event.code
        TrackingCheck.objects.filter(event=event, status=TrackingStatus.PENDING).exclude(
            pk=check.pk
        ).update(status=TrackingStatus.CANCELLED)
        event.under_tracking = False
    elif (
        not TrackingCheck.objects.filter(event=event, status=TrackingStatus.PENDING)
        .exclude(pk=check.pk)
        .exists()
    ):
        event.under_tracking = False
    check.save()
    return _out(note, None, data)


@LOOP.row(
    "consult",
    pgettext_noop("action", "发起会商"),
    OPEN,
    None,
    (*CENTRE, (R.LEADER, REGION)),
    ("invited_departments", "topic"),
    variant="invite",
)
def consult_invite(s: Step[Event]) -> Outcome:
    """发起会商: the departments invited, the topic and (optionally) the time; the invited
    departments' handlers are told. The conclusion follows with `conclude_consult`."""
    event, user, p, now = s.case, s.user, s.payload, s.now
    invited = _departments(p.get("invited_departments"), "invited_departments")
    if not invited:
        raise invalid("invited_departments", gettext("请选择受邀部门"))
    topic = _text(p, "topic", gettext("会商议题"), max_len=200)
    when = _moment(p.get("scheduled_at"), "scheduled_at")
    c = Consultation.objects.create(
        event=event,
        status=ConsultationStatus.INVITED,
        topic=topic,
        scheduled_at=when,
        recorded_by=user,
        at=now,
    )
    c.invited_departments.set(invited)
    note = _opt_note(p) or topic
    return _out(
        note,
        None,
        {
            "consultation": c.pk,
            "topic": topic,
            "scheduled_at": when.isoformat() if when else None,
            "invited_departments": [d.pk for d in invited],
            "invited_department_names": [d.name for d in invited],
            "notify_departments": [d.pk for d in invited],
        },
    )


@LOOP.row(
    "consult",
    pgettext_noop("action", "会商记录"),
    OPEN,
    None,
    (*CENTRE, (R.LEADER, REGION)),
    ("participants", "conclusion"),
)
def consult(s: Step[Event]) -> Outcome:
    """A consultation recorded after the fact in one step (the API's older payload:
    participants and conclusion)."""
    event, user, p, now = s.case, s.user, s.payload, s.now
    participants = _participants(p)
    conclusion = _text(p, "conclusion", gettext("会商结论"), max_len=5000)
    c = Consultation.objects.create(
        event=event,
        participants=participants,
        conclusion=conclusion,
        recorded_by=user,
        at=now,
        concluded_by=user,
        concluded_at=now,
    )
    return _out(conclusion, None, {"consultation": c.pk, "participants": participants})


@LOOP.row(
    "conclude_consult",
    pgettext_noop("action", "会商结论"),
    OPEN,
    None,
    (*CENTRE, (R.LEADER, REGION)),
    ("participants", "conclusion"),
)
def conclude_consult(s: Step[Event]) -> Outcome:
    """会商结论 of an invited consultation: who attended, what was concluded, and the
    suggested lead and assisting departments (they pre-fill the dispatch form)."""
    event, user, p, now = s.case, s.user, s.payload, s.now
    pending = Consultation.objects.filter(event=event, status=ConsultationStatus.INVITED)
    if p.get("consultation") not in (None, ""):
        c = pending.filter(pk=_int(p, "consultation", gettext("会商"))).first()
        if c is None:
            raise invalid("consultation", gettext("会商不存在或已有结论"))
    else:
        c = pending.order_by("-at", "-id").first()
        if c is None:
            raise Conflict(gettext("没有待形成结论的会商"))
    participants = _participants(p)
    conclusion = _text(p, "conclusion", gettext("会商结论"), max_len=5000)
    lead = None
    if p.get("suggested_lead") not in (None, ""):
        lead = _department(p.get("suggested_lead"), "suggested_lead")
    assisting = _departments(p.get("suggested_assisting"), "suggested_assisting")
    if lead is not None and any(d.pk == lead.pk for d in assisting):
        raise invalid("suggested_assisting", gettext("协办部门不能与主办部门相同"))
    c.status = ConsultationStatus.CONCLUDED
    c.participants = participants
    c.conclusion = conclusion
    c.suggested_lead = lead
    c.concluded_by = user
    c.concluded_at = now
    c.save()
    c.suggested_assisting.set(assisting)
    return _out(
        conclusion,
        None,
        {
            "consultation": c.pk,
            "participants": participants,
            "suggested_lead": lead.pk if lead else None,
            "suggested_assisting": [d.pk for d in assisting],
        },
    )


def _participants(p: dict[str, Any]) -> str:
    participants = p.get("participants")
    if isinstance(participants, list):
        participants = "、".join(str(x).strip() for x in participants if str(x).strip())
        p["participants"] = participants
    return _text(p, "participants", gettext("参与方"), max_len=2000)


def _departments(raw: Any, field: str) -> list[Department]:
    """A list of department ids (or none) → the active departments, each once."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise invalid(field, gettext("部门应为列表"))
    out: list[Department] = []
    for value in raw:
        dept = _department(value, field)
        if dept.pk not in {d.pk for d in out}:
            out.append(dept)
    return out


def _moment(raw: Any, field: str) -> dt.datetime | None:
    """An ISO date-time (a form's "2026-12-07T09:30" is local time), or None when empty."""
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        try:
            value = dt.datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise invalid(field, gettext("时间格式应为 2026-12-07T09:30")) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@LOOP.row(
    "supervise",
    pgettext_noop("action", "督办"),
    OPEN,
    None,
    (*CENTRE, (R.LEADER, REGION)),
    ("note",),
)
def supervise(s: Step[Event]) -> Outcome:
    """督办 at a level (一般督办 / 重点督办, default 一般): a supervision order the target
    department (default the lead; the centre while the event is not dispatched) must
    answer by the level's reply allowance (settings.PINGAN_SUPERVISION_REPLY_DAYS, or
    `reply_days` working days)."""
    event, user, p, now = s.case, s.user, s.payload, s.now
    note = _text(p, "note", gettext("督办意见"), max_len=5000)
    level = p.get("level") or SupervisionLevel.NORMAL
    if level not in SupervisionLevel.values:
        raise invalid("level", gettext("督办级别应为 normal（一般督办）或 key（重点督办）"))
    days = None
    if p.get("reply_days") not in (None, ""):
        days = _int(p, "reply_days", gettext("回复期限"))
        if not 1 <= days <= 30:
            raise invalid("reply_days", gettext("回复期限应在1到30个工作日之间"))
    target: Department | None = None
    if p.get("department") not in (None, ""):
        target = _department(p.get("department"), "department")
        if _active(event, target) is None:
            raise invalid("department", gettext("该部门没有本事件的在办派遣"))
    elif event.lead_department is not None and _active(event, event.lead_department):
        target = event.lead_department
    order = supervision.supervision_issue(
        event=event, level=level, note=note, user=user, department=target, now=now, days=days
    )
    return _out(
        note,
        target,
        {
            "supervision": order.pk,
            "level": level,
            "reply_due_at": order.reply_due_at.isoformat(),
            "department": target.pk if target else None,
            "notify_departments": [target.pk] if target else [],
        },
    )


@LOOP.row(
    "reply_supervision",
    pgettext_noop("action", "督办回复"),
    OPEN,
    None,
    (*DEPARTMENT, *CENTRE),
    ("reply",),
    style="primary",
)
def reply_supervision(s: Step[Event]) -> Outcome:
    """The target department (or, for an order to the centre, its dispatcher) answers an
    open supervision order; the issuer is told."""
    event, user, p, now = s.case, s.user, s.payload, s.now
    reply = _text(p, "reply", gettext("回复内容"), max_len=5000)
    open_orders = supervision.answerable(s.actor, event, s.membership)
    if p.get("supervision") not in (None, ""):
        pk = _int(p, "supervision", gettext("督办件"))
        order = next((o for o in open_orders if o.pk == pk), None)
        if order is None:
            raise invalid("supervision", gettext("督办件不存在、已回复或不由本部门回复"))
    elif open_orders:
        order = open_orders[0]
    else:
        raise Conflict(gettext("没有待本部门回复的督办件"))
    order.status = SupervisionStatus.REPLIED
    order.reply = reply
    order.replied_at = now
    order.replied_by = user
    order.save(update_fields=["status", "reply", "replied_at", "replied_by"])
    return _out(
        reply,
        order.department,
        {
            "supervision": order.pk,
            "level": order.level,
            "on_time": now <= order.reply_due_at,
            "notify_users": [order.issued_by_id],
        },
    )


@LOOP.row(
    "remind",
    pgettext_noop("action", "催办"),
    OPEN,
    None,
    (*CENTRE, (R.LEADER, REGION)),
    ("note",),
)
def remind(s: Step[Event]) -> Outcome:
    return Outcome(_text(s.payload, "note", gettext("催办内容"), max_len=5000))


@LOOP.row(
    "comment",
    pgettext_noop("action", "备注"),
    OPEN | {S.CLOSED},
    None,
    ANYONE_IN_SCOPE,
    ("note",),
)
def comment(s: Step[Event]) -> Outcome:
    return Outcome(_text(s.payload, "note", gettext("备注"), max_len=5000))


# 转调解: a higher app that takes the dispute over (pingan.mediation) registers here how
# the hand-over is made; events never imports it (docs/mediation.md).
HANDOVERS: dict[str, Effect] = {}


@LOOP.row(
    "refer_mediation",
    pgettext_noop("action", "转调解"),
    frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}),
    None,
    (*CENTRE, (R.HANDLER, ASSIGNMENT)),
)
def refer_mediation(s: Step[Event]) -> Outcome:
    """A dispute handed to mediation: the registered app creates the case; the event
    waits in its state and follows the case's outcome (`services.event_follow_outcome`)."""
    handover = HANDOVERS.get("refer_mediation")
    if handover is None:
        raise Conflict(gettext("未启用调解功能"))
    if not s.case.category.is_dispute:
        raise Conflict(gettext("只有矛盾纠纷类事件可以转调解"))
    return handover(s)


@LOOP.row(
    "activate_plan",
    pgettext_noop("action", "启动预案"),
    frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}),
    None,
    (*CENTRE, (R.LEADER, REGION)),
    style="danger",
)
def activate_plan(s: Step[Event]) -> Outcome:
    """启动预案: the registered app (pingan.emergency) creates the activation with its groups
    and tasks from `plan` and `level` (it checks both, 422 naming the field); the event
    stays in its state and follows the activation (docs/emergency.md)."""
    handover = HANDOVERS.get("activate_plan")
    if handover is None:
        raise Conflict(gettext("未启用应急处置功能"))
    return handover(s)


# ---- the table, read by pages, the API, notifications and the document ------------------

TABLE: tuple[Transition, ...] = LOOP.table
ACTIONS: tuple[str, ...] = LOOP.actions
ACTION_LABELS: dict[str, str] = LOOP.action_labels
action_label = LOOP.action_label
rows_for = LOOP.rows_for
find = LOOP.find
reachable_states = LOOP.reachable_states

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "CLOCKS",
    "CLOCK_MOVE",
    "CLOCK_NONE",
    "CLOCK_RESTART",
    "CLOCK_START",
    "CLOCK_STOP",
    "CLOCK_STOP_ACK",
    "LOOP",
    "SCOPES",
    "TABLE",
    "Transition",
]

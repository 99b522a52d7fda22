"""The major matter's loop as a declaration on the case engine: states, rows, who may
fire each, what each needs and does (docs/workflow-risk.md is generated from it).

登记 → 开始评估 → 评估环节 recorded (民意调查, 听证, 专家论证, 第三方评估, 合法性审查) →
定级 (高/中/低 with reasons) → 决策 (实施 / 附条件实施 / 暂缓实施 / 不实施) → 跟踪 (measures
done, tracking notes) → 办结; 撤销 while open; a postponed matter may be assessed again.
The county's Ping'an office (`office`) runs it and decides; the owner department (and
the departments owning measures) record steps, measure progress and tracking notes.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from pingan.cases.fields import integer as _int
from pingan.cases.fields import text as _text
from pingan.cases.table import Outcome, Step, Workflow
from pingan.core.errors import Conflict, Forbidden, invalid
from pingan.core.i18n import pgettext_noop
from pingan.org.choices import Role
from pingan.risk.choices import GOING_AHEAD, Decision, Grade, Status, StepKind
from pingan.risk.fields import choice_of, date_of, department_of
from pingan.risk.models import AssessmentStep, MajorMatter, RiskMeasure

S = Status
R = Role

OPEN = frozenset({S.REGISTERED, S.ASSESSING, S.GRADED, S.DECIDED, S.TRACKING})
TERMINAL = frozenset({S.CLOSED, S.WITHDRAWN})
INITIAL = S.REGISTERED

# Scope kinds.
OFFICE = "office"  # the county's Ping'an office over the matter's region
DEPARTMENT = "department"  # a handler of the owner department or of a measure's department

OFFICE_STAFF = ((R.DISPATCHER, OFFICE),)
DECIDERS = ((R.DISPATCHER, OFFICE), (R.LEADER, OFFICE))
DEPARTMENT_STAFF = ((R.HANDLER, DEPARTMENT),)
WORKERS = (*OFFICE_STAFF, *DEPARTMENT_STAFF)

SYSTEM_ACTIONS = {
    "register": pgettext_noop("action", "登记"),
    "update": pgettext_noop("action", "修改登记信息"),
}

RISK = Workflow(
    states=Status.choices,
    initial=INITIAL,
    open_states=OPEN,
    terminal=TERMINAL,
    scopes={
        OFFICE: "平安办：所辖区划为县（市、区）级或以上并包含事项所在地（受理员、领导）",
        DEPARTMENT: "部门：本人所在部门是事项的责任部门，或负责事项的某项措施（部门处置人员）",
    },
    system_actions=SYSTEM_ACTIONS,
)

MAX_TEXT = 5000


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


def _measure(s: Step[MajorMatter]) -> RiskMeasure:
    pk = _int(s.payload, "measure_id", gettext("措施"))
    measure = RiskMeasure.objects.filter(pk=pk, matter=s.case).first()
    if measure is None:
        raise invalid("measure_id", gettext("该事项没有这项措施"))
    return measure


# ---- the rows ----------------------------------------------------------------------------


@RISK.row(
    "start",
    pgettext_noop("action", "开始评估"),
    {S.REGISTERED},
    S.ASSESSING,
    OFFICE_STAFF,
    style="primary",
)
def start(s: Step[MajorMatter]) -> Outcome:
    return Outcome(_opt_note(s.payload))


@RISK.row(
    "record_step",
    pgettext_noop("action", "记录评估环节"),
    {S.ASSESSING},
    None,
    WORKERS,
    ("step_kind", "held_on", "summary"),
    style="primary",
)
def record_step(s: Step[MajorMatter]) -> Outcome:
    """One step of the procedure; a third-party assessment names its body."""
    p = s.payload
    kind = choice_of(
        p,
        "step_kind",
        StepKind.values,
        gettext("评估环节应为 survey、hearing、expert、third_party 或 legality"),
    )
    held_on = date_of(p, "held_on", gettext("日期"), required=True)
    assert held_on is not None
    if held_on > timezone.localdate(s.now):
        raise invalid("held_on", gettext("日期不能晚于今天"))
    body = _text(p, "body", gettext("评估机构"), required=kind == StepKind.THIRD_PARTY, max_len=200)
    summary = _text(p, "summary", gettext("情况摘要"), max_len=MAX_TEXT)
    step = AssessmentStep.objects.create(
        matter=s.case,
        kind=kind,
        held_on=held_on,
        body=body,
        summary=summary,
        recorded_by=s.user,
        recorded_at=s.now,
    )
    label = str(StepKind(kind).label)
    return Outcome(
        f"{label}：{summary}" if not body else f"{label}（{body}）：{summary}",
        {"step": step.pk, "step_kind": kind, "held_on": held_on.isoformat(), "body": body},
    )


@RISK.row(
    "grade",
    pgettext_noop("action", "定级"),
    {S.ASSESSING, S.GRADED},
    S.GRADED,
    OFFICE_STAFF,
    ("grade", "reasons"),
    style="primary",
)
def grade(s: Step[MajorMatter]) -> Outcome:
    """The risk grade with its reasons, after at least one step of the procedure."""
    matter, p = s.case, s.payload
    value = choice_of(p, "grade", Grade.values, gettext("风险等级应为 high、medium 或 low"))
    reasons = _text(p, "reasons", gettext("定级理由"), max_len=MAX_TEXT)
    if not matter.steps.exists():
        raise Conflict(gettext("请先记录至少一个评估环节"))
    old = matter.grade
    matter.grade = value
    matter.grade_reasons = reasons
    matter.graded_at = s.now
    data: dict[str, Any] = {"grade": value}
    if old:
        data["old_grade"] = old
    return Outcome(reasons, data)


@RISK.row(
    "add_measure",
    pgettext_noop("action", "制定防范措施"),
    {S.GRADED, S.DECIDED, S.TRACKING},
    None,
    OFFICE_STAFF,
    ("measure", "owner_department", "deadline"),
)
def add_measure(s: Step[MajorMatter]) -> Outcome:
    """A measure with its department, (optional) person and deadline."""
    p = s.payload
    text = _text(p, "measure", gettext("措施内容"), max_len=MAX_TEXT)
    department = department_of(p)
    deadline = date_of(p, "deadline", gettext("完成期限"), required=True)
    assert deadline is not None
    if deadline < timezone.localdate(s.now):
        raise invalid("deadline", gettext("完成期限不能早于今天"))
    owner_user = None
    if p.get("owner_user") not in (None, ""):
        pk = _int(p, "owner_user", gettext("责任人"))
        member = (
            department.memberships.filter(user_id=pk, is_active=True, user__is_active=True)
            .select_related("user")
            .first()
        )
        if member is None:
            raise invalid("owner_user", gettext("责任人应为责任部门的在岗人员"))
        owner_user = member.user
    measure = RiskMeasure.objects.create(
        matter=s.case,
        measure=text,
        owner_department=department,
        owner_user=owner_user,
        deadline=deadline,
        created_at=s.now,
    )
    return Outcome(
        text,
        {
            "measure": measure.pk,
            "owner_department": department.pk,
            "owner_department_name": department.name,
            "owner_user": owner_user.pk if owner_user else None,
            "deadline": deadline.isoformat(),
        },
    )


@RISK.row(
    "decide",
    pgettext_noop("action", "决策"),
    {S.GRADED},
    S.DECIDED,
    DECIDERS,
    ("decision", "note"),
    style="primary",
)
def decide(s: Step[MajorMatter]) -> Outcome:
    """The decision; 附条件实施 only once measures are set."""
    matter, p = s.case, s.payload
    value = choice_of(
        p,
        "decision",
        Decision.values,
        gettext("决策结果应为 implement、conditional、postpone 或 reject"),
    )
    note = _text(p, "note", gettext("决策说明"), max_len=MAX_TEXT)
    if value == Decision.CONDITIONAL and not matter.measures.exists():
        raise Conflict(gettext("附条件实施须先制定风险防范措施"))
    matter.decision = value
    matter.decision_note = note
    matter.decided_at = s.now
    return Outcome(note, {"decision": value, "grade": matter.grade})


@RISK.row(
    "start_tracking",
    pgettext_noop("action", "开始跟踪"),
    {S.DECIDED},
    S.TRACKING,
    OFFICE_STAFF,
    style="primary",
)
def start_tracking(s: Step[MajorMatter]) -> Outcome:
    if s.case.decision not in GOING_AHEAD:
        raise Conflict(gettext("只有决定实施的事项需要跟踪"))
    return Outcome(_opt_note(s.payload))


@RISK.row(
    "measure_done",
    pgettext_noop("action", "措施完成"),
    {S.DECIDED, S.TRACKING},
    None,
    WORKERS,
    ("measure_id",),
)
def measure_done(s: Step[MajorMatter]) -> Outcome:
    """A measure done: when (now) and whether by its deadline; a department's handler
    records only the measures of their own department."""
    measure = _measure(s)
    if s.membership.role == R.HANDLER and measure.owner_department_id not in (
        s.actor.department_ids()
    ):
        raise Forbidden(gettext("只能登记本部门负责的措施"))
    if measure.done_at is not None:
        raise Conflict(gettext("该措施已完成"))
    note = _text(s.payload, "note", gettext("完成情况"), required=False, max_len=MAX_TEXT)
    measure.done_at = s.now
    measure.done_note = note
    measure.on_time = timezone.localdate(s.now) <= measure.deadline
    measure.save(update_fields=["done_at", "done_note", "on_time"])
    return Outcome(
        note or measure.measure,
        {"measure": measure.pk, "on_time": measure.on_time},
    )


@RISK.row(
    "track_note",
    pgettext_noop("action", "跟踪记录"),
    {S.TRACKING},
    None,
    WORKERS,
    ("note",),
)
def track_note(s: Step[MajorMatter]) -> Outcome:
    return Outcome(_text(s.payload, "note", gettext("跟踪情况"), max_len=MAX_TEXT))


@RISK.row(
    "reassess",
    pgettext_noop("action", "重新评估"),
    {S.DECIDED},
    S.ASSESSING,
    OFFICE_STAFF,
    ("note",),
)
def reassess(s: Step[MajorMatter]) -> Outcome:
    """A postponed matter comes back for assessment: grade and decision start over."""
    matter = s.case
    if matter.decision != Decision.POSTPONE:
        raise Conflict(gettext("只有暂缓实施的事项可以重新评估"))
    data = {"old_grade": matter.grade, "old_decision": matter.decision}
    matter.grade, matter.grade_reasons, matter.graded_at = "", "", None
    matter.decision, matter.decision_note, matter.decided_at = "", "", None
    return Outcome(_text(s.payload, "note", gettext("重新评估原因"), max_len=2000), data)


@RISK.row(
    "close",
    pgettext_noop("action", "办结"),
    {S.DECIDED, S.TRACKING},
    S.CLOSED,
    OFFICE_STAFF,
    style="primary",
)
def close(s: Step[MajorMatter]) -> Outcome:
    """办结: a matter going ahead after tracking with every measure done; one not going
    ahead (暂缓, 不实施) straight after the decision."""
    matter = s.case
    if matter.status == S.DECIDED and matter.decision in GOING_AHEAD:
        raise Conflict(gettext("决定实施的事项须跟踪后办结"))
    if matter.status == S.TRACKING and matter.measures.filter(done_at__isnull=True).exists():
        raise Conflict(gettext("尚有防范措施未完成"))
    matter.closed_at = s.now
    return Outcome(_opt_note(s.payload))


@RISK.row(
    "withdraw",
    pgettext_noop("action", "撤销"),
    {S.REGISTERED, S.ASSESSING, S.GRADED, S.DECIDED},
    S.WITHDRAWN,
    OFFICE_STAFF,
    ("note",),
    style="danger",
)
def withdraw(s: Step[MajorMatter]) -> Outcome:
    s.case.closed_at = s.now
    return Outcome(_text(s.payload, "note", gettext("撤销原因"), max_len=2000))


TABLE = RISK.table
ACTIONS = RISK.actions

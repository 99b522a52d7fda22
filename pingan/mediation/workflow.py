"""The mediation case's loop as a declaration on the case engine: states, rows, who may
fire each, what each needs and does (docs/workflow-mediation.md is generated from it).

申请/登记 → 受理 (or 不予受理 with a reason) → 指派 committee and mediator (提级 to a higher
committee, 转交 to administrative or judicial mediation) → 调解 sessions (timeline only)
→ 调解成功 with an agreement | 调解不成 with a reason and guidance | 撤回 → 申请司法确认 and
its ruling → 履行回访 → 结案. The 30-day term runs from acceptance (working calendar by
default), 延期 moves it. A case taken over from an event (转调解) hands its outcome back:
the event follows it (`events.services.event_follow_outcome`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from pingan.cases import deadlines
from pingan.cases.fields import boolean as _bool
from pingan.cases.fields import integer as _int
from pingan.cases.fields import text as _text
from pingan.cases.table import (
    CLOCK_MOVE,
    CLOCK_START,
    CLOCK_STOP,
    Outcome,
    Step,
    Workflow,
)
from pingan.core.errors import Conflict, invalid
from pingan.core.i18n import pgettext_noop
from pingan.events.choices import Resolution
from pingan.events.services import event_follow_outcome
from pingan.mediation.choices import (
    LEVEL_RANK,
    CommitteeKind,
    Performance,
    Referral,
    Ruling,
    Status,
)
from pingan.mediation.fields import (
    committee_covers_case,
    committee_of,
    date_of,
    mediator_of,
    moment_of,
)
from pingan.mediation.models import Committee, MediationCase, MediationSession, Mediator
from pingan.org.choices import Role

S = Status
R = Role

OPEN = frozenset({S.REGISTERED, S.ACCEPTED, S.MEDIATING})
ENDED = frozenset({S.SUCCEEDED, S.FAILED, S.WITHDRAWN})
TERMINAL = frozenset({S.REJECTED, S.CLOSED})
INITIAL = S.REGISTERED

# Scope kinds.
REGION = "region"  # the membership's region contains the case's region
COMMITTEE = "committee"  # the user is a mediator of the case's committee, or its mediator

CENTRE = ((R.DISPATCHER, REGION),)
COMMITTEE_STAFF = ((R.MEDIATOR, COMMITTEE),)
HANDLE = (*CENTRE, *COMMITTEE_STAFF)

SYSTEM_ACTIONS = {
    "register": pgettext_noop("action", "登记"),
    # The deadline sweeper's marks (mediation.deadlines).
    "warning": pgettext_noop("action", "临期预警"),
    "overdue": pgettext_noop("action", "超期"),
}

MEDIATION = Workflow(
    states=Status.choices,
    initial=INITIAL,
    open_states=OPEN,
    terminal=TERMINAL,
    scopes={
        REGION: "辖区：所辖区划包含案件所在地（受理员）",
        COMMITTEE: "调委会：本人是案件所在调委会的调解员，或案件的承办调解员",
    },
    system_actions=SYSTEM_ACTIONS,
)

# The legal term (人民调解: 30 days from acceptance), on the working calendar unless
# PINGAN_MEDIATION_NATURAL_TIME; an extension adds days the same way.
TERM_DAYS = 30
MAX_EXTENSION_DAYS = 30

# 司法确认 is asked for within 30 days of the agreement (民事诉讼法 §205).
JUDICIAL_WINDOW_DAYS = 30


def term_days() -> int:
    return int(getattr(settings, "PINGAN_MEDIATION_DAYS", TERM_DAYS))


def natural_time() -> bool:
    return bool(getattr(settings, "PINGAN_MEDIATION_NATURAL_TIME", False))


# ---- reading the payload -------------------------------------------------------------------


def _opt_note(p: dict[str, Any]) -> str:
    return _text(p, "note", gettext("说明"), required=False, max_len=2000)


def _place(case: MediationCase, committee: Committee, mediator: Mediator | None) -> None:
    committee_covers_case(committee, case.region_path)
    case.committee = committee
    case.level = committee.level
    case.mediator = mediator


def _moved(case: MediationCase, old: Committee | None, note: str) -> dict[str, Any]:
    new = case.committee
    assert new is not None
    return {
        "from_committee": old.pk if old else None,
        "from_committee_name": old.name if old else "",
        "to_committee": new.pk,
        "to_committee_name": new.name,
        "mediator": case.mediator_id,
    }


def _follow(s: Step[MediationCase], resolution: str, referral: str, note: str) -> None:
    """A case taken over from an event hands the outcome back to it."""
    case = s.case
    if case.event_id is None:
        return
    event_follow_outcome(
        actor=s.actor,
        event_id=case.event_id,
        resolution=resolution,
        referral=referral,
        note=note,
        data={"mediation_case": case.pk, "mediation_code": case.code},
    )


# ---- the rows ----------------------------------------------------------------------------


@MEDIATION.row(
    "accept",
    pgettext_noop("action", "受理"),
    {S.REGISTERED},
    S.ACCEPTED,
    HANDLE,
    clock=CLOCK_START,
    style="primary",
)
def accept(s: Step[MediationCase]) -> Outcome:
    s.case.accepted_at = s.now
    return Outcome(_opt_note(s.payload))


@MEDIATION.row(
    "reject",
    pgettext_noop("action", "不予受理"),
    {S.REGISTERED},
    S.REJECTED,
    HANDLE,
    ("note",),
    clock=CLOCK_STOP,
    style="danger",
    public_reply=True,
)
def reject(s: Step[MediationCase]) -> Outcome:
    note = _text(s.payload, "note", gettext("不予受理理由"), max_len=2000)
    s.case.closed_at = s.now
    return Outcome(note)


@MEDIATION.row(
    "assign",
    pgettext_noop("action", "指派"),
    {S.ACCEPTED, S.MEDIATING},
    S.MEDIATING,
    HANDLE,
    ("committee",),
    style="primary",
)
def assign(s: Step[MediationCase]) -> Outcome:
    """The committee and (optionally) the mediator who mediate. A mediator assigns only
    within their own committee; moving the case elsewhere is 提级 or 转交."""
    case, p = s.case, s.payload
    committee = committee_of(p)
    if s.membership.role == R.MEDIATOR and committee.pk != case.committee_id:
        raise invalid(
            "committee", gettext("调解员只能在本调委会内指派，转其他调委会请用提级或转交")
        )
    mediator = mediator_of(p, committee)
    old = case.committee
    _place(case, committee, mediator)
    data = _moved(case, old, "")
    data["mediator_name"] = mediator.name if mediator else ""
    return Outcome(_opt_note(p), data)


@MEDIATION.row(
    "escalate",
    pgettext_noop("action", "提级调解"),
    {S.ACCEPTED, S.MEDIATING},
    None,
    HANDLE,
    ("committee", "note"),
)
def escalate(s: Step[MediationCase]) -> Outcome:
    """Up a level: village → town → county or professional → the joint centre."""
    case, p = s.case, s.payload
    note = _text(p, "note", gettext("提级理由"), max_len=2000)
    committee = committee_of(p)
    old = case.committee
    if old is not None and LEVEL_RANK[committee.level] <= LEVEL_RANK[old.level]:
        raise invalid("committee", gettext("提级须转到更高一级的调委会"))
    _place(case, committee, mediator_of(p, committee))
    return Outcome(note, _moved(case, old, note))


@MEDIATION.row(
    "refer",
    pgettext_noop("action", "转交行政或司法调解"),
    {S.ACCEPTED, S.MEDIATING},
    None,
    HANDLE,
    ("committee", "note"),
)
def refer(s: Step[MediationCase]) -> Outcome:
    case, p = s.case, s.payload
    note = _text(p, "note", gettext("转交理由"), max_len=2000)
    committee = committee_of(p)
    if committee.kind not in (CommitteeKind.ADMINISTRATIVE, CommitteeKind.JUDICIAL):
        raise invalid("committee", gettext("只能转交行政调解或司法调解组织"))
    old = case.committee
    _place(case, committee, mediator_of(p, committee))
    data = _moved(case, old, note)
    data["kind"] = committee.kind
    return Outcome(note, data)


@MEDIATION.row(
    "session",
    pgettext_noop("action", "调解记录"),
    {S.MEDIATING},
    None,
    HANDLE,
    ("record",),
)
def session(s: Step[MediationCase]) -> Outcome:
    """One session: when (default now), where, who attended, what was said."""
    p = s.payload
    record = _text(p, "record", gettext("调解记录"), max_len=20000)
    row = MediationSession.objects.create(
        case=s.case,
        at=moment_of(p, "at", s.now),
        place=_text(p, "place", gettext("调解地点"), required=False, max_len=200),
        attendees=_text(p, "attendees", gettext("参加人员"), required=False, max_len=2000),
        record=record,
        recorded_by=s.user,
    )
    return Outcome("", {"session": row.pk, "at": row.at.isoformat(), "place": row.place})


@MEDIATION.row(
    "extend",
    pgettext_noop("action", "延期"),
    {S.ACCEPTED, S.MEDIATING},
    None,
    HANDLE,
    ("days", "note"),
    clock=CLOCK_MOVE,
)
def extend(s: Step[MediationCase]) -> Outcome:
    case, p = s.case, s.payload
    days = _int(p, "days", gettext("延期天数"))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise invalid("days", gettext("延期天数应为1到%(n)s天") % {"n": MAX_EXTENSION_DAYS})
    note = _text(p, "note", gettext("延期理由"), max_len=2000)
    if case.due_at is None:
        raise Conflict(gettext("案件尚未开始计时"))
    old = case.due_at
    case.due_at = deadlines.add_days(old, days, natural=natural_time())
    if case.accepted_at is not None:
        case.warn_at = deadlines.warning_at(case.accepted_at, case.due_at, natural=natural_time())
    return Outcome(
        note,
        {"days": days, "old_due_at": old.isoformat(), "new_due_at": case.due_at.isoformat()},
    )


@MEDIATION.row(
    "succeed",
    pgettext_noop("action", "调解成功"),
    {S.MEDIATING},
    S.SUCCEEDED,
    HANDLE,
    ("terms", "performance"),
    clock=CLOCK_STOP,
    style="primary",
)
def succeed(s: Step[MediationCase]) -> Outcome:
    """The agreement (人民调解协议书): its terms, performed at once or by a date."""
    case, p = s.case, s.payload
    terms = _text(p, "terms", gettext("协议内容"), max_len=20000)
    performance = p.get("performance")
    if performance not in Performance.values:
        raise invalid(
            "performance", gettext("履行方式应为 at_once（即时履行）或 by_date（限期履行）")
        )
    due = date_of(
        p,
        "performance_due",
        gettext("履行期限"),
        required=performance == Performance.BY_DATE,
    )
    if performance == Performance.AT_ONCE:
        due = None
    elif due is not None and due < timezone.localdate(s.now):
        raise invalid("performance_due", gettext("履行期限不能早于今天"))
    case.agreement_terms = terms
    case.performance = str(performance)
    case.performance_due = due
    case.ended_at = s.now
    note = _opt_note(p)
    _follow(s, Resolution.RESOLVED, "", f"调解成功（{case.code}）")
    data: dict[str, Any] = {"performance": case.performance}
    if due is not None:
        data["performance_due"] = due.isoformat()
    return Outcome(note, data)


@MEDIATION.row(
    "fail",
    pgettext_noop("action", "调解不成"),
    {S.MEDIATING},
    S.FAILED,
    HANDLE,
    ("note",),
    clock=CLOCK_STOP,
    style="danger",
    public_reply=True,
)
def fail(s: Step[MediationCase]) -> Outcome:
    """No agreement: why (`note`), and where the parties were guided (`referral`)."""
    case, p = s.case, s.payload
    reason = _text(p, "note", gettext("调解不成原因"), max_len=5000)
    referral = p.get("referral") or ""
    if referral and referral not in Referral.values:
        raise invalid(
            "referral", gettext("引导途径应为 litigation、arbitration、petition 或 other")
        )
    case.failure_reason = reason
    case.referral = referral
    case.ended_at = s.now
    _follow(s, Resolution.UNRESOLVED, referral, f"调解不成（{case.code}）")
    return Outcome(reason, {"referral": referral} if referral else {})


@MEDIATION.row(
    "withdraw",
    pgettext_noop("action", "撤回"),
    OPEN,
    S.WITHDRAWN,
    HANDLE,
    ("note",),
    clock=CLOCK_STOP,
)
def withdraw(s: Step[MediationCase]) -> Outcome:
    """The applicant withdraws; the event (if any) gets a timeline row and stays as it is."""
    case = s.case
    reason = _text(s.payload, "note", gettext("撤回原因"), max_len=2000)
    case.withdrawal_reason = reason
    case.ended_at = s.now
    _follow(s, "", "", f"调解申请撤回（{case.code}）")
    return Outcome(reason)


@MEDIATION.row(
    "request_confirmation",
    pgettext_noop("action", "申请司法确认"),
    {S.SUCCEEDED},
    None,
    HANDLE,
    ("court",),
)
def request_confirmation(s: Step[MediationCase]) -> Outcome:
    case, p = s.case, s.payload
    if case.judicial_requested_at is not None:
        raise Conflict(gettext("已申请司法确认"))
    court = _text(p, "court", gettext("受理法院"), max_len=100)
    if case.ended_at and s.now > case.ended_at + dt.timedelta(days=JUDICIAL_WINDOW_DAYS):
        raise Conflict(gettext("司法确认须在调解协议生效之日起三十日内申请"))
    case.judicial_requested_at = s.now
    case.judicial_court = court
    return Outcome(_opt_note(p), {"court": court})


@MEDIATION.row(
    "record_ruling",
    pgettext_noop("action", "司法确认结果"),
    {S.SUCCEEDED},
    None,
    HANDLE,
    ("ruling",),
)
def record_ruling(s: Step[MediationCase]) -> Outcome:
    case, p = s.case, s.payload
    if case.judicial_requested_at is None:
        raise Conflict(gettext("尚未申请司法确认"))
    if case.judicial_ruling:
        raise Conflict(gettext("已记录司法确认结果"))
    ruling = p.get("ruling")
    if ruling not in Ruling.values:
        raise invalid(
            "ruling", gettext("司法确认结果应为 confirmed（确认有效）或 rejected（驳回申请）")
        )
    ruled_on = date_of(p, "ruled_on", gettext("裁定日期"), required=False)
    today = timezone.localdate(s.now)
    if ruled_on is not None and ruled_on > today:
        raise invalid("ruled_on", gettext("裁定日期不能晚于今天"))
    case.judicial_ruling = str(ruling)
    case.judicial_ruled_on = ruled_on or today
    return Outcome(
        _opt_note(p),
        {"ruling": case.judicial_ruling, "ruled_on": case.judicial_ruled_on.isoformat()},
    )


@MEDIATION.row(
    "check_performance",
    pgettext_noop("action", "履行回访"),
    {S.SUCCEEDED},
    None,
    HANDLE,
    ("performed",),
)
def check_performance(s: Step[MediationCase]) -> Outcome:
    performed = _bool(s.payload, "performed", gettext("履行情况"))
    s.case.performed = performed
    return Outcome(_opt_note(s.payload), {"performed": performed})


@MEDIATION.row(
    "close",
    pgettext_noop("action", "结案"),
    ENDED,
    S.CLOSED,
    HANDLE,
    style="primary",
)
def close(s: Step[MediationCase]) -> Outcome:
    """结案: an agreement only after its 履行回访 and, if asked for, the court's ruling."""
    case = s.case
    if case.status == S.SUCCEEDED:
        if case.performed is None:
            raise Conflict(gettext("请先进行履行回访"))
        if case.judicial_requested_at is not None and not case.judicial_ruling:
            raise Conflict(gettext("司法确认结果尚未记录"))
    case.closed_at = s.now
    return Outcome(_opt_note(s.payload))


TABLE = MEDIATION.table
ACTIONS = MEDIATION.actions
